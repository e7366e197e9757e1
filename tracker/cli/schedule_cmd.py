"""`tracker schedule`: the long-running scheduler."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime
from typing import Any

import click

from tracker import store
from tracker.cli.app import (
    TIMEZONE_OPTION,
    cli,
    eutils_client,
    open_db,
    schedule_timezone,
    settings,
    setup_logging,
)
from tracker.cli.digest_cmd import job_digest_options, job_mail_options
from tracker.cli.run_cmd import _searches
from tracker.models import SavedSearch
from tracker.ncbi.client import EutilsClient, EutilsConfig
from tracker.unattended.job import run_job
from tracker.unattended.lock import LockHeld, database_lock
from tracker.unattended.schedule import Scheduler, due_state

log = logging.getLogger("tracker.unattended.schedule")
LOCK_WAIT_SECONDS = 600.0  # a manual run holding the database: wait for it, then skip


@cli.command()
@click.argument("names", nargs=-1)
@TIMEZONE_OPTION
def schedule(names: tuple[str, ...], tz_name: str) -> None:
    """Run each saved search on its own `schedule` until stopped (SIGTERM or Ctrl-C).

    On start it catches up: a saved search whose last good run is older than its
    schedule runs once now. Stopping rolls back a run in progress and exits 0.

    \b
    Example:
      tracker schedule --timezone Europe/Paris
    """
    cfg = settings()
    setup_logging(cfg.verbose, cfg.log_format, floor=logging.INFO)  # one line per run
    tz = schedule_timezone(tz_name)
    searches = _searches(names)
    eutils_client().close()  # a bad NCBI_EMAIL or key stops us here, not in every job
    mail = job_mail_options()  # likewise bad mail settings
    digest_options = job_digest_options()
    open_db(create=True).close()  # likewise a damaged database or a wrong --db

    # Jobs run in the scheduler's worker thread: no click context there, so they get
    # plain values, and each opens its own SQLite connection.
    def job(search: SavedSearch, stopping: threading.Event) -> None:
        try:
            with database_lock(cfg.db_path, LOCK_WAIT_SECONDS):
                db = store.connect(cfg.db_path)
                try:
                    config = EutilsConfig.from_env(os.environ)
                    with EutilsClient(config, cancel=stopping) as client:
                        run_job(
                            db, client, search, cfg.reports, should_stop=stopping.is_set,
                            digest_options=digest_options, mail=mail,
                        )  # fmt: skip
                finally:
                    db.close()
        except LockHeld as exc:
            log.error("search=%s skipped: %s", search.name, exc)
        except store.StoreError as exc:
            log.error("search=%s failed: %s", search.name, exc)

    def is_due(search: SavedSearch) -> bool:
        db = store.connect(cfg.db_path, check=False)
        try:
            return due_state(db, search, datetime.now(tz), tz).due
        finally:
            db.close()

    scheduler = Scheduler(searches, job, is_due, tz)

    def stop(signum: int, _frame: Any) -> None:
        log.warning(
            "received %s: finishing or rolling back the current run, then exiting",
            signal.Signals(signum).name,
        )
        scheduler.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started for %s (timezone %s)", ", ".join(s.name for s in searches), tz_name)
    scheduler.start()
    log.info("scheduler stopped")
