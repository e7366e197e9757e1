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
    # Statement order is the order the tables and indexes appear in sqlite_master:
    # keep it, so a database made today is identical to one made by the first release.
    _articles_and_authors(db)
    _searches_and_runs(db)
    _search_membership(db)
    _digests(db)
    _reading_indexes(db)


def _articles_and_authors(db: Database) -> None:
    """The stored records: one row per PubMed record, one per author of each."""
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


def _searches_and_runs(db: Database) -> None:
    """The saved searches as last seen, and one row per run of each."""
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


def _search_membership(db: Database) -> None:
    """Which records each saved search found (and in which run), and which PMIDs efetch
    has not returned yet."""
    _table(db, "query_articles").create(
        {"search": str, "pmid": int, "first_run": int, "first_seen": str},
        pk=("search", "pmid"),
    )
    _table(db, "query_articles").create_index(["search", "first_run"])
    _table(db, "pending_fetch").create(
        {"search": str, "pmid": int, "first_missed_run": int, "attempts": int},
        pk=("search", "pmid"),
    )


def _digests(db: Database) -> None:
    """One row per digest written: which runs it covered."""
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


def _reading_indexes(db: Database) -> None:
    """What researchers' reads need: by year, by author, and full text (FTS5, porter)."""
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


# The classification rules' version beside the answers it made (tracker.classify.version).
RULES_COLUMNS: dict[str, type] = {"rules_version": str}
# The drug's role in a study depends on the saved search (its drug and its condition), so
# it lives on the membership row, keyed (search, pmid). tracker.classify.role decides it.
ROLE_COLUMNS: dict[str, type] = {
    "drug_role": str,  # "treatment" | "harm" | "other"; NULL when the search is not a pair
    "drug_role_reason": str,  # "MeSH: Baclofen/adverse effects", "title: baclofen-induced"
    "drug_role_source": str,  # "indexing" (MeSH qualifiers) or "text" (title and abstract)
    "drug_role_certain": int,  # 0: nothing decided it; the role is a cautious "other"
    "role_checked": str,  # when it was decided (UTC); NULL: decide again (record revised)
    "rules_version": str,  # the rules that decided it
}


@migrations()
def m004_drug_role_and_rules_version(db: Database) -> None:
    """The drug's role per saved search and study (backfilled), the rules version of every
    stored answer, and changes that concern one saved search only."""
    from tracker.classify.version import RULES_VERSION
    from tracker.store.roles import role_values  # the rules live in tracker.classify

    for column, kind in RULES_COLUMNS.items():
        # NULL: made before versions were recorded; the next run recomputes such rows.
        _table(db, "articles").add_column(column, kind)
    members = _table(db, "query_articles")
    for column, kind in ROLE_COLUMNS.items():
        members.add_column(column, kind)
    # The search a change concerns (a drug-role correction); NULL: every search holding it.
    _table(db, "article_changes").add_column("search", str)
    rows = db.conn.execute(
        "SELECT q.search, q.pmid, s.term, a.title, a.abstract, a.mesh_headings, a.updated "
        "FROM query_articles q JOIN articles a ON a.pmid = q.pmid "
        "JOIN searches s ON s.name = q.search"
    ).fetchall()
    updates = []
    for search, pmid, term, title, abstract, mesh, updated in rows:
        row = {"title": title, "abstract": abstract, "mesh_headings": json.loads(mesh or "[]")}
        updates.append((*role_values(term, row), updated, RULES_VERSION, search, pmid))
    db.conn.executemany(
        "UPDATE query_articles SET drug_role = ?, drug_role_reason = ?, drug_role_source = ?, "
        "drug_role_certain = ?, role_checked = ?, rules_version = ? WHERE search = ? AND pmid = ?",
        updates,
    )
    members.create_index(["search", "drug_role"])


@migrations()
def m005_trials_preprints_and_source_runs(db: Database) -> None:
    """ClinicalTrials.gov trials and Europe PMC preprints beside PubMed, each source with
    its own window and run records, and links between publications and trials."""
    from tracker.store.sources_schema import create_source_tables

    create_source_tables(db)


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


# The conclusion a digest quotes, stored beside the tier (m008) and made by the same
# rules version (`rules_version`): tracker.classify.conclusions decides it.
CONCLUSION_COLUMNS: dict[str, type] = {
    "conclusion": str,  # the abstract's conclusion, cleaned; NULL when it has none
}


@migrations()
def m008_stored_conclusion(db: Database) -> None:
    """The conclusion of every article (backfilled), so a digest quotes what the stored
    rules chose rather than what the code of the day would choose."""
    from tracker.classify.conclusions import conclusion_of  # the rules live there

    for column, kind in CONCLUSION_COLUMNS.items():
        _table(db, "articles").add_column(column, kind)
    # In PMID order, a thousand rows at a time: a database `tracker import` filled holds
    # millions, and the update must not run under an open cursor on the same table.
    # rules_version is left as it is: a row of older rules is recomputed, conclusion
    # included, by the next run or digest (tracker.ingest.rules).
    last = -1
    while True:
        rows = db.conn.execute(
            "SELECT pmid, abstract_sections, abstract FROM articles WHERE pmid > ? "
            "ORDER BY pmid LIMIT 1000",
            (last,),
        ).fetchall()
        if not rows:
            break
        db.conn.executemany(
            "UPDATE articles SET conclusion = ? WHERE pmid = ?",
            [(conclusion_of(json.loads(s or "[]"), a), p) for p, s, a in rows],
        )
        last = rows[-1][0]


@migrations()
def m009_trial_links_from_stored_abstracts(db: Database) -> None:
    """Links from the NCT ids written in stored abstracts. Before this version a record
    that reached `articles` through a run's staged batches or `tracker import` came
    without its trial links (only `tracker search` and revised records made them). What
    the abstract names is recovered here, seen when the record was; what only the
    record's DataBankList named is not stored, and is linked when PubMed next revises it."""
    from tracker.models import nct_ids_in

    found = db.conn.execute(
        "SELECT pmid, abstract, first_seen FROM articles WHERE abstract LIKE '%NCT%'"
    ).fetchall()
    db.conn.executemany(
        "INSERT OR IGNORE INTO trial_publications (nct_id, pmid, origin, ref_type, first_seen)"
        " VALUES (?, ?, 'pubmed_abstract', NULL, ?)",
        [(nct, pmid, seen) for pmid, abstract, seen in found for nct in nct_ids_in(abstract)],
    )


@migrations()
def m010_digest_mail_due(db: Database) -> None:
    """`digests.mail_due`: what a digest's mail needs (title, summary, counts, files, as
    JSON), recorded with the digest when it is to be mailed and cleared once it is sent
    or needs no sending. A mail that failed, or a run killed between the digest and its
    mail, leaves it set, and the next mailing run sends that digest first."""
    _table(db, "digests").add_column("mail_due", str)


def apply_migrations(db: Database) -> None:
    migrations.apply(db)
