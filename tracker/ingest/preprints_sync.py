"""One saved search's Europe PMC run: preprint pages → store them, their membership and
the changes worth telling (a journal version linked, a new version)."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from tracker.europepmc.client import iter_pages
from tracker.europepmc.query import preprint_query
from tracker.ingest.source_run import SourceResult, Tally, run_source, window_start
from tracker.jsonapi.client import JsonClient
from tracker.models import Preprint
from tracker.searches.pairs import Pair
from tracker.store import preprints

SOURCE = "europepmc"


def run_preprints(
    db: Database, client: JsonClient, search: str, pair: Pair, today: date, full: bool = False
) -> SourceResult:
    since = window_start(db, search, SOURCE, full)
    query = preprint_query(pair, since)

    def work(run_id: int, now: str) -> Tally:
        found = [p for page in iter_pages(client, query) for p in page.preprints]
        unique = list({p.id: p for p in found}.values())
        return _store(db, search, unique, run_id, now)

    return run_source(db, client, search, SOURCE, since, query, today, work)


def _store(db: Database, search: str, found: list[Preprint], run_id: int, now: str) -> Tally:
    ids = [p.id for p in found]
    old = preprints.preprint_rows(db, ids)
    members = preprints.member_preprints(db, search)
    changed: set[str] = set()
    for p in found:
        before = old.get(p.id)
        if before is None:
            continue
        pmid = p.published.pmid if p.published else None
        if pmid is not None and before.get("published_pmid") != pmid:
            preprints.insert_preprint_change(db, run_id, now, p.id, "published",
                                             before.get("published_pmid"), pmid)  # fmt: skip
            changed.add(p.id)
        if p.version is not None and before.get("version") not in (None, p.version):
            preprints.insert_preprint_change(db, run_id, now, p.id, "version",
                                             before.get("version"), p.version)  # fmt: skip
            changed.add(p.id)
    preprints.upsert_preprints(db, found, now)
    preprints.add_preprint_members(db, search, ids, run_id, now)
    return Tally(count=len(found), new=len(set(ids) - members), updated=len(changed))
