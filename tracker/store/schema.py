"""The database schema, as an ordered list of sqlite-utils migrations.

The schema is a documented interface (README "Database"): researchers query it with
sqlite-utils, Datasette or pandas. Add a migration for every change; never edit one
that has shipped, because it is recorded as applied in `_sqlite_migrations`.
"""

from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.db import Table
from sqlite_utils.migrations import Migrations

migrations = Migrations("tracker")

# Multi-valued fields are JSON arrays (never delimiter-joined strings).
ARTICLE_COLUMNS: dict[str, type] = {
    "pmid": int,
    "version": int,
    "record_type": str,
    "title": str,
    "vernacular_title": str,
    "abstract": str,
    "abstract_sections": str,  # JSON [{"label", "nlm_category", "text"}]
    "journal": str,
    "journal_abbrev": str,
    "issn": str,
    "volume": str,
    "issue": str,
    "pages": str,
    "pub_year": int,
    "pub_date": str,
    "pub_date_text": str,
    "create_date": str,
    "entry_date": str,
    "revised_date": str,
    "completed_date": str,
    "doi": str,
    "pmcid": str,
    "pii": str,
    "language": str,
    "languages": str,  # JSON
    "publication_types": str,  # JSON
    "mesh_terms": str,  # JSON: descriptor names
    "mesh_headings": str,  # JSON [{"descriptor", "ui", "major", "qualifiers"}]
    "keywords": str,  # JSON
    "chemicals": str,  # JSON
    "comments_corrections": str,  # JSON [{"ref_type", "pmid", "source"}]
    "publication_status": str,
    "citation_status": str,
    "history_statuses": str,  # JSON
    "retracted": int,
    "first_seen": str,
    "updated": str,
    "deleted": str,  # when an NLM update file withdrew the PMID (DeleteCitation)
}


def _table(db: Database, name: str) -> Table:
    table = db[name]
    assert isinstance(table, Table)
    return table


@migrations()
def m001_initial(db: Database) -> None:
    _table(db, "articles").create(ARTICLE_COLUMNS, pk="pmid", not_null={"title"})
    _table(db, "authors").create(
        {
            "pmid": int,
            "position": int,
            "last_name": str,
            "fore_name": str,
            "initials": str,
            "suffix": str,
            "collective_name": str,
            "affiliation": str,  # the first affiliation, for quick reading
            "affiliations": str,  # JSON: all of them, in order
            "orcid": str,
            "equal_contrib": int,
        },
        pk=("pmid", "position"),
        foreign_keys=[("pmid", "articles", "pmid")],
    )
    _table(db, "searches").create(
        {
            "name": str,
            "title": str,
            "term": str,
            "schedule": str,
            "since": str,
            "synced_until": str,  # the Create Date the last good run reached (inclusive)
            "last_good_run": int,
        },
        pk="name",
    )
    _table(db, "runs").create(
        {
            "id": int,
            "search": str,
            "started": str,
            "finished": str,
            "window_start": str,
            "window_end": str,
            "query_translation": str,
            "count": int,
            "new": int,
            "fetched": int,
            "updated": int,
            "missing": str,  # JSON PMIDs esearch named but efetch did not return
            "warnings": str,  # JSON
            "requests": int,
            "status": str,  # "ok" | "failed"
            "error": str,
        },
        pk="id",
    )
    _table(db, "runs").create_index(["search", "id"])
    _table(db, "query_articles").create(
        {"search": str, "pmid": int, "first_run": int, "first_seen": str},
        pk=("search", "pmid"),
    )
    _table(db, "query_articles").create_index(["search", "first_run"])
    _table(db, "pending_fetch").create(
        {"search": str, "pmid": int, "first_missed_run": int, "attempts": int},
        pk=("search", "pmid"),
    )
    _table(db, "digests").create(
        {
            "id": int,
            "search": str,
            "created": str,
            "after_run": int,  # studies first seen by runs after this one…
            "through_run": int,  # …up to and including this one
            "articles": int,
            "markdown_path": str,
            "html_path": str,
        },
        pk="id",
    )
    _table(db, "articles").create_index(["pub_year"])
    _table(db, "authors").create_index(["last_name"])
    _table(db, "articles").enable_fts(
        ["title", "abstract"], fts_version="FTS5", create_triggers=True, tokenize="porter"
    )


@migrations()
def m002_article_changes(db: Database) -> None:
    """What PubMed changed about stored studies: retractions, errata, new types…"""
    _table(db, "article_changes").create(
        {
            "id": int,
            "pmid": int,
            "run": int,  # the run that noticed it
            "detected": str,
            "kind": str,  # retracted, expression_of_concern, erratum, update, publication_types…
            "detail": str,
            "notice_pmid": int,
        },
        pk="id",
    )
    _table(db, "article_changes").create_index(["pmid"])
    _table(db, "article_changes").create_index(["run"])


# Written beside ARTICLE_COLUMNS on every upsert (tracker.classify decides them).
TIER_COLUMNS: dict[str, type] = {
    "evidence_tier": str,  # tracker.classify.TIERS: "rct", "case_report", …
    "tier_provisional": int,  # 1 while the tier comes from title and abstract only
    "participants": int,  # as the abstract states it; NULL when it does not
}


@migrations()
def m003_evidence_tier_and_digest_delivery(db: Database) -> None:
    """Evidence tier per article (backfilled), and what a digest covered and when it
    was mailed, so re-running one never sends it twice."""
    from tracker.classify import classify_row  # the rules live there; the store only keeps them

    articles = _table(db, "articles")
    for column, kind in TIER_COLUMNS.items():
        articles.add_column(column, kind)
    rows = db.conn.execute(
        "SELECT pmid, title, abstract, publication_types, mesh_terms, citation_status FROM articles"
    ).fetchall()
    updates = []
    for pmid, title, abstract, types, mesh, status in rows:
        c = classify_row(
            {
                "title": title,
                "abstract": abstract,
                "publication_types": json.loads(types or "[]"),
                "mesh_terms": json.loads(mesh or "[]"),
                "citation_status": status,
            }
        )
        updates.append((c.tier, int(c.provisional), c.participants, pmid))
    db.conn.executemany(
        "UPDATE articles SET evidence_tier = ?, tier_provisional = ?, participants = ? "
        "WHERE pmid = ?",
        updates,
    )
    articles.create_index(["evidence_tier"])
    digests = _table(db, "digests")
    for column, kind in {
        "kind": str,  # "regular" (the weekly chain) or "period" (tracker digest --since)
        "period_from": str,  # the first day a --since digest covers
        "period_to": str,  # the day it was made
        "as_of_run": int,  # the last good run whose data it shows
        "json_path": str,
        "sent": str,  # when it was mailed (UTC); NULL = never
        "sent_to": str,  # JSON: the recipients
    }.items():
        digests.add_column(column, kind)


@migrations()
def m007_sync_staging(db: Database) -> None:
    """Checkpoints of a run: each efetch batch, parsed and encoded, committed here in
    its own short transaction while the run is still fetching (tracker/store/staging.py).
    The run's one final transaction moves them into `articles`; a run that fails or is
    killed leaves them for the next run, which fetches only what is not staged yet."""
    _table(db, "sync_staging").create(
        {"id": int, "search": str, "pmids": str, "batch": bytes}, pk="id"
    )
    _table(db, "sync_staging").create_index(["search"])


def apply_migrations(db: Database) -> None:
    migrations.apply(db)
