"""When each saved search is due: decided from the `runs` table, never from a
scheduler's memory.

A search is due when one of its scheduled times has passed since its last good run. So
a machine that was off for a week catches up exactly once after a restart, and cron
(`tracker run --due`) and the scheduler (`schedule.py`) agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from tracker import store
from tracker.models import SavedSearch
from tracker.searches.crontab import crontab_trigger

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger


@dataclass(frozen=True)
class Due:
    search: SavedSearch
    due: bool
    last_good: datetime | None
    next_due: datetime  # when it is next due (now, when it is due already)
    overdue: bool  # last good run older than twice its schedule's interval


def trigger_for(search: SavedSearch, tz: ZoneInfo) -> CronTrigger:
    return crontab_trigger(search.schedule, tz)


def last_good_finish(db: Database, search: str) -> datetime | None:
    finished = store.last_good_finish(db, search)
    return datetime.fromisoformat(finished.replace("Z", "+00:00")) if finished else None


def due_state(db: Database, search: SavedSearch, now: datetime, tz: ZoneInfo) -> Due:
    trigger = trigger_for(search, tz)
    last = last_good_finish(db, search.name)
    if last is None:
        return Due(search, True, None, now, False)
    first_after = trigger.get_next_fire_time(None, last)
    due = first_after is not None and first_after <= now
    upcoming = now if due else first_after
    return Due(search, due, last, upcoming or now, due and _overdue(trigger, first_after, now))


def _overdue(trigger: CronTrigger, first: datetime, now: datetime) -> bool:
    """Two scheduled times have passed since the last good run (`first`, the first of
    them, has passed)."""
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    return second is not None and second <= now


def due_searches(
    db: Database, searches: Sequence[SavedSearch], now: datetime, tz: ZoneInfo
) -> list[SavedSearch]:
    return [s for s in searches if due_state(db, s, now, tz).due]
