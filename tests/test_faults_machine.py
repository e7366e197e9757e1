"""Issue #6, cases 13–20: the machine misbehaving. The tracker runs as a real process
(``python -m tracker``) against the local E-utilities server; the faults are real:
SIGKILL and SIGTERM, another process holding SQLite's write lock, a file-size limit that
makes the commit's writes fail (RLIMIT_FSIZE: EFBIG, as a full disk fails them), a
damaged database file, a reports folder the process may not write (capabilities dropped
when running as root), and a clock that jumps backwards.

Each case ends with faultkit.check_db (integrity_check, no partial batch) and a next
normal run that ends with exactly the right articles. Cases 14 and 15 are also covered
by tests/test_unattended.py (SIGTERM between batches, a second process exiting 3).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from faultkit import (
    CLONE_TERM,
    FILES,
    TODAY,
    check_db,
    clone_server,
    fast_client,
    matching,
    runs,
    sample_server,
    snapshot,
    sqlite,
    start,
    tracker,
    tracker_env,
    wait_for,
    watermark,
    write_search,
)

from tracker import store
from tracker.ingest.sync import run_search
from tracker.models import SavedSearch

FIRST_PMID = 80_000_000
PER_SEARCH = 1_200  # six efetch batches of 200 each


def uid_term(part: int) -> str:
    lo = FIRST_PMID + part * PER_SEARCH
    return f"{CLONE_TERM} AND {lo}:{lo + PER_SEARCH - 1}[uid]"


def part_pmids(part: int) -> set[int]:
    lo = FIRST_PMID + part * PER_SEARCH
    return set(range(lo, lo + PER_SEARCH))


# -- 13. SIGKILL at random moments during a long backfill ------------------------------------


@pytest.mark.long_running(50)
def test_13_sigkill_at_random_moments_never_leaves_a_partial_batch(tmp_path):
    """At least 20 SIGKILLs of `tracker sync`, each at a random moment of a backfill
    (before the first request, between efetch batches, mid-batch, around the commit).
    After every kill the database is sound and each saved search holds all its records
    or none; after each round a run completes with exactly the right articles.

    Three rounds, each adding a saved search with its own 1,200 derived records, so
    every round has a long backfill to interrupt (a killed run is rolled back whole and
    starts again). An API key (any value: the local server accepts it) allows NCBI's
    10 requests/s.
    """
    rng = random.Random(int(os.environ.get("FAULT_SEED", "6")))
    db_path = tmp_path / "tracker.db"
    kills, rounds = 0, 3
    with clone_server(
        PER_SEARCH * rounds, date(2021, 1, 1), date(2021, 6, 30), start_pmid=FIRST_PMID
    ) as (srv, _clones):
        env = tracker_env(srv, NCBI_API_KEY="kill-loop-test-key")
        expected: dict[str, set[int]] = {}
        for part in range(rounds):
            name = f"part-{part}"
            write_search(tmp_path, name, uid_term(part), since=date(2021, 1, 1))
            expected[name] = part_pmids(part)
            round_kills = 0
            while round_kills < 7:
                srv.requests.clear()
                proc = start("sync", cwd=tmp_path, env=env)
                moment = rng.random()
                if moment < 0.15:  # while starting up or at the first esearch
                    time.sleep(rng.uniform(0.0, 0.8))
                else:  # after a random number of efetch batches, a random bit later
                    batches = rng.randint(0, 6)
                    with contextlib.suppress(AssertionError):
                        wait_for(
                            lambda n=batches, p=proc: (
                                srv.requests.count("efetch") >= n or p.poll() is not None
                            ),
                            seconds=30,
                        )
                    time.sleep(rng.uniform(0.0, 0.12))
                if proc.poll() is None:
                    proc.kill()
                    round_kills += 1
                proc.communicate(timeout=30)
                members = check_db(db_path) if db_path.exists() else {}
                for search, found in members.items():
                    assert found in (set(), expected[search]), (search, len(found))
            kills += round_kills
            proc = start("sync", cwd=tmp_path, env=env)
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
            assert check_db(db_path) == expected
    assert kills >= 20
    # No duplicate and no gap: every record once, in the search that owns it.
    with sqlite(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == PER_SEARCH * rounds
        assert [r[0] for r in conn.execute("SELECT DISTINCT status FROM runs ORDER BY status")] in (
            ["ok"],
            ["failed", "ok"],
        )


# -- 14. SIGTERM mid-run ----------------------------------------------------------------------


def test_14_sigterm_while_waiting_for_a_hung_answer_stops_promptly(tmp_path):
    """Between batches SIGTERM is covered by test_unattended; here NCBI is not answering
    when it arrives: the run is abandoned at once, rolled back, and the next run completes."""
    with clone_server(600, date(2021, 1, 1), date(2021, 3, 31)) as (srv, clones):
        write_search(tmp_path, "big", CLONE_TERM, since=date(2021, 1, 1))
        env = tracker_env(srv)
        srv.faults.push("hang", endpoint="efetch", times=None)
        proc = start("sync", cwd=tmp_path, env=env)
        # The server logs a request once it has read all of it, before it starts to hang:
        # from then on the tracker is waiting for the answer.
        wait_for(lambda: any(r.status is None for r in srv.requests.entries("efetch")))
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        assert time.monotonic() - began < 5, "a stop request waited for the HTTP timeout"
        assert proc.returncode == 1, err
        assert "Traceback" not in err
        assert out.startswith("big: FAILED") and "stop request" in out
        assert check_db(tmp_path / "tracker.db") == {"big": set()}
        srv.faults.clear()
        again = tracker("sync", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        assert check_db(tmp_path / "tracker.db") == {"big": set(clones)}


# -- 16. `database is locked` beyond the busy timeout ----------------------------------------

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE searches SET title = 'held by another writer'")
print("holding", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_16_a_write_lock_held_past_the_busy_timeout_fails_the_run_cleanly(tmp_path):
    with sample_server() as srv:
        write_search(tmp_path, "treatments", "treatment[tiab] OR therapy[tiab]")
        db_path = tmp_path / "tracker.db"
        env = tracker_env(srv, TRACKER_BUSY_TIMEOUT="0.5")
        first = tracker("sync", cwd=tmp_path, env=env)
        assert first.returncode == 0, first.stderr
        expected = check_db(db_path)["treatments"]
        for path in FILES[60:90]:
            srv.add_record(path.read_bytes(), crdt=TODAY + timedelta(days=7))
        before, runs_before = snapshot(db_path), runs(db_path)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "holding"
            began = time.monotonic()
            proc = tracker("sync", cwd=tmp_path, env=env)
            assert time.monotonic() - began < 10
        finally:
            holder.communicate("done\n", timeout=10)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout.count("\n") == 1
        assert proc.stdout.startswith("treatments: FAILED")
        assert "locked by another process for longer than the busy timeout (0.5s)" in proc.stdout
        assert check_db(db_path)["treatments"] == expected
        assert snapshot(db_path) == before and runs(db_path) == runs_before
        again = tracker("sync", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        assert check_db(db_path)["treatments"] == matching(srv, "treatment[tiab] OR therapy[tiab]")


def test_16_a_bad_busy_timeout_setting_is_a_usage_error(tmp_path):
    write_search(tmp_path, "treatments", "treatment[tiab]")
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(TRACKER_BUSY_TIMEOUT="forever"))
    assert proc.returncode == 2 and "TRACKER_BUSY_TIMEOUT" in proc.stderr


# -- 17. A disk that is full when committing --------------------------------------------------


def file_size_limit(limit: int):
    """preexec_fn: writes past ``limit`` bytes in any file fail with EFBIG, as on a full
    disk (SIGXFSZ ignored, so the write fails instead of killing the process)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_17_disk_full_at_commit_rolls_back_and_keeps_the_watermark(tmp_path):
    with clone_server(20, date(2021, 1, 1), date(2021, 1, 31), later=(1_500, TODAY)) as (
        srv,
        clones,
    ):
        write_search(tmp_path, "big", CLONE_TERM, since=date(2021, 1, 1))
        db_path = tmp_path / "tracker.db"
        env = tracker_env(srv)
        # Last week: only the first 20 existed (the run's window ends before TODAY).
        db = store.connect(db_path)
        try:
            with fast_client(srv) as client:
                search = SavedSearch("big", CLONE_TERM, "big", since=date(2021, 1, 1))
                assert (
                    run_search(db, client, search, today=TODAY - timedelta(days=7)).status == "ok"
                )
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        assert check_db(db_path)["big"] == set(clones[:20])
        before, mark = snapshot(db_path), watermark(db_path, "big")
        limit = db_path.stat().st_size + 256 * 1024  # the new records need megabytes
        proc = tracker("sync", cwd=tmp_path, env=env, preexec_fn=file_size_limit(limit))
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert proc.stdout.startswith("big: FAILED")
        assert "disk is full" in proc.stdout or "disk I/O error" in proc.stdout
        assert check_db(db_path)["big"] == set(clones[:20])
        assert snapshot(db_path) == before and watermark(db_path, "big") == mark
        again = tracker("sync", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        assert check_db(db_path)["big"] == set(clones)


# -- 18. A corrupt database file --------------------------------------------------------------


def corrupt_a_page(path: Path) -> None:
    """Overwrite the middle of one b-tree page (not page 1) with garbage."""
    with sqlite(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'articles'"
        ).fetchone()[0]
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 64 + bytes(random.Random(18).randbytes(page_size - 64)))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_18_a_corrupt_database_is_never_written_and_the_message_says_restore(tmp_path):
    with sample_server() as srv:
        write_search(tmp_path, "treatments", "treatment[tiab] OR therapy[tiab]")
        db_path = tmp_path / "tracker.db"
        env = tracker_env(srv)
        assert tracker("sync", cwd=tmp_path, env=env).returncode == 0
        with sqlite(db_path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with sqlite(tmp_path / "backup.db") as backup:
                conn.backup(backup)
        corrupt_a_page(db_path)
        with sqlite(db_path) as conn:
            try:
                damaged = conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
            except sqlite3.DatabaseError:
                damaged = True
        assert damaged
        digest = sha256(db_path)
        srv.requests.clear()
        sample = Path(__file__).parent / "data" / "pubmed-samples" / "baseline"
        for args in (
            ["sync"],
            ["run"],
            ["digest"],
            ["import", str(sample / "tipplerow__pubmed_sample.xml")],
        ):
            proc = tracker(*args, cwd=tmp_path, env=env)
            assert proc.returncode == 1, (args, proc.stderr)
            assert "Traceback" not in proc.stderr
            lines = [line for line in proc.stderr.splitlines() if line.startswith("tracker:")]
            assert len(lines) == 1, proc.stderr
            assert "damaged" in lines[0] and "nothing was written" in lines[0]
            assert "Restore it from a backup" in lines[0]
            assert sha256(db_path) == digest
            assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
        assert srv.requests.count() == 0  # refused before asking NCBI anything
        shutil.copyfile(tmp_path / "backup.db", db_path)  # the restore the message asks for
        again = tracker("sync", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        assert check_db(db_path)["treatments"] == matching(srv, "treatment[tiab] OR therapy[tiab]")


# -- 19. A read-only reports folder -----------------------------------------------------------


def without_write_permission():
    """preexec_fn making a root process obey file permissions (drops CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH and CAP_FOWNER from the bounding set before exec)."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for cap in (1, 2, 3):
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pmids: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("https://pubmed.ncbi.nlm.nih.gov/"):
            self.pmids.append(int(href.rstrip("/").rsplit("/", 1)[1]))


def test_19_a_read_only_reports_folder_fails_the_digest_and_keeps_the_sync(tmp_path):
    with sample_server() as srv:
        term = "treatment[tiab] OR therapy[tiab]"
        write_search(tmp_path, "treatments", term)
        db_path = tmp_path / "tracker.db"
        env = tracker_env(srv)
        reports = tmp_path / "reports"
        reports.mkdir()
        reports.chmod(0o555)
        preexec = without_write_permission()
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(reports / 'probe')!r}, 'w')"],
            preexec_fn=preexec,
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            pytest.skip("cannot make a folder read-only for this user")
        proc = tracker("run", cwd=tmp_path, env=env, preexec_fn=preexec)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[0].startswith("treatments: ok, window")
        assert lines[1].startswith("treatments: digest FAILED: cannot write the digest into")
        assert "Permission denied" in lines[1]
        expected = matching(srv, term)
        assert check_db(db_path)["treatments"] == expected  # the sync's data is committed
        with sqlite(db_path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM digests").fetchone() == (0,)
        assert list(reports.iterdir()) == []
        reports.chmod(0o755)
        fixed = tracker("digest", cwd=tmp_path, env=env)
        assert fixed.returncode == 0, fixed.stderr
        again = tracker("run", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        listed: list[int] = []
        for html in sorted(reports.glob("treatments/*.html")):
            parser = Links()
            parser.feed(html.read_text(encoding="utf-8"))
            listed += sorted(set(parser.pmids))
        assert sorted(listed) == sorted(expected)  # every study reported, exactly once


# -- 20. A clock that jumps backwards --------------------------------------------------------


def test_20_a_clock_jumping_back_never_moves_the_watermark_back(tmp_path):
    db_path = tmp_path / "tracker.db"
    term = "treatment[tiab] OR therapy[tiab]"
    search = SavedSearch("treatments", term, "Treatments")
    with sample_server() as srv:
        db = store.connect(db_path)
        try:
            with fast_client(srv) as client:
                assert run_search(db, client, search, today=TODAY).status == "ok"
                files = FILES[60:90]
                for path in files[:15]:  # added the day before the last run reached
                    srv.add_record(path.read_bytes(), crdt=TODAY - timedelta(days=1))
                for days_back in (1, 30, 400, 40_000):
                    result = run_search(db, client, search, today=TODAY - timedelta(days=days_back))
                    assert result.status == "ok", result.error
                    assert result.window.start <= result.window.end == TODAY
                    assert watermark(db_path, "treatments") == TODAY.isoformat()
                    assert check_db(db_path)["treatments"] == matching(srv, term)
                for path in files[15:]:
                    srv.add_record(path.read_bytes(), crdt=TODAY + timedelta(days=2))
                back = run_search(db, client, search, today=TODAY + timedelta(days=7))
        finally:
            db.close()
    assert (back.status, back.window.start) == ("ok", TODAY - timedelta(days=3))
    assert check_db(db_path)["treatments"] == matching(srv, term)
    assert watermark(db_path, "treatments") == (TODAY + timedelta(days=7)).isoformat()
