"""The digest's view of the sources beside PubMed: "Registered trials", "Preprints",
their entries in "What changed", and the sources that failed this week.

A weekly digest reports what the sources noticed after the previous weekly digest was
written (a period digest: since its first day). Trials and preprints have no PubMed run
ids, so the boundary is the previous digest's `created` time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from tracker.ingest.trial_changes import STOPPED
from tracker.store import links, source_runs, trials

STATUS_LABELS = {
    "RECRUITING": "Recruiting",
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "COMPLETED": "Completed",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "WITHDRAWN": "Withdrawn",
    "UNKNOWN": "Unknown status",
    "AVAILABLE": "Available (expanded access)",
    "NO_LONGER_AVAILABLE": "No longer available",
    "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available",
    "APPROVED_FOR_MARKETING": "Approved for marketing",
    "WITHHELD": "Withheld",
}
_MONTHS = tuple(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
# The one change a trial is listed under, strongest first.
_CHANGE_ORDER = ("results_posted", "status_changed", "updated")
PREPRINT_CAUTION = (
    "Preprints have not been peer reviewed: read them as early findings that may change."
)


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", (status or "status not given").replace("_", " "))


def month_year(day: str | None) -> str | None:
    """'2024-03-12' → 'March 2024'; a year alone stays a year."""
    if not day:
        return None
    parts = day.split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def span(db: Database, search: str, since: date | None) -> source_runs.Span:
    """A weekly digest: the source runs after the previous weekly digest's, through the
    latest. A period digest: everything first seen or detected on or after `since`."""
    through = source_runs.latest_source_run(db, search)
    if since is not None:
        return source_runs.Span(0, through, since.isoformat())
    return source_runs.Span(source_runs.previous_source_through(db, search), through)


def trial_badges(row: dict[str, Any]) -> list[dict[str, str]]:
    status = row.get("overall_status")
    badges = [{"id": (status or "unknown").lower(), "label": status_label(status)}]
    if status == "UNKNOWN" and row.get("last_known_status"):
        badges[0]["label"] += f" (last known: {status_label(row['last_known_status'])})"
    if status in STOPPED and row.get("why_stopped"):
        badges[0]["label"] += f": {row['why_stopped']}"
    if row.get("has_results"):
        badges.append({"id": "results", "label": "Results posted"})
    return badges


def trial_view(row: dict[str, Any], change: str, details: list[str], papers: list[Any]) -> dict:
    phases = [p.replace("PHASE", "Phase ").replace("EARLY_Phase ", "Early phase ")
              for p in row.get("phases") or [] if p != "NA"]  # fmt: skip
    enrollment = row.get("enrollment")
    return {
        "nct_id": row["nct_id"],
        "title": row.get("brief_title"),
        "url": row.get("url"),
        "status": row.get("overall_status"),
        "status_label": status_label(row.get("overall_status")),
        "why_stopped": row.get("why_stopped"),
        "change": change,
        "change_details": details,
        "badges": trial_badges(row),
        "phases": "/".join(phases) or None,
        "study_type": (row.get("study_type") or "").capitalize() or None,
        "enrollment": enrollment,
        "enrollment_type": (row.get("enrollment_type") or "").lower() or None,
        "sponsor": row.get("lead_sponsor"),
        "start_date": row.get("start_date"),
        "completion_date": row.get("completion_date"),
        "last_update_posted": row.get("last_update_posted"),
        "has_results": bool(row.get("has_results")),
        "conditions": row.get("conditions") or [],
        "interventions": [i["name"] for i in row.get("interventions") or []],
        "publications": papers,
    }


def _describe(change: dict[str, Any]) -> str:
    kind, old, new = change["kind"], change["old"], change["new"]
    if kind == "status":
        return f"status {status_label(old)} → {status_label(new)}"
    if kind == "results_posted":
        return f"results posted ({new})" if new and new != "true" else "results posted"
    field = str(change["field"]).replace("_", " ")
    return f"{field} {old or 'not given'} → {new or 'not given'}"


def trials_section(db: Database, search: str, since: source_runs.Span) -> list[dict[str, Any]]:
    """New trials first, then changed ones, each listed once with its strongest change."""
    new_rows = trials.new_trial_rows(db, search, since)
    new_ids = {r["nct_id"] for r in new_rows}
    by_trial: dict[str, list[dict[str, Any]]] = {}
    for item in trials.trial_change_rows(db, search, since):
        by_trial.setdefault(item["nct_id"], []).append(item)
    changed_ids = [n for n in by_trial if n not in new_ids]
    rows = {**{r["nct_id"]: r for r in new_rows}, **trials.trial_rows(db, changed_ids)}
    papers = links.publications_of_trials(db, list(rows))
    out = []
    for row in new_rows:
        out.append(trial_view(row, "new", [], papers[row["nct_id"]]))
    for nct in changed_ids:
        kinds = {c["kind"] for c in by_trial[nct]}
        change: str = ("results_posted" if "results_posted" in kinds
                  else "status_changed" if "status" in kinds else "updated")  # fmt: skip
        out.append(trial_view(rows[nct], change, [_describe(c) for c in by_trial[nct]],
                              papers[nct]))  # fmt: skip
    order = {"new": 0, **{c: i + 1 for i, c in enumerate(_CHANGE_ORDER)}}
    return sorted(out, key=lambda t: order[t["change"]])
