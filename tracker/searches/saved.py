"""Loading and validating saved searches: one `queries/NAME.toml` file each.

A saved search is a PubMed term plus a little metadata; instead of a `term` it may name a
`drug` and a `condition` (tracker.searches.pairs builds the term from them). Every mistake names
the file and the key, because the person reading the error is editing that file by hand.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from tracker.errors import UsageError
from tracker.models import SavedSearch
from tracker.searches.crontab import crontab_trigger
from tracker.searches.pairs import FORBIDDEN_CHARACTERS, Concept, Pair, build_term

DEFAULT_SCHEDULE = "0 6 * * 1"  # Mondays 06:00: a weekly digest
KNOWN_KEYS = frozenset({"term", "title", "schedule", "since", "drug", "condition"})
CONCEPT_KEYS = {
    "drug": frozenset({"name", "mesh", "synonyms", "brands", "title_only"}),
    "condition": frozenset({"name", "mesh", "synonyms", "title_only"}),
}
MAX_TERM_LENGTH = 4000
# File names become report folder names and command-line arguments.
# Matched with fullmatch: "$" also matches before a final newline ("evil\n.toml").
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_FILE_BYTES = 1 << 20  # a saved search is a few hundred bytes; the term at most 4,000


class QueryError(UsageError, ValueError):
    """A saved search that cannot be used; the message names the file and the key."""


def saved_search_files(folder: Path) -> list[Path]:
    """The `*.toml` files of `folder` that people wrote, sorted; editors' lock, backup
    and autosave files (`.#x.toml`, `#x.toml#`, `x.toml~`) and hidden files are not."""
    if not folder.is_dir():
        raise QueryError(f"{folder}: no such folder of saved searches (set --queries)")
    return sorted(
        entry
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and not entry.name.startswith((".", "#"))
    )


def load_saved_searches(folder: Path) -> list[SavedSearch]:
    """Every saved search in `folder`, sorted by name; the first broken one raises."""
    return [load_saved_search(path) for path in saved_search_files(folder)]


def scan_saved_searches(folder: Path) -> tuple[list[SavedSearch], list[QueryError]]:
    """Every usable saved search in `folder`, and the error of each broken one: one
    broken file never keeps the others from running."""
    searches, errors = [], []
    for path in saved_search_files(folder):
        try:
            searches.append(load_saved_search(path))
        except QueryError as exc:
            errors.append(exc)
    if not searches and not errors:
        raise QueryError(f"{folder}: holds no saved searches (*.toml)")
    return searches, errors


def select_saved_searches(folder: Path, names: list[str] | tuple[str, ...]) -> list[SavedSearch]:
    """The named saved searches (all of them when `names` is empty). A named search
    reads only its own file: a broken neighbour does not matter to it."""
    if not names:
        searches = load_saved_searches(folder)
        if not searches:
            raise QueryError(f"{folder}: holds no saved searches (*.toml)")
        return searches
    files = {path.name[: -len(".toml")]: path for path in saved_search_files(folder)}
    unknown = [n for n in names if not NAME_PATTERN.fullmatch(n) or n not in files]
    if unknown:
        known = ", ".join(n for n in sorted(files) if NAME_PATTERN.fullmatch(n)) or "none"
        shown = ", ".join(repr(n) if not NAME_PATTERN.fullmatch(n) else n for n in unknown)
        raise QueryError(f"no saved search named {shown} in {folder} (known: {known})")
    return [load_saved_search(files[n]) for n in dict.fromkeys(names)]


def load_saved_search(path: Path) -> SavedSearch:
    return read_saved_search(path)[0]


def read_saved_search(path: Path) -> tuple[SavedSearch, Pair | None]:
    """The saved search, and its drug × condition pair when it names one."""
    name = path.name[: -len(".toml")] if path.name.endswith(".toml") else path.stem
    if not NAME_PATTERN.fullmatch(name):
        raise QueryError(
            f"{str(path)!r}: the file name must be lower-case letters, digits, '-' or '_' "
            "(it becomes the saved search's name)"
        )
    try:
        data = tomllib.loads(_read_regular_file(path))
    except tomllib.TOMLDecodeError as exc:
        raise QueryError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise QueryError(f"{path}: not UTF-8 text (save it as UTF-8)") from None
    except OSError as exc:
        raise QueryError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    search = saved_search_from_mapping(name, data, str(path))
    return search, pair_from_mapping(data, str(path))


def _read_regular_file(path: Path) -> str:
    """The file's text; a FIFO, device or folder is refused without blocking on it
    (O_NONBLOCK, then fstat on what was opened). A UTF-8 byte-order mark, which some
    Windows editors write, is accepted."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise QueryError(f"{path}: not a regular file (a saved search is a .toml file)")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise QueryError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB; not a saved search")
    return data.decode("utf-8-sig")


