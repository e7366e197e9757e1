"""The demo's ClinicalTrials.gov and Europe PMC weeks, on bundled real records.

Last week a registered trial was recruiting and a preprint had no journal version
linked; this week the real records say the trial was terminated and the preprint was
published. The earlier states are crafted from the real records (crafted_* below); every
other record is served as recorded (see demo_data/PROVENANCE.md in each look-alike).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker.ctgov.client import ctgov_config
from tracker.europepmc.client import europepmc_config
from tracker.ingest.preprints_sync import run_preprints
from tracker.ingest.source_run import SourceResult
from tracker.ingest.trials_sync import run_trials
from tracker.jsonapi.client import JsonClient
from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.lookalikes.europepmc.server import LocalEuropePmc
from tracker.searches.pairs import Concept, Pair

# The bundled records are about melanoma immunotherapy and COVID-19, not baclofen/RLS.
TRIAL_PAIR = Pair(
    Concept.named("pembrolizumab", synonyms=["Montanide ISA 51"], brands=["Keytruda"]),
    Concept.named("melanoma"),
)
PREPRINT_PAIR = Pair(Concept.named("vaccination"), Concept.named("COVID-19"))
TERMINATED = (
    "cyanheads-clinicaltrialsgov-mcp-server__study_NCT00184067_2025-06-17T11-17-42-480Z.json"
)
PREPRINTS = "wabbit-corp-kotlin-web-europepmc__1.json"


def _files(package: str) -> list[Path]:
    folder = resources.files(package) / "demo_data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


def crafted_recruiting(study: dict[str, Any]) -> dict[str, Any]:
    """Crafted: the real TERMINATED NCT00184067 as recruiting, before it stopped."""
    early = copy.deepcopy(study)
    status = early["protocolSection"]["statusModule"]
    status["overallStatus"] = "RECRUITING"
    status.pop("whyStopped", None)
    return early


def crafted_unlinked(record: dict[str, Any]) -> dict[str, Any]:
    """Crafted: a real preprint record without its commentCorrectionList (no link yet)."""
    early = copy.deepcopy(record)
    early.pop("commentCorrectionList", None)
    return early


class DemoSources:
    """Both look-alikes, started for the two demo weeks."""

    def __init__(self) -> None:
        self.ctgov = LocalCtgov()
        self.epmc = LocalEuropePmc()

    def __enter__(self) -> DemoSources:
        self.ctgov.start()
        self.epmc.start()
        self.ctgov.load_files(_files("tracker.lookalikes.ctgov"))
        self.epmc.load_files(_files("tracker.lookalikes.europepmc"))
        self._real_study = json.loads(_read("tracker.lookalikes.ctgov", TERMINATED))
        self.ctgov.put_study(crafted_recruiting(self._real_study))
        page = json.loads(_read("tracker.lookalikes.europepmc", PREPRINTS))
        self._real_preprint = next(
            r for r in page["resultList"]["result"] if r["id"] == "PPR838108"
        )
        self.epmc.put_record(crafted_unlinked(self._real_preprint))
        return self

    def __exit__(self, *exc: object) -> None:
        self.ctgov.stop()
        self.epmc.stop()

    def this_week(self) -> None:
        """The real records: the trial terminated, the preprint linked to PMID 38605817."""
        self.ctgov.put_study(self._real_study)
        self.epmc.put_record(self._real_preprint)

    def run(self, db: Database, search: str, today: date) -> tuple[SourceResult, ...]:
        fast = {"requests_per_second": 50.0}
        with JsonClient(ctgov_config({"CTGOV_API_URL": self.ctgov.base_url}, **fast)) as ct:
            trials = run_trials(db, ct, search, TRIAL_PAIR, today, full=True)
        config = europepmc_config({"EUROPEPMC_URL": self.epmc.base_url}, **fast)
        with JsonClient(config) as ep:
            preprints = run_preprints(db, ep, search, PREPRINT_PAIR, today, full=True)
        return trials, preprints


def _read(package: str, name: str) -> str:
    return (resources.files(package) / "demo_data" / name).read_text(encoding="utf-8")
