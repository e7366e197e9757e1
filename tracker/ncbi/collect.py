"""Asking PubMed about one window: every PMID in it, and their records.

- PubMed's esearch returns at most 9,999 ids for one query; a larger window is split
  in halves until every part fits, and the ids collected must equal the count (never
  keep a silently truncated set: NCBI-NOTES A5).
- efetch may return fewer records than asked without any error; the missing ones are
  asked for once more and then reported, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import RunFailure
from tracker.models import Article, SearchResult, Window
from tracker.ncbi.client import EutilsClient
from tracker.pubmed import PubmedParseError, iter_pubmed_xml

ESEARCH_CAP = 9_999  # PubMed never returns more ids than this for one query
EFETCH_BATCH = 200  # NCBI: POST above ~200 ids; several hundred records per efetch
Progress = Callable[[int, int], None]
StopCheck = Callable[[], bool]


class SyncError(RunFailure, RuntimeError):
    """A run that cannot complete; the message says why in one line."""


class RunCancelled(SyncError):
    """The process was asked to stop (SIGTERM, SIGINT); the run's writes were rolled back."""


def check_stop(should_stop: StopCheck | None) -> None:
    if should_stop is not None and should_stop():
        raise RunCancelled("interrupted by a stop request before it completed; nothing was stored")


@dataclass(frozen=True)
class Collected:
    count: int
    ids: frozenset[int]
    query_translation: str | None
    warnings: tuple[str, ...]


def _pubmed_date(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def collect_ids(
    client: EutilsClient, term: str, window: Window, datetype: str = "crdt"
) -> Collected:
    """Every PMID whose `datetype` date is in the window, splitting the window while
    PubMed's count exceeds the cap."""
    result = _esearch(client, term, window, datetype)
    if result.count <= ESEARCH_CAP:
        return Collected(
            result.count, frozenset(result.ids), result.query_translation, result.warnings
        )
    pieces = _split(window, term, result.count, datetype)
    parts = [_collect_part(client, term, piece, datetype) for piece in pieces]
    ids = frozenset().union(*(p.ids for p in parts))
    count = sum(p.count for p in parts)
    found: list[SearchResult | Collected] = [result, *parts]
    warnings = tuple(dict.fromkeys(w for p in found for w in p.warnings))
    return Collected(count, ids, result.query_translation, warnings)


def _collect_part(client: EutilsClient, term: str, window: Window, datetype: str) -> Collected:
    collected = collect_ids(client, term, window, datetype)
    if len(collected.ids) != collected.count:
        raise SyncError(
            f"PubMed counted {collected.count} records created {window.start}..{window.end} "
            f"but returned {len(collected.ids)} ids; refusing to keep a partial set"
        )
    return collected


def _split(window: Window, term: str, count: int, datetype: str) -> list[Window]:
    """Contiguous day ranges covering the window, as many as the count suggests.

    Enough parts for about 8,000 records each if the records were spread evenly, so
    an even spread needs one esearch per part; a part that still holds more than the
    cap is split again by collect_ids.
    """
    days = (window.end - window.start).days + 1
    if days == 1:
        what = "were created on" if datetype == "crdt" else f"have [{datetype}]"
        raise SyncError(
            f"{count} records {what} {window.start} alone, more than PubMed's "
            f"9,999-per-query limit; narrow the saved search ({term[:60]}…)"
        )
    parts = min(days, max(2, -(-count // 8_000)))
    bounds = [window.start + timedelta(days=days * i // parts) for i in range(parts + 1)]
    return [Window(bounds[i], bounds[i + 1] - timedelta(days=1)) for i in range(parts)]


def _esearch(client: EutilsClient, term: str, window: Window, datetype: str) -> SearchResult:
    result = client.esearch(
        term,
        datetype=datetype,
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
        check_stop(should_stop)
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
