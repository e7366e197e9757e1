"""Finding a written digest in reports/NAME/ and reading its Markdown and files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

_STEM = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-(\d+))?$")
ASSET_SUFFIXES = (".svg", ".ris", ".bib", ".json")


class PublishError(RuntimeError):
    """A digest that cannot be published; the message says why in one line."""


@dataclass(frozen=True)
class WrittenDigest:
    search: str
    day: date
    markdown: Path
    front: dict[str, Any]  # the front matter tracker digest wrote
    body: str  # the Markdown after the front matter
    assets: list[Path] = field(default_factory=list)  # chart and "Cite these" files

    @property
    def draft(self) -> bool:
        return bool(self.front.get("draft"))

    def study_views(self) -> list[dict[str, Any]]:
        """The new studies as the digest's JSON file lists them (strongest first)."""
        path = self.markdown.with_suffix(".json")
        if not path.is_file():
            return []
        try:
            return list(json.loads(path.read_text(encoding="utf-8")).get("studies") or [])
        except (ValueError, AttributeError):
            return []


def find_digest(reports: Path, search: str, day: date | None) -> WrittenDigest:
    """The latest digest of `search` (the last one written on `day`, when given)."""
    folder = reports / search
    found = []
    for path in folder.glob("*.md") if folder.is_dir() else ():
        match = _STEM.match(path.stem)
        if match:
            found.append((match.group(1), int(match.group(2) or 1), path))
    if day is not None:
        found = [f for f in found if f[0] == day.isoformat()]
    if not found:
        when = f" of {day.isoformat()}" if day else ""
        raise PublishError(
            f"no digest{when} in {folder}; write one with `tracker digest {search}` "
            "(or set --reports)"
        )
    stamp, _, path = max(found)
    front, body = split_front_matter(path.read_text(encoding="utf-8"))
    assets = [p for p in (path.with_suffix(s) for s in ASSET_SUFFIXES) if p.is_file()]
    return WrittenDigest(search, date.fromisoformat(stamp), path, front, body, assets)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter (one `key: value` a line, values as the digest template writes
    them: JSON strings and lists, numbers, true/false, dates) and the body after it."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end < 0:
        return {}, text
    front: dict[str, Any] = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith(" "):
            front[key.strip()] = _scalar(value.strip())
    return front, text[end + 5 :].lstrip("\n")


def _scalar(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
