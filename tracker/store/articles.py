"""Writing and reading articles and their authors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from tracker.models import Article
from tracker.store.links import write_link_rows
from tracker.store.rows import EncodedArticles, article_values, encode_articles
from tracker.store.schema import (
    ARTICLE_COLUMNS,
    CONCLUSION_COLUMNS,
    RULES_COLUMNS,
    TIER_COLUMNS,
)

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
_WRITTEN_COLUMNS = (*ARTICLE_COLUMNS, *TIER_COLUMNS, *RULES_COLUMNS, *CONCLUSION_COLUMNS)
_UPDATE_COLUMNS = [c for c in _WRITTEN_COLUMNS if c not in ("pmid", "first_seen")]
_UPSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_WRITTEN_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _WRITTEN_COLUMNS)}) "
    f"ON CONFLICT(pmid) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in _UPDATE_COLUMNS)}"
)
AUTHOR_COLUMNS = (
    "pmid", "position", "last_name", "fore_name", "initials", "suffix",
    "collective_name", "affiliation", "affiliations", "orcid", "equal_contrib",
)  # fmt: skip
_INSERT_AUTHOR = (
    f"INSERT INTO authors ({', '.join(AUTHOR_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in AUTHOR_COLUMNS)})"
)


def article_row(article: Article, now: str) -> dict[str, Any]:
    """The `articles` row for an Article (first_seen = updated = now)."""
    return dict(zip(ARTICLE_COLUMNS, article_values(article, now), strict=True))


def upsert_articles(db: Database, articles: Sequence[Article], now: str) -> None:
    """Insert new articles, refresh stored ones in place (keeping first_seen)."""
    write_articles(db, encode_articles(articles, now))


def write_articles(
    db: Database, batch: EncodedArticles, stored: dict[int, int | None] | None = None
) -> list[int]:
    """Write encoded rows: insert new PMIDs, refresh stored ones in place.

    Plain executemany with one prepared statement: this is the import hot path.
    ON CONFLICT … DO UPDATE (not INSERT OR REPLACE) so the FTS update trigger fires
    and the FTS index never keeps stale rows. A row never goes back to an older
    version of its record: what is stored does not depend on how a file was batched.
    `stored` is stored_versions() of the batch when the caller already asked.
    Returns the PMIDs written.
    """
    if not batch.rows:
        return []
    if stored is None:
        stored = stored_versions(db, [row[0] for row in batch.rows])
    rows, authors = batch.rows, batch.authors
    older = {row[0] for row in rows if not replaces(row[1], stored.get(row[0]))}
    if older:
        rows = [r for r in rows if r[0] not in older]
        authors = [a for a in authors if a[0] not in older]
    conn = db.conn
    conn.executemany(_UPSERT_ARTICLE, rows)
    conn.executemany("DELETE FROM authors WHERE pmid = ?", [(r[0],) for r in rows])
    conn.executemany(_INSERT_AUTHOR, authors)
    _roles_to_recheck(db, [r[0] for r in rows if stored.get(r[0]) is not None])
    written = [r[0] for r in rows]
    if batch.trial_links:  # DataBankList and abstract NCT ids: the trials a record names
        kept = set(written)
        write_link_rows(db, [link for link in batch.trial_links if link[1] in kept])
    return written


def _roles_to_recheck(db: Database, revised: list[int]) -> None:
    """A stored record written again (PubMed revised it: MeSH may have arrived) has its
    drug roles decided again by the next recompute (tracker.ingest.rules). Said here,
    where the row changes, rather than read from timestamps of whole seconds, which
    cannot tell a revision from the check made in the same second."""
    for marks, chunk in _in_chunks(revised):
        db.conn.execute(
            f"UPDATE query_articles SET role_checked = NULL WHERE pmid IN ({marks}) "
            "AND role_checked IS NOT NULL",
            chunk,
        )


def replaces(version: int, stored_version: int | None) -> bool:
    """Whether a record of `version` may replace the stored row (None: nothing stored)."""
    return stored_version is None or version >= stored_version


def stored_versions(db: Database, pmids: Iterable[int]) -> dict[int, int | None]:
    """The stored version of each of `pmids` that is in `articles`."""
    found: dict[int, int | None] = {}
    for marks, chunk in _in_chunks(pmids):
        found.update(
            db.conn.execute(f"SELECT pmid, version FROM articles WHERE pmid IN ({marks})", chunk)
        )
    return found


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
    return set(stored_versions(db, pmids))


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
