"""Benchmark 4: reading what is stored — `tracker digest` and `tracker find`.

    python benchmarks/reading.py                       # digest of 10,000, find over 100,000
    python benchmarks/reading.py --digest 10000 --find 100000

digest: a saved search synced from the local E-utilities server holding `--digest`
derived records (real current-DTD samples, renumbered), then `tracker digest NAME` run
as a user runs it (its own process, start-up included): first the digest of all of them,
then, after a week that brought 50 more, the weekly digest.

find: `--find` stored articles (the derived records, copied in SQL under new PMIDs,
each copy through the FTS triggers), then the query `tracker find` runs
(tracker.store.reads.find_articles on tracker.research.find.fts_query) timed in-process
over several queries; median and worst are reported, plus one `tracker find` process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import DERIVED_START_PMID, ROOT, current_corpus, efetch_sample_files, table
from tracker import store
from tracker.ingest.sync import run_search
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SavedSearch
from tracker.ncbi.client import EutilsClient, EutilsConfig
from tracker.pubmed import parse_pubmed_xml
from tracker.store.schema import ARTICLE_COLUMNS

FIND_QUERIES = (
    "baclofen",
    '"restless legs"',
    "randomized AND placebo",
    "pain*",
    "cancer OR tumour",
    "sleep NOT apnea",
    '(depression OR anxiety) AND "quality of life"',
    "insomnia[ti]",
)
NAME = "bench-digest"


def _cli(db: Path, workdir: Path, *args: str) -> float:
    env = {**os.environ, "TRACKER_DB": str(db), "TRACKER_QUERIES": str(workdir / "queries"),
           "TRACKER_REPORTS": str(workdir / "reports"), "PYTHONPATH": str(ROOT)}  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tracker", *args], env=env, capture_output=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"tracker {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    return seconds


def digest(records: int, workdir: Path) -> list[list[str]]:
    today = date.today()
    corpus = current_corpus()
    corpus_sources = corpus.pmids()
    corpus.clone_renumbered(records, DERIVED_START_PMID, today - timedelta(days=400), today)
    for pmid in corpus_sources:
        corpus.remove(pmid)
    (workdir / "queries").mkdir(exist_ok=True)
    (workdir / "queries" / f"{NAME}.toml").write_text(
        f'term = "eng[la] OR fre[la] OR ger[la] OR spa[la] OR chi[la] OR jpn[la]"\n'
        f"since = {(today - timedelta(days=400)).isoformat()}\n"
    )
    search = SavedSearch(name=NAME, term="eng[la] OR fre[la] OR ger[la] OR spa[la] OR chi[la] "
                         "OR jpn[la]", title=NAME, since=today - timedelta(days=400))  # fmt: skip
    db_path = workdir / "digest.db"
    _remove_db(db_path)  # a --workdir kept from an earlier run must not count as stored
    shutil.rmtree(workdir / "reports", ignore_errors=True)
    server = LocalEutils(corpus=corpus)
    rows = []
    with server:
        db = store.connect(db_path)
        config = EutilsConfig(base_url=server.base_url, api_key="local-benchmark", tool="bench")
        with EutilsClient(config) as client:
            first = run_search(db, client, search, today=today)
            stored = first.fetched
            seconds = _cli(db_path, workdir, "digest", NAME)
            rows.append([f"first digest: all {stored:,} stored studies new", f"{seconds:.2f}"])
            server.clone_renumbered(50, DERIVED_START_PMID + records, today, today)
            run_search(db, client, search, today=today + timedelta(days=7))
            seconds = _cli(db_path, workdir, "digest", NAME)
            rows.append([f"weekly digest: 50 new of {stored + 50:,} stored", f"{seconds:.2f}"])
        db.close()
    return rows


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_find_db(path: Path, articles: int) -> int:
    """`articles` rows: the real samples, then SQL copies under new PMIDs (FTS via triggers)."""
    _remove_db(path)
    db = store.connect(path)
    real = []
    for f in efetch_sample_files():
        real.extend(parse_pubmed_xml(f.read_bytes()))
    with store.write_transaction(db):
        store.upsert_articles(db, real, store.utc_now())
    have = db.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    columns = [c for c in db["articles"].columns_dict if c != "pmid"]
    cols = ", ".join(columns)
    copy = 0
    with store.write_transaction(db):
        while have < articles:
            copy += 1
            db.conn.execute(
                f"INSERT INTO articles (pmid, {cols}) SELECT pmid + ?, {cols} FROM articles "
                "WHERE pmid < ? LIMIT ?",
                (copy * 100_000_000, 100_000_000, articles - have),
            )
            have = db.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    assert set(ARTICLE_COLUMNS) <= {*columns, "pmid"}
    return have


def find(articles: int, workdir: Path, repeat: int = 5) -> tuple[list[list[str]], str]:
    db_path = workdir / "find.db"
    stored = build_find_db(db_path, articles)
    db = store.connect(db_path)
    try:
        from tracker.research.find import fts_query
        from tracker.store.reads import find_articles

        def run_query(text: str) -> int:
            return len(find_articles(db, fts_query(text).expression, limit=20))

        how = "`tracker find`'s query (reads.find_articles on find.fts_query)"
    except ImportError:  # tracker find not there yet: the bare FTS5 query it would run

        def run_query(text: str) -> int:
            sql = (
                "SELECT a.pmid, a.title FROM articles_fts JOIN articles a ON a.rowid = "
                "articles_fts.rowid WHERE articles_fts MATCH ? ORDER BY rank LIMIT 20"
            )
            return len(db.execute(sql, [text]).fetchall())

        how = "a bare FTS5 MATCH over articles_fts (no `tracker find` yet)"
    rows, times = [], []
    for text in FIND_QUERIES:
        run_query(text)  # warm the page cache, as a researcher's second query would be
        spent = []
        for _ in range(repeat):
            started = time.perf_counter()
            hits = run_query(text)
            spent.append(time.perf_counter() - started)
        times.extend(spent)
        rows.append([f"`{text}`", str(hits), f"{statistics.median(spent) * 1000:.1f}"])
    db.close()
    median = statistics.median(times) * 1000
    cli = _cli(db_path, workdir, "find", "restless legs")
    summary = (f"{stored:,} stored articles; {how}: median {median:.1f} ms, worst query "
               f"{max(float(r[2]) for r in rows):.1f} ms; one `tracker find` process, "
               f"start-up included: {cli:.2f} s")  # fmt: skip
    return rows, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digest", type=int, default=10_000)
    parser.add_argument("--find", type=int, default=100_000)
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="offlabel-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(table(["tracker digest", "seconds (whole process)"], digest(args.digest, workdir)))
    print()
    rows, summary = find(args.find, workdir)
    print(table(["tracker find query", "hits (limit 20)", "median ms"], rows))
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
