"""Saved searches, runs, search membership, pending fetches and digests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlite_utils import Database

from tracker.models import STOP_MARK, RunResult, SavedSearch

# The membership's drug role columns, beside a.* (m004).
ROLE_SELECT = "q.drug_role, q.drug_role_reason, q.drug_role_source, q.drug_role_certain"


def register_search(db: Database, search: SavedSearch) -> None:
    """Create or refresh the `searches` row; the watermark columns are left alone.
    An edited term names other words for the drug and the condition: the stored drug
    roles of the search's studies are marked for recomputing (tracker.ingest.rules)."""
    db.conn.execute(
        "UPDATE query_articles SET rules_version = NULL WHERE search = ? AND EXISTS "
        "(SELECT 1 FROM searches WHERE name = ? AND term IS NOT ?)",
        (search.name, search.name, search.term),
    )
    db.conn.execute(
        "INSERT INTO searches (name, title, term, schedule, since) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET title=excluded.title, term=excluded.term, "
        "schedule=excluded.schedule, since=excluded.since",
        (
            search.name,
            search.title,
            search.term,
            search.schedule,
            search.since.isoformat() if search.since else None,
        ),
    )


def ensure_search(db: Database, search: SavedSearch) -> None:
    """Create the `searches` row if missing; an existing row is left as it is."""
    db.conn.execute(
        "INSERT OR IGNORE INTO searches (name, title, term, schedule) VALUES (?, ?, ?, ?)",
        (search.name, search.title, search.term, search.schedule),
    )


def synced_until(db: Database, name: str) -> date | None:
    row = db.conn.execute("SELECT synced_until FROM searches WHERE name = ?", (name,)).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def search_term_changed(db: Database, search: SavedSearch) -> bool:
    """True when the stored term differs: the saved search was edited since its last run."""
    row = db.conn.execute("SELECT term FROM searches WHERE name = ?", (search.name,)).fetchone()
    return bool(row and row[0] and row[0] != search.term)


def advance_watermark(db: Database, name: str, reached: date, run_id: int) -> None:
    """Move the watermark forward only: a clock that jumps back never moves it back."""
    db.conn.execute(
        "UPDATE searches SET synced_until = CASE WHEN synced_until IS NULL OR synced_until < ? "
        "THEN ? ELSE synced_until END, last_good_run = ? WHERE name = ?",
        (reached.isoformat(), reached.isoformat(), run_id, name),
    )


def insert_run(db: Database, result: RunResult, requests: int) -> int:
    window = result.window
    cur = db.conn.execute(
        "INSERT INTO runs (search, started, finished, window_start, window_end, "
        "query_translation, count, new, fetched, updated, missing, warnings, requests, "
        "status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            result.search,
            result.started,
            result.finished,
            window.start.isoformat() if window else None,
            window.end.isoformat() if window else None,
            result.query_translation,
            result.count,
            result.new,
            result.fetched,
            result.updated,
            json.dumps(list(result.missing)),
            json.dumps(list(result.warnings), ensure_ascii=False),
            requests,
            result.status,
            result.error,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def set_run_counts(db: Database, run_id: int, **counts: int) -> None:
    for column in counts:
        assert column in ("new", "fetched", "updated", "count"), column
    assignments = ", ".join(f"{c} = ?" for c in counts)
    db.conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*counts.values(), run_id))


def finish_run(db: Database, run_id: int, finished: str, missing: list[int], requests: int) -> None:
    db.conn.execute(
        "UPDATE runs SET finished = ?, missing = ?, requests = ? WHERE id = ?",
        (finished, json.dumps(missing), requests, run_id),
    )


def member_pmids(db: Database, search: str) -> set[int]:
    rows = db.conn.execute("SELECT pmid FROM query_articles WHERE search = ?", (search,))
    return {r[0] for r in rows}


