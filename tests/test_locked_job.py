"""The one locked-job runner (tracker/cli/locked_job.py): lock, connect, client, job."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from tests.faultkit import one_error_line, tracker, tracker_env, write_search
from tracker.cli.app import cli
from tracker.cli.locked_job import JobPlace, locked_job
from tracker.errors import EXIT_LOCKED, TrackerError
from tracker.ncbi.session import NcbiSession
from tracker.unattended.lock import LockHeld, database_lock


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NCBI_EMAIL", "NCBI_API_KEY", "NCBI_EUTILS_URL", "TRACKER_BUSY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


def test_connects_with_the_busy_timeout_and_closes_after(tmp_path: Path) -> None:
    place = JobPlace(tmp_path / "t.db", busy_timeout=2.5)
    with locked_job(place, with_client=False) as job:
        assert job.db.conn.execute("PRAGMA busy_timeout").fetchone() == (2500,)
        assert job.client is None
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        job.db.conn.execute("SELECT 1")


def test_the_client_belongs_to_the_places_session(tmp_path: Path) -> None:
    session = NcbiSession()
    with locked_job(JobPlace(tmp_path / "t.db", ncbi=session)) as job:
        assert job.eutils.session is session


def test_a_held_lock_is_exit_3_before_anything_is_opened(tmp_path: Path) -> None:
    db_path = tmp_path / "t.db"
    with database_lock(db_path), pytest.raises(LockHeld) as caught, locked_job(JobPlace(db_path)):
        pytest.fail("the job ran without the lock")
    assert isinstance(caught.value, TrackerError) and caught.value.exit_code == EXIT_LOCKED
    assert str(caught.value) == f"another tracker run is using {db_path} (lock {db_path}.lock held)"
    assert not db_path.exists()


def test_from_cli_reads_db_and_tracker_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tracker schedule` builds its jobs' place this way: TRACKER_BUSY_TIMEOUT applies."""
    monkeypatch.setenv("TRACKER_BUSY_TIMEOUT", "1.5")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # the group's callback sets up logging
    try:
        with cli.make_context("tracker", ["--db", str(tmp_path / "x.db"), "status"]) as ctx:
            ctx.invoke(cli.callback, **ctx.params)  # what the group does before a command
            place = JobPlace.from_cli()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert place == JobPlace(tmp_path / "x.db", 1.5, ctx.obj.ncbi)


def test_digest_takes_the_database_lock(tmp_path: Path) -> None:
    write_search(tmp_path, "treatments", "treatment[tiab]")
    # A database with a record in it: a digest never reads a missing or empty one.
    sample = Path(__file__).parent / "data/pubmed-samples/efetch/reciter__31482638.xml"
    assert tracker("import", str(sample), cwd=tmp_path, env=tracker_env()).returncode == 0
    with database_lock(tmp_path / "tracker.db"):
        proc = tracker("digest", cwd=tmp_path, env=tracker_env())
    line = one_error_line(proc, EXIT_LOCKED)
    assert (
        line == "tracker: busy: another tracker run is using tracker.db (lock tracker.db.lock held)"
    )
    with database_lock(tmp_path / "tracker.db", wait=0):
        pass  # released by the digest's exit
