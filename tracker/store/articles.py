"""Writing and reading articles and their authors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from ..models import Article, Author
from .schema import ARTICLE_COLUMNS

JSON_COLUMNS = (
    "abstract_sections",
    "languages",
    "publication_types",
    "mesh_terms",
    "mesh_headings",
    "keywords",
    "chemicals",
    "comments_corrections",
    "history_statuses",
)
# first_seen is written once and never updated: it is when the tracker met the study.
_UPDATE_COLUMNS = [c for c in ARTICLE_COLUMNS if c not in ("pmid", "first_seen")]
_UPSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in ARTICLE_COLUMNS)}) "
    f"ON CONFLICT(pmid) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in _UPDATE_COLUMNS)}"
)
_AUTHOR_COLUMNS = (
    "pmid", "position", "last_name", "fore_name", "initials", "suffix",
    "collective_name", "affiliation", "affiliations", "orcid", "equal_contrib",
)  # fmt: skip
_INSERT_AUTHOR = (
    f"INSERT INTO authors ({', '.join(_AUTHOR_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _AUTHOR_COLUMNS)})"
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def article_row(article: Article, now: str) -> dict[str, Any]:
    """The `articles` row for an Article (first_seen = updated = now)."""
    return {
        "pmid": article.pmid,
        "version": article.version,
        "record_type": article.record_type,
        "title": article.title,
        "vernacular_title": article.vernacular_title,
        "abstract": article.abstract,
        "abstract_sections": _json([asdict(s) for s in article.abstract_sections]),
        "journal": article.journal,
        "journal_abbrev": article.journal_abbrev,
        "issn": article.issn,
        "volume": article.volume,
        "issue": article.issue,
        "pages": article.pages,
        "pub_year": article.pub_year,
        "pub_date": article.pub_date,
        "pub_date_text": article.pub_date_text,
        "create_date": article.create_date,
        "entry_date": article.entry_date,
        "revised_date": article.revised_date,
        "completed_date": article.completed_date,
        "doi": article.doi,
        "pmcid": article.pmcid,
        "pii": article.pii,
        "language": article.languages[0] if article.languages else None,
        "languages": _json(list(article.languages)),
        "publication_types": _json(list(article.publication_types)),
        "mesh_terms": _json(list(article.mesh_terms)),
        "mesh_headings": _json([asdict(h) for h in article.mesh_headings]),
        "keywords": _json(list(article.keywords)),
        "chemicals": _json(list(article.chemicals)),
        "comments_corrections": _json([asdict(c) for c in article.comments_corrections]),
        "publication_status": article.publication_status,
        "citation_status": article.citation_status,
        "history_statuses": _json(list(article.history_statuses)),
        "retracted": int(article.retracted),
        "first_seen": now,
        "updated": now,
        "deleted": None,
    }


def _author_values(pmid: int, author: Author) -> tuple[Any, ...]:
    return (
        pmid,
        author.position,
        author.last_name,
        author.fore_name,
        author.initials,
        author.suffix,
        author.collective_name,
        author.affiliations[0] if author.affiliations else None,
        _json(list(author.affiliations)),
        author.orcid,
        int(author.equal_contrib),
    )


def upsert_articles(db: Database, articles: Sequence[Article], now: str) -> None:
    """Insert new articles, refresh stored ones in place (keeping first_seen).

    Plain executemany with one prepared statement: this is the import hot path.
    ON CONFLICT … DO UPDATE (not INSERT OR REPLACE) so the FTS update trigger fires
    and the FTS index never keeps stale rows.
    """
    if not articles:
        return
    articles = _latest_versions(articles)
    conn = db.conn
    rows = [tuple(article_row(a, now).values()) for a in articles]
    conn.executemany(_UPSERT_ARTICLE, rows)
    pmids = [(a.pmid,) for a in articles]
    conn.executemany("DELETE FROM authors WHERE pmid = ?", pmids)
    conn.executemany(
        _INSERT_AUTHOR, [_author_values(a.pmid, au) for a in articles for au in a.authors]
    )


def _latest_versions(articles: Sequence[Article]) -> list[Article]:
    """One Article per PMID: the highest version, the later one on a tie.

    Update files can carry a PMID twice (pubmed_sample.xml has PMID 31383287 as
    Version 1 and Version 2); the row keeps the newest.
    """
    latest: dict[int, Article] = {}
    for article in articles:
        kept = latest.get(article.pmid)
        if kept is None or article.version >= kept.version:
            latest[article.pmid] = article
    return list(latest.values())


def mark_deleted(db: Database, pmids: Iterable[int], now: str) -> int:
    """Flag PMIDs that NLM withdrew (DeleteCitation); the rows stay for the record."""
    cur = db.conn.executemany(
        "UPDATE articles SET deleted = ?, updated = ? WHERE pmid = ? AND deleted IS NULL",
        [(now, now, p) for p in pmids],
    )
    return cur.rowcount


def stored_pmids(db: Database, pmids: Iterable[int]) -> set[int]:
    """Which of `pmids` are already in `articles`."""
    wanted = list(pmids)
    found: set[int] = set()
    for start in range(0, len(wanted), 900):  # stay under SQLite's bound-parameter limit
        chunk = wanted[start : start + 900]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in db.conn.execute(f"SELECT pmid FROM articles WHERE pmid IN ({marks})", chunk)
        )
    return found


def decode_article_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its JSON columns decoded into lists."""
    out = dict(row)
    for column in JSON_COLUMNS:
        if column in out and isinstance(out[column], str):
            out[column] = json.loads(out[column])
    return out


def authors_by_pmid(db: Database, pmids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    result: dict[int, list[dict[str, Any]]] = {p: [] for p in pmids}
    for start in range(0, len(pmids), 900):
        chunk = list(pmids[start : start + 900])
        marks = ",".join("?" * len(chunk))
        for row in db.query(
            f"SELECT * FROM authors WHERE pmid IN ({marks}) ORDER BY pmid, position", chunk
        ):
            result[row["pmid"]].append(row)
    return result


def article_rows(db: Database, pmids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Stored rows by PMID, JSON columns decoded."""
    rows: dict[int, dict[str, Any]] = {}
    for start in range(0, len(pmids), 900):
        chunk = list(pmids[start : start + 900])
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT * FROM articles WHERE pmid IN ({marks})", chunk):
            rows[row["pmid"]] = decode_article_row(row)
    return rows
