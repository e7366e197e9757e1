"""A second held-out set for participants: real Europe PMC abstracts no rule was tuned on.

The PubMed samples are mostly laboratory and animal studies, so few of their held-out
records state a number of people. The Europe PMC core responses in
tests/data/europepmc-samples hold clinical abstracts (COVID-19, echocardiography, cancer).
Every record there with an abstract, whose PMID is not among the PubMed samples, was
labelled by reading it (benchmarks/labelling/make_labels.py →
tests/data/classify/participants_europepmc.json) after the rules were last changed from
tuning failures; the rules never saw them. The text is what the tracker reads from a
Europe PMC record (tracker.europepmc.parse), with no indexing, as a new record arrives.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tracker.classify import classify
from tracker.europepmc.parse import parse_record

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "europepmc-samples"
LABELS = ROOT / "tests" / "data" / "classify" / "participants_europepmc.json"
FILES = (
    "JonasHeinickeBio-pyEuropePMC__search_cancer_core.json",
    "wabbit-corp-kotlin-web-europepmc__1.json",
    "wabbit-corp-kotlin-web-europepmc__2.json",
)


def europepmc_abstracts(known_pmids: set[int]) -> Iterator[tuple[str, str, str, str]]:
    """(SOURCE:ID, file, title, abstract) of every record with an abstract, once, skipping
    PubMed records the PubMed samples already hold (they are in the split already)."""
    seen: set[str] = set()
    for name in FILES:
        page = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
        for record in page["resultList"]["result"]:
            key = f"{record['source']}:{record['id']}"
            pmid = record.get("pmid")
            if key in seen or not record.get("abstractText"):
                continue
            seen.add(key)
            if pmid and int(pmid) in known_pmids:
                continue
            parsed = parse_record(record)
            yield key, name, parsed.title, parsed.abstract or ""


def europepmc_figures(known_pmids: set[int]) -> dict[str, int]:
    """Precision and recall counts of the participants rule on the labelled records."""
    text = {key: (title, abstract) for key, _f, title, abstract in europepmc_abstracts(known_pmids)}
    out = Counter[str]()
    for row in json.loads(LABELS.read_text(encoding="utf-8")):
        truth = row["participants"]
        allowed = set(truth) if isinstance(truth, list) else {truth}
        title, abstract = text[row["id"]]
        got = classify(title, abstract, ("Journal Article",), (), "Publisher").participants
        out["labelled"] += truth is not None
        out["stated"] += got is not None
        out["right"] += got is not None and got in allowed
        out["records"] += 1
    return dict(out)
