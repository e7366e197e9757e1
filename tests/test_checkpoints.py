"""Issue 13 class 3: no network inside a write transaction. Through the real `tracker`
process: each efetch batch is a committed checkpoint in staging while the data tables
stay as they were; another writer beside a run that is waiting for NCBI gets the write
lock at once; and after a failed run the next one fetches exactly what was not staged."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

import pytest
from faultkit import (
    CLONE_TERM,
    check_db,
    clone_server,
    runs,
    start,
    tracker,
    tracker_env,
    wait_for,
    write_search,
)


@pytest.mark.long_running(9)
def test_a_failed_backfill_resumes_from_its_last_checkpoint_and_never_blocks_a_writer(tmp_path):
    with clone_server(600, date(2021, 1, 1), date(2021, 3, 31)) as (srv, clones):
        write_search(tmp_path, "big", CLONE_TERM, since=date(2021, 1, 1))
        env = tracker_env(srv, TRACKER_HTTP_TIMEOUT="1", TRACKER_RUN_DEADLINE="6")

        def hang_after_two_batches() -> None:
            wait_for(lambda: srv.requests.count("efetch") >= 2)
            srv.faults.push("hang", endpoint="efetch", times=None, seconds=30)

        threading.Thread(target=hang_after_two_batches, daemon=True).start()
        proc = start("sync", cwd=tmp_path, env=env)
        wait_for(lambda: srv.requests.count("efetch") >= 3)  # now waiting for NCBI
        db = tmp_path / "tracker.db"
        conn = sqlite3.connect(db, timeout=30)
        began = time.monotonic()
        conn.execute("BEGIN IMMEDIATE")  # another writer, beside the run
        waited = time.monotonic() - began
        conn.execute("ROLLBACK")
        conn.close()
        assert waited < 1.0, waited
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1 and "Traceback" not in err
        assert out.startswith("big: FAILED") and "deadline reached" in out
        assert check_db(db) == {"big": set()}  # the data tables as they were
        with sqlite3.connect(db) as conn:
            staged = conn.execute("SELECT COUNT(*) FROM sync_staging").fetchone()[0]
        assert staged == 2  # two committed checkpoints of 200 records
        srv.faults.clear()
        srv.requests.clear()
        again = tracker("sync", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        fetched = [p for r in srv.requests.entries("efetch") for p in r.params["id"].split(",")]
        assert len(fetched) == 200  # only what the checkpoints did not hold
        assert check_db(db) == {"big": set(clones)}
        assert [r["status"] for r in runs(db)] == ["failed", "ok"]
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT COUNT(*) FROM sync_staging").fetchone()[0] == 0


def test_the_backfill_benchmark_runs_at_300_records(tmp_path):
    from benchmarks.backfill import backfill

    records, stored, _seconds, peak_mb, _wait = backfill(300, tmp_path)
    assert records == 300 and stored >= 300  # the clones, and the real records they copy
    assert 0 < float(peak_mb) < 200
