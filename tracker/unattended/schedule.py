"""The long-running scheduler (`tracker schedule`): one cron job per saved search.

Whether a search is due comes from `due.py` (the `runs` table), so a machine that was
off for a week catches up exactly once after a restart.

APScheduler 3.x skips a run that starts more than 1 second late by default
(misfire_grace_time=1) and only logs a warning; here every job has no grace limit
and coalesces, so a late or missed time runs once, late, instead of never.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from tracker.models import SavedSearch
from tracker.unattended.due import trigger_for

log = logging.getLogger(__name__)


class Scheduler:
    """A BlockingScheduler with one cron job per saved search, stoppable by a signal.

    `job(search, stopping)` runs one saved search, rolling back once `stopping` is set.
    It is only called when the search is due by the runs table, so a run that cron
    started first is not repeated.
    """

    def __init__(
        self,
        searches: Sequence[SavedSearch],
        job: Callable[[SavedSearch, threading.Event], None],
        is_due: Callable[[SavedSearch], bool],
        tz: ZoneInfo,
    ) -> None:
        self.searches = list(searches)
        self.job = job
        self.is_due = is_due
        self.tz = tz
        self.stopping = threading.Event()
        # One worker: runs of one database are serialised anyway (lock.py).
        self.scheduler = BlockingScheduler(
            timezone=tz,
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.scheduler.add_listener(
            self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )

    def _run_if_due(self, search: SavedSearch) -> None:
        if self.stopping.is_set():
            return
        if not self.is_due(search):
            log.info(
                "search=%s not due (a run since its scheduled time already succeeded)", search.name
            )
            return
        self.job(search, self.stopping)

    def _on_event(self, event: JobEvent) -> None:
        exc = getattr(event, "exception", None)
        log.error(
            "scheduler event %s for job %s%s", event.code, event.job_id, f": {exc}" if exc else ""
        )

    def start(self) -> None:
        """Catch up what is due now, then run on the schedules until stop()."""
        now = datetime.now(self.tz)
        for search in self.searches:
            self.scheduler.add_job(
                self._run_if_due,
                trigger_for(search, self.tz),
                args=[search],
                id=search.name,
                name=search.name,
                replace_existing=True,
            )
            # Catch-up: decided from the runs table, so it holds after a reboot too.
            self.scheduler.add_job(
                self._run_if_due,
                "date",
                run_date=now,
                args=[search],
                id=f"catch-up:{search.name}",
                name=f"catch-up {search.name}",
            )
        self.scheduler.start()  # blocks until shutdown()

    def stop(self) -> None:
        """Ask the running job to roll back at its next check, and end the loop."""
        self.stopping.set()
        self.scheduler.shutdown(wait=False)
