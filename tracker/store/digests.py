"""Reading what a digest reports, and recording digests and their delivery."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from tracker.store.articles import decode_article_row
from tracker.store.runs import ROLE_SELECT

_DIGEST_COLUMNS = (
    "search", "created", "after_run", "through_run", "articles", "markdown_path", "html_path",
    "kind", "period_from", "period_to", "as_of_run", "json_path", "mail_due",
)  # fmt: skip


def rows_first_seen_between(
    db: Database, search: str, since: str, until: str | None = None
) -> list[dict[str, Any]]:
    """Articles `search` first found on or after `since` (a date; and before `until`),
    JSON columns decoded: what `tracker digest --since` re-renders."""
    sql = (
        f"SELECT a.*, q.first_run, q.first_seen AS search_first_seen, {ROLE_SELECT} "
        "FROM query_articles q JOIN articles a ON a.pmid = q.pmid "
        "WHERE q.search = ? AND q.first_seen >= ? AND a.deleted IS NULL"
    )
    params: list[Any] = [search, since]
    if until:
        sql += " AND q.first_seen < ?"
        params.append(until)
    return [decode_article_row(r) for r in db.query(sql, params)]


def changes_for(
    db: Database,
    search: str,
    *,
    after_run: int | None = None,
    through_run: int | None = None,
    since: str | None = None,
) -> list[dict[str, Any]]:
    """Changes recorded (by run range, or detected on or after `since`) to any study
    `search` holds, with what a reader needs to recognise the study; oldest first.

    `reported` is 1 when an earlier digest of this search already listed the study.
    A change noticed outside a run (`run` NULL: `tracker digest` recomputing answers of
    older rules) belongs to the first regular digest made after it was detected."""
    where = ["q.search = ?", "(c.search IS NULL OR c.search = q.search)"]
    params: list[Any] = [search]
    if since is not None:
        where.append("c.detected >= ?")
        params.append(since)
    else:
        where.append(
            "((c.run > ? AND c.run <= ?) OR (c.run IS NULL AND c.detected > COALESCE("
            "(SELECT MAX(d.created) FROM digests d WHERE d.search = q.search "
            "AND COALESCE(d.kind, 'regular') = 'regular'), '')))"
        )
        params.extend([after_run or 0, through_run or 0])
    sql = (
        "SELECT c.id, c.pmid, c.run, c.detected, c.kind, c.detail, c.notice_pmid, "
        "a.title, a.doi, a.retracted, a.evidence_tier, a.tier_provisional, a.pub_year, "
        "a.journal, a.journal_abbrev, q.first_run, "
        "EXISTS (SELECT 1 FROM digests d WHERE d.search = q.search AND d.through_run >= "
        "q.first_run AND d.created <= c.detected) AS reported "
        "FROM article_changes c "
        "JOIN query_articles q ON q.pmid = c.pmid "
        "JOIN articles a ON a.pmid = c.pmid "
        f"WHERE {' AND '.join(where)} ORDER BY c.id"
    )
    return list(db.query(sql, params))


def tier_counts(db: Database, search: str) -> dict[str, int]:
    """How many studies `search` holds per evidence tier (withdrawn ones left out).
    Only evidence for the use counts: a study whose drug role is harm or other does not."""
    rows = db.conn.execute(
        "SELECT COALESCE(a.evidence_tier, 'other'), COUNT(*) FROM query_articles q "
        "JOIN articles a ON a.pmid = q.pmid WHERE q.search = ? AND a.deleted IS NULL "
        "AND COALESCE(q.drug_role, 'treatment') = 'treatment' GROUP BY 1",
        (search,),
    )
    return {tier: count for tier, count in rows}


def role_counts(db: Database, search: str) -> dict[str, int]:
    """How many studies `search` holds per drug role (none for a search that is not a
    drug × condition pair)."""
    rows = db.conn.execute(
        "SELECT q.drug_role, COUNT(*) FROM query_articles q JOIN articles a ON a.pmid = q.pmid "
        "WHERE q.search = ? AND a.deleted IS NULL AND q.drug_role IS NOT NULL GROUP BY 1",
        (search,),
    )
    return {role: count for role, count in rows}


def year_counts(db: Database, search: str) -> dict[int, int]:
    """Studies `search` holds per publication year (records without a year left out)."""
    rows = db.conn.execute(
        "SELECT a.pub_year, COUNT(*) FROM query_articles q JOIN articles a ON a.pmid = q.pmid "
        "WHERE q.search = ? AND a.deleted IS NULL AND a.pub_year IS NOT NULL GROUP BY 1",
        (search,),
    )
    return {int(year): count for year, count in rows}


def feed_rows(db: Database, search: str, limit: int = 50) -> list[dict[str, Any]]:
    """The studies `search` found most recently, newest first, JSON columns decoded."""
    return [
        decode_article_row(r)
        for r in db.query(
            f"SELECT a.*, q.first_seen AS search_first_seen, {ROLE_SELECT} FROM query_articles q "
            "JOIN articles a ON a.pmid = q.pmid WHERE q.search = ? AND a.deleted IS NULL "
            "ORDER BY q.first_seen DESC, a.pmid DESC LIMIT ?",
            (search, limit),
        )
    ]


def feed_changes(db: Database, search: str, limit: int = 50) -> list[dict[str, Any]]:
    """The latest changes to studies `search` holds, newest first."""
    return list(
        db.query(
            "SELECT c.id, c.pmid, c.detected, c.kind, c.detail, c.notice_pmid, a.title, "
            "a.retracted FROM article_changes c "
            "JOIN query_articles q ON q.pmid = c.pmid AND q.search = ? "
            "AND (c.search IS NULL OR c.search = q.search) "
            "JOIN articles a ON a.pmid = c.pmid ORDER BY c.id DESC LIMIT ?",
            (search, limit),
        )
    )


def previous_digest_date(db: Database, search: str) -> str | None:
    """The day of the last digest in the weekly chain (period re-renders do not count):
    the day it is named for, or (digests written before m003) the day it was made."""
    row = db.conn.execute(
        "SELECT COALESCE(period_to, created) FROM digests WHERE search = ? "
        "AND COALESCE(kind, 'regular') = 'regular' ORDER BY id DESC LIMIT 1",
        (search,),
    ).fetchone()
    return row[0][:10] if row else None


def first_run_after(db: Database, search: str, when: str) -> int:
    """The id of the first run of `search` that started on or after `when`, or one past
    the last run (so a range starting there is empty)."""
    row = db.conn.execute(
        "SELECT MIN(id) FROM runs WHERE search = ? AND started >= ?", (search, when)
    ).fetchone()
    if row and row[0]:
        return int(row[0])
    last = db.conn.execute("SELECT MAX(id) FROM runs").fetchone()
    return int(last[0] or 0) + 1


def record_digest(db: Database, row: dict[str, Any]) -> int:
    values = {c: row.get(c) for c in _DIGEST_COLUMNS}
    cur = db.conn.execute(
        f"INSERT INTO digests ({', '.join(_DIGEST_COLUMNS)}) "
        f"VALUES ({', '.join(':' + c for c in _DIGEST_COLUMNS)})",
        values,
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def digest_recorded(db: Database, search: str, markdown_path: str) -> bool:
    """Whether a digest of `search` with these files is in `digests` (tracker/digest/pending.py)."""
    row = db.conn.execute(
        "SELECT 1 FROM digests WHERE search = ? AND markdown_path = ? LIMIT 1",
        (search, markdown_path),
    ).fetchone()
    return row is not None


def already_sent(db: Database, search: str, period_from: str | None, as_of_run: int) -> bool:
    """Whether a digest of the same search and period, showing the same runs' data, was
    already mailed: a re-run of the weekly digest with no run since, or the same
    `--since` period re-rendered."""
    row = db.conn.execute(
        "SELECT 1 FROM digests WHERE search = ? AND sent IS NOT NULL AND as_of_run = ? "
        "AND COALESCE(period_from, '') = ? LIMIT 1",
        (search, as_of_run, period_from or ""),
    ).fetchone()
    return row is not None


def digest_row(db: Database, digest_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM digests WHERE id = ?", (digest_id,)))
    return rows[0] if rows else None


def mark_sent(db: Database, digest_id: int, when: str, recipients: Sequence[str]) -> None:
    db.conn.execute(
        "UPDATE digests SET sent = ?, sent_to = ?, mail_due = NULL WHERE id = ?",
        (when, json.dumps(list(recipients)), digest_id),
    )


def settle_mail(db: Database, digest_id: int) -> None:
    """The digest's mail needs no sending after all (empty, or the same mailed before)."""
    db.conn.execute("UPDATE digests SET mail_due = NULL WHERE id = ?", (digest_id,))


def mail_due(db: Database, search: str, before_id: int) -> list[dict[str, Any]]:
    """Digests of `search` older than `before_id` whose mail is still due, oldest first."""
    return list(
        db.query(
            "SELECT * FROM digests WHERE search = ? AND id < ? AND mail_due IS NOT NULL "
            "ORDER BY id",
            (search, before_id),
        )
    )
