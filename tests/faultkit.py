"""Shared helpers for the fault suites (tests/test_faults_*.py, test_bad_input.py,
test_secrets.py): a local E-utilities server with real or derived records, the tracker
as a real process, and the checks every fault case ends with:

* ``check_db``: ``PRAGMA integrity_check`` is ok, the FTS index matches the articles,
  and no partial batch is visible (every stored article belongs to a saved search that
  completed a run, no saved search that never completed holds anything);
* ``snapshot``: every table except the run log, for "the database is as it was";
* ``matching``: what the server holds for a term, asked without HTTP (no fault is
  consumed, no request logged), for "the next normal run ends with exactly these".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import (  # noqa: F401  (the fault suites import these from here too)
    CLONE_SOURCE,
    CLONE_SOURCE_PMID,
    CLONE_TERM,
    METAPUB_FILES,
    ROOT,
    SAMPLES,
    TEST_EMAIL,
    clone_server,
    efetch_file,
    fast_client,
    fast_config,
    local_eutils,
    one_error_line,
    start,
    tracker,
    tracker_env,
    wait_for,
)

from tracker.lookalikes.eutils.server import LocalEutils
from tracker.ncbi.responses import parse_esearch

FILES = METAPUB_FILES  # the real metapub records; the first 60 are the demo's
TERM = "treatment[tiab] OR therapy[tiab]"
# The newest week ends today (the CLI plans its window from the real clock).
TODAY = datetime.now(UTC).date() - timedelta(days=7)
# Tables that hold data (everything but the run log).
DATA_TABLES = (
    "articles",
    "authors",
    "searches",
    "query_articles",
    "pending_fetch",
    "digests",
    "article_changes",
)


# -- the server and the client --------------------------------------------------------------


@contextmanager
def sample_server(files: list[Path] | None = None) -> Iterator[LocalEutils]:
    """LocalEutils over real sample records (the demo's 60 metapub efetch files)."""
    with local_eutils(files) as srv:
        yield srv


def matching(server: LocalEutils, term: str = TERM) -> set[int]:
    """Every PMID the server holds for ``term`` (any date), asked in-process."""
    reply = server.esearch({"db": "pubmed", "term": term, "retmax": "9999"})
    result = parse_esearch(reply.body, reply.ctype, 0, 9999)
    assert result.count == len(result.ids), "use a term with fewer than 10,000 matches"
    return set(result.ids)


# -- the database ---------------------------------------------------------------------------


@contextmanager
def sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        yield conn


def check_db(path: Path) -> dict[str, set[int]]:
    """Assert the database is sound and holds no partial batch; return each saved
    search's members."""
    with sqlite(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        articles = {r[0] for r in conn.execute("SELECT pmid FROM articles")}
        fts = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
        assert fts == len(articles), "FTS index out of step with articles"
        orphans = conn.execute(
            "SELECT COUNT(*) FROM authors WHERE pmid NOT IN (SELECT pmid FROM articles)"
        ).fetchone()[0]
        assert orphans == 0, "authors without their article"
        members: dict[str, set[int]] = {}
        for name, reached, last_good in conn.execute(
            "SELECT name, synced_until, last_good_run FROM searches"
        ).fetchall():
            found = {
                r[0]
                for r in conn.execute("SELECT pmid FROM query_articles WHERE search = ?", (name,))
            }
            pending = {
                r[0]
                for r in conn.execute("SELECT pmid FROM pending_fetch WHERE search = ?", (name,))
            }
            ok_runs = conn.execute(
                "SELECT COUNT(*) FROM runs WHERE search = ? AND status = 'ok'", (name,)
            ).fetchone()[0]
            if reached is None:  # never completed: nothing of it may be visible
                assert (found, pending, ok_runs, last_good) == (set(), set(), 0, None), name
            else:
                assert ok_runs >= 1 and last_good is not None, name
            assert not found & pending, f"{name}: a PMID both found and pending"
            assert found <= articles, f"{name}: members without their article"
            members[name] = found
        # No partial batch: every stored article came with a completed run's membership.
        assert articles == set().union(*members.values()), "articles outside any completed run"
        duplicates = conn.execute(
            "SELECT COUNT(*) FROM (SELECT search, pmid FROM query_articles "
            "GROUP BY search, pmid HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0
    return members


def snapshot(path: Path) -> dict[str, list[tuple]]:
    with sqlite(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in DATA_TABLES}


def watermark(path: Path, search: str) -> str | None:
    with sqlite(path) as conn:
        row = conn.execute("SELECT synced_until FROM searches WHERE name = ?", (search,)).fetchone()
    return row[0] if row else None


def runs(path: Path, search: str | None = None) -> list[dict]:
    with sqlite(path) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT * FROM runs WHERE ? IS NULL OR search = ? ORDER BY id", (search, search)
        ).fetchall()
    return [dict(r) for r in rows]


def write_search(
    workdir: Path, name: str, term: str, since: date | None = None, extra: str = ""
) -> None:
    folder = workdir / "queries"
    folder.mkdir(exist_ok=True)
    text = f"term = {term!r}\n".replace("'", '"') if '"' not in term else f"term = '{term}'\n"
    if since:
        text += f"since = {since.isoformat()}\n"
    (folder / f"{name}.toml").write_text(text + extra, encoding="utf-8")
