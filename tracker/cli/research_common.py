"""Shared pieces of the researchers' commands: output tables, JSON switch, the database check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from tracker import store
from tracker.cli.app import UserError, settings
from tracker.cli.database import check_db_path
from tracker.searches.saved import (
    NAME_PATTERN,
)

NOT_CLASSIFIED = (
    "tiers not classified yet: this database has no evidence_tier column "
    "(a newer tracker classifies studies when it runs)"
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")


def wants_json(local: bool) -> bool:
    return local or settings().as_json


def existing_db() -> Database:
    """The database, which must exist already: reading tools never create an empty one."""
    path = settings().db_path
    check_db_path(path, create=False)
    return store.connect(path, check=False)


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, int]]) -> None:
    """Aligned text columns: (key, heading, width); the last column takes the rest."""

    def cell(value: object, width: int) -> str:
        text = "" if value is None else " ".join(str(value).split())
        return text if len(text) <= width else text[: width - 1] + "…"

    widths = [w for _, _, w in columns]
    click.echo("  ".join(h.ljust(w) for (_, h, _), w in zip(columns, widths, strict=True)).rstrip())
    for row in rows:
        click.echo(
            "  ".join(
                cell(row.get(k), w).ljust(w) for (k, _, _), w in zip(columns, widths, strict=True)
            ).rstrip()
        )


ARTICLE_COLUMNS = (
    ("pmid", "PMID", 9), ("pub_year", "YEAR", 4), ("journal_abbrev", "JOURNAL", 22),
    ("first_author", "FIRST AUTHOR", 16), ("title", "TITLE", 70),
)  # fmt: skip


def check_new_search_name(name: str) -> Path:
    if not NAME_PATTERN.fullmatch(name):
        raise UserError(
            f"--save/--name {name!r}: use lower-case letters, digits, '-' or '_' "
            "(it becomes the file name and the report folder)"
        )
    folder = settings().queries
    path = folder / f"{name}.toml"
    if path.exists():
        raise UserError(f"{path} exists already; choose another name or edit that file")
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder of saved searches (set --queries)")
    return path


# -- search ----------------------------------------------------------------------------------
