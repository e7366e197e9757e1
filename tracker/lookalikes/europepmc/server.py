"""A local Europe PMC REST look-alike serving recorded real core records.

GET /europepmc/webservices/rest/search?query=…&resultType=core&format=json&pageSize&cursorMark
The query grammar is the part of Europe PMC's syntax the tracker writes
(tracker.europepmc.query): clauses joined by AND, each one of
* `(word OR "a phrase" OR stem* …)`: matched in title, abstract and keywords;
* `SRC:PPR`: the record's source;
* `(FIRST_IDATE:[from TO to] OR UPDATE_DATE:[from TO to])`: firstIndexDate, or
  dateOfRevision for UPDATE_DATE, within the range (either one is enough).
Anything else is answered with a crafted plain-text 400. Cursor paging as the real
API: `*` first; every page but the last carries nextCursorMark; the last has none.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tracker.lookalikes.jsonserver import JsonServer

_DATE = re.compile(r"(FIRST_IDATE|UPDATE_DATE|FIRST_PDATE):\[(\S+) TO (\S+)\]")
_DATE_FIELD = {"FIRST_IDATE": "firstIndexDate", "UPDATE_DATE": "dateOfRevision",
               "FIRST_PDATE": "firstPublicationDate"}  # fmt: skip


def split_top(text: str, word: str) -> list[str]:
    """Split on ` word ` outside parentheses, brackets and quotes."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    token = f" {word} "
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif not quoted and depth == 0 and text.startswith(token, i):
            parts.append(text[start:i])
            i += len(token)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _unwrap(clause: str) -> str:
    """Drop parentheses that enclose the whole clause (not "(a) AND (b)")."""
    while clause.startswith("(") and clause.endswith(")") and _closes_at(clause) == len(clause) - 1:
        clause = clause[1:-1].strip()
    return clause


def _closes_at(text: str) -> int:
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _text_hit(alternatives: list[str], blob: str) -> bool:
    for alt in alternatives:
        alt = alt.strip().strip('"').casefold()
        stem, star = alt.rstrip("*"), alt.endswith("*")
        tail = r"\w*" if star else ""
        pattern = r"(?<!\w)" + re.escape(stem) + tail + r"(?!\w)"
        if stem and re.search(pattern, blob):
            return True
    return False


class LocalEuropePmc(JsonServer):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.page_cap = 1000  # Europe PMC's maximum pageSize; tests lower it

    def prefix(self) -> str:
        return "/europepmc/webservices/rest/"

    def put_record(self, record: dict[str, Any]) -> None:
        self.records[(record["source"], str(record["id"]))] = record

    def load_files(self, paths: Iterable[Path]) -> None:
        for path in paths:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            for page in data if isinstance(data, list) else [data]:
                for record in (page.get("resultList") or {}).get("result") or []:
                    self.put_record(record)

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        if path != "search":
            return 404, f"crafted: no such endpoint {path}"
        if params.get("format") != "json":
            return 400, "crafted: this look-alike answers format=json only"
        try:
            matched = [
                r for _, r in sorted(self.records.items()) if self._matches(params["query"], r)
            ]
        except (KeyError, ValueError) as exc:
            return 400, f"crafted: cannot parse the query: {exc}"
        size = min(int(params.get("pageSize") or 25), self.page_cap)
        cursor = params.get("cursorMark", "*")
        start = 0 if cursor == "*" else int(base64.b64decode(cursor).decode().split(":")[1])
        page = matched[start : start + size]
        body: dict[str, Any] = {
            "version": "6.9",
            "hitCount": len(matched),
            "request": {
                "queryString": params["query"],
                "resultType": params.get("resultType"),
                "cursorMark": cursor,
                "pageSize": size,
            },  # fmt: skip
            "resultList": {"result": page},
        }
        if start + size < len(matched):
            body["nextCursorMark"] = base64.b64encode(f"at:{start + size}".encode()).decode()
        return 200, body

    def _matches(self, query: str, record: dict[str, Any]) -> bool:
        return all(self._clause(c, record) for c in split_top(_unwrap(query), "AND"))

    def _clause(self, clause: str, record: dict[str, Any]) -> bool:
        clause = _unwrap(clause)
        if clause.startswith("SRC:"):
            return record.get("source") == clause[4:]
        alternatives = split_top(clause, "OR")
        dates = [_DATE.fullmatch(a) for a in alternatives]
        if all(dates):
            return any(
                low <= (record.get(_DATE_FIELD[f]) or "") <= high
                for f, low, high in (d.groups() for d in dates if d)
            )
        if any(dates) or any(":" in a and not a.startswith('"') for a in alternatives):
            raise ValueError(clause[:80])
        keywords = " ".join((record.get("keywordList") or {}).get("keyword") or [])
        blob = " | ".join(
            [record.get("title") or "", record.get("abstractText") or "", keywords]
        ).casefold()
        return _text_hit(alternatives, blob)
