"""One saved search's incremental run: window → esearch → efetch what is new → store.

Never miss, never repeat:
- The window is on Create Date ([crdt], when the record was added to PubMed), from
  the last good run's end less an overlap, to today. Entry Date ([edat]) is back-dated
  to the publication date for records added more than 12 months late (NLM Technical
  Bulletin 2008), so an [edat] window would never see them; [crdt] does.
- Overlapping windows are harmless: PMIDs are deduplicated against the database.
- PubMed's esearch returns at most 9,999 ids for one query; a larger window is split
  in halves until every part fits, and the ids collected must equal the count.
- All writes of a run (articles, membership, run record, watermark) commit in one
  transaction; a failed or killed run leaves the database as it was.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from . import store
from .eutils import EutilsClient, EutilsError
from .models import Article, RunResult, SavedSearch, SearchResult, Window
from .pubmed import PubmedParseError, iter_pubmed_xml

log = logging.getLogger(__name__)

ESEARCH_CAP = 9_999  # PubMed never returns more ids than this for one query
EARLIEST = date(1700, 1, 1)  # "everything": older than any PubMed Create Date
OVERLAP_DAYS = 3
EFETCH_BATCH = 200  # NCBI: POST above ~200 ids; several hundred records per efetch
Progress = Callable[[int, int], None]


class SyncError(RuntimeError):
    """A run that cannot complete; the message says why in one line."""


class RunCancelled(SyncError):
    """The process was asked to stop (SIGTERM, SIGINT); the run's writes were rolled back."""


StopCheck = Callable[[], bool]


def _check_stop(should_stop: StopCheck | None) -> None:
    if should_stop is not None and should_stop():
        raise RunCancelled("interrupted by a stop request before it completed; nothing was stored")


@dataclass(frozen=True)
class SyncOptions:
    overlap_days: int = OVERLAP_DAYS
    batch_size: int = EFETCH_BATCH
    full: bool = False  # ignore the watermark and search from `since` again


DEFAULT_OPTIONS = SyncOptions()


@dataclass(frozen=True)
class Collected:
    count: int
    ids: frozenset[int]
    query_translation: str | None
    warnings: tuple[str, ...]


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


