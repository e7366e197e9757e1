"""One saved search's incremental run: window → esearch → efetch what is new → store.

Never miss, never repeat:
- The window is on Create Date ([crdt], when the record was added to PubMed), from
  the last good run's end less an overlap, to today. Entry Date ([edat]) is back-dated
  to the publication date for records added more than 12 months late (NLM Technical
  Bulletin 2008), so an [edat] window would never see them; [crdt] does.
- Overlapping windows are harmless: PMIDs are deduplicated against the database.
- PubMed's esearch returns at most 9,999 ids for one query; a larger window is split
  in halves until every part fits, and the ids collected must equal the count.
- No network inside a write transaction: each efetch batch is committed to staging
  (tracker/store/staging.py) as a checkpoint; then the run's writes (articles,
  membership, run record, watermark) commit in one short transaction. A failed or
  killed run leaves the data as it was, and the next run fetches only what was not
  staged yet.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from tracker import store
from tracker.errors import TrackerError
from tracker.ingest.changes import detect_changes
from tracker.ingest.rules import follow_rules
from tracker.models import Article, RunResult, SavedSearch, Window
from tracker.ncbi.client import EutilsClient
from tracker.ncbi.collect import (
    EFETCH_BATCH,
    Collected,
    Progress,
    RunCancelled,
    StopCheck,
    SyncError,
    check_stop,
    collect_ids,
    fetch_articles,
)

__all__ = [
    "EARLIEST",
    "EFETCH_BATCH",
    "RunCancelled",
    "SyncError",
    "SyncOptions",
    "fetch_articles",
    "plan_window",
    "run_search",
    "today_utc",
]
log = logging.getLogger(__name__)

EARLIEST = date(1700, 1, 1)  # "everything": older than any PubMed Create Date
OVERLAP_DAYS = 3


@dataclass(frozen=True)
class SyncOptions:
    overlap_days: int = OVERLAP_DAYS
    batch_size: int = EFETCH_BATCH
    full: bool = False  # ignore the watermark and search from `since` again


DEFAULT_OPTIONS = SyncOptions()


def today_utc() -> date:
    return datetime.now(UTC).date()


def plan_window(
    search: SavedSearch, reached: date | None, today: date, options: SyncOptions
) -> Window:
    if reached is None or options.full:
        return Window(search.since or EARLIEST, max(today, reached or today))
    # A clock that jumped back must not shrink the window below what was reached.
    end = max(today, reached)
    return Window(reached - timedelta(days=options.overlap_days), end)


@dataclass(frozen=True)
class Found:
    """What esearch said about the window: added records, and revised ones."""

    added: Collected
    revised: frozenset[int]  # PMIDs whose Modification Date ([mdat]) is in the window


def run_search(
    db: Database,
    client: EutilsClient,
    search: SavedSearch,
    *,
    options: SyncOptions = DEFAULT_OPTIONS,
    today: date | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> RunResult:
    """Sync one saved search. Never raises for NCBI or data trouble: the run is recorded
    as failed (with its error) and the database is otherwise left as it was."""
    started = store.utc_now()
    requests_before = client.request_count
    window: Window | None = None
    try:
        reached = _reached(db, search, options)
        window = plan_window(search, reached, today or today_utc(), options)
        found = _search_window(client, search.term, window, first_run=reached is None)
        check_stop(should_stop)
        result = _store_run(
            db, client, search, window, found, options, progress, requests_before, should_stop
        )
        return replace(result, started=started)
    except (TrackerError, sqlite3.Error, OSError) as exc:  # NCBI, parsing, the store, the disk
        return _record_failure(db, client, search, window, started, requests_before, exc)
    except Exception as exc:  # noqa: BLE001 - the last resort: record it, let the others run
        log.debug("%s: unexpected failure", search.name, exc_info=True)
        unexpected = SyncError(f"unexpected {type(exc).__name__}: {str(exc)[:300]}")
        return _record_failure(db, client, search, window, started, requests_before, unexpected)


def _reached(db: Database, search: SavedSearch, options: SyncOptions) -> date | None:
    """Where this run starts from; None means a backfill from `since`.

    An edited term may match older records the old term missed, so a changed term
    searches from `since` again; what the search already holds is not reported twice.
    """
    if options.full:
        return None
    if store.search_term_changed(db, search):
        log.warning("%s: the term changed since the last run; searching from `since` again",
                    search.name)  # fmt: skip
        return None
    return store.synced_until(db, search.name)


def _search_window(client: EutilsClient, term: str, window: Window, first_run: bool) -> Found:
    """Records added in the window and, after the first run, records revised in it, in
    one esearch: `(term) AND (window[crdt] OR window[mdat])`.

    Records change after they are stored (MeSH added, errata, retractions), and a
    retraction arrives as a modification of a PMID already held (NCBI-NOTES A11): only
    a Modification Date search finds it. A backfill fetches everything fresh anyway.
    New and revised are told apart by what the search already holds (_store_run): a
    quiet week costs one request. The esearch date restriction stays on Create Date
    from the beginning to the window's end, so a count over PubMed's cap is still split
    by Create Date into parts that together cover every match.
    """
    if first_run:
        return Found(collect_ids(client, term, window, "crdt"), frozenset())
    days = f"{window.start:%Y/%m/%d}:{window.end:%Y/%m/%d}"
    either = f"({term}) AND ({days}[crdt] OR {days}[mdat])"
    found = collect_ids(client, either, Window(EARLIEST, window.end), "crdt")
    return Found(found, found.ids)


def _store_run(
    db: Database,
    client: EutilsClient,
    search: SavedSearch,
    window: Window,
    found: Found,
    options: SyncOptions,
    progress: Progress | None,
    requests_before: int,
    should_stop: StopCheck | None,
) -> RunResult:
    """Fetch first, each batch committed to staging in its own short transaction, then
    write the run in one transaction that holds no network call."""
    collected = found.added
    known = store.member_pmids(db, search.name)
    pending = store.pending_pmids(db, search.name)
    new_ids = sorted(collected.ids - known)
    to_fetch = sorted((set(new_ids) - store.stored_pmids(db, new_ids)) | pending)
    now = store.utc_now()
    missing = _stage(db, client, search.name, to_fetch, now, options, progress, should_stop)
    revised = _fetch_revised(db, client, found.revised - set(to_fetch), options, should_stop)
    check_stop(should_stop)
    with store.write_transaction(db):
        store.register_search(db, search)
        run_id = store.insert_run(db, _ok(search, window, collected, now), 0)
        fetched = len(store.commit_staged(db, search.name, set(to_fetch) - set(missing)))
        updated = _apply_revised(db, revised, run_id, now)
        found_now = (set(new_ids) | pending) - set(missing)
        store.add_members(db, search.name, sorted(found_now), run_id, now)
        follow_rules(db, run_id, now)  # roles of the new members; answers of older rules
        store.set_pending(db, search.name, missing, run_id)
        new = len(found_now - known)
        store.set_run_counts(db, run_id, new=new, fetched=fetched, updated=updated)
        requests = client.request_count - requests_before
        store.finish_run(db, run_id, store.utc_now(), list(missing), requests)
        store.advance_watermark(db, search.name, window.end, run_id)
        store.clear_staged(db, search.name)
    log.info(
        "%s: window %s..%s count=%d new=%d fetched=%d updated=%d missing=%d requests=%d",
        search.name, window.start, window.end, collected.count, new,
        fetched, updated, len(missing), requests,
    )  # fmt: skip
    return replace(
        _ok(search, window, collected, store.utc_now()),
        run_id=run_id,
        new=new,
        fetched=fetched,
        updated=updated,
        missing=missing,
    )


def _stage(
    db: Database,
    client: EutilsClient,
    search: str,
    to_fetch: list[int],
    now: str,
    options: SyncOptions,
    progress: Progress | None,
    should_stop: StopCheck | None,
) -> tuple[int, ...]:
    """efetch what is not staged yet (a failed or killed run's checkpoints count),
    committing each batch as a checkpoint; the PMIDs efetch did not return."""
    staged = store.staged_pmids(db, search)
    rest = [p for p in to_fetch if p not in staged]

    def save(batch: list[Article]) -> None:
        if batch:
            with store.write_transaction(db):
                store.stage_articles(db, search, batch, now)

    return fetch_articles(client, rest, options.batch_size, save, progress, should_stop)


def _fetch_revised(
    db: Database,
    client: EutilsClient,
    revised: frozenset[int] | set[int],
    options: SyncOptions,
    should_stop: StopCheck | None,
) -> list[Article]:
    """Stored records PubMed revised, fetched again (before any transaction). A revised
    PMID efetch does not return this time is simply refreshed next time."""
    stored = set(store.article_rows(db, sorted(revised)))
    fresh: list[Article] = []
    fetch_articles(client, sorted(stored), options.batch_size,
                   lambda batch: fresh.extend(a for a in batch if a.pmid in stored),
                   None, should_stop)  # fmt: skip
    return fresh


def _apply_revised(db: Database, fresh: list[Article], run_id: int, now: str) -> int:
    """Update revised records in place (first_seen kept) and record what changed.
    Returns how many stored rows were refreshed."""
    old = store.article_rows(db, sorted({a.pmid for a in fresh}))
    batch = [a for a in fresh if a.pmid in old]
    changes = [c for a in batch for c in detect_changes(old[a.pmid], a)]
    store.upsert_articles(db, batch, now)
    store.insert_changes(db, run_id, now, changes)
    return len(batch)


def _ok(search: SavedSearch, window: Window, collected: Collected, now: str) -> RunResult:
    return RunResult(
        search=search.name,
        run_id=None,
        status="ok",
        window=window,
        count=collected.count,
        query_translation=collected.query_translation,
        warnings=collected.warnings,
        started=now,
        finished=now,
    )


def _record_failure(
    db: Database,
    client: EutilsClient,
    search: SavedSearch,
    window: Window | None,
    started: str,
    requests_before: int,
    exc: BaseException,
) -> RunResult:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    result = RunResult(
        search=search.name,
        run_id=None,
        status="failed",
        window=window,
        error=message,
        started=started,
        finished=store.utc_now(),
    )
    log.error("%s: run failed: %s", search.name, message)
    try:
        with store.write_transaction(db):
            # Only create the row: recording an edited term here would hide the edit from
            # the next run, which must still search again from `since`.
            store.ensure_search(db, search)
            run_id = store.insert_run(db, result, client.request_count - requests_before)
    except (store.StoreError, sqlite3.Error, OSError) as second:
        log.error("%s: could not record the failed run either: %s", search.name, second)
        return result
    return replace(result, run_id=run_id)
