"""The researchers' commands as a new user runs them: real processes, the local
E-utilities server holding real records, a real SQLite file; mistakes as one line."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import tomllib
from pathlib import Path

import pytest
import rispy
from helpers import (
    EFETCH_SOURCES,
    ROOT,
    SAMPLES,
    assert_one_line_error,
    efetch_file,
    local_eutils,
    tracker,
    tracker_env,
)
from lxml import etree

from tracker import store
from tracker.searches.saved import load_saved_search

REPO = ROOT


@pytest.fixture(scope="module")
def server():
    with local_eutils([*EFETCH_SOURCES, SAMPLES / "baseline"]) as srv:
        yield srv


@pytest.fixture
def env(server):
    return tracker_env(server)


@pytest.fixture
def pair_dir(tmp_path):
    """A work folder holding the shipped drug × condition pair, queries/baclofen-rls.toml."""
    (tmp_path / "queries").mkdir()
    shutil.copy(REPO / "queries" / "baclofen-rls.toml", tmp_path / "queries")
    return tmp_path


def count(pair_dir: Path, sql: str) -> int:
    return sqlite3.connect(pair_dir / "tracker.db").execute(sql).fetchone()[0]


def make_database(folder: Path) -> None:
    """A database the user made (a search stores into one, never creates one)."""
    store.connect(folder / "tracker.db").close()


def test_search_shows_translation_count_and_table_and_stores_without_joining(pair_dir, env):
    make_database(pair_dir)
    proc = tracker("search", "aspirin AND thromboembolism", cwd=pair_dir, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == 'PubMed read it as: "aspirin"[All Fields] AND "thromboembolism"[All Fields]'
    assert lines[1] == "1 records in PubMed; showing 1"
    assert lines[3].split() == ["PMID", "YEAR", "JOURNAL", "FIRST", "AUTHOR", "TITLE"]
    assert lines[4].startswith(
        "23121403   2012  N. Engl. J. Med.        Brighton TA       Low-dose"
    )
    assert count(pair_dir, "SELECT COUNT(*) FROM articles") == 1
    assert count(pair_dir, "SELECT COUNT(*) FROM query_articles") == 0
    assert count(pair_dir, "SELECT COUNT(*) FROM runs") == 0


def test_search_warns_about_a_phrase_pubmed_left_out(pair_dir, env):
    proc = tracker("search", "treatment[tiab] AND zzqqxx", "--max", "2", cwd=pair_dir, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "warning: PhraseNotFound: zzqqxx (PubMed left it out" in proc.stdout


def test_search_json_and_csv_carry_the_records(pair_dir, env):
    proc = tracker("search", "therapy[tiab]", "--max", "5", "--json", cwd=pair_dir, env=env)
    data = json.loads(proc.stdout)
    assert data["count"] > 5 and len(data["articles"]) == 5 and data["stored"] == 0  # no database
    make_database(pair_dir)
    proc = tracker("search", "therapy[tiab]", "--max", "5", "--json", cwd=pair_dir, env=env)
    data = json.loads(proc.stdout)
    assert data["count"] > 5 and len(data["articles"]) == 5 and data["stored"] == 5
    assert data["query_translation"] == '"therapy"[Title/Abstract]'
    assert all(a["authors"] is not None and a["url"] for a in data["articles"])
    proc = tracker("search", "therapy[tiab]", "--max", "5", "--csv", cwd=pair_dir, env=env)
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [int(r["pmid"]) for r in rows] == [a["pmid"] for a in data["articles"]]


def test_search_save_writes_a_saved_search_the_run_can_use(pair_dir, env):
    args = [
        "--since",
        "2020-01-01",
        "--max",
        "1",
        "--save",
        "therapy-lung",
        "--title",
        "Lung therapy",
    ]
    proc = tracker("search", 'therapy[tiab] AND "lung"', *args, cwd=pair_dir, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "AND 2020/01/01:" in proc.stdout and "[Date - Create]" in proc.stdout
    search = load_saved_search(pair_dir / "queries" / "therapy-lung.toml")
    assert (search.term, search.title, str(search.since)) == (
        'therapy[tiab] AND "lung"',
        "Lung therapy",
        "2020-01-01",
    )
    again = tracker("search", "x", "--save", "therapy-lung", cwd=pair_dir, env=env)
    assert_one_line_error(again, 2, "therapy-lung.toml exists already")


def test_search_with_an_unknown_field_tag_is_a_one_line_error(pair_dir, env):
    proc = tracker("search", "aspirin[zz]", cwd=pair_dir, env=env)
    assert_one_line_error(proc, 2, "unknown field tag")


def test_show_prints_the_term_the_pair_builds(pair_dir):
    proc = tracker("show", "baclofen-rls", cwd=pair_dir)
    assert proc.returncode == 0, proc.stderr
    assert "drug: baclofen; MeSH: Baclofen" in proc.stdout
    term = json.loads(tracker("--json", "show", "baclofen-rls", cwd=pair_dir).stdout)["term"]
    assert " ".join(proc.stdout.split("PubMed term:\n")[1].split()) == term
    assert_one_line_error(tracker("show", "nope", cwd=pair_dir), 2, "no saved search named nope")


def test_add_writes_a_pair_that_loads_and_refuses_to_overwrite(pair_dir):
    proc = tracker("add", "Aspirin", "Venous Thromboembolism", "--brand", "Aspro",
                   "--drug-synonym", "acetylsalicylic acid", cwd=pair_dir)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    path = pair_dir / "queries" / "aspirin-venous-thromboembolism.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["drug"] == {"name": "Aspirin", "mesh": ["Aspirin"],
                            "synonyms": ["acetylsalicylic acid"], "brands": ["Aspro"]}  # fmt: skip
    assert load_saved_search(path).term.startswith('("Aspirin"[Mesh] OR Aspirin[tiab]')
    again = tracker("add", "Aspirin", "Venous Thromboembolism", cwd=pair_dir)
    assert_one_line_error(again, 2, "exists already")
    bad = tracker("add", 'x"[mh]', "y", "--name", "bad", cwd=pair_dir)
    assert_one_line_error(bad, 2, "contains '\"'")
    assert not (pair_dir / "queries" / "bad.toml").exists()


@pytest.mark.long_running(8)
def test_a_new_users_session_search_find_stats_export(pair_dir, env):
    # A search stores into a database that exists (only run, sync, import and demo make one).
    assert tracker("import", str(efetch_file("metapub__219391.xml")), cwd=pair_dir).returncode == 0
    assert tracker("search", "therapy OR treatment", "--max", "200", cwd=pair_dir,
                   env=env).returncode == 0  # fmt: skip
    proc = tracker("find", '(aspirin OR "venous thromboembolism") AND recurr*', cwd=pair_dir)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(tracker("find", "aspirin", "--json", cwd=pair_dir).stdout)
    assert found["articles"][0]["pmid"] == 23121403
    tier = tracker("find", "aspirin", "--tier", "no-such-tier", cwd=pair_dir)
    assert_one_line_error(tier, 2, "--tier no-such-tier")
    for hostile in ['"unclosed', "((", "AND", "NOT x", "a:b", "'; DROP TABLE articles;--", "*"]:
        proc = tracker("find", hostile, cwd=pair_dir)
        assert "Traceback" not in proc.stderr and proc.returncode in (0, 2), hostile
    stats = json.loads(tracker("stats", "--json", "--plot", "years.svg", cwd=pair_dir).stdout)
    assert stats["articles"] == sum(y["articles"] for y in stats["by_year"])
    drawn = etree.fromstring((pair_dir / "years.svg").read_bytes())
    svg = "{http://www.w3.org/2000/svg}"
    assert drawn.findtext(f"{svg}text") == "Studies per year: everything stored"
    assert [r.findtext(f"{svg}title") for r in drawn.iter(f"{svg}rect")] == [
        f"{y['year']}: {y['articles']}"
        for y in sorted(stats["by_year"], key=lambda y: y["year"] or 0)
        if y["year"] is not None
    ]
    proc = tracker("export", "--format", "ris", "--out", "all.ris", cwd=pair_dir)
    assert proc.returncode == 0, proc.stderr
    entries = rispy.loads((pair_dir / "all.ris").read_text(encoding="utf-8"))
    assert len(entries) == stats["articles"]
    assert {e["accession_number"] for e in entries} >= {"23121403"}
    bib = tracker("export", "--format", "bibtex", cwd=pair_dir).stdout
    assert bib.count("@article{") + bib.count("@incollection{") == stats["articles"]


def test_reading_commands_name_what_is_missing(pair_dir):
    assert_one_line_error(tracker("find", "x", cwd=pair_dir), 2, "no database at tracker.db")
    assert not (pair_dir / "tracker.db").exists()
    tracker("sql", "SELECT 1", cwd=pair_dir)
    tracker("import", str(efetch_file("metapub__219391.xml")), cwd=pair_dir)
    assert_one_line_error(tracker("stats", "baclofen-rls", cwd=pair_dir), 2, "has not run yet")
    assert_one_line_error(tracker("export", "nope", cwd=pair_dir), 2, "no saved search named nope")
    assert_one_line_error(tracker("find", "x", "--search", "nope", cwd=pair_dir), 2, "nope")
    bad_format = tracker("export", "--format", "docx", cwd=pair_dir)  # click's own usage error
    assert bad_format.returncode == 2 and "'docx' is not one of" in bad_format.stderr


def test_sql_reads_and_refuses_hostile_sql_in_one_line(pair_dir):
    tracker("import", str(efetch_file("metapub__219391.xml")), cwd=pair_dir)
    proc = tracker("--json", "sql", "SELECT pmid FROM articles", cwd=pair_dir)
    assert json.loads(proc.stdout) == [{"pmid": 219391}]
    for hostile, needle in [
        ("DELETE FROM articles", "DELETE is refused"),
        ("ATTACH 'evil.db' AS e", "ATTACH is refused"),
        ("VACUUM INTO 'copy.db'", "VACUUM is refused"),
        ("DROP TABLE articles", "DROP is refused"),
        ("PRAGMA writable_schema=1", "PRAGMA writable_schema"),
        ("SELECT 1; DELETE FROM articles", "one statement at a time"),
    ]:
        assert_one_line_error(tracker("sql", hostile, cwd=pair_dir), 2, needle)
    assert not (pair_dir / "evil.db").exists() and not (pair_dir / "copy.db").exists()
    assert count(pair_dir, "SELECT COUNT(*) FROM articles") == 1
    slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT MAX(x) FROM c"
    assert_one_line_error(tracker("sql", slow, "--timeout", "0.5", cwd=pair_dir), 2, "stopped")
