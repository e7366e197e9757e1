"""When a saved search is due, and the real APScheduler loop that runs it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import wait_for

from tracker import store
from tracker.models import RunResult, SavedSearch, Window
from tracker.searches.crontab import crontab_trigger
from tracker.searches.saved import DEFAULT_SCHEDULE
from tracker.unattended.due import due_state
from tracker.unattended.schedule import Scheduler

UTC_ZONE = ZoneInfo("UTC")
WEEKLY = SavedSearch(name="weekly", title="W", term="x", schedule="0 6 * * 1")  # Mondays 06:00
MONDAY = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def test_the_default_schedule_is_a_valid_crontab_for_mondays_at_six():
    # Saved searches skip validating the default (it spares most commands loading
    # APScheduler), so it is checked here, with the model's default beside it.
    trigger = crontab_trigger(DEFAULT_SCHEDULE, UTC_ZONE)
    first = trigger.get_next_fire_time(None, MONDAY - timedelta(days=3))
    assert first == MONDAY
    assert SavedSearch(name="n", title="t", term="x").schedule == DEFAULT_SCHEDULE


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "t.db")
    yield database
    database.close()


def good_run(db, search: SavedSearch, finished: datetime) -> None:
    stamp = finished.strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.write_transaction(db):
        store.register_search(db, search)
        store.insert_run(
            db,
            RunResult(
                search=search.name,
                run_id=None,
                status="ok",
                window=Window(finished.date(), finished.date()),
                started=stamp,
                finished=stamp,
            ),
            1,
        )


def test_a_search_that_never_ran_is_due_now(db):
    state = due_state(db, WEEKLY, MONDAY, UTC_ZONE)
    assert (state.due, state.last_good, state.next_due, state.overdue) == (
        True,
        None,
        MONDAY,
        False,
    )


def test_a_search_is_due_once_its_next_scheduled_time_has_passed(db):
    good_run(db, WEEKLY, MONDAY + timedelta(minutes=5))
    later_that_day = MONDAY + timedelta(hours=6)
    state = due_state(db, WEEKLY, later_that_day, UTC_ZONE)
    assert (state.due, state.next_due, state.overdue) == (False, MONDAY + timedelta(days=7), False)
    next_monday = MONDAY + timedelta(days=7, minutes=1)
    assert due_state(db, WEEKLY, next_monday, UTC_ZONE).due is True


def test_a_machine_off_for_three_weeks_is_due_once_and_flagged_overdue(db):
    good_run(db, WEEKLY, MONDAY + timedelta(minutes=5))
    state = due_state(db, WEEKLY, MONDAY + timedelta(days=21, hours=1), UTC_ZONE)
    assert (state.due, state.overdue) == (True, True)
    good_run(db, WEEKLY, MONDAY + timedelta(days=21, hours=2))  # the one catch-up run
    assert due_state(db, WEEKLY, MONDAY + timedelta(days=21, hours=3), UTC_ZONE).due is False


def test_failed_runs_do_not_count_as_good(db):
    good_run(db, WEEKLY, MONDAY + timedelta(minutes=5))
    with store.write_transaction(db):
        store.insert_run(
            db,
            RunResult(
                search="weekly",
                run_id=None,
                status="failed",
                window=None,
                error="NCBI down",
                started="2026-11-30T06:00:00Z",
                finished="2026-11-30T06:01:00Z",
            ),
            1,
        )
    assert due_state(db, WEEKLY, MONDAY + timedelta(days=7, hours=1), UTC_ZONE).due is True


def test_real_scheduler_catches_up_what_is_due_exactly_once_and_stops(tmp_path):
    path = tmp_path / "s.db"
    fresh = SavedSearch(name="fresh", title="F", term="y", schedule="0 6 * * 1")
    with store.connect(path) as db:
        good_run(db, fresh, datetime.now(UTC))  # ran a moment ago: not due
    calls: list[str] = []
    done = threading.Event()

    def job(search: SavedSearch, stopping) -> None:  # runs in the scheduler worker
        calls.append(search.name)
        with store.connect(path) as db:
            good_run(db, search, datetime.now(UTC))
        done.set()

    def is_due(search: SavedSearch) -> bool:
        with store.connect(path) as db:
            return due_state(db, search, datetime.now(UTC), UTC_ZONE).due

    scheduler = Scheduler([WEEKLY, fresh], job, is_due, UTC_ZONE)
    runner = threading.Thread(target=scheduler.start)
    runner.start()
    assert done.wait(10)
    # No duplicate can still be coming: the catch-up is spent once every job's next run
    # time lies in the future (it is a week away).
    wait_for(lambda: all(j.next_run_time and j.next_run_time > datetime.now(UTC)
                         for j in scheduler.scheduler.get_jobs()), 10)  # fmt: skip
    cron_job = scheduler.scheduler.get_job("weekly")
    # APScheduler 3.x defaults to a 1-second grace and would skip a late start silently.
    assert (cron_job.misfire_grace_time, cron_job.coalesce, cron_job.max_instances) == (
        None,
        True,
        1,
    )
    scheduler.stop()
    runner.join(10)
    assert not runner.is_alive()
    assert calls == ["weekly"]


@pytest.mark.parametrize(
    ("expression", "fires_on"),
    [
        ("0 6 * * 1", ["Monday"]),  # APScheduler's own from_crontab would say Tuesday
        ("0 6 * * 0", ["Sunday"]),
        ("0 6 * * 7", ["Sunday"]),
        ("0 6 * * 1-5", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        ("0 6 * * 0-2", ["Sunday", "Monday", "Tuesday"]),
        ("0 6 * * 5-7", ["Friday", "Saturday", "Sunday"]),
        ("0 6 * * sat,sun", ["Saturday", "Sunday"]),
        ("0 6 * * */3", ["Sunday", "Wednesday", "Saturday"]),
    ],
)
def test_crontab_weekdays_mean_what_cron_means(expression, fires_on):
    from tracker.searches.crontab import crontab_trigger

    trigger = crontab_trigger(expression, UTC_ZONE)
    days, now = set(), datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday noon
    fire = trigger.get_next_fire_time(None, now)
    for _ in range(7):
        days.add(fire.strftime("%A"))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(minutes=1))
    assert days == set(fires_on)
