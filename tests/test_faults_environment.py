"""Issue 13 classes 2, 7 and 8, through the real `tracker` process: every writer takes
the database lock and a digest is recorded once even across a SIGKILL; what is
printed cannot drive the terminal; the environment (no database, a newer database,
a lock file that cannot be made, a terminal that cannot encode) is one clear line.

Crafted inputs are built here from real records and named as crafted: a MEDLINE record
(tests/data/pubmed-samples/medline/pmidcite__pubmed_Kolmogorov2020.txt, PMID 33020656)
with an escape sequence in its title and LaTeX in its DOI, and a real efetch record
with a C1 control (U+009B, CSI) in its title.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from faultkit import (
    FILES,
    SAMPLES,
    TERM,
    sample_server,
    snapshot,
    tracker,
    tracker_env,
    write_search,
)

from tracker.unattended.lock import database_lock

MEDLINE = SAMPLES / "medline" / "pmidcite__pubmed_Kolmogorov2020.txt"
ESCAPES = "\x1b]0;pwned\x07\x1b[2J"


def no_traceback(proc) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr


def one_line(proc, code: int) -> str:  # type: ignore[no-untyped-def]
    no_traceback(proc)
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("tracker:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture
def hostile_library(tmp_path: Path) -> Path:
    text = MEDLINE.read_text(encoding="utf-8")
    text = text.replace("TI  - metaFlye:", f"TI  - {ESCAPES}naïve metaFlye:")
    text = text.replace(
        "LID - 10.1038/s41592-020-00971-x [doi]",
        "LID - 10.1038/x}\\input{/etc/passwd} [doi]",
    )
    crafted = tmp_path / "crafted-escapes.txt"
    crafted.write_text(text, encoding="utf-8")
    xml = FILES[0].read_bytes().replace(b"<ArticleTitle>", "<ArticleTitle>\u009b2J".encode(), 1)
    crafted_xml = tmp_path / "crafted-c1-title.xml"
    crafted_xml.write_bytes(xml)
    proc = tracker("import", str(crafted), str(crafted_xml), cwd=tmp_path, env=tracker_env())
    assert proc.returncode == 0, proc.stderr
    return tmp_path


# -- class 7: what is printed is safe ------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("find", "metaFlye"),
        ("--json", "find", "metaFlye"),
        ("sql", "SELECT pmid, title FROM articles"),
        ("sql", "--csv", "SELECT pmid, title FROM articles"),
        ("--json", "sql", "SELECT pmid, title FROM articles"),
        ("export", "--format", "csv"),
        ("export", "--format", "ris"),
        ("export", "--format", "json"),
    ],
)
def test_escape_sequences_in_stored_text_never_reach_the_terminal(hostile_library, args):
    proc = tracker(*args, cwd=hostile_library, env=tracker_env())
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x9b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\u001b]0;pwned" in proc.stdout or "metaFlye" not in proc.stdout
    if "--json" in args or "json" in args:
        json.loads(proc.stdout)  # still valid JSON, the escape decoding to the same text


def test_the_stored_title_keeps_its_bytes(hostile_library):
    with sqlite3.connect(hostile_library / "tracker.db") as conn:
        titles = [t for (t,) in conn.execute("SELECT title FROM articles")]
    assert any(t.startswith(ESCAPES) for t in titles) and any("\u009b" in t for t in titles)


def test_sql_csv_neutralises_formulas_as_export_does(hostile_library):
    sql = "SELECT '=HYPERLINK(\"http://x\",\"y\")' AS link, '+1' AS plus, 'plain' AS text"
    proc = tracker("sql", "--csv", sql, cwd=hostile_library, env=tracker_env())
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows == [["link", "plus", "text"], ['\'=HYPERLINK("http://x","y")', "'+1", "plain"]]


def test_a_doi_cannot_carry_latex_into_bibtex(hostile_library):
    proc = tracker("export", "--format", "bibtex", cwd=hostile_library, env=tracker_env())
    assert proc.returncode == 0, proc.stderr
    assert "\\input" not in proc.stdout
    assert "doi = {10.1038/xinput/etc/passwd}" in proc.stdout


# -- class 8: the environment gets one clear line ------------------------------------------


def test_status_without_a_database_says_so_and_creates_nothing(tmp_path):
    write_search(tmp_path, "alpha", TERM)
    line = one_line(tracker("status", cwd=tmp_path, env=tracker_env()), 2)
    assert line == "tracker: error: no database at tracker.db; run `tracker run` first, or set --db"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["queries"]


def test_a_database_from_a_newer_tracker_is_refused_naming_both_versions(hostile_library):
    db = hostile_library / "tracker.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('tracker', 'm099_from_the_future', '2030-01-01 00:00:00')"
        )
    before = snapshot(db)
    proc = tracker("import", str(FILES[1]), cwd=hostile_library, env=tracker_env())
    line = one_line(proc, 1)
    assert "written by a newer tracker (schema m099_from_the_future; this tracker 0.1.0" in line
    assert "nothing was written" in line
    assert snapshot(db) == before


def test_a_lock_file_that_cannot_be_made_is_one_line(tmp_path):
    write_search(tmp_path, "alpha", TERM)
    (tmp_path / "tracker.db.lock").mkdir()  # in the way, as a read-only folder would be
    line = one_line(tracker("run", cwd=tmp_path, env=tracker_env("http://127.0.0.1:9/")), 2)
    assert line.startswith("tracker: error: cannot create the lock file tracker.db.lock")


def test_a_terminal_that_cannot_encode_the_text_is_one_line(hostile_library):
    env = tracker_env(PYTHONIOENCODING="ascii")
    line = one_line(tracker("export", "--format", "csv", cwd=hostile_library, env=env), 2)
    assert "cannot show" in line and "PYTHONIOENCODING=utf-8" in line


# -- class 2: every writer takes the lock; a digest is recorded once -----------------------


@pytest.fixture
def synced(tmp_path: Path):
    with sample_server(FILES[:10]) as server:
        write_search(tmp_path, "alpha", TERM)
        env = tracker_env(server)
        proc = tracker("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        yield tmp_path, env


def digests(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT articles, markdown_path FROM digests ORDER BY id").fetchall()


@pytest.mark.parametrize(
    "args", [("digest",), ("search", "x", "--save", "x"), ("add", "baclofen", "dystonia")]
)
def test_writers_wait_for_the_database_lock(synced, args):
    tmp_path, env = synced
    with database_lock(tmp_path / "tracker.db"):
        line = one_line(tracker(*args, cwd=tmp_path, env=env), 3)
    assert line.startswith("tracker: busy: another tracker run is using tracker.db")
    assert digests(tmp_path / "tracker.db") == []
    assert sorted(p.name for p in (tmp_path / "queries").iterdir()) == ["alpha.toml"]


KILLED_AT = """
import os, signal, sys
import {module} as target
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
target.{name} = killed
sys.argv = ["tracker", "digest"]
from tracker.cli import main
main()
"""


def digest_killed_at(module: str, name: str, cwd: Path, env: dict[str, str]) -> None:
    script = KILLED_AT.format(module=module, name=name)
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_a_digest_killed_before_it_was_recorded_shows_nothing_and_is_written_once(synced):
    tmp_path, env = synced
    digest_killed_at("tracker.store.digests", "record_digest", tmp_path, env)
    folder = tmp_path / "reports" / "alpha"
    assert not [n for n in visible(folder) if n.endswith(".md")]  # nothing a blog publishes
    assert digests(tmp_path / "tracker.db") == []
    again = tracker("digest", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    [(studies, path)] = digests(tmp_path / "tracker.db")
    assert studies > 0 and Path(path).parent == Path("reports/alpha")
    assert [n for n in visible(folder) if n.endswith(".md")] == [Path(path).name]
    assert not [p for p in folder.iterdir() if p.name.startswith(".pending")]
    assert not list(folder.glob(".*.pending.json"))


def test_a_digest_killed_after_it_was_recorded_is_published_never_repeated(synced):
    tmp_path, env = synced
    digest_killed_at("tracker.digest.write", "publish_pending", tmp_path, env)
    folder = tmp_path / "reports" / "alpha"
    [(studies, path)] = digests(tmp_path / "tracker.db")
    assert studies > 0 and not Path(tmp_path / path).exists()  # recorded, still hidden
    again = tracker("digest", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    rows = digests(tmp_path / "tracker.db")
    assert [n for n, _ in rows] == [studies, 0]  # the second lists nothing again
    assert all((tmp_path / p).is_file() for _, p in rows)
    assert not list(folder.glob(".*.pending.json"))
    assert not [p for p in folder.iterdir() if p.name.startswith(".pending")]


def test_two_digests_at_once_never_write_the_same_file_twice(synced):
    tmp_path, env = synced
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "digest"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    codes = sorted(p.wait(timeout=60) for p in procs)
    assert codes in ([0, 0], [0, 3])
    rows = digests(tmp_path / "tracker.db")
    assert len({p for _, p in rows}) == len(rows) == codes.count(0)
    assert sum(n for n, _ in rows) == rows[0][0]  # the studies are reported once
