"""Standard crontab expressions → APScheduler 3.x triggers.

APScheduler 3.x's `CronTrigger.from_crontab` numbers weekdays from Monday = 0, while
crontab(5) numbers them from Sunday = 0 (APScheduler issue #286, kept in 3.x for
backward compatibility). A saved search's "0 6 * * 1" would run on Tuesdays. Numeric
weekdays are therefore translated to names, which both read the same way.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expression: str, timezone: tzinfo | str) -> CronTrigger:
    """A CronTrigger that fires when cron would; ValueError for a bad expression."""
    # Imported here: APScheduler brings asyncio and entry-point scanning (~40 ms per
    # process start), needed only by `--due`, `tracker schedule`, `status` and a saved
    # search that sets its own schedule.
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekday_names(weekday),
        timezone=timezone,
    )


def _weekday_names(field: str) -> str:
    if not any(ch.isdigit() for ch in field):
        return field  # "*", "mon-fri": already unambiguous
    days: set[int] = set()
    for token in field.split(","):
        days |= _expand(token)
    return ",".join(_NAMES[d] for d in sorted(days))


def _expand(token: str) -> set[int]:
    """Crontab weekday numbers of one comma-separated token (0 and 7 are Sunday)."""
    base, _, step_text = token.partition("/")
    step = int(step_text) if step_text else 1
    if base == "*":
        first, last = 0, 6
    elif "-" in base:
        first_text, last_text = base.split("-", 1)
        first, last = _day(first_text), _day(last_text, allow_seven=True)
    else:
        first = last = _day(base, allow_seven=True)
    if step < 1 or first > last:
        raise ValueError(f"bad weekday range {token!r}")
    return {d % 7 for d in range(first, last + 1, step)}


def _day(text: str, allow_seven: bool = False) -> int:
    text = text.strip().lower()
    if text in _NAMES:
        return _NAMES.index(text)
    if not text.isdigit() or not 0 <= int(text) <= (7 if allow_seven else 6):
        raise ValueError(f"bad weekday {text!r} (0-7 or sun-sat)")
    return int(text)
