"""The one locked-job runner: lock -> connect -> client -> job.

`run`, `sync`, `digest`, `import` and every job of `tracker schedule` write to the
database only inside `locked_job`, so two writers never process the same saved search at
once (tracker/unattended/lock.py), each connection honours TRACKER_BUSY_TIMEOUT, and the
E-utilities client is closed and the connection released however the job ends.

`locked_job` needs no click context: `tracker schedule` runs its jobs in the scheduler's
worker thread, where there is none, so every value comes in as an argument.
`JobPlace.from_cli()` reads them from the command line and environment once, up front.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlite_utils import Database

from tracker import store
from tracker.cli.app import busy_timeout, settings
from tracker.ncbi.client import EutilsClient, EutilsConfig, NcbiSession
from tracker.store.db import BUSY_TIMEOUT_SECONDS
from tracker.unattended.lock import database_lock

# `--wait` of every command that runs a locked job.
WAIT_OPTION = click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another run on the same database to finish (then exit 3).",
)


@dataclass(frozen=True)
class JobPlace:
    """Where a job writes, how long SQLite waits for another connection's write lock,
    and the session the job's E-utilities client joins. (How long to wait for the
    database's lock file is the caller's: `locked_job(..., wait=)`.)"""

    db_path: Path
    busy_timeout: float = BUSY_TIMEOUT_SECONDS
    # The clients of one process share it (pacing, keys to redact): tracker/ncbi/session.py.
    ncbi: NcbiSession = field(default_factory=NcbiSession)

    @classmethod
    def from_cli(cls) -> JobPlace:
        """--db and TRACKER_BUSY_TIMEOUT (a bad value is exit 2, before any job starts)."""
        cfg = settings()
        return cls(cfg.db_path, busy_timeout(), cfg.ncbi)


@dataclass
class LockedJob:
    """What a job gets: the connection and, unless it asked for none, the client."""

    db: Database
    client: EutilsClient | None

    @property
    def eutils(self) -> EutilsClient:
        """The client, for jobs that asked for one."""
        assert self.client is not None, "locked_job(..., with_client=False) gives no client"
        return self.client


@contextmanager
def locked_job(
    place: JobPlace,
    *,
    wait: float = 0.0,
    cancel: threading.Event | None = None,
    with_client: bool = True,
    check: bool = True,
) -> Iterator[LockedJob]:
    """Hold the database lock (waiting at most ``wait`` s), open and migrate the database
    (``check``: SQLite's quick_check first), and build the E-utilities client from the
    environment (``cancel`` cuts its back-off short on a stop request).

    Raises LockHeld (exit 3), StoreError (exit 1) or EutilsConfigError (exit 2): all
    TrackerErrors, which the command group prints as one line.
    """
    with database_lock(place.db_path, wait):
        db = store.connect(place.db_path, check=check, busy_timeout=place.busy_timeout)
        try:
            if not with_client:
                yield LockedJob(db, None)
                return
            config = EutilsConfig.from_env(os.environ)
            with EutilsClient(config, cancel=cancel, session=place.ncbi) as client:
                yield LockedJob(db, client)
        finally:
            db.close()
