"""The `tracker` command as a user (or cron) runs it: a real process, real HTTP to the
local E-utilities server, a real SQLite file; errors as one line with the right exit code."""

from __future__ import annotations

import json
import sqlite3

import pytest
from helpers import (
    SAMPLES,
    assert_one_line_error,
    local_eutils,
    tracker,
    tracker_env,
    write_search,
)

from tracker.unattended.lock import database_lock


@pytest.fixture
def server():
    with local_eutils() as srv:  # the demo's 60 real records
        yield srv


def test_run_syncs_writes_the_digest_and_status_reports_it(workdir, server):
    env = tracker_env(server)
    proc = tracker("run", cwd=workdir, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("treatments: ok, window 1700-01-01..")
    digests = sorted((workdir / "reports" / "treatments").glob("*.md"))
    assert len(digests) == 1 and digests[0].with_suffix(".html").exists()
    status = tracker("--json", "status", cwd=workdir, env=env)
    rows = json.loads(status.stdout)
    assert [(r["search"], r["consecutive_failures"], r["last_error"]) for r in rows] == [
        ("treatments", 0, None)
    ]
    assert rows[0]["articles"] > 0
    again = tracker("--json", "run", cwd=workdir, env=env)
    report = json.loads(again.stdout)
    assert [(r["search"], r["status"], r["new"], r["digest"]["studies"]) for r in report] == [
        ("treatments", "ok", 0, 0)
    ]


def test_ncbi_failing_exits_1_with_one_line_per_search_and_keeps_going(workdir, server):
    write_search(workdir, "second", 'term = "review[tiab]"\n')
    server.faults.push("status", endpoint="esearch", times=None, code=502)
    proc = tracker("sync", cwd=workdir, env=tracker_env(server))  # retries after short back-off
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["second", "treatments"]
    assert all("FAILED" in line and "502" in line for line in lines)


def test_bad_saved_search_is_a_one_line_usage_error(workdir):
    (workdir / "queries" / "broken.toml").write_text(
        'term = "x"\nfrequency = 3\n', encoding="utf-8"
    )
    proc = tracker("run", cwd=workdir)
    assert_one_line_error(proc, 2, "broken.toml", "unknown key 'frequency'")


def test_unknown_saved_search_is_a_one_line_usage_error(workdir):
    proc = tracker("run", "nope", cwd=workdir)
    assert_one_line_error(proc, 2, "no saved search named nope")


def test_bad_email_is_refused_before_any_request(workdir):
    proc = tracker("run", cwd=workdir, env=tracker_env(NCBI_EMAIL="root@localhost"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_import_stores_real_files_and_refuses_a_bad_one_whole(workdir):
    good = SAMPLES / "baseline" / "tipplerow__pubmed_sample.xml"
    proc = tracker(
        "--json",
        "import",
        str(good),
        str(SAMPLES / "medline" / "pmidcite__pubmed_Kolmogorov2020.txt"),
        cwd=workdir,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report[0]["articles"] == 7
    assert report[1]["articles"] > 0
    junk = workdir / "not-pubmed.xml"
    junk.write_text("<html><body>crafted: not PubMed</body></html>", encoding="utf-8")
    before = (
        sqlite3.connect(workdir / "tracker.db").execute("SELECT COUNT(*) FROM articles").fetchone()
    )
    proc = tracker("import", str(junk), cwd=workdir)
    assert_one_line_error(proc, 1, "not-pubmed.xml")
    after = (
        sqlite3.connect(workdir / "tracker.db").execute("SELECT COUNT(*) FROM articles").fetchone()
    )
    assert before == after


def test_import_takes_the_database_lock_like_a_run(workdir):
    """A run holds tracker.db.lock: an import waits for it or exits 3, storing nothing."""
    good = SAMPLES / "baseline" / "tipplerow__pubmed_sample.xml"
    with database_lock(workdir / "tracker.db"):
        proc = tracker("import", "--wait", "0.2", str(good), cwd=workdir)
    assert_one_line_error(proc, 3, "another tracker run is using", "more than 0.2s")
    assert not (workdir / "tracker.db").exists()
    proc = tracker("import", str(good), cwd=workdir)
    assert proc.returncode == 0, proc.stderr


def test_a_file_that_is_not_sqlite_is_called_that(workdir):
    (workdir / "tracker.db").write_bytes(b"crafted: this is not a SQLite file" * 100)
    proc = tracker("status", cwd=workdir)
    assert_one_line_error(proc, 2, "tracker.db is not a SQLite database")


def test_demo_runs_offline_and_labels_its_sample_data(tmp_path):
    proc = tracker("demo", "--out", str(tmp_path / "demo"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("SAMPLE DATA:")
    digests = sorted((tmp_path / "demo" / "reports" / "demo-treatments").glob("*.md"))
    assert len(digests) == 2
    for digest in digests:
        assert "Sample data: this digest was made from a bundled sample" in digest.read_text(
            encoding="utf-8"
        )
    week2 = digests[-1].read_text(encoding="utf-8")
    assert "No new studies" not in week2
