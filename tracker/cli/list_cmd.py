"""`tracker list`: the saved searches, with title, schedule and last good run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracker import store
from tracker.cli.app import UserError, cli, emit_json, settings
from tracker.cli.database import SQLITE_HEADER
from tracker.searches.saved import QueryError, read_saved_search


@cli.command(name="list")
def list_() -> None:
    """The saved searches in the queries folder: name, title, schedule, last good run.
    A saved search that cannot be read is listed with the reason (and exit code 2).

    \b
    Example:
      tracker list
      tracker list --json
    """
    folder = settings().queries
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder of saved searches (set --queries)")
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            search, _ = read_saved_search(path)
        except QueryError as exc:
            rows.append({"name": path.stem, "path": str(path), "error": str(exc)})
            continue
        rows.append(
            {
                "name": search.name,
                "path": str(path),
                "title": search.title,
                "schedule": search.schedule,
                "last_good_run": None,
                "error": None,
            }
        )
    _add_last_good_runs(settings().db_path, [r for r in rows if not r["error"]])
    if settings().as_json:
        emit_json(rows)
    else:
        _print(rows, folder)
    if any(r["error"] for r in rows):
        raise SystemExit(2)


def _print(rows: list[dict[str, Any]], folder: Path) -> None:
    if not rows:
        click.echo(f"no saved searches in {folder} (add one: tracker add DRUG CONDITION)")
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        if r["error"]:
            click.echo(f"{r['name']:<{width}}  INVALID: {r['error']}")
            continue
        good = r["last_good_run"] or "never"
        schedule = r["schedule"] or "no schedule"
        click.echo(f"{r['name']:<{width}}  {r['title']}  ({schedule}; last good run: {good})")


def _add_last_good_runs(path: Path, rows: list[dict[str, Any]]) -> None:
    """From the database when there is one (`list` never creates it)."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return
        db = store.connect(path, check=False)
    except (OSError, store.StoreError):
        return
    try:
        for row in rows:
            row["last_good_run"] = store.last_good_finish(db, row["name"])
    finally:
        db.close()
