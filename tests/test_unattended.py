"""Running unattended: real processes contending for the lock, SIGTERM in the middle of
a run (of `tracker run` and of `tracker schedule`), and a clean next run after each."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from helpers import efetch_file, local_eutils, tracker_env, wait_for, write_search
from helpers import start as start_tracker

from tracker.lookalikes.eutils.server import LocalEutils

# metapub__11618220.xml: "Eroticism in late Ming, early Qing fiction…" (PMID 11618220).
SOURCE = efetch_file("metapub__11618220.xml")
CLONES = 3_000  # derived data: renumbered copies of the real record above


@pytest.fixture
def big_server():
    """A backfill long enough to interrupt: 3,000 records, 15 efetch batches at 3 req/s."""
    with local_eutils([SOURCE]) as srv:
        srv.clone_renumbered(CLONES, 80_000_000, date(2021, 1, 1), date(2021, 6, 30))
        srv.corpus.remove(11618220)
        yield srv


@pytest.fixture
def big_dir(tmp_path):
    write_search(
        tmp_path, "big", 'term = "eroticism"\nsince = 2021-01-01\nschedule = "0 6 * * 1"\n'
    )
    return tmp_path


def start(args: list[str], cwd: Path, server: LocalEutils) -> subprocess.Popen[str]:
    return start_tracker(*args, cwd=cwd, env=tracker_env(server))


def consistent(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("articles", "authors", "query_articles")
        }
        fts = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
        assert fts == counts["articles"]
        return counts
    finally:
        conn.close()


def runs(db_path: Path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT status, new, error FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.long_running(9)
def test_sigterm_mid_run_rolls_back_and_the_next_run_completes(big_dir, big_server):
    proc = start(["run"], big_dir, big_server)
    wait_for(lambda: big_server.requests.count("efetch") >= 2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert "by a stop request" in out  # between batches, or while waiting for NCBI
    assert consistent(big_dir / "tracker.db") == {"articles": 0, "authors": 0, "query_articles": 0}
    assert [r[0] for r in runs(big_dir / "tracker.db")] == ["failed"]
    again = start(["run"], big_dir, big_server)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert consistent(big_dir / "tracker.db")["query_articles"] == CLONES
    assert runs(big_dir / "tracker.db")[-1][:2] == ("ok", CLONES)


@pytest.mark.long_running(7)
def test_a_second_process_exits_3_while_the_first_holds_the_database(big_dir, big_server):
    first = start(["sync"], big_dir, big_server)
    wait_for(lambda: big_server.requests.count("efetch") >= 1)
    second = start(["run"], big_dir, big_server)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 3, err
    assert err.startswith("tracker: busy: another tracker run is using")
    assert first.wait(timeout=120) == 0
    assert consistent(big_dir / "tracker.db")["query_articles"] == CLONES
    assert [r[:2] for r in runs(big_dir / "tracker.db")] == [("ok", CLONES)]


@pytest.mark.long_running(8)
def test_scheduler_catches_up_then_stops_cleanly_on_sigterm(big_dir, big_server):
    proc = start(["--log-format", "json", "schedule"], big_dir, big_server)
    wait_for(lambda: big_server.requests.count("efetch") >= 2)
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert time.monotonic() - began < 10
    assert consistent(big_dir / "tracker.db")["query_articles"] == 0
    # Restarted after its schedule passed (it never completed a run): it catches up once.
    proc = start(["--log-format", "json", "schedule"], big_dir, big_server)
    wait_for(lambda: any(r[0] == "ok" for r in runs(big_dir / "tracker.db")), seconds=120)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert [r[0] for r in runs(big_dir / "tracker.db")] == ["failed", "ok"]
    assert consistent(big_dir / "tracker.db")["query_articles"] == CLONES
    assert '"search": "big"' in err and '"outcome": "ok"' in err
