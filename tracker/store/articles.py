"""Writing and reading articles and their authors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from ..classify import classify_article
from ..models import Article
from .encode import article_values, author_values
from .schema import ARTICLE_COLUMNS, TIER_COLUMNS

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
_WRITTEN_COLUMNS = (*ARTICLE_COLUMNS, *TIER_COLUMNS)
_UPDATE_COLUMNS = [c for c in _WRITTEN_COLUMNS if c not in ("pmid", "first_seen")]
_UPSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_WRITTEN_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _WRITTEN_COLUMNS)}) "
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


def article_row(article: Article, now: str) -> dict[str, Any]:
    """The `articles` row for an Article (first_seen = updated = now)."""
    return dict(zip(ARTICLE_COLUMNS, article_values(article, now), strict=True))


def tier_values(article: Article) -> tuple[str, int, int | None]:
    """schema.TIER_COLUMNS for an Article: evidence tier, provisional flag, participants."""
    c = classify_article(article)
    return (c.tier, int(c.provisional), c.participants)


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
    conn.executemany(_UPSERT_ARTICLE, [article_values(a, now) + tier_values(a) for a in articles])
    pmids = [(a.pmid,) for a in articles]
    conn.executemany("DELETE FROM authors WHERE pmid = ?", pmids)
    conn.executemany(
        _INSERT_AUTHOR, [author_values(a.pmid, au) for a in articles for au in a.authors]
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


def _in_chunks(pmids: Iterable[int], size: int = 900) -> Iterator[tuple[str, list[int]]]:
    """PMIDs in chunks with their "?,?,…" placeholders: SQLite caps bound parameters."""
    wanted = list(pmids)
    for start in range(0, len(wanted), size):
        chunk = wanted[start : start + size]
        yield ",".join("?" * len(chunk)), chunk


def stored_pmids(db: Database, pmids: Iterable[int]) -> set[int]:
    """Which of `pmids` are already in `articles`."""
    found: set[int] = set()
    for marks, chunk in _in_chunks(pmids):
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
    for marks, chunk in _in_chunks(pmids):
        for row in db.query(
            f"SELECT * FROM authors WHERE pmid IN ({marks}) ORDER BY pmid, position", chunk
        ):
            result[row["pmid"]].append(row)
    return result


def article_rows(db: Database, pmids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Stored rows by PMID, JSON columns decoded."""
    rows: dict[int, dict[str, Any]] = {}
    for marks, chunk in _in_chunks(pmids):
        for row in db.query(f"SELECT * FROM articles WHERE pmid IN ({marks})", chunk):
            rows[row["pmid"]] = decode_article_row(row)
    return rows