def add_members(db: Database, search: str, pmids: Iterable[int], run_id: int, now: str) -> None:
    """Record that `search` found these PMIDs; the first run to find one keeps it."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO query_articles (search, pmid, first_run, first_seen) "
        "VALUES (?, ?, ?, ?)",
        [(search, p, run_id, now) for p in pmids],
    )


def pending_pmids(db: Database, search: str) -> set[int]:
    rows = db.conn.execute("SELECT pmid FROM pending_fetch WHERE search = ?", (search,))
    return {r[0] for r in rows}


def set_pending(db: Database, search: str, missing: Sequence[int], run_id: int) -> None:
    """Replace the search's pending list: PMIDs esearch named that efetch did not return."""
    db.conn.execute(
        "UPDATE pending_fetch SET attempts = attempts + 1 WHERE search = ? AND pmid IN "
        f"({','.join('?' * len(missing))})",
        (search, *missing),
    )
    marks = ",".join("?" * len(missing))
    db.conn.execute(
        f"DELETE FROM pending_fetch WHERE search = ? AND pmid NOT IN ({marks})",
        (search, *missing),
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO pending_fetch (search, pmid, first_missed_run, attempts) "
        "VALUES (?, ?, ?, 1)",
        [(search, p, run_id) for p in missing],
    )


def last_digest_through(db: Database, search: str) -> int:
    row = db.conn.execute(
        "SELECT MAX(through_run) FROM digests WHERE search = ?", (search,)
    ).fetchone()
    return row[0] or 0


def last_good_finish(db: Database, search: str) -> str | None:
    row = db.conn.execute(
        "SELECT MAX(finished) FROM runs WHERE search = ? AND status = 'ok'", (search,)
    ).fetchone()
    return row[0] if row else None


def last_good_run_id(db: Database, search: str) -> int:
    row = db.conn.execute(
        "SELECT MAX(id) FROM runs WHERE search = ? AND status = 'ok'", (search,)
    ).fetchone()
    return row[0] or 0


def new_article_rows(
    db: Database, search: str, after_run: int, through_run: int
) -> list[dict[str, Any]]:
    """Articles that `search` first found in runs after_run < id <= through_run."""
    return list(
        db.query(
            f"SELECT a.*, q.first_run, q.first_seen AS search_first_seen, {ROLE_SELECT} "
            "FROM query_articles q JOIN articles a ON a.pmid = q.pmid "
            "WHERE q.search = ? AND q.first_run > ? AND q.first_run <= ? AND a.deleted IS NULL "
            "ORDER BY a.pub_date DESC, a.pmid DESC",
            (search, after_run, through_run),
        )
    )


def search_status(db: Database, search: str) -> dict[str, Any]:
    """What `tracker status` shows for one saved search."""
    conn = db.conn
    good = conn.execute(
        "SELECT id, finished, window_end, new FROM runs WHERE search = ? AND status = 'ok' "
        "ORDER BY id DESC LIMIT 1",
        (search,),
    ).fetchone()
    last = conn.execute(
        "SELECT id, finished, status, error FROM runs WHERE search = ? ORDER BY id DESC LIMIT 1",
        (search,),
    ).fetchone()
    failures = conn.execute(
        "SELECT COUNT(*) FROM runs WHERE search = ? AND status != 'ok' AND id > ? "
        "AND instr(COALESCE(error, ''), ?) = 0",
        (search, good[0] if good else 0, STOP_MARK),
    ).fetchone()[0]
    articles = conn.execute(
        "SELECT COUNT(*) FROM query_articles WHERE search = ?", (search,)
    ).fetchone()[0]
    pending = conn.execute(
        "SELECT COUNT(*) FROM pending_fetch WHERE search = ?", (search,)
    ).fetchone()[0]
    return {
        "search": search,
        "last_good_run": good[1] if good else None,
        "synced_until": synced_until(db, search),
        "articles": articles,
        "pending_fetch": pending,
        "last_run_status": last[2] if last else None,
        "last_error": last[3] if last and last[2] != "ok" else None,
        "consecutive_failures": failures,
    }


def insert_changes(db: Database, run_id: int | None, now: str, changes: Iterable[Any]) -> int:
    """Record tracker.ingest.changes.Change items noticed by run `run_id` (None: noticed
    outside a run, by `tracker digest` recomputing answers of older rules)."""
    cur = db.conn.executemany(
        "INSERT INTO article_changes (pmid, run, detected, kind, detail, notice_pmid, search) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (c.pmid, run_id, now, c.kind, c.detail, c.notice_pmid, getattr(c, "search", None))
            for c in changes
        ],
    )
    return cur.rowcount
