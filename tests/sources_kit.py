"""Helpers for the ClinicalTrials.gov and Europe PMC tests: the recorded samples, fast
clients aimed at the local look-alikes, and the crafted variants of real records.

Every crafted variant is a real record (tests/data/*-samples, see PROVENANCE.md there)
with the named fields changed, to play the same study as it was in an earlier week; each
function is named crafted_* and says what it changes.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from helpers import fast_client
from sqlite_utils import Database

from tracker.ctgov.client import ctgov_config
from tracker.europepmc.client import europepmc_config
from tracker.ingest.sync import run_search
from tracker.jsonapi.client import JsonClient
from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.lookalikes.europepmc.server import LocalEuropePmc
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SavedSearch
from tracker.searches.pairs import Concept, Pair

DATA = Path(__file__).resolve().parent / "data"
CTGOV = DATA / "ctgov-samples"
EUROPEPMC = DATA / "europepmc-samples"
TERMINATED_FILE = (
    "cyanheads-clinicaltrialsgov-mcp-server__study_NCT00184067_2025-06-17T11-17-42-480Z.json"
)
RESULTS_FILE = "ctti-clinicaltrials-aact__NCT02552212.json"
COVID_CORE = "wabbit-corp-kotlin-web-europepmc__1.json"

# Pairs that fit the recorded records (none of them is about baclofen or RLS).
PEMBROLIZUMAB_MELANOMA = Pair(
    Concept.named("pembrolizumab", brands=["Keytruda"]), Concept.named("melanoma")
)
MONTANIDE_MELANOMA = Pair(Concept.named("Montanide ISA 51"), Concept.named("melanoma"))
INTERFERON_MELANOMA = Pair(Concept.named("interferon"), Concept.named("melanoma"))
CERTOLIZUMAB_AXSPA = Pair(
    Concept.named("certolizumab pegol", brands=["Cimzia"]),
    Concept.named("axial spondyloarthritis"),
)
VACCINE_COVID = Pair(Concept.named("vaccination", synonyms=["vaccine*"]), Concept.named("COVID-19"))


def ctgov_files() -> list[Path]:
    return sorted(CTGOV.glob("*.json"))


def real_study(name: str) -> dict[str, Any]:
    return json.loads((CTGOV / name).read_text(encoding="utf-8"))


def crafted_nct00184067_recruiting() -> dict[str, Any]:
    """Crafted: the real TERMINATED NCT00184067 as it might have read before it stopped:
    overallStatus RECRUITING, no whyStopped, last update posted 2013-06-03."""
    study = copy.deepcopy(real_study(TERMINATED_FILE))
    status = study["protocolSection"]["statusModule"]
    status["overallStatus"] = "RECRUITING"
    status.pop("whyStopped", None)
    status["lastUpdatePostDateStruct"] = {"date": "2013-06-03", "type": "ESTIMATED"}
    return study


def crafted_nct02552212_before_results() -> dict[str, Any]:
    """Crafted: the real NCT02552212 before its results were posted: hasResults false,
    no resultsSection, no resultsFirstPostDateStruct, last update posted 2019-03-05."""
    study = copy.deepcopy(real_study(RESULTS_FILE))
    study["hasResults"] = False
    study.pop("resultsSection", None)
    status = study["protocolSection"]["statusModule"]
    status.pop("resultsFirstPostDateStruct", None)
    status["lastUpdatePostDateStruct"] = {"date": "2019-03-05", "type": "ACTUAL"}
    return study


def real_epmc_record(file: str, record_id: str) -> dict[str, Any]:
    data = json.loads((EUROPEPMC / file).read_text(encoding="utf-8"))
    return next(r for r in data["resultList"]["result"] if r["id"] == record_id)


def crafted_ppr838108_unlinked() -> dict[str, Any]:
    """Crafted: the real PPR838108 as if Europe PMC had not linked its journal version
    yet: the same record without its commentCorrectionList (the real one has the link)."""
    record = copy.deepcopy(real_epmc_record(COVID_CORE, "PPR838108"))
    record.pop("commentCorrectionList", None)
    return record


FAST = {"requests_per_second": 500.0, "backoff_base": 0.01, "backoff_cap": 0.05, "timeout": 3.0}


def ctgov_client(server: LocalCtgov, **overrides: object) -> JsonClient:
    return JsonClient(ctgov_config({"CTGOV_API_URL": server.base_url}, **{**FAST, **overrides}))


def europepmc_client(server: LocalEuropePmc, **overrides: object) -> JsonClient:
    config = europepmc_config({"EUROPEPMC_URL": server.base_url}, **{**FAST, **overrides})
    return JsonClient(config)


def pubmed_ran(db: Database, search: SavedSearch, today: date) -> None:
    """A good PubMed run of ``search`` that finds nothing (an empty E-utilities look-alike):
    without one, the digest says the search never ran instead of what the sources found."""
    with LocalEutils([]) as server, fast_client(server) as client:
        assert run_search(db, client, search, today=today).status == "ok"
