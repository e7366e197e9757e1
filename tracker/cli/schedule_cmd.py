"""`tracker schedule`: the long-running scheduler."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from tracker.cli.locked_job import JobPlace, locked_job
from tracker.cli.run_cmd import _searches
from tracker.digest.write import DigestOptions
from tracker.models import SavedSearch
from tracker.unattended.due import due_state
from tracker.unattended.job import MailOptions, run_job
from tracker.unattended.lock import LockHeld
from tracker.unattended.schedule import Scheduler

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
    setup_logging(cfg.verbose, cfg.log_format, logging.INFO, cfg.ncbi.secrets)  # one line per run
    tz = schedule_timezone(tz_name)
    searches = _searches(names)
    eutils_client().close()  # a bad NCBI_EMAIL or key stops us here, not in every job
    mail = job_mail_options()  # likewise bad mail settings
    digest_options = job_digest_options()
    open_db(create=True).close()  # likewise a damaged database or a wrong --db
    jobs = ScheduledJobs(JobPlace.from_cli(), cfg.reports, tz, digest_options, mail)
    scheduler = Scheduler(searches, jobs.run, jobs.is_due, tz)
    _stop_on_signals(scheduler)
    log.info("scheduler started for %s (timezone %s)", ", ".join(s.name for s in searches), tz_name)
    scheduler.start()
    log.info("scheduler stopped")


@dataclass(frozen=True)
class ScheduledJobs:
    """What the scheduler calls. Jobs run in its worker thread: no click context there,
    so they hold plain values, and each opens its own SQLite connection."""

    place: JobPlace
    reports: Path
    tz: ZoneInfo
    digest_options: DigestOptions
    mail: MailOptions | None

    def run(self, search: SavedSearch, stopping: threading.Event) -> None:
        try:
            with locked_job(self.place, wait=LOCK_WAIT_SECONDS, cancel=stopping) as job:
                run_job(
                    job.db, job.eutils, search, self.reports, should_stop=stopping.is_set,
                    digest_options=self.digest_options, mail=self.mail,
                )  # fmt: skip
        except LockHeld as exc:
            log.error("search=%s skipped: %s", search.name, exc)
        except store.StoreError as exc:
            log.error("search=%s failed: %s", search.name, exc)

    def is_due(self, search: SavedSearch) -> bool:
        place = self.place
        db = store.connect(place.db_path, check=False, busy_timeout=place.busy_timeout)
        try:
            return due_state(db, search, datetime.now(self.tz), self.tz).due
        finally:
            db.close()


def _stop_on_signals(scheduler: Scheduler) -> None:
    """SIGTERM and Ctrl-C stop the scheduler: the current run finishes or rolls back."""

    def stop(signum: int, _frame: Any) -> None:
        log.warning(
            "received %s: finishing or rolling back the current run, then exiting",
            signal.Signals(signum).name,
        )
        scheduler.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
