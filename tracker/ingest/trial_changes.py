"""What changed about a stored trial between two syncs: status, results, enrollment, dates.

The registry serves only the latest version of a record (SOURCES-NOTES "Other pitfall"),
so a change is only seen as the difference from what the tracker stored last time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.models import Trial

STOPPED = frozenset({"TERMINATED", "WITHDRAWN", "SUSPENDED"})
_DATES = ("start_date", "primary_completion_date", "completion_date")


@dataclass(frozen=True)
class TrialChange:
    nct_id: str
    kind: str  # status | results_posted | enrollment | dates
    field: str
    old: str | None
    new: str | None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def detect_trial_changes(old: dict[str, Any], new: Trial) -> list[TrialChange]:
    """`old` is the decoded stored row (tracker.store.trials.trial_rows)."""
    out: list[TrialChange] = []
    nct = new.nct_id
    if old.get("overall_status") != new.overall_status:
        out.append(TrialChange(nct, "status", "overall_status", old.get("overall_status"),
                               new.overall_status))  # fmt: skip
    if not old.get("has_results") and new.has_results:
        out.append(TrialChange(nct, "results_posted", "has_results", "false",
                               new.results_first_posted or "true"))  # fmt: skip
    if (old.get("enrollment"), old.get("enrollment_type")) != (new.enrollment, new.enrollment_type):
        out.append(
            TrialChange(
                nct,
                "enrollment",
                "enrollment",
                _enrollment(old.get("enrollment"), old.get("enrollment_type")),
                _enrollment(new.enrollment, new.enrollment_type),
            )
        )
    for column in _DATES:
        if old.get(column) != getattr(new, column):
            out.append(TrialChange(nct, "dates", column, old.get(column), getattr(new, column)))
    return out


def _enrollment(count: Any, kind: Any) -> str | None:
    if count is None:
        return None
    return f"{count} {str(kind).lower()}" if kind else str(count)
