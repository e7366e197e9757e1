"""Read-only selects for the researchers' tools: find, stats, export, the notebook API.

Nothing here writes. The evidence tier is another room's column (tracker.classify); every
function that uses it checks it exists first, so these work on databases made before it.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from tracker.store.articles import authors_by_pmid, decode_article_row

TIER_COLUMN = "evidence_tier"
# A study's drug role in one saved search (m004), beside its `articles` columns.
_ROLE_OF = (
    "(SELECT q.{column} FROM query_articles q WHERE q.search = ? AND q.pmid = a.pmid) AS {column}"
)
ROLE_COLUMNS = ("drug_role", "drug_role_reason", "drug_role_source")
# bm25 weights in articles_fts column order (title, abstract): a word in the title says
# more about what a study is about than the same word somewhere in its abstract.
BM25_WEIGHTS = (3.0, 1.0)


def has_column(db: Database, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.conn.execute(f"PRAGMA table_info([{table}])"))


def tiers_available(db: Database) -> bool:
    return has_column(db, "articles", TIER_COLUMN)


def known_searches(db: Database) -> list[str]:
    """Saved searches that have run at least once against this database."""
    return [r[0] for r in db.conn.execute("SELECT name FROM searches ORDER BY name")]


def _filters(
    search: str | None,
    since_year: int | None = None,
    tier: str | None = None,
    alias: str = "a",
    include_deleted: bool = False,
    role: str | None = None,
) -> tuple[str, list[Any]]:
    clauses = ["1" if include_deleted else f"{alias}.deleted IS NULL"]
    params: list[Any] = []
    if search is not None:
        clauses.append(f"{alias}.pmid IN (SELECT pmid FROM query_articles WHERE search = ?)")
        params.append(search)
    if since_year is not None:
        clauses.append(f"{alias}.pub_year >= ?")
        params.append(since_year)
    if tier is not None:
        clauses.append(f"{alias}.{TIER_COLUMN} = ?")
        params.append(tier)
    if role is not None:  # the drug role in this saved search (or in any, without one)
        scope = " AND search = ?" if search is not None else ""
        clauses.append(
            f"{alias}.pmid IN (SELECT pmid FROM query_articles WHERE drug_role = ?{scope})"
        )
        params += [role, search] if search is not None else [role]
    return " AND ".join(clauses), params


def _role_select(search: str | None) -> tuple[str, list[Any]]:
    """The study's drug role and its reason in the saved search, when there is one."""
    if search is None:
        return "", []
    columns = ("drug_role", "drug_role_reason")
    return "".join(f"{_ROLE_OF.format(column=c)}, " for c in columns), [search] * len(columns)


