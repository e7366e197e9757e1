"""Loading and validating saved searches: one `queries/NAME.toml` file each.

A saved search is a PubMed term plus a little metadata. Every mistake names the file
and the key, because the person reading the error is editing that file by hand.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from .crontab import crontab_trigger
from .models import SavedSearch

DEFAULT_SCHEDULE = "0 6 * * 1"  # Mondays 06:00: a weekly digest
KNOWN_KEYS = frozenset({"term", "title", "schedule", "since"})
# File names become report folder names and command-line arguments.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class QueryError(ValueError):
    """A saved search that cannot be used; the message names the file and the key."""


def load_saved_searches(folder: Path) -> list[SavedSearch]:
    """Every `*.toml` in `folder`, sorted by name."""
    if not folder.is_dir():
        raise QueryError(f"{folder}: no such folder of saved searches (set --queries)")
    return [load_saved_search(path) for path in sorted(folder.glob("*.toml"))]


def select_saved_searches(folder: Path, names: list[str] | tuple[str, ...]) -> list[SavedSearch]:
    """The named saved searches (all of them when `names` is empty)."""
    searches = load_saved_searches(folder)
    if not names:
        if not searches:
            raise QueryError(f"{folder}: holds no saved searches (*.toml)")
        return searches
    by_name = {s.name: s for s in searches}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise QueryError(f"no saved search named {', '.join(unknown)} in {folder} (known: {known})")
    return [by_name[n] for n in names]


def load_saved_search(path: Path) -> SavedSearch:
    name = path.stem
    if not NAME_PATTERN.match(name):
        raise QueryError(
            f"{path}: the file name must be lower-case letters, digits, '-' or '_' "
            "(it becomes the saved search's name)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise QueryError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot be read: {exc}") from None
    return saved_search_from_mapping(name, data, str(path))


def saved_search_from_mapping(name: str, data: dict[str, Any], where: str) -> SavedSearch:
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise QueryError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(KNOWN_KEYS))})"
        )
    term = _text(data, "term", where, required=True)
    if len(term) > 4000:
        raise QueryError(f"{where}: key 'term' is longer than 4000 characters")
    schedule = _text(data, "schedule", where) or DEFAULT_SCHEDULE
    validate_crontab(schedule, f"{where}: key 'schedule'")
    return SavedSearch(
        name=name,
        term=" ".join(term.split()),  # TOML multi-line strings: one line for PubMed
        title=_text(data, "title", where) or name,
        schedule=schedule,
        since=_since(data, where),
        path=where,
    )


def validate_crontab(expression: str, where: str) -> None:
    try:
        crontab_trigger(expression, "UTC")
    except ValueError as exc:
        raise QueryError(f"{where} is not a valid crontab expression: {exc}") from None


def _text(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise QueryError(f"{where}: key {key!r} is required")
        return ""
    if not isinstance(value, str):
        raise QueryError(f"{where}: key {key!r} must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise QueryError(f"{where}: key {key!r} is empty")
    return value.strip()


def _since(data: dict[str, Any], where: str) -> date | None:
    value = data.get("since")
    if value is None:
        return None
    if isinstance(value, date):  # TOML dates arrive as datetime.date already
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise QueryError(f"{where}: key 'since' must be a date like 2015-01-01, not {value!r}")


def render_saved_search(search: SavedSearch) -> str:
    """TOML text for a saved search, as `tracker search --save` writes it."""
    lines = [f"title = {_toml_string(search.title)}", f"term = {_toml_string(search.term)}"]
    if search.schedule != DEFAULT_SCHEDULE:
        lines.append(f"schedule = {_toml_string(search.schedule)}")
    if search.since:
        lines.append(f"since = {search.since.isoformat()}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
