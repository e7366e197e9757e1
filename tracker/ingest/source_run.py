"""What the sources beside PubMed share: the result of one run, the window, and the
run record written whether the run succeeded or failed."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from tracker import store
from tracker.jsonapi.client import ApiError, JsonClient
from tracker.store import source_runs

log = logging.getLogger(__name__)
OVERLAP_DAYS = 3  # re-ask the last days: a record posted late on the last day is not lost


@dataclass(frozen=True)
class SourceResult:
    search: str
    source: str  # "ctgov" | "europepmc"
    status: str  # "ok" | "failed"
    run_id: int | None = None
    window_start: str | None = None  # None: everything (a backfill)
    count: int = 0  # records returned
    new: int = 0  # new to the saved search
    updated: int = 0  # stored records with a change recorded
    skipped: int = 0
    requests: int = 0
    error: str | None = None

    @property
    def label(self) -> str:
        return source_runs.SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True)
class Tally:
    count: int
    new: int
    updated: int
    skipped: int = 0


def window_start(db: Database, search: str, source: str, full: bool) -> date | None:
    if full:
        return None
    reached = source_runs.source_synced_until(db, search, source)
    return reached - timedelta(days=OVERLAP_DAYS) if reached else None


def run_source(
    db: Database,
    client: JsonClient,
    search: str,
    source: str,
    since: date | None,
    query: str,
    today: date,
    work: Callable[[int, str], Tally],
) -> SourceResult:
    """Run `work(run_id, now)` (fetch, then store) inside one write transaction with its
    run record and window; on any failure, record a failed run and keep the window, so
    the next run asks again from the same day. Never raises for source trouble."""
    started = store.utc_now()
    before = client.request_count
    start = since.isoformat() if since else None
    base: dict[str, object] = {"search": search, "source": source, "started": started,
                               "window_start": start, "query": query}  # fmt: skip
    try:
        with store.write_transaction(db):
            run_id = source_runs.insert_source_run(db, {**base, "status": "ok"})
            tally = work(run_id, started)
            requests = client.request_count - before
            source_runs.update_source_run(db, run_id, finished=store.utc_now(), count=tally.count,
                                          new=tally.new, updated=tally.updated,
                                          skipped=tally.skipped, requests=requests)  # fmt: skip
            source_runs.advance_source_window(db, search, source, today, run_id)
    except (ApiError, store.StoreError, sqlite3.Error, OSError) as exc:
        return _failed(db, base, client.request_count - before, exc)
    log.info("%s %s: since %s count=%d new=%d updated=%d requests=%d", search, source,
             base["window_start"], tally.count, tally.new, tally.updated, requests)  # fmt: skip
    return SourceResult(search, source, "ok", run_id, start, tally.count,
                        tally.new, tally.updated, tally.skipped, requests)  # fmt: skip


def _failed(db: Database, base: dict[str, object], requests: int, exc: Exception) -> SourceResult:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    search, source = str(base["search"]), str(base["source"])
    log.error("%s %s: run failed: %s", search, source, message)
    run_id = None
    try:
        with store.write_transaction(db):
            run_id = source_runs.insert_source_run(
                db, {**base, "finished": store.utc_now(), "status": "failed", "error": message,
                     "requests": requests, "count": 0, "new": 0, "updated": 0, "skipped": 0},
            )  # fmt: skip
    except (store.StoreError, sqlite3.Error, OSError) as second:
        log.error("%s %s: could not record the failed run either: %s", search, source, second)
    window = base["window_start"]
    return SourceResult(search, source, "failed", run_id, str(window) if window else None,
                        requests=requests, error=message)  # fmt: skip
