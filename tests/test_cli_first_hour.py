"""Mistakes a user makes in the first hour, each answered by one clear line, the right
exit code and nothing created that was not asked for; and what a digest says when its
search has not worked. Real processes, real SQLite files, real recorded PubMed records."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import click
import feedparser
import pytest
from helpers import DEMO_FILES, assert_one_line_error, efetch_file, tracker

from tracker import store
from tracker.digest.write import write_digest
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import RunResult, SavedSearch

ROOT = Path(__file__).parent.parent
GOOD = efetch_file("metapub__219391.xml")
GOOD2 = efetch_file("metapub__23657305.xml")
EMPTY = efetch_file("metapub__37909814.xml")  # a real empty <PubmedArticleSet>
NO_DB = "no database at tracker.db; run `tracker run` first, or set --db"


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "treatments.toml").write_text(
        'title = "Treatments"\nterm = "treatment[tiab]"\nschedule = "0 6 * * 1"\n',
        encoding="utf-8",
    )
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def filled(workdir):
    proc = tracker("import", str(GOOD), str(GOOD2), cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    return workdir


def test_reading_commands_on_a_missing_database_create_nothing(workdir):
    before = listing(workdir)
    for args in (["find", "x"], ["stats"], ["export"], ["status"], ["digest"],
                 ["sql", "SELECT 1"], ["serve", "--metadata", "m.json"]):  # fmt: skip
        proc = tracker(*args, cwd=workdir)
        assert_one_line_error(proc, 2, NO_DB)
    assert listing(workdir) == before


def test_an_empty_database_is_called_empty(workdir):
    (workdir / "tracker.db").write_bytes(b"")
    proc = tracker("stats", cwd=workdir)
    assert_one_line_error(proc, 2, "the database at tracker.db is empty; run `tracker run` first")
    sqlite3.connect(workdir / "tracker.db").execute("CREATE TABLE other (a)").connection.close()
    assert_one_line_error(tracker("find", "x", cwd=workdir), 2, "is empty")


def test_a_mistyped_db_folder_is_never_created(workdir):
    before = listing(workdir)
    for args in (["run"], ["sync"], ["import", str(GOOD)]):
        proc = tracker("--db", "nowhere/x.db", *args, cwd=workdir)
        assert_one_line_error(
            proc, 2, "--db nowhere/x.db: folder nowhere does not exist (the tracker creates"
        )
    assert listing(workdir) == before


def test_a_file_that_is_not_sqlite_is_called_that_and_gets_no_lock_file(workdir):
    (workdir / "README.md").write_text("# crafted: a Markdown file, not a database\n")
    before = listing(workdir)
    for args in (["stats"], ["run"], ["import", str(GOOD)], ["digest"]):
        proc = tracker("--db", "README.md", *args, cwd=workdir)
        assert_one_line_error(proc, 2, "--db README.md is not a SQLite database")
    assert listing(workdir) == before  # no README.md.lock, no -wal, no -shm


def test_search_without_a_database_shows_its_results_and_creates_nothing(workdir):
    with LocalEutils(DEMO_FILES[:5]) as server:
        env = {"NCBI_EUTILS_URL": server.base_url, "NCBI_EMAIL": "tracker-tests@example.org"}
        before = listing(workdir)
        proc = tracker("search", "treatment", "--max", "3", cwd=workdir, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip().splitlines()[-1] == f"tracker: note: records not stored: {NO_DB}"
        assert listing(workdir) == before  # no tracker.db, no lock file
        proc = tracker("--db", "nowhere/x.db", "search", "treatment", cwd=workdir, env=env)
        assert_one_line_error(proc, 2, "folder nowhere does not exist")
        assert not (workdir / "nowhere").exists()


def test_import_reports_every_file_and_goes_on(workdir):
    bad = workdir / "crafted-not-pubmed.xml"
    bad.write_text("<html><body>crafted: not PubMed XML</body></html>\n", encoding="utf-8")
    proc = tracker("import", str(GOOD), str(EMPTY), str(bad), str(GOOD2), cwd=workdir)
    assert proc.returncode == 1, proc.stderr
    assert_one_line_error(proc, 1, f"refused {bad}: ")
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{GOOD}: stored 1 records"
    assert lines[1] == f"{EMPTY}: empty (no records in it)"
    assert lines[2].startswith(f"{bad}: refused: ")
    assert lines[3] == f"{GOOD2}: stored 1 records"
    assert lines[4] == "4 files: 2 records stored, 1 empty, 1 refused"
    stats = json.loads(tracker("stats", "--json", cwd=workdir).stdout)
    assert stats["articles"] == 2


def test_group_options_work_after_the_subcommand(filled, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = str(filled / "tracker.db")
    found = tracker("find", "iron", "--db", db, cwd=elsewhere)
    assert found.returncode == 0, found.stderr
    assert "23657305" in found.stdout
    status = tracker("status", "--json", f"--db={db}", "--queries", str(filled / "queries"),
                     cwd=elsewhere)  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)[0]["search"] == "treatments"
    stats = tracker("stats", "--db", db, "--json", cwd=elsewhere)  # stats' own --json
    assert json.loads(stats.stdout)["articles"] == 2
    assert listing(elsewhere) == []


def test_find_not_sql_typos_widths_and_stats_labels(filled):
    negated = tracker("find", "NOT iron", cwd=filled)
    assert negated.returncode == 0, negated.stderr
    assert "219391" in negated.stdout and "23657305" not in negated.stdout
    typo = tracker("sql", "selct 1", cwd=filled)
    assert_one_line_error(typo, 2, 'syntax error: near "selct"')
    table = tracker("sql", "SELECT pmid, pub_year FROM articles ORDER BY pmid", cwd=filled)
    assert table.stdout.splitlines() == ["pmid      pub_year", "219391    1979",
                                         "23657305  2013"]  # fmt: skip
    stats = tracker("stats", cwd=filled).stdout
    tiers = stats.split("by evidence tier:\n")[1].split("\n\n")[0].splitlines()
    assert all(not line.strip().split("  ")[0].islower() for line in tiers), tiers


def test_list_shows_saved_searches_and_the_broken_one(filled):
    (filled / "queries" / "broken.toml").write_text("term = [\n", encoding="utf-8")
    proc = tracker("list", cwd=filled)
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("broken      INVALID: ")
    assert lines[1] == "treatments  Treatments  (0 6 * * 1; last good run: never)"
    rows = json.loads(tracker("list", "--json", cwd=filled).stdout)
    assert [r["name"] for r in rows] == ["broken", "treatments"]


def test_the_lock_file_is_ignored_by_git():
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/tracker.db.lock" in lines


SEARCH = SavedSearch(name="treatments", title="Treatments", term="treatment[tiab]")


def _failed_run(db, started: str, error: str) -> None:
    result = RunResult(search="treatments", run_id=None, status="failed", window=None,
                       error=error, started=started, finished=started)  # fmt: skip
    with store.write_transaction(db):
        store.register_search(db, SEARCH)
        store.insert_run(db, result, 0)


def _all_formats(result) -> dict[str, str]:
    folder = result.markdown_path.parent
    return {
        "md": result.markdown_path.read_text(encoding="utf-8"),
        "html": result.html_path.read_text(encoding="utf-8"),
        "text": result.files["text"].read_text(encoding="utf-8"),
        "json": json.loads(result.files["json"].read_text(encoding="utf-8"))["problem"],
        "feed": feedparser.parse(str(folder / "feed.xml")).entries[0].summary,
    }


def test_a_digest_before_any_good_run_says_so_in_every_format(tmp_path):
    db = store.connect(tmp_path / "tracker.db")
    _failed_run(db, "2026-11-24T06:00:00Z", "PubMed did not answer")
    result = write_digest(db, SEARCH, tmp_path / "reports", today=date(2026, 11, 25))
    expected = (
        "This search has never had a good run; the latest one (2026-11-24 06:00 UTC) "
        "failed: PubMed did not answer. Nothing new can be shown until a run succeeds."
    )
    for fmt, text in _all_formats(result).items():
        assert expected in " ".join(text.split()), fmt
        assert "No new studies" not in text, fmt


def test_a_digest_after_a_failed_run_names_its_period_and_the_failure(tmp_path):
    db = store.connect(tmp_path / "tracker.db")
    ok = RunResult(search="treatments", run_id=None, status="ok", window=None,
                   started="2026-11-17T06:00:00Z", finished="2026-11-17T06:01:00Z")  # fmt: skip
    with store.write_transaction(db):
        store.register_search(db, SEARCH)
        store.insert_run(db, ok, 0)
    first = write_digest(db, SEARCH, tmp_path / "reports", today=date(2026, 11, 17))
    assert "Everything the search has found, through the run of 2026-11-17 06:01 UTC" in (
        first.markdown_path.read_text(encoding="utf-8")
    )
    _failed_run(db, "2026-11-24T06:00:00Z", "HTTP 500 from esearch")
    result = write_digest(db, SEARCH, tmp_path / "reports", today=date(2026, 11, 24))
    formats = _all_formats(result)
    assert (
        "New since 2026-11-17 06:01 UTC, through the run of 2026-11-17 06:01 UTC."
        in (formats["md"])
    )
    expected = "The latest run of this search failed (2026-11-24 06:00 UTC): HTTP 500 from esearch."
    for fmt, text in formats.items():
        assert expected in " ".join(text.split()), fmt
        assert "No new studies" not in text, fmt


def test_group_options_move_before_the_subcommand_and_nothing_else_does():
    from tracker.cli import cli
    from tracker.cli.options import hoist_group_options

    def hoist(*args: str) -> list[str]:
        return hoist_group_options(cli, click.Context(cli), list(args))

    assert hoist("find", "x", "--db", "d.db") == ["--db", "d.db", "find", "x"]
    assert hoist("status", "--json", "-vv") == ["--json", "-vv", "status"]
    assert hoist("--db", "a.db", "run", "--db=b.db") == ["--db", "a.db", "--db=b.db", "run"]
    # find's own --json stays its own; so does the value of its own --search option.
    assert hoist("find", "x", "--json", "--search", "--db") == [
        "find", "x", "--json", "--search", "--db"]  # fmt: skip
    assert hoist("find", "--", "--db", "x") == ["find", "--", "--db", "x"]
    assert hoist("nonsense", "--db", "x") == ["nonsense", "--db", "x"]  # click says so
