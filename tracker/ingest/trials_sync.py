"""One saved search's ClinicalTrials.gov run: pages → keep the trials of the drug →
store them, their changes, their membership and their PubMed links.

Fetch first, then write: every page is read before the transaction opens, so a failure
on page 3 leaves the database (and the window) as it was.
"""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from tracker.ctgov.client import iter_pages
from tracker.ctgov.parse import names_intervention
from tracker.ctgov.query import trial_query
from tracker.ingest.source_run import SourceResult, Tally, run_source, window_start
from tracker.ingest.trial_changes import detect_trial_changes
from tracker.jsonapi.client import JsonClient
from tracker.models import Trial
from tracker.searches.pairs import Pair
from tracker.store import links, trials

SOURCE = "ctgov"


def run_trials(
    db: Database, client: JsonClient, search: str, pair: Pair, today: date, full: bool = False
) -> SourceResult:
    since = window_start(db, search, SOURCE, full)
    query = trial_query(pair)
    text = f"query.intr={query.intr} | query.cond={query.cond}"
    drug_words = (*pair.drug.words, *pair.drug.mesh)

    def work(run_id: int, now: str) -> Tally:
        found = [t for page in iter_pages(client, query, since) for t in page.studies]
        unique = list({t.nct_id: t for t in found}.values())
        kept = [t for t in unique if names_intervention(t, drug_words)]
        return _store(db, search, kept, len(unique), run_id, now)

    return run_source(db, client, search, SOURCE, since, text, today, work)


def _store(
    db: Database, search: str, kept: list[Trial], count: int, run_id: int, now: str
) -> Tally:
    ids = [t.nct_id for t in kept]
    old = trials.trial_rows(db, ids)
    members = trials.member_trials(db, search)
    changes = [c for t in kept if t.nct_id in old for c in detect_trial_changes(old[t.nct_id], t)]
    trials.upsert_trials(db, kept, now)
    trials.insert_trial_changes(db, run_id, now, changes)
    trials.add_trial_members(db, search, ids, run_id, now)
    links.add_links(
        db,
        [
            (t.nct_id, pmid, "ctgov_reference", kind)
            for t in kept
            for pmid, kind in t.reference_pmids
        ],
        now,
    )
    return Tally(
        count=count,
        new=len(set(ids) - members),
        updated=len({c.nct_id for c in changes}),
        skipped=count - len(kept),
    )
