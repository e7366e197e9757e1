"""`tracker serve`: Datasette on the tracker's database, described for researchers.

The metadata is built here, from the database itself, so it only offers what exists: the
evidence-tier facet and query appear once tracker.classify has added `evidence_tier`;
until then the "by tier" query says plainly that tiers are not classified yet.
Datasette is an optional dependency (the `web` extra); nothing else imports it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker.errors import UsageError
from tracker.store.reads import TIER_COLUMN, tiers_available

DESCRIPTION = (
    "PubMed records collected by offlabel-tracker: saved searches for drugs used "
    "off-label, their runs, and every study they found."
)

TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "description": "One row per PubMed record. Multi-valued fields are JSON arrays.",
        "columns": {
            "pmid": "PubMed id",
            "version": "PubMed record version",
            "record_type": "article or book (PubmedBookArticle)",
            "title": "Title, inline markup flattened",
            "vernacular_title": "Title in the original language",
            "abstract": "Plain text; structured abstracts as LABEL: text paragraphs",
            "abstract_sections": "JSON [{text, label, nlm_category}]",
            "journal": "Journal title (the book title for books)",
            "journal_abbrev": "ISO journal abbreviation",
            "pub_year": "Publication year",
            "pub_date": "Publication date, ISO, as precise as PubMed gives it",
            "pub_date_text": "The date as printed (2020 Spring)",
            "create_date": "Added to PubMed ([crdt])",
            "entry_date": "Entrez date ([edat])",
            "revised_date": "Last revised ([lr])",
            "completed_date": "MEDLINE indexing completed",
            "doi": "DOI",
            "pmcid": "PubMed Central id",
            "language": "First language (three-letter code)",
            "publication_types": "JSON array: Randomized Controlled Trial, Case Reports, …",
            "mesh_terms": "JSON array of MeSH descriptor names",
            "mesh_headings": "JSON [{descriptor, ui, major, qualifiers}]",
            "keywords": "JSON array of author keywords",
            "chemicals": "JSON array of substance names",
            "comments_corrections": "JSON [{ref_type, pmid, source}]: errata, retractions…",
            "retracted": "1 when PubMed marks the article retracted",
            "first_seen": "When the tracker first stored it (UTC)",
            "updated": "Last refreshed from PubMed (UTC)",
            "deleted": "When NLM withdrew the PMID (DeleteCitation)",
            TIER_COLUMN: "Evidence tier (systematic review, RCT, …) assigned by the tracker",
        },
        "sort_desc": "first_seen",
        "label_column": "title",
    },
    "authors": {
        "description": "Authors of each article, in order (pmid, position).",
        "columns": {
            "affiliation": "First affiliation",
            "affiliations": "JSON array of all affiliations",
            "collective_name": "Group author name",
            "equal_contrib": "1 when marked as an equal contributor",
        },
    },
    "searches": {
        "description": "Saved searches (queries/*.toml) and how far each has synced.",
        "columns": {
            "term": "The PubMed term sent",
            "synced_until": "The Create Date the last good run reached",
            "last_good_run": "runs.id of the last good run",
        },
    },
    "query_articles": {
        "description": "Which saved search found which article, and in which run.",
        "columns": {"first_run": "The run that first found it", "first_seen": "When (UTC)"},
    },
    "runs": {
        "description": "Every run of a saved search: window, PubMed's count, what was new.",
        "columns": {
            "query_translation": "How PubMed read the term",
            "count": "PubMed's count for the window",
            "new": "Articles this saved search had not seen before",
            "missing": "JSON PMIDs efetch did not return",
            "warnings": "JSON, e.g. PhraseNotFound",
            "status": "ok or failed",
        },
        "sort_desc": "id",
    },
    "pending_fetch": {"description": "PMIDs a run found but efetch did not return yet."},
    "digests": {"description": "Digests written: which runs each covers, and where it is."},
}

_SEARCHES_OF = "(SELECT group_concat(q.search, ', ') FROM query_articles q WHERE q.pmid = a.pmid)"
QUERIES: dict[str, dict[str, Any]] = {
    "new_this_month": {
        "title": "New this month",
        "description": "Articles the tracker first stored since the 1st of this month (UTC).",
        "sql": (
            f"SELECT a.pmid, a.pub_year, a.journal_abbrev, a.title, a.first_seen, "
            f"{_SEARCHES_OF} AS searches FROM articles a "
            "WHERE a.first_seen >= strftime('%Y-%m-01', 'now') AND a.deleted IS NULL "
            "ORDER BY a.first_seen DESC, a.pmid DESC"
        ),
    },
    "retracted": {
        "title": "Retracted",
        "description": "Articles PubMed marks as retracted, and the searches that found them.",
        "sql": (
            f"SELECT a.pmid, a.pub_year, a.journal_abbrev, a.title, a.doi, "
            f"{_SEARCHES_OF} AS searches FROM articles a WHERE a.retracted = 1 "
            "ORDER BY a.pub_year DESC, a.pmid DESC"
        ),
    },
    "by_year": {
        "title": "Studies per year",
        "description": "Articles per publication year, per saved search.",
        "sql": (
            "SELECT q.search, a.pub_year, COUNT(*) AS articles FROM query_articles q "
            "JOIN articles a ON a.pmid = q.pmid WHERE a.deleted IS NULL "
            "GROUP BY q.search, a.pub_year ORDER BY q.search, a.pub_year"
        ),
    },
    "failed_runs": {
        "title": "Failed runs",
        "description": "Runs that failed, newest first, with the error.",
        "sql": "SELECT id, search, started, error FROM runs WHERE status != 'ok' ORDER BY id DESC",
    },
}


def _by_tier_query(classified: bool) -> dict[str, Any]:
    if not classified:
        return {
            "title": "By evidence tier",
            "description": "Tiers are not classified yet in this database.",
            "sql": "SELECT 'tiers not classified yet' AS note",
        }
    return {
        "title": "By evidence tier",
        "description": "Articles per evidence tier, per saved search.",
        "sql": (
            f"SELECT q.search, a.{TIER_COLUMN} AS tier, COUNT(*) AS articles "
            "FROM query_articles q JOIN articles a ON a.pmid = q.pmid "
            "WHERE a.deleted IS NULL GROUP BY 1, 2 ORDER BY 1, 3 DESC"
        ),
    }


def database_name(db_path: Path) -> str:
    """Datasette names a database after its file, without the suffix."""
    return Path(db_path).stem


def build_metadata(db: Database, db_path: Path) -> dict[str, Any]:
    """Datasette metadata: descriptions, facets and canned queries for this database."""
    classified = tiers_available(db)
    facets = ["pub_year", "journal_abbrev", "retracted"]
    if classified:
        facets.insert(1, TIER_COLUMN)
    tables = json.loads(json.dumps(TABLES))  # a copy per call
    tables["articles"]["facets"] = facets
    if not classified:
        tables["articles"]["columns"].pop(TIER_COLUMN)
    existing = set(db.table_names())
    tables = {name: meta for name, meta in tables.items() if name in existing}
    queries = {**QUERIES, "by_tier": _by_tier_query(classified)}
    return {
        "plugins": {"offlabel-tracker": {"hidden_columns": _hidden_columns(db, db_path)}},
        "title": "Off-label literature tracker",
        "description": DESCRIPTION,
        "source": "PubMed (NCBI E-utilities)",
        "source_url": "https://pubmed.ncbi.nlm.nih.gov/",
        "databases": {database_name(db_path): {"tables": tables, "queries": queries}},
    }


def _hidden_columns(db: Database, db_path: Path) -> dict[str, list[str]]:
    """The articles page opens without whole abstracts and JSON columns
    (tracker/research/datasette_plugin.py); the reader can show them again."""
    if "articles" not in db.table_names():
        return {}
    described = TABLES["articles"]["columns"]
    hidden = [
        c
        for c in db["articles"].columns_dict
        if c == "abstract" or str(described.get(c, "")).startswith("JSON")
    ]
    return {f"/{database_name(db_path)}/articles": hidden}


class ServeError(UsageError, RuntimeError):
    """Datasette is missing or cannot start; the message says what to do."""


def run_datasette(db_path: Path, metadata: dict[str, Any], *, host: str, port: int) -> None:
    """Serve until interrupted, in this process (so stopping it stops the server)."""
    try:
        from datasette.cli import cli as datasette_cli
    except ImportError:
        raise ServeError(
            "tracker serve needs Datasette: pip install 'offlabel-tracker[web]' "
            "(or pip install datasette)"
        ) from None
    with tempfile.TemporaryDirectory(prefix="tracker-serve-") as folder:
        meta_path = Path(folder) / "metadata.json"
        meta_path.write_text(json.dumps(metadata), encoding="utf-8")
        plugins = Path(folder) / "plugins"
        plugins.mkdir()
        (plugins / "tracker_columns.py").write_text(
            "from tracker.research.datasette_plugin import asgi_wrapper  # noqa: F401\n",
            encoding="utf-8",
        )
        args = ["serve", str(db_path), "--metadata", str(meta_path), "--host", host,
                "--port", str(port), "--setting", "sql_time_limit_ms", "3000",
                "--plugins-dir", str(plugins)]  # fmt: skip
        try:
            datasette_cli.main(args, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            pass
        except OSError as exc:  # the port is taken
            raise ServeError(f"Datasette could not start on {host}:{port}: {exc}") from None
