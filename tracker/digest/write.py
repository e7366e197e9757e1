"""Choosing what a digest reports, and writing it into reports/NAME/.

A weekly digest covers the studies a saved search first found in the runs after the one
the previous digest went up to, through the latest good run. Recording `through_run`
in `digests` is what makes "never report one twice" hold across crashes and re-runs.
A period digest (`tracker digest NAME --since DATE`) re-renders the studies first found
since DATE; it is recorded but leaves the weekly chain alone.

Files, all named after the day (DATE, or DATE-2… when that day already has one):
DATE.md (YAML front matter, for Jekyll or Hugo), DATE.html (standalone, mail-friendly,
chart as inline SVG), DATE.png (the chart, beside the Markdown), DATE.json (for
automation: every new study, not only the ones listed), DATE.ris and DATE.bib ("Cite
these": every new study), and feed.xml (the saved search's Atom feed).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker import store
from tracker.classify import TIER_LABELS, search_concepts
from tracker.digest.chart import chart_png, chart_svg
from tracker.digest.export import write_export
from tracker.digest.feed import write_feed
from tracker.digest.pending import hidden, mark_pending, publish_pending, settle_pending
from tracker.digest.render import environment
from tracker.digest.view import (
    group_by_tier,
    noteworthy,
    strongest_first,
    study_view,
    summary,
)
from tracker.models import SavedSearch
from tracker.store import digests as stored

DEFAULT_LIMIT = 100
MAX_LIMIT = 200  # My NCBI's own e-mail digests stop at 200 items
_SUFFIXES = (".md", ".html", ".json", ".ris", ".bib", ".png")


class DigestError(RuntimeError):
    """A digest that cannot be written; the message says why in one line."""


@dataclass(frozen=True)
class DigestOptions:
    limit: int = DEFAULT_LIMIT  # studies listed in full; the rest are counted by tier
    since: date | None = None  # a period digest: studies first found on or after this day
    template_dir: Path | None = None  # the user's templates, overriding the bundled ones
    sample_data: bool = False


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
    files: dict[str, Path] = field(default_factory=dict)  # json, ris, bib, png, text, feed
    title: str = ""

    @property
    def empty(self) -> bool:
        return self.studies == 0 and self.changes == 0


def clamp_limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


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
    as_of = store.last_good_run_id(db, search.name)
    if options.since is None:
        after = store.last_digest_through(db, search.name)
        through = max(as_of, after)
        rows = [
            store.decode_article_row(r)
            for r in store.new_article_rows(db, search.name, after, through)
        ]
        changes = stored.changes_for(db, search.name, after_run=after, through_run=through)
        record = {
            "kind": "regular",
            "after_run": after,
            "through_run": through,
            "period_to": today.isoformat(),
        }
    else:
        since = options.since.isoformat()
        rows = stored.rows_first_seen_between(db, search.name, since)
        changes = stored.changes_for(db, search.name, since=since)
        record = {"kind": "period", "period_from": since, "period_to": today.isoformat()}
    folder = reports / search.name
    paths = _free_paths(folder, today)
    context = _context(db, search, rows, changes, options, today, paths)
    row = {
        **record,
        "search": search.name,
        "created": store.utc_now(),
        "articles": len(rows),
        "markdown_path": str(paths["md"]),
        "html_path": str(paths["html"]),
        "json_path": str(paths["json"]),
        "as_of_run": as_of,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mark_pending(paths, row)
        _write_files(db, context, rows, options, hidden(paths))  # published once recorded
        feed = write_feed(db, search, folder / "feed.xml", today=today)
    except OSError as exc:
        raise DigestError(f"cannot write the digest into {folder}: {exc.strerror or exc}") from None
    paths["feed"] = feed
    with store.write_transaction(db):
        digest_id = stored.record_digest(db, row)
    publish_pending(paths)
    files = {k: v for k, v in paths.items() if k not in ("md", "html") and v.exists()}
    return DigestResult(
        search=search.name,
        digest_id=digest_id,
        studies=len(rows),
        markdown_path=paths["md"],
        html_path=paths["html"],
        changes=len(context["changes"]),
        summary=context["summary"],
        kind=record["kind"],
        period_from=record.get("period_from"),
        as_of_run=as_of,
        files=files,
        title=search.title,
    )


def _context(
    db: Database,
    search: SavedSearch,
    rows: list[dict[str, Any]],
    change_rows: list[dict[str, Any]],
    options: DigestOptions,
    today: date,
    paths: dict[str, Path],
) -> dict[str, Any]:
    """Everything the templates (and the JSON file) need."""
    concepts = search_concepts(search.term)
    ordered = strongest_first(rows)
    limit = clamp_limit(options.limit)
    listed, rest = ordered[:limit], ordered[limit:]
    authors = store.authors_by_pmid(db, [r["pmid"] for r in listed])
    studies = [study_view(r, authors[r["pmid"]], concepts) for r in listed]
    new_counts = Counter(r.get("evidence_tier") or "other" for r in rows)
    rest_counts = Counter(r.get("evidence_tier") or "other" for r in rest)
    changes = noteworthy(change_rows)
    previous = stored.previous_digest_date(db, search.name)
    held = stored.tier_counts(db, search.name)
    years = stored.year_counts(db, search.name)
    return {
        "title": search.title,
        "search": search.name,
        "term": search.term,
        "date": today.isoformat(),
        "previous": previous,
        "since": options.since.isoformat() if options.since else None,
        "summary": summary(dict(new_counts), changes, previous if not options.since else None),
        "total_new": len(rows),
        "studies": studies,
        "groups": group_by_tier(studies),
        "limit": limit,
        "rest": len(rest),
        "rest_by_tier": [
            {"tier": t, "label": label, "count": rest_counts[t]}
            for t, label in TIER_LABELS.items()
            if rest_counts.get(t)
        ],
        "changes": changes,
        "held": [
            {"tier": t, "label": label, "count": held.get(t, 0)} for t, label in TIER_LABELS.items()
        ],
        "held_total": sum(held.values()),
        "years": years,
        "chart_svg": chart_svg(years),
        "chart_png": paths["png"].name if years else None,
        "files": {k: paths[k].name for k in ("json", "ris", "bib")} if rows else {},
        "sample_data": options.sample_data,
    }


def _write_files(
    db: Database,
    context: dict[str, Any],
    rows: list[dict[str, Any]],
    options: DigestOptions,
    paths: dict[str, Path],
) -> None:
    env = environment(options.template_dir)
    md_context = {**context, "chart_svg": None}
    _write_atomically(paths["md"], env.get_template("digest.md.j2").render(md_context))
    _write_atomically(paths["html"], env.get_template("digest.html.j2").render(context))
    _write_atomically(paths["text"], env.get_template("digest.txt.j2").render(md_context))
    if context["years"]:
        chart_png(context["years"], paths["png"])
    all_authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    if rows:
        for fmt, key in (("ris", "ris"), ("bibtex", "bib")):
            tmp = paths[key].with_name(f".{paths[key].name}.tmp")
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                write_export(strongest_first(rows), all_authors, fmt, fh)
            os.replace(tmp, paths[key])
    _write_atomically(paths["json"], _json_document(context, rows, all_authors))


def _json_document(
    context: dict[str, Any], rows: list[dict[str, Any]], authors: dict[int, list[dict[str, Any]]]
) -> str:
    """For automation: every new study (not only the listed ones), with its view fields."""
    concepts = search_concepts(context["term"])
    doc = {
        "search": context["search"],
        "title": context["title"],
        "date": context["date"],
        "since": context["since"],
        "previous": context["previous"],
        "summary": context["summary"],
        "studies": [study_view(r, authors[r["pmid"]], concepts) for r in strongest_first(rows)],
        "changes": context["changes"],
        "held_by_tier": {h["tier"]: h["count"] for h in context["held"]},
        "studies_per_year": {str(y): n for y, n in sorted(context["years"].items())},
    }
    # Compact: json.dumps with an indent runs the pure-Python encoder, ~6x slower for
    # a first digest of 10,000 studies (0.6 s); readers use the HTML and Markdown.
    return json.dumps(doc, ensure_ascii=False) + "\n"


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


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a digest."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
