"""How `tracker run` and `tracker status` show the sources beside PubMed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from tracker.ingest.source_run import SourceResult
from tracker.store import source_runs


def source_line(result: SourceResult) -> str:
    since = result.window_start or "the beginning"
    if result.status != "ok":
        return f"  {result.label}: FAILED (since {since}): {result.error} (will retry next run)"
    line = f"  {result.label}: ok, since {since}, {result.count} found, {result.new} new"
    if result.updated:
        line += f", {result.updated} changed"
    if result.skipped:
        line += f", {result.skipped} without the drug as an intervention (not kept)"
    return line + f", {result.requests} request{'s' if result.requests != 1 else ''}"


def source_json(result: SourceResult) -> dict[str, Any]:
    return asdict(result)


def source_status_rows(db: Database, search: str) -> list[dict[str, Any]]:
    """One row per source that has run for this saved search."""
    rows = []
    for source in source_runs.SOURCES:
        row = source_runs.source_status(db, search, source)
        if row["last_run_status"] is not None:
            rows.append(row)
    return rows


def source_status_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        label = source_runs.SOURCE_LABELS[row["source"]]
        line = (
            f"  {label}: last good run {row['last_good_run'] or 'never'}, "
            f"synced until {row['synced_until'] or 'never'}, {row['records']} records"
        )
        if row["consecutive_failures"]:
            line += f", {row['consecutive_failures']} failed runs since (last: {row['last_error']})"
        lines.append(line)
    return lines
