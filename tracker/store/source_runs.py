"""Per-source run records and windows for the sources beside PubMed (ctgov, europepmc).

PubMed keeps its own `runs` and `searches.synced_until`; each other source has a row per
run in `source_runs` and its watermark in `source_windows`, so one source failing never
moves or blocks another's window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

SOURCES = ("ctgov", "europepmc")


@dataclass(frozen=True)
class Span:
    """What a digest covers of the sources beside PubMed: source runs after < id <= through
    and, for a period digest, only what was first seen or detected on or after `since`."""

    after: int
    through: int
    since: str | None = None


_MEMBERS = {"ctgov": ("search_trials", "nct_id"), "europepmc": ("search_preprints", "preprint_id")}
SOURCE_LABELS = {"pubmed": "PubMed", "ctgov": "ClinicalTrials.gov", "europepmc": "Europe PMC"}


def source_synced_until(db: Database, search: str, source: str) -> date | None:
    row = db.conn.execute(
        "SELECT synced_until FROM source_windows WHERE search = ? AND source = ?",
        (search, source),
    ).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def advance_source_window(db: Database, search: str, source: str, reached: date, run: int) -> None:
    """Forward only, as for PubMed: a clock that jumps back never moves it back."""
    db.conn.execute(
        "INSERT INTO source_windows (search, source, synced_until, last_good_run) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(search, source) DO UPDATE SET "
        "synced_until = CASE WHEN synced_until IS NULL OR synced_until < excluded.synced_until "
        "THEN excluded.synced_until ELSE synced_until END, last_good_run = excluded.last_good_run",
        (search, source, reached.isoformat(), run),
    )


def reset_source_window(db: Database, search: str, source: str) -> None:
    db.conn.execute("DELETE FROM source_windows WHERE search = ? AND source = ?", (search, source))


def insert_source_run(db: Database, row: dict[str, Any]) -> int:
    columns = ("search", "source", "started", "finished", "window_start", "query", "count",
               "new", "updated", "skipped", "requests", "status", "error")  # fmt: skip
    cur = db.conn.execute(
        f"INSERT INTO source_runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        tuple(row.get(c) for c in columns),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def update_source_run(db: Database, run_id: int, **values: Any) -> None:
    allowed = {"finished", "count", "new", "updated", "skipped", "requests", "status", "error"}
    assert set(values) <= allowed, values
    assignments = ", ".join(f"{c} = ?" for c in values)
    db.conn.execute(
        f"UPDATE source_runs SET {assignments} WHERE id = ?", (*values.values(), run_id)
    )


def source_status(db: Database, search: str, source: str) -> dict[str, Any]:
    """What `tracker status` shows for one source of one saved search."""
    conn = db.conn
    good = conn.execute(
        "SELECT id, finished FROM source_runs WHERE search = ? AND source = ? AND status = 'ok' "
        "ORDER BY id DESC LIMIT 1",
        (search, source),
    ).fetchone()
    last = conn.execute(
        "SELECT id, status, error FROM source_runs WHERE search = ? AND source = ? "
        "ORDER BY id DESC LIMIT 1",
        (search, source),
    ).fetchone()
    failures = conn.execute(
        "SELECT COUNT(*) FROM source_runs WHERE search = ? AND source = ? AND status != 'ok' "
        "AND id > ?",
        (search, source, good[0] if good else 0),
    ).fetchone()[0]
    table, column = _MEMBERS[source]
    held = conn.execute(f"SELECT COUNT({column}) FROM {table} WHERE search = ?", (search,))
    window = source_synced_until(db, search, source)
    return {
        "source": source,
        "last_good_run": good[1] if good else None,
        "synced_until": window.isoformat() if window else None,
        "records": held.fetchone()[0],
        "last_run_status": last[1] if last else None,
        "last_error": last[2] if last and last[1] != "ok" else None,
        "consecutive_failures": failures,
    }


def failed_sources_after(db: Database, search: str, after_run: int) -> list[dict[str, Any]]:
    """The latest run of each source, when it failed and came after source run
    `after_run` (the previous digest's): what this week's digest must name."""
    rows = db.conn.execute(
        "SELECT source, error, started FROM source_runs r WHERE search = ? AND id = "
        "(SELECT MAX(id) FROM source_runs WHERE search = r.search AND source = r.source) "
        "AND status != 'ok' AND id > ? ORDER BY source",
        (search, after_run),
    ).fetchall()
    return [{"source": s, "label": SOURCE_LABELS.get(s, s), "error": e, "when": w}
            for s, e, w in rows]  # fmt: skip


def latest_source_run(db: Database, search: str) -> int:
    row = db.conn.execute("SELECT MAX(id) FROM source_runs WHERE search = ?", (search,)).fetchone()
    return row[0] or 0


def previous_source_through(db: Database, search: str) -> int:
    """The last source run the previous weekly digest of `search` covered (0: none)."""
    row = db.conn.execute(
        "SELECT s.through_source_run FROM source_digests s JOIN digests d ON d.id = s.digest_id "
        "WHERE d.search = ? AND d.kind = 'regular' ORDER BY d.id DESC LIMIT 1",
        (search,),
    ).fetchone()
    return row[0] if row and row[0] else 0


def record_source_digest(db: Database, digest_id: int, search: str, through: int) -> None:
    db.conn.execute(
        "INSERT OR REPLACE INTO source_digests (digest_id, search, through_source_run) "
        "VALUES (?, ?, ?)",
        (digest_id, search, through),
    )


def pubmed_failed_after(db: Database, search: str, after_run: int) -> str | None:
    """The error of PubMed's latest run for `search` when it failed and came after run
    `after_run` (the previous digest's through_run)."""
    row = db.conn.execute(
        "SELECT id, status, error FROM runs WHERE search = ? ORDER BY id DESC LIMIT 1",
        (search,),
    ).fetchone()
    if row and row[1] != "ok" and row[0] > after_run:
        return str(row[2] or "failed")
    return None
