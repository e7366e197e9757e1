"""Writing a digest into reports/NAME/ and recording it: select -> context -> render ->
write. The steps live in select.py (the database reads), context.py (the values the
templates show), pages.py (the files' contents, pure) and here (files and the record).

Recording `through_run` in `digests` is what makes "never report one twice" hold across
crashes and re-runs; a period digest is recorded but leaves the weekly chain alone.

Files, all named after the day (DATE, or DATE-2… when that day already has one):
DATE.md (YAML front matter, for Jekyll or Hugo), DATE.html (standalone, mail-friendly,
chart as inline SVG), DATE.svg (the chart, beside the Markdown), DATE.json (for
automation: every new study, not only the ones listed), DATE.ris and DATE.bib ("Cite
these": every new study), and feed.xml (the saved search's Atom feed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker import atomic_files, store
from tracker.digest.context import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    DigestOptions,
    clamp_limit,
    digest_context,
)
from tracker.digest.feed import write_feed
from tracker.digest.pages import render_digest
from tracker.digest.pending import hidden, mark_pending, publish_pending, settle_pending
from tracker.digest.period import problem_summary
from tracker.digest.select import Selection, select
from tracker.digest.sources_context import (
    record_source_digest,
    source_context,
    source_items,
    with_source_summary,
)
from tracker.digest.sources_export import source_file_paths, write_source_files
from tracker.errors import RunFailure
from tracker.models import SavedSearch
from tracker.store import digests as stored

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "DigestError",
    "DigestOptions",
    "DigestResult",
    "clamp_limit",
    "write_digest",
]
_SUFFIXES = (".md", ".html", ".json", ".ris", ".bib", ".svg")


class DigestError(RunFailure, RuntimeError):
    """A digest that cannot be written; the message says why in one line."""


@dataclass(frozen=True)
class DigestResult:
    search: str
    digest_id: int
    studies: int
    markdown_path: Path
    html_path: Path
    changes: int = 0
    summary: str = ""
    kind: str = "regular"
    period_from: str | None = None
    as_of_run: int = 0
    files: dict[str, Path] = field(default_factory=dict)  # json, ris, bib, svg, text, feed
    title: str = ""

    @property
    def empty(self) -> bool:
        return self.studies == 0 and self.changes == 0


def write_digest(
    db: Database,
    search: SavedSearch,
    reports: Path,
    *,
    today: date,
    sample_data: bool = False,
    template_dir: Path | None = None,
    options: DigestOptions | None = None,
) -> DigestResult:
    """Write the digest of what is new for `search` and record it in `digests`."""
    options = options or DigestOptions(sample_data=sample_data, template_dir=template_dir)
    settle_pending(db, reports / search.name)  # a digest a crash left unrecorded
    selection = select(db, search, today=today, since=options.since)
    folder = reports / search.name
    paths = _free_paths(folder, today)
    context = digest_context(
        selection, search, options, today, {k: p.name for k, p in paths.items()}
    )
    context.update(source_context(db, search.name, options.since))  # trials, preprints
    # "Nothing new" after a failed PubMed run is only said when the other sources
    # brought nothing either: a new trial or preprint is news whatever PubMed did.
    context["summary"] = problem_summary(
        context["problem"],
        with_source_summary(context["summary"], context["source_summary"]),
        not selection.rows and not context["changes"] and not source_items(context),
    )
    extra = source_file_paths(context, paths["md"])
    context["source_files"] = {k: p.name for k, p in extra.items()}
    paths.update(extra)
    row = _row(search, selection, paths, _mail_due(search, context, paths, selection, options))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mark_pending(paths, row)
        staged = hidden(paths)  # published once recorded
        write_source_files(context, staged)
        for key, data in render_digest(context, selection, options.template_dir).items():
            _write_atomically(staged[key], data)
        feed = write_feed(db, search, folder / "feed.xml", today=today, problem=_problem(context))
    except OSError as exc:
        raise DigestError(f"cannot write the digest into {folder}: {exc.strerror or exc}") from None
    paths["feed"] = feed
    digest_id = _record(db, row, context)
    publish_pending(paths)
    files = {k: v for k, v in _attached(paths).items() if v.exists()}
    record = selection.record
    return DigestResult(
        search=search.name,
        digest_id=digest_id,
        studies=len(selection.rows),
        markdown_path=paths["md"],
        html_path=paths["html"],
        changes=_changes(context),
        summary=context["summary"],
        kind=record["kind"],
        period_from=record.get("period_from"),
        as_of_run=selection.as_of_run,
        files=files,
        title=search.title,
    )


def _problem(context: dict[str, Any]) -> tuple[str, str] | None:
    if not context["problem"]:
        return None
    return context["problem"], context["problem_time"] or f"{context['date']}T00:00:00Z"


def _row(
    search: SavedSearch, selection: Selection, paths: dict[str, Path], mail_due: str | None
) -> dict[str, Any]:
    """The digests row-to-be, put beside the hidden files before they are written."""
    return {
        "mail_due": mail_due,
        **selection.record,
        "search": search.name,
        "created": store.utc_now(),
        "articles": len(selection.rows),
        "markdown_path": str(paths["md"]),
        "html_path": str(paths["html"]),
        "json_path": str(paths["json"]),
        "as_of_run": selection.as_of_run,
    }


def _mail_due(
    search: SavedSearch,
    context: dict[str, Any],
    paths: dict[str, Path],
    selection: Selection,
    options: DigestOptions,
) -> str | None:
    """What mailing this digest later needs, should its mail fail (digests.mail_due);
    None when the caller does not mail it."""
    if not options.mail:
        return None
    return json.dumps(
        {
            "title": search.title,
            "summary": context["summary"],
            "studies": len(selection.rows),
            "changes": _changes(context),
            "files": {k: str(p) for k, p in _attached(paths).items()},
        },
        ensure_ascii=False,
    )


def _changes(context: dict[str, Any]) -> int:
    """Changed studies, and trials and preprints new or changed: DigestResult.changes."""
    return len(context["changes"]) + source_items(context)


def _attached(paths: dict[str, Path]) -> dict[str, Path]:
    """The digest's files besides the Markdown and HTML: DigestResult.files."""
    return {k: p for k, p in paths.items() if k not in ("md", "html")}


def _record(db: Database, row: dict[str, Any], context: dict[str, Any]) -> int:
    with store.write_transaction(db):
        digest_id = stored.record_digest(db, row)
        record_source_digest(db, digest_id, context)  # the trial and preprint runs it covered
        return digest_id


def _free_paths(folder: Path, today: date) -> dict[str, Path]:
    """DATE.*, or DATE-2.*, DATE-3.*… when a digest was already written that day."""
    stem = today.isoformat()
    n = 1
    while any((folder / f"{stem}{suffix}").exists() for suffix in _SUFFIXES):
        n += 1
        stem = f"{today.isoformat()}-{n}"
    paths = {suffix[1:]: folder / f"{stem}{suffix}" for suffix in _SUFFIXES}
    paths["text"] = folder / f".{stem}.txt"  # the mail's plain-text part
    return paths


def _write_atomically(path: Path, data: str | bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a digest.
    Text is written as is (newline=""): the RIS file keeps its CRLF line ends."""
    if isinstance(data, bytes):
        atomic_files.write_bytes(path, data)
    else:
        with atomic_files.replacing(path, "w", newline="") as fh:
            fh.write(data)
