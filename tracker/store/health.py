"""How a saved search's runs went, for the period line and warning a digest opens with."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def run_finished(db: Database, run_id: int) -> str | None:
    """When run `run_id` finished (or started, for one that never finished)."""
    if not run_id:
        return None
    row = db.conn.execute(
        "SELECT COALESCE(finished, started) FROM runs WHERE id = ?", (run_id,)
    ).fetchone()
    return row[0] if row else None


def latest_run(db: Database, search: str) -> dict[str, Any] | None:
    """The latest run of `search`: id, status, error, finished; None before any run."""
    row = db.conn.execute(
        "SELECT id, status, error, COALESCE(finished, started) FROM runs WHERE search = ? "
        "ORDER BY id DESC LIMIT 1",
        (search,),
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "status": row[1], "error": row[2], "finished": row[3]}