def find_articles(
    db: Database,
    expression: str,
    *,
    search: str | None = None,
    since_year: int | None = None,
    tier: str | None = None,
    limit: int = 20,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Stored articles matching an FTS5 `expression`, best first (bm25), with a snippet;
    with a saved search, the study's drug role in it.

    Raises sqlite3.OperationalError when FTS5 refuses the expression; tracker.research.find
    builds expressions that it accepts, and the caller falls back to plain words.
    """
    where, params = _filters(search, since_year, tier, role=role)
    tier_select = f"a.{TIER_COLUMN} AS evidence_tier, " if tiers_available(db) else ""
    role_select, role_params = _role_select(search)
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    sql = (
        f"SELECT a.pmid, a.pub_year, a.journal_abbrev, a.title, a.doi, a.retracted, "
        f"{tier_select}{role_select}"
        f"bm25(articles_fts, {weights}) AS rank, "
        "snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet "
        "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND {where} "
        "ORDER BY rank, a.pmid DESC LIMIT ?"
    )
    return [dict(r) for r in db.query(sql, [*role_params, expression, *params, limit])]


def articles_without(
    db: Database,
    expression: str,
    *,
    search: str | None = None,
    since_year: int | None = None,
    tier: str | None = None,
    limit: int = 20,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Stored articles NOT matching an FTS5 `expression`, newest first (no rank, no
    snippet): what `find 'NOT word'` asks for; filtered and labelled by drug role as
    find_articles is."""
    where, params = _filters(search, since_year, tier, role=role)
    tier_select = f"a.{TIER_COLUMN} AS evidence_tier, " if tiers_available(db) else ""
    role_select, role_params = _role_select(search)
    sql = (
        f"SELECT a.pmid, a.pub_year, a.journal_abbrev, a.title, a.doi, a.retracted, "
        f"{tier_select}{role_select}NULL AS rank, '' AS snippet FROM articles a "
        "WHERE a.rowid NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) "
        f"AND {where} ORDER BY a.pub_date DESC, a.pmid DESC LIMIT ?"
    )
    return [dict(r) for r in db.query(sql, [*role_params, expression, *params, limit])]


def article_rows(
    db: Database,
    *,
    search: str | None = None,
    pmids: list[int] | None = None,
    include_deleted: bool = False,
) -> list[dict[str, Any]]:
    """Decoded `articles` rows (a saved search's, some PMIDs', or all), newest first."""
    where, params = _filters(search, include_deleted=include_deleted)
    if pmids is not None:
        marks = ",".join("?" * len(pmids))
        where += f" AND a.pmid IN ({marks})"
        params += pmids
    select, select_params = "a.*", []
    if search is not None:  # a saved search's studies carry their drug role in it
        select = ", ".join(["a.*", *(_ROLE_OF.format(column=c) for c in ROLE_COLUMNS)])
        select_params = [search] * len(ROLE_COLUMNS)
    sql = f"SELECT {select} FROM articles a WHERE {where} ORDER BY a.pub_date DESC, a.pmid DESC"
    return [decode_article_row(r) for r in db.query(sql, [*select_params, *params])]


def rows_with_authors(
    db: Database, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    return rows, authors_by_pmid(db, [r["pmid"] for r in rows])


def author_rows(db: Database, *, search: str | None = None) -> list[dict[str, Any]]:
    """`authors` rows, of a saved search's articles or all, by PMID and position."""
    where, params = _filters(search)
    sql = (
        "SELECT au.* FROM authors au JOIN articles a ON a.pmid = au.pmid "
        f"WHERE {where} ORDER BY au.pmid, au.position"
    )
    return [dict(r) for r in db.query(sql, params)]


def run_rows(db: Database, *, search: str | None = None) -> list[dict[str, Any]]:
    """`runs` rows, oldest first."""
    if search is None:
        return [dict(r) for r in db.query("SELECT * FROM runs ORDER BY id")]
    return [dict(r) for r in db.query("SELECT * FROM runs WHERE search = ? ORDER BY id", [search])]


def collection_stats(db: Database, *, search: str | None = None, journals: int = 15) -> dict:
    """Counts for `tracker stats`: articles by year, evidence tier and journal."""
    where, params = _filters(search)
    conn = db.conn
    total, retracted = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(a.retracted), 0) FROM articles a WHERE {where}", params
    ).fetchone()
    by_year = conn.execute(
        f"SELECT a.pub_year, COUNT(*) FROM articles a WHERE {where} "
        "GROUP BY a.pub_year ORDER BY a.pub_year",
        params,
    ).fetchall()
    by_journal = conn.execute(
        f"SELECT COALESCE(a.journal_abbrev, a.journal), COUNT(*) AS n FROM articles a "
        f"WHERE {where} GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
        [*params, journals],
    ).fetchall()
    by_tier = None
    if tiers_available(db):
        by_tier = conn.execute(
            f"SELECT a.{TIER_COLUMN}, COUNT(*) AS n FROM articles a WHERE {where} "
            "GROUP BY 1 ORDER BY n DESC, 1",
            params,
        ).fetchall()
    return {
        "search": search,
        "articles": total,
        "retracted": retracted,
        "by_year": [{"year": y, "articles": n} for y, n in by_year],
        "by_tier": None if by_tier is None else [{"tier": t, "articles": n} for t, n in by_tier],
        "by_journal": [{"journal": j, "articles": n} for j, n in by_journal],
    }


def columns_of(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.conn.execute(f"PRAGMA table_info([{table}])")]


def article_columns(db: Database) -> list[str]:
    return columns_of(db, "articles")


def stored_tiers(db: Database) -> list[str]:
    """The evidence tiers stored so far (empty before tiers are classified)."""
    if not tiers_available(db):
        return []
    sql = f"SELECT DISTINCT {TIER_COLUMN} FROM articles WHERE {TIER_COLUMN} IS NOT NULL ORDER BY 1"
    return [r[0] for r in db.conn.execute(sql)]
