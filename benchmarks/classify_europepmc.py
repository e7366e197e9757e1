"""Participants on real Europe PMC abstracts: a second held-out set and more tuning records.

The PubMed samples are mostly laboratory and animal studies, so few of their records
state a number of people. The Europe PMC core responses in tests/data/europepmc-samples
hold more studies of people. Every record there with an abstract, whose PMID is not among
the PubMed samples, was labelled by reading it (benchmarks/labelling/make_labels.py →
tests/data/classify/participants_europepmc.json), by file:

* HELD-OUT: pyEuropePMC's cancer page and wabbit 1 and 2 (COVID-19, echocardiography),
  labelled after the fourth PubMed held-out measurement; no rule was tuned on them;
* TUNING: wabbit 3, 5 and 7 (metabolomics, neuroplasticity, epigenetics), labelled
  later to give the rules more studies of people to be tuned on.

The text is what the tracker reads from a Europe PMC record (tracker.europepmc.parse),
with no indexing, as a new record arrives.
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
# The held-out files first: a record in both parts is held-out.
FILES = {
    "JonasHeinickeBio-pyEuropePMC__search_cancer_core.json": "heldout",
    "wabbit-corp-kotlin-web-europepmc__1.json": "heldout",
    "wabbit-corp-kotlin-web-europepmc__2.json": "heldout",
    "wabbit-corp-kotlin-web-europepmc__3.json": "tuning",
    "wabbit-corp-kotlin-web-europepmc__5.json": "tuning",
    "wabbit-corp-kotlin-web-europepmc__7.json": "tuning",
}


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


def _answers(known_pmids: set[int], part: str) -> Iterator[tuple[dict, str, int | None, bool]]:
    """(label row, title, the rule's count, right?) for one part's labelled records."""
    text = {key: (title, abstract) for key, _f, title, abstract in europepmc_abstracts(known_pmids)}
    for row in json.loads(LABELS.read_text(encoding="utf-8")):
        if row["part"] != part:
            continue
        truth = row["participants"]
        allowed = set(truth) if isinstance(truth, list) else {truth}
        title, abstract = text[row["id"]]
        got = classify(title, abstract, ("Journal Article",), (), "Publisher").participants
        yield row, title, got, got in allowed


def europepmc_misses(known_pmids: set[int]) -> None:
    """Print the TUNING part's wrong or missing counts (never the held-out part's)."""
    for row, title, got, right in _answers(known_pmids, "tuning"):
        if not right:
            print(f"{row['id']}\tlabel {row['participants']}\tgot {got}\t{title[:80]}")


def europepmc_figures(known_pmids: set[int], part: str) -> dict[str, int]:
    """Precision and recall counts of the participants rule on one part's labelled records."""
    out = Counter[str]()
    for row, _title, got, right in _answers(known_pmids, part):
        truth = row["participants"]
        out["labelled"] += truth is not None
        out["stated"] += got is not None
        out["right"] += got is not None and right
        out["records"] += 1
    return dict(out)