def _pubmed_date(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def collect_ids(client: EutilsClient, term: str, window: Window) -> Collected:
    """Every PMID in the window, splitting it while PubMed's count exceeds the cap."""
    result = _esearch(client, term, window)
    if result.count <= ESEARCH_CAP:
        return Collected(
            result.count, frozenset(result.ids), result.query_translation, result.warnings
        )
    parts = [_collect_part(client, term, half) for half in _halves(window, term, result.count)]
    ids = frozenset().union(*(p.ids for p in parts))
    count = sum(p.count for p in parts)
    warnings = tuple(dict.fromkeys(w for p in (result, *parts) for w in p.warnings))
    return Collected(count, ids, result.query_translation, warnings)


def _collect_part(client: EutilsClient, term: str, window: Window) -> Collected:
    collected = collect_ids(client, term, window)
    if len(collected.ids) != collected.count:
        raise SyncError(
            f"PubMed counted {collected.count} records created {window.start}..{window.end} "
            f"but returned {len(collected.ids)} ids; refusing to keep a partial set"
        )
    return collected


def _halves(window: Window, term: str, count: int) -> list[Window]:
    if window.start >= window.end:
        raise SyncError(
            f"{count} records were created on {window.start} alone, more than PubMed's "
            f"9,999-per-query limit; narrow the saved search ({term[:60]}…)"
        )
    middle = window.start + (window.end - window.start) // 2
    return [Window(window.start, middle), Window(middle + timedelta(days=1), window.end)]


def _esearch(client: EutilsClient, term: str, window: Window) -> SearchResult:
    result = client.esearch(
        term,
        datetype="crdt",
        mindate=_pubmed_date(window.start),
        maxdate=_pubmed_date(window.end),
        retmax=ESEARCH_CAP,
    )
    if result.count <= ESEARCH_CAP and len(result.ids) != result.count:
        raise SyncError(
            f"PubMed counted {result.count} records for {window.start}..{window.end} but "
            f"returned {len(result.ids)} ids; refusing to keep a partial set"
        )
    return result


def fetch_articles(
    client: EutilsClient,
    pmids: Sequence[int],
    batch_size: int,
    on_batch: Callable[[list[Article]], None],
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> tuple[int, ...]:
    """efetch `pmids` in batches, handing each parsed batch to `on_batch`.

    efetch may return fewer records than asked without any error (NCBI-NOTES A5);
    the missing ones are asked for once more, and those still missing are returned.
    """
    missing: list[int] = []
    done = 0
    for start in range(0, len(pmids), batch_size):
        _check_stop(should_stop)
        batch = pmids[start : start + batch_size]
        got = _fetch_batch(client, batch)
        on_batch(got)
        returned = {a.pmid for a in got}
        missing.extend(p for p in batch if p not in returned)
        done += len(batch)
        if progress:
            progress(done, len(pmids))
    if missing:
        retry = _fetch_batch(client, missing)
        on_batch(retry)
        returned = {a.pmid for a in retry}
        missing = [p for p in missing if p not in returned]
    return tuple(missing)


def _fetch_batch(client: EutilsClient, pmids: Sequence[int]) -> list[Article]:
    body = client.efetch(pmids)
    wanted = set(pmids)
    try:
        # An efetch answer holds articles only; DeleteCitation belongs to update files.
        return [
            a
            for a in iter_pubmed_xml(body, name="efetch")
            if isinstance(a, Article) and a.pmid in wanted
        ]
    except PubmedParseError as exc:
        raise SyncError(f"efetch answer could not be parsed: {exc}") from None


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
        reached = None if options.full else store.synced_until(db, search.name)
        window = plan_window(search, reached, today or today_utc(), options)
        collected = collect_ids(client, search.term, window)
        _check_stop(should_stop)
        result = _store_run(
            db, client, search, window, collected, options, progress, requests_before, should_stop
        )
        return replace(result, started=started)
    except (
        EutilsError,
        SyncError,
        PubmedParseError,
        store.StoreError,
        sqlite3.Error,
        OSError,
    ) as exc:
        return _record_failure(db, client, search, window, started, requests_before, exc)


def _store_run(
    db: Database,
    client: EutilsClient,
    search: SavedSearch,
    window: Window,
    collected: Collected,
    options: SyncOptions,
    progress: Progress | None,
    requests_before: int,
    should_stop: StopCheck | None,
) -> RunResult:
    counts = {"fetched": 0, "updated": 0}
    with store.write_transaction(db):
        store.register_search(db, search)
        known = store.member_pmids(db, search.name)
        pending = store.pending_pmids(db, search.name)
        new_ids = sorted(collected.ids - known)
        to_fetch = sorted((set(new_ids) - store.stored_pmids(db, new_ids)) | pending)
        now = store.utc_now()
        run_id = store.insert_run(db, _ok(search, window, collected, now), 0)

        def save(batch: list[Article]) -> None:
            store.upsert_articles(db, batch, now)
            counts["fetched"] += len(batch)

        missing = fetch_articles(client, to_fetch, options.batch_size, save, progress, should_stop)
        found_now = (set(new_ids) | pending) - set(missing)
        store.add_members(db, search.name, sorted(found_now), run_id, now)
        store.set_pending(db, search.name, missing, run_id)
        new = len(found_now - known)
        store.set_run_counts(db, run_id, new=new, fetched=counts["fetched"])
        requests = client.request_count - requests_before
        db.conn.execute(
            "UPDATE runs SET finished = ?, missing = ?, requests = ? WHERE id = ?",
            (store.utc_now(), _json_list(missing), requests, run_id),
        )
        store.advance_watermark(db, search.name, window.end, run_id)
    log.info(
        "%s: window %s..%s count=%d new=%d fetched=%d missing=%d requests=%d",
        search.name, window.start, window.end, collected.count, new,
        counts["fetched"], len(missing), requests,
    )  # fmt: skip
    return replace(
        _ok(search, window, collected, store.utc_now()),
        run_id=run_id,
        new=new,
        fetched=counts["fetched"],
        missing=missing,
    )


def _json_list(values: Iterable[int]) -> str:
    return "[" + ",".join(str(v) for v in values) + "]"


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
            store.register_search(db, search)
            run_id = store.insert_run(db, result, client.request_count - requests_before)
    except (store.StoreError, sqlite3.Error, OSError) as second:
        log.error("%s: could not record the failed run either: %s", search.name, second)
        return result
    return replace(result, run_id=run_id)
