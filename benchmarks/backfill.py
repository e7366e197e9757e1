"""Benchmark 5: a large backfill through the real `tracker sync`: its memory, and how
long another writer waits beside it.

    python benchmarks/backfill.py                  # 50,000 records
    python benchmarks/backfill.py --records 10000

A local E-utilities server (tracker.lookalikes.eutils.server.LocalEutils) in this
process holds `--records` derived records (real current-DTD samples renumbered by
`clone_renumbered`, Create Dates spread over 2015..last week, all matching `eng[la]`).
The tracker runs as its own process (`python -m tracker sync`, a dummy API key so it
may ask 10 times a second); this process samples the summed RSS of that process and
its descendants every 20 ms (benchmarks.tools.TreeMemory's method: the peak of the
process tree), and beside it a second writer opens `BEGIN IMMEDIATE` on the same
database every 0.2 s, recording the longest wait.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import DERIVED_START_PMID, current_corpus, table
from benchmarks.tools import _rss_kb, _tree
from tracker.lookalikes.eutils.server import LocalEutils

TERM = "eng[la]"
SINCE = date(2015, 1, 1)


class Sampler:
    """Peak summed RSS of `pid` and its descendants, and the longest writer wait."""

    def __init__(self, pid: int, db: Path) -> None:
        self.pid, self.db = pid, db
        self.peak_kb = 0
        self.longest_wait = 0.0
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._memory, daemon=True),
            threading.Thread(target=self._writer, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _memory(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(self.pid)))

    def _writer(self) -> None:
        while not self._stop.wait(0.2):
            if not self.db.exists():
                continue
            conn = sqlite3.connect(self.db, timeout=3600)
            try:
                began = time.monotonic()
                conn.execute("BEGIN IMMEDIATE")
                self.longest_wait = max(self.longest_wait, time.monotonic() - began)
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            finally:
                conn.close()


def backfill(records: int, workdir: Path) -> list[object]:
    corpus = current_corpus()
    last_week = date.today() - timedelta(days=7)
    corpus.clone_renumbered(records, DERIVED_START_PMID, SINCE, last_week)
    queries = workdir / "queries"
    queries.mkdir(parents=True, exist_ok=True)
    (queries / "backfill.toml").write_text(f'term = "{TERM}"\nsince = {SINCE}\n')
    db = workdir / "tracker.db"
    with LocalEutils(corpus=corpus) as server:
        env = {
            **os.environ,
            "NCBI_EUTILS_URL": server.base_url,
            "NCBI_API_KEY": "benchmark-dummy-key",
            "NCBI_EMAIL": "benchmarks@example.org",
            "TRACKER_DB": str(db),
        }
        started = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tracker", "sync"],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        sampler = Sampler(proc.pid, db)
        out, err = proc.communicate()
        sampler.stop()
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"tracker sync failed ({proc.returncode}): {out}\n{err[-2000:]}")
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT COUNT(*) FROM query_articles").fetchone()[0]
    conn.close()
    return [records, stored, f"{seconds:.1f}", f"{sampler.peak_kb / 1024:.0f}",
            f"{sampler.longest_wait:.2f}"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--workdir", help="keep the database here (default: a temp folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        row = backfill(args.records, Path(args.workdir or tmp))
    headers = ["records", "stored", "wall s", "peak RSS MB (process tree)",
               "longest wait of another writer s"]  # fmt: skip
    print(table(headers, [row]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
