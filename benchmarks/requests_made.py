"""Benchmark 3: requests made to NCBI against the minimum the rules allow.

    python benchmarks/requests_made.py            # 25,000-record backfill + quiet week
    python benchmarks/requests_made.py --records 25000 --searches 10

A local E-utilities server (tracker.lookalikes.eutils.server.LocalEutils, rate limiting on, as
NCBI answers 429 above 3 requests/s without a key) holds `--records` derived records:
real current-DTD samples renumbered by `clone_renumbered`, Create Dates spread over
2015..last week, all English so the saved search `eng[la]` matches every one.

* backfill: the first run of one saved search (since 2015-01-01) through sync.run_search;
* quiet week: ten saved searches already synced, run again with nothing new.

Minimums: esearch returns at most 9,999 ids per query, so a backfill of N needs at least
ceil(N / 9,999) id-returning esearch calls, and ceil(N / batch) efetch calls; a quiet
run needs one esearch (added records) per search, and one more if revised records are
re-checked ([mdat]) — the issue allows 2.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import DERIVED_START_PMID, current_corpus, table
from tracker import store
from tracker.ingest.sync import EFETCH_BATCH, run_search
from tracker.lookalikes.eutils.corpus import Corpus
from tracker.lookalikes.eutils.faults import max_in_window
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SavedSearch
from tracker.ncbi.client import EutilsClient, EutilsConfig

ESEARCH_CAP = 9_999
TERM = "eng[la]"
SINCE = date(2015, 1, 1)


@dataclass(frozen=True)
class Counted:
    scenario: str
    records: int
    esearch: int
    efetch: int
    esearch_minimum: int
    efetch_minimum: int
    max_per_second: int
    seconds: float
    status: str

    @property
    def total(self) -> int:
        return self.esearch + self.efetch


def english_clones(records: int, today: date) -> Corpus:
    """`records` clones of the English current-DTD samples, sources removed."""
    corpus = current_corpus()
    for entry in corpus.entries():
        if " eng " not in entry.text.get("la"):
            corpus.remove(entry.pmid)
    sources = corpus.pmids()
    corpus.clone_renumbered(records, DERIVED_START_PMID, SINCE, today - timedelta(days=7))
    for pmid in sources:
        corpus.remove(pmid)
    return corpus


def _client(server: LocalEutils) -> EutilsClient:
    config = EutilsConfig(base_url=server.base_url, email="bench@example.org", backoff_base=0.2)
    return EutilsClient(config)


def _count(server: LocalEutils, start: int, scenario: str, records: int, seconds: float,
           minimums: tuple[int, int], status: str) -> Counted:  # fmt: skip
    logged = server.requests.entries()[start:]
    return Counted(
        scenario=scenario,
        records=records,
        esearch=sum(r.endpoint == "esearch" for r in logged),
        efetch=sum(r.endpoint == "efetch" for r in logged),
        esearch_minimum=minimums[0],
        efetch_minimum=minimums[1],
        max_per_second=max_in_window([r.time for r in logged]),
        seconds=seconds,
        status=status,
    )


def run(records: int, searches: int) -> list[Counted]:
    today = date.today()
    server = LocalEutils(corpus=english_clones(records, today), rate_limit=True)
    out = []
    with server, tempfile.TemporaryDirectory(prefix="offlabel-bench-") as tmp:
        db = store.connect(Path(tmp) / "requests.db")
        backfill = SavedSearch(name="backfill", term=TERM, title="backfill", since=SINCE)
        with _client(server) as client:
            started, before = time.perf_counter(), len(server.requests.entries())
            result = run_search(db, client, backfill, today=today)
            minimums = (math.ceil(records / ESEARCH_CAP), math.ceil(records / EFETCH_BATCH))
            out.append(_count(server, before, "backfill", result.fetched,
                              time.perf_counter() - started, minimums, result.status))  # fmt: skip
        weekly = [
            SavedSearch(name=f"weekly-{i}", term=TERM, title=f"weekly {i}", since=today)
            for i in range(searches)
        ]
        with _client(server) as client:
            for search in weekly:  # first runs: each search's own (empty) backfill
                run_search(db, client, search, today=today)
        later = today + timedelta(days=7)
        with _client(server) as client:
            started, before = time.perf_counter(), len(server.requests.entries())
            results = [run_search(db, client, s, today=later) for s in weekly]
            statuses = ",".join(sorted({r.status for r in results}))
            out.append(_count(server, before, f"quiet week, {searches} saved searches", 0,
                              time.perf_counter() - started, (searches, 0), statuses))  # fmt: skip
        db.close()
    return out


def requests_table(found: list[Counted]) -> str:
    rows = [
        [c.scenario, f"{c.records:,}", f"{c.esearch} (min {c.esearch_minimum})",
         f"{c.efetch} (min {c.efetch_minimum}, batch {EFETCH_BATCH})", c.total,
         f"{c.max_per_second} (limit 3)", f"{c.seconds:.1f}", c.status]
        for c in found
    ]  # fmt: skip
    headers = ["scenario", "records fetched", "esearch", "efetch", "requests",
               "most in any 1 s", "seconds", "status"]  # fmt: skip
    return table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=25_000)
    parser.add_argument("--searches", type=int, default=10)
    args = parser.parse_args(argv)
    print(requests_table(run(args.records, args.searches)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
