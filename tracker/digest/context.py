"""Step 2 of a digest: the values its templates show, from a Selection.

Pure: no database, no files. The one dictionary built here feeds the Markdown, HTML
and plain-text templates and (with every new study, not only the listed ones) the
JSON file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tracker.classify import TIER_LABELS, search_concepts
from tracker.digest.chart import chart_svg
from tracker.digest.period import period_line, problem_line
from tracker.digest.select import Selection
from tracker.digest.sources_context import source_json
from tracker.digest.view import (
    is_evidence,
    listing_order,
    noteworthy,
    role_sections,
    study_view,
    summary,
)
from tracker.models import SavedSearch

DEFAULT_LIMIT = 100
MAX_LIMIT = 200  # My NCBI's own e-mail digests stop at 200 items


@dataclass(frozen=True)
class DigestOptions:
    limit: int = DEFAULT_LIMIT  # studies listed in full; the rest are counted by tier
    since: date | None = None  # a period digest: studies first found on or after this day
    template_dir: Path | None = None  # the user's templates, overriding the bundled ones
    sample_data: bool = False
    mail: bool = False  # the caller mails it: recorded as due until sent (digests.mail_due)


def clamp_limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def digest_context(
    selection: Selection,
    search: SavedSearch,
    options: DigestOptions,
    today: date,
    names: dict[str, str],
) -> dict[str, Any]:
    """Everything the templates (and the JSON file) need; `names` are the file names."""
    rows = selection.rows
    concepts = search_concepts(search.term)
    ordered = listing_order(rows)
    limit = clamp_limit(options.limit)
    listed, rest = ordered[:limit], ordered[limit:]
    studies = [study_view(r, selection.authors[r["pmid"]], concepts) for r in listed]
    new_counts = Counter(r.get("evidence_tier") or "other" for r in rows if is_evidence(r))
    roles = Counter(r["drug_role"] for r in rows if r.get("drug_role"))
    rest_counts = Counter(r.get("evidence_tier") or "other" for r in rest)
    changes = noteworthy(selection.change_rows)
    previous = selection.previous
    held, years, held_roles = selection.held, selection.years, selection.held_roles
    problem = problem_line(selection, search.name)
    text = summary(
        dict(new_counts),
        changes,
        previous if not options.since else None,
        dict(roles) if roles or held_roles else None,
    )
    return {
        "title": search.title,
        "search": search.name,
        "term": search.term,
        "date": today.isoformat(),
        "previous": previous,
        "since": options.since.isoformat() if options.since else None,
        "summary": text,  # PubMed's; write.py adds the other sources', then the problem
        "period": period_line(selection, options.since),
        "problem": problem,
        "problem_time": (selection.latest_run or {}).get("finished"),
        "total_new": len(rows),
        "studies": studies,
        **role_sections(studies),
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
        "held_roles": held_roles,
        "years": years,
        "chart_svg": chart_svg(years),
        "chart_image": names["svg"] if years else None,
        "files": {k: names[k] for k in ("json", "ris", "bib")} if rows else {},
        "sample_data": options.sample_data,
    }


def json_document(context: dict[str, Any], selection: Selection) -> str:
    """For automation: every new study (not only the listed ones), with its view fields."""
    concepts = search_concepts(context["term"])
    authors = selection.authors
    doc = {
        "search": context["search"],
        "title": context["title"],
        "date": context["date"],
        "since": context["since"],
        "previous": context["previous"],
        "summary": context["summary"],
        "period": context["period"],
        "problem": context["problem"],
        "studies": [
            study_view(r, authors[r["pmid"]], concepts) for r in listing_order(selection.rows)
        ],
        "changes": context["changes"],
        "held_by_tier": {h["tier"]: h["count"] for h in context["held"]},
        "held_by_drug_role": context["held_roles"],
        "studies_per_year": {str(y): n for y, n in sorted(context["years"].items())},
        **source_json(context),  # trials, preprints, source_changes, failed_sources
    }
    # Compact: json.dumps with an indent runs the pure-Python encoder, ~6x slower for
    # a first digest of 10,000 studies (0.6 s); readers use the HTML and Markdown.
    return json.dumps(doc, ensure_ascii=False) + "\n"
