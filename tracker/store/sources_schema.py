"""Tables of migration m005: trials, preprints, per-source runs and windows, links.

Kept beside schema.py (which only calls create_source_tables) so the tables of the
non-PubMed sources are read in one place. Never edit after it has shipped: add a
migration instead.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.db import Table

TRIAL_COLUMNS: dict[str, type] = {
    "nct_id": str,
    "brief_title": str,
    "official_title": str,
    "overall_status": str,
    "last_known_status": str,
    "why_stopped": str,
    "phases": str,  # JSON; [] for observational studies (the API omits the key)
    "study_type": str,
    "enrollment": int,
    "enrollment_type": str,  # ACTUAL | ESTIMATED
    "start_date": str,
    "primary_completion_date": str,
    "completion_date": str,
    "first_posted": str,
    "last_update_posted": str,
    "results_first_posted": str,
    "has_results": int,
    "conditions": str,  # JSON
    "interventions": str,  # JSON [{"name", "type", "other_names"}]
    "lead_sponsor": str,
    "url": str,
    "first_seen": str,
    "updated": str,
}

PREPRINT_COLUMNS: dict[str, type] = {
    "id": str,  # "PPR838108"
    "doi": str,
    "server": str,  # medRxiv, bioRxiv, Research Square, …
    "title": str,
    "authors": str,  # JSON
    "abstract": str,
    "first_publication_date": str,
    "first_index_date": str,
    "date_of_creation": str,
    "date_of_revision": str,
    "version": int,
    "published_pmid": int,  # the journal version, when Europe PMC links one
    "link_reference": str,  # Europe PMC's free-text citation of it
    "link_note": str,  # how Europe PMC made the link, as it says it
    "link_confidence": str,  # "crossref" | "title-author match" | "unstated"
    "first_seen": str,
    "updated": str,
}


def _table(db: Database, name: str) -> Table:
    table = db[name]
    assert isinstance(table, Table)
    return table


def create_source_tables(db: Database) -> None:
    _create_run_tables(db)
    _create_trial_tables(db)
    _create_preprint_tables(db)


def _create_run_tables(db: Database) -> None:
    _table(db, "source_runs").create(
        {
            "id": int,
            "search": str,
            "source": str,  # "ctgov" | "europepmc"
            "started": str,
            "finished": str,
            "window_start": str,  # the day searched from; NULL = everything
            "query": str,
            "count": int,  # records the source returned
            "new": int,  # new to this saved search
            "updated": int,  # stored records that changed
            "skipped": int,  # returned but not kept (e.g. the drug only in eligibility text)
            "requests": int,
            "status": str,  # "ok" | "failed"
            "error": str,
        },
        pk="id",
    )
    _table(db, "source_runs").create_index(["search", "source", "id"])
    _table(db, "source_windows").create(
        {"search": str, "source": str, "synced_until": str, "last_good_run": int},
        pk=("search", "source"),
    )
    # Which source runs a weekly digest covered (source_runs ids), beside digests.through_run
    # for PubMed's: the next digest reports what later runs found.
    _table(db, "source_digests").create(
        {"digest_id": int, "search": str, "through_source_run": int}, pk="digest_id"
    )


def _create_trial_tables(db: Database) -> None:
    _table(db, "trials").create(TRIAL_COLUMNS, pk="nct_id", not_null={"brief_title"})
    _table(db, "trial_changes").create(
        {
            "id": int,
            "nct_id": str,
            "source_run": int,
            "detected": str,
            "kind": str,  # status | results_posted | enrollment | dates
            "field": str,
            "old": str,
            "new": str,
        },
        pk="id",
    )
    _table(db, "trial_changes").create_index(["nct_id"])
    _table(db, "search_trials").create(
        {"search": str, "nct_id": str, "first_run": int, "first_seen": str},
        pk=("search", "nct_id"),
    )
    # Both directions in one table: a PubMed record naming a trial (DataBankList or an
    # NCT id in its abstract) and a trial naming a PubMed record (referencesModule).
    _table(db, "trial_publications").create(
        {"nct_id": str, "pmid": int, "origin": str, "ref_type": str, "first_seen": str},
        pk=("nct_id", "pmid", "origin"),
    )
    _table(db, "trial_publications").create_index(["pmid"])


def _create_preprint_tables(db: Database) -> None:
    _table(db, "preprints").create(PREPRINT_COLUMNS, pk="id", not_null={"title"})
    _table(db, "preprint_changes").create(
        {
            "id": int,
            "preprint_id": str,
            "source_run": int,
            "detected": str,
            "kind": str,  # published | version
            "old": str,
            "new": str,
        },
        pk="id",
    )
    _table(db, "search_preprints").create(
        {"search": str, "preprint_id": str, "first_run": int, "first_seen": str},
        pk=("search", "preprint_id"),
    )