def saved_search_from_mapping(name: str, data: dict[str, Any], where: str) -> SavedSearch:
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise QueryError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(KNOWN_KEYS))})"
        )
    pair = pair_from_mapping(data, where)
    if pair is None:
        term = _text(data, "term", where, required=True)
        key = "term"
    else:
        term, key = build_term(pair), "the term built from 'drug' and 'condition'"
    if len(term) > MAX_TERM_LENGTH:
        raise QueryError(f"{where}: {key} is longer than {MAX_TERM_LENGTH} characters")
    schedule = _text(data, "schedule", where) or DEFAULT_SCHEDULE
    if schedule != DEFAULT_SCHEDULE:  # the default is valid (tests/test_schedule.py)
        validate_crontab(schedule, f"{where}: key 'schedule'")
    return SavedSearch(
        name=name,
        term=" ".join(term.split()),  # TOML multi-line strings: one line for PubMed
        title=_text(data, "title", where) or name,
        schedule=schedule,
        since=_since(data, where),
        path=where,
    )


def pair_from_mapping(data: dict[str, Any], where: str) -> Pair | None:
    """The drug × condition pair, or None for a saved search with a plain `term`."""
    given = [k for k in ("drug", "condition") if k in data]
    if not given:
        return None
    if "term" in data:
        raise QueryError(
            f"{where}: give either key 'term' or keys 'drug' and 'condition', not both "
            "(the term is built from the pair)"
        )
    if len(given) == 1:
        missing = "condition" if given == ["drug"] else "drug"
        raise QueryError(f"{where}: key {missing!r} is required with key {given[0]!r}")
    return Pair(_concept(data, "drug", where), _concept(data, "condition", where))


def _concept(data: dict[str, Any], key: str, where: str) -> Concept:
    value = data[key]
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise QueryError(
            f"{where}: key {key!r} must be a name or a table with 'name', not "
            f"{type(value).__name__}"
        )
    unknown = sorted(set(value) - CONCEPT_KEYS[key])
    if unknown:
        allowed = ", ".join(sorted(CONCEPT_KEYS[key]))
        raise QueryError(f"{where}: unknown key '{key}.{unknown[0]}' (allowed: {allowed})")
    name = _word(value.get("name"), f"{key}.name", where, required=True)
    mesh = _words(value, "mesh", key, where) if "mesh" in value else None
    return Concept.named(
        name,
        synonyms=_words(value, "synonyms", key, where),
        brands=_words(value, "brands", key, where),
        mesh=mesh,
        title_only=_words(value, "title_only", key, where),
    )


def _words(table: dict[str, Any], key: str, concept: str, where: str) -> tuple[str, ...]:
    values = table.get(key, [])
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise QueryError(
            f"{where}: key '{concept}.{key}' must be a list of strings, not {type(values).__name__}"
        )
    return tuple(_word(v, f"{concept}.{key}", where) for v in values)


def _word(value: object, key: str, where: str, *, required: bool = True) -> str:
    if value is None and required:
        raise QueryError(f"{where}: key {key!r} is required")
    if not isinstance(value, str):
        raise QueryError(f"{where}: key {key!r} must be a string, not {type(value).__name__}")
    word = " ".join(value.split())
    if not word or word == "*":
        raise QueryError(f"{where}: key {key!r} holds an empty name")
    bad = sorted(FORBIDDEN_CHARACTERS & set(word))
    if bad:
        raise QueryError(
            f"{where}: key {key!r}: {word!r} contains {bad[0]!r}; write words only, the "
            "tracker adds quotes and field tags itself"
        )
    return word


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


def render_pair_search(
    title: str, pair: Pair, *, schedule: str = DEFAULT_SCHEDULE, since: date | None = None
) -> str:
    """TOML text for a drug × condition saved search, as `tracker add` writes it."""
    lines = [
        f"# {' '.join(title.split())}",
        "#",
        "# The tracker builds the PubMed term from the drug and the condition: each MeSH",
        "# heading as [Mesh], and the name, synonyms and brands as [tiab] words (records",
        "# carry no MeSH for weeks after they are added); title_only words, abbreviations",
        "# too ambiguous in abstracts, as [ti] words. `tracker show NAME` prints it.",
        "# Check each heading exists in MeSH (https://www.ncbi.nlm.nih.gov/mesh/): PubMed",
        "# reports an unknown one as a warning in the run, and it then finds nothing.",
        f"title = {_toml_string(title)}",
    ]
    if schedule != DEFAULT_SCHEDULE:
        lines.append(f"schedule = {_toml_string(schedule)}")
    if since:
        lines.append(f"since = {since.isoformat()}")
    for key, concept in (("drug", pair.drug), ("condition", pair.condition)):
        lines += ["", f"[{key}]", f"name = {_toml_string(concept.name)}"]
        lines.append(f"mesh = {_toml_list(concept.mesh)}")
        lines.append(f"synonyms = {_toml_list(concept.synonyms)}")
        if key == "drug":
            lines.append(f"brands = {_toml_list(concept.brands)}")
        if concept.title_only:
            lines.append(f"title_only = {_toml_list(concept.title_only)}")
    return "\n".join(lines) + "\n"


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def _toml_string(value: str) -> str:
    # JSON's string escapes (\\, \", \n, \uXXXX) are all valid in a TOML basic string;
    # DEL is the one control character JSON leaves bare and TOML refuses.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
