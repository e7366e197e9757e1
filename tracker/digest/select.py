"""Step 1 of a digest: choosing what it reports, from the database.

A weekly digest covers the studies a saved search first found in the runs after the one
the previous digest went up to, through the latest good run. A period digest
(`tracker digest NAME --since DATE`) covers the studies first found since DATE and
leaves the weekly chain alone. Everything the later steps need from the database is
read here, so they are pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from tracker import store
from tracker.models import SavedSearch
from tracker.store import digests as stored
from tracker.store import health


@dataclass(frozen=True)
class Selection:
    """What one digest reports, as read from the database (JSON columns decoded)."""

    rows: list[dict[str, Any]]  # the new studies
    change_rows: list[dict[str, Any]]  # changes to earlier studies in the same runs
    record: dict[str, Any]  # kind, after_run/through_run or period_from, period_to
    as_of_run: int  # the latest good run
    previous: str | None  # the previous digest's date
    held: dict[str, int]  # every study the search holds, by tier
    held_roles: dict[str, int]  # every study the search holds, by drug role
    years: dict[int, int]  # studies per publication year
    authors: dict[int, list[dict[str, Any]]]  # of every new study
    period_start: str | None = None  # when the run the previous digest went up to ended
    period_end: str | None = None  # when the latest good run ended
    latest_run: dict[str, Any] | None = None  # id, status, error, finished


def select(db: Database, search: SavedSearch, *, today: date, since: date | None) -> Selection:
    """Read what the digest of `search` reports today (a period digest with `since`)."""
    as_of = store.last_good_run_id(db, search.name)
    if since is None:
        after = store.last_digest_through(db, search.name)
        through = max(as_of, after)
        rows = [
            store.decode_article_row(r)
            for r in store.new_article_rows(db, search.name, after, through)
        ]
        changes = stored.changes_for(db, search.name, after_run=after, through_run=through)
        record: dict[str, Any] = {
            "kind": "regular",
            "after_run": after,
            "through_run": through,
            "period_to": today.isoformat(),
        }
    else:
        period_from = since.isoformat()
        rows = stored.rows_first_seen_between(db, search.name, period_from)
        changes = stored.changes_for(db, search.name, since=period_from)
        record = {"kind": "period", "period_from": period_from, "period_to": today.isoformat()}
    return Selection(
        rows=rows,
        change_rows=changes,
        record=record,
        as_of_run=as_of,
        previous=stored.previous_digest_date(db, search.name),
        held=stored.tier_counts(db, search.name),
        held_roles=stored.role_counts(db, search.name),
        years=stored.year_counts(db, search.name),
        authors=store.authors_by_pmid(db, [r["pmid"] for r in rows]),
        period_start=health.run_finished(db, record.get("after_run", 0)),
        period_end=health.run_finished(db, as_of),
        latest_run=health.latest_run(db, search.name),
    )
