"""Everything the digest templates and JSON need from ClinicalTrials.gov and Europe PMC.

write.py merges source_context() into its context; the templates include
sources.*.j2, source_changes.*.j2 and source_notice.*.j2.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from tracker import store
from tracker.digest.render import PUBMED_URL
from tracker.digest.sources_view import (
    PREPRINT_CAUTION,
    month_year,
    span,
    status_label,
    trials_section,
)
from tracker.store import preprints, source_runs
from tracker.store.source_runs import Span

EUROPEPMC_URL = "https://europepmc.org/article/PPR/{id}"


def _journal_of(row: dict[str, Any]) -> str | None:
    """The journal of the linked version: from the stored PubMed record, else the
    first part of Europe PMC's free-text citation ("Sleep Med. 2024;115:1-8")."""
    if row.get("published_journal"):
        return str(row["published_journal"])
    reference = " ".join((row.get("link_reference") or "").split())
    return reference.split(". ")[0].rstrip(".") or None if reference else None


def preprint_view(row: dict[str, Any], change: str) -> dict[str, Any]:
    pmid = row.get("published_pmid")
    server = row.get("server") or "preprint server not given"
    when = month_year(row.get("first_publication_date"))
    journal = _journal_of(row) if pmid else None
    line = f"preprint ({server}{', ' + when if when else ''})"
    if pmid:
        line += f" → published in {journal or 'a journal'} (PMID {pmid})"
    authors = row.get("authors") or []
    return {
        "id": row["id"],
        "doi": row.get("doi"),
        "doi_url": f"https://doi.org/{row['doi']}" if row.get("doi") else None,
        "url": EUROPEPMC_URL.format(id=row["id"]),
        "title": row.get("title"),
        "authors": ", ".join(authors[:3]) + (", et al." if len(authors) > 3 else ""),
        "author_list": list(authors),
        "server": server,
        "date": row.get("first_publication_date"),
        "month": when,
        "version": row.get("version"),
        "published_pmid": pmid,
        "published_journal": journal,
        "published_url": PUBMED_URL.format(pmid=pmid) if pmid else None,
        "link_confidence": row.get("link_confidence") if pmid else None,
        "link_note": row.get("link_note") if pmid else None,
        "study_line": line,
        "change": change,
    }


def preprints_section(db: Database, search: str, since: Span) -> list[dict[str, Any]]:
    new_rows = preprints.new_preprint_rows(db, search, since)
    new_ids = {r["id"] for r in new_rows}
    changes = preprints.preprint_change_rows(db, search, since)
    changed = [c["preprint_id"] for c in changes if c["preprint_id"] not in new_ids]
    out = [preprint_view(r, "new") for r in new_rows]
    if changed:
        rows = {r["id"]: r for r in preprints.new_preprint_rows(db, search, Span(0, since.through))}
        kinds: dict[str, set[str]] = {}
        for c in changes:
            kinds.setdefault(c["preprint_id"], set()).add(c["kind"])
        for pid in dict.fromkeys(changed):
            kind = "published" if "published" in kinds[pid] else "version"
            out.append(preprint_view(rows[pid], kind))
    return out


def source_changes(
    trial_views: list[dict[str, Any]], preprint_views: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What changed: a trial's results posted, a trial stopped or withdrawn, a
    preprint published in a journal."""
    out: list[dict[str, Any]] = []
    for t in trial_views:
        if t["change"] == "results_posted":
            out.append(_change("trial_results", "Trial results posted", t, "Results are now "
                               "posted on ClinicalTrials.gov"))  # fmt: skip
        if t["change"] in ("status_changed", "results_posted") and t["status"] in (
            "TERMINATED",
            "WITHDRAWN",
            "SUSPENDED",
        ):
            reason = f": {t['why_stopped']}" if t.get("why_stopped") else ""
            label = f"Trial {status_label(t['status']).lower()}"
            out.append(_change("trial_stopped", label, t, f"{label}{reason}"))
    for p in preprint_views:
        if p["change"] == "published":
            detail = f"The {p['study_line']}"
            if p["link_confidence"] == "title-author match":
                detail += "; Europe PMC matched the two by title and first author"
            out.append({"kind": "preprint_published", "label": "Preprint published",
                        "title": p["title"], "url": p["published_url"] or p["url"],
                        "detail": detail, "source": "europepmc", "id": p["id"]})  # fmt: skip
    return out


def _change(kind: str, label: str, trial: dict[str, Any], detail: str) -> dict[str, Any]:
    return {"kind": kind, "label": label, "title": trial["title"], "url": trial["url"],
            "detail": detail, "source": "ctgov", "id": trial["nct_id"]}  # fmt: skip


def failed_sources(db: Database, search: str, since: Span) -> list[dict[str, Any]]:
    out = []
    pubmed = source_runs.pubmed_failed_after(db, search, store.last_digest_through(db, search))
    if pubmed:
        out.append({"source": "pubmed", "label": "PubMed", "error": pubmed})
    out += [
        {k: f[k] for k in ("source", "label", "error")}
        for f in source_runs.failed_sources_after(db, search, since.after)
    ]
    return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def source_summary(trial_views: list[dict[str, Any]], preprint_views: list[dict[str, Any]]) -> str:
    parts = []
    new_trials = sum(1 for t in trial_views if t["change"] == "new")
    if new_trials:
        parts.append(_count(new_trials, "new registered trial", "new registered trials"))
    changed = len(trial_views) - new_trials
    if changed:
        parts.append(_count(changed, "trial updated", "trials updated"))
    new_pre = sum(1 for p in preprint_views if p["change"] == "new")
    if new_pre:
        parts.append(_count(new_pre, "new preprint", "new preprints"))
    published = sum(1 for p in preprint_views if p["change"] == "published")
    if published:
        parts.append(_count(published, "preprint published", "preprints published"))
    return "; ".join(parts)


def with_source_summary(summary: str, source_summary: str) -> str:
    """The PubMed summary sentence, then what the other sources brought."""
    if not source_summary:
        return summary
    return f"{summary.rstrip('.')}. Beside PubMed: {source_summary}."


def source_json(context: dict[str, Any]) -> dict[str, Any]:
    """The digest JSON's top-level keys for the other sources."""
    return {
        "trials": context["trials"],
        "preprints": [{k: v for k, v in p.items() if k != "authors"} for p in context["preprints"]],
        "source_changes": context["source_changes"],
        "failed_sources": context["failed_sources"],
    }


def source_items(context: dict[str, Any]) -> int:
    """Trials, preprints and changes listed: a digest with any of them is not empty."""
    return len(context["trials"]) + len(context["preprints"]) + len(context["source_changes"])


def source_context(db: Database, search: str, since: date | None) -> dict[str, Any]:
    start = span(db, search, since)
    trial_views = trials_section(db, search, start)
    preprint_views = preprints_section(db, search, start)
    return {
        "trials": trial_views,
        "preprints": preprint_views,
        "preprint_caution": PREPRINT_CAUTION,
        "source_changes": source_changes(trial_views, preprint_views),
        "failed_sources": failed_sources(db, search, start),
        "source_summary": source_summary(trial_views, preprint_views),
        "source_files": {},
        "source_through": start.through,
    }


def record_source_digest(db: Database, digest_id: int, context: dict[str, Any]) -> None:
    """Which source runs this digest covered (inside the digest's write transaction)."""
    source_runs.record_source_digest(db, digest_id, context["search"], context["source_through"])
