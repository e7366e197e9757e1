"""The line a digest opens with: the period it covers, and whether the search worked.

Pure: from a Selection. A digest after a failed run, or before any good run, must not
read like a quiet week ("No new studies"), so it says what went wrong instead.
"""

from __future__ import annotations

from datetime import date

from tracker.digest.select import Selection


def stamp(value: str | None) -> str:
    """'2026-11-24T06:00:00Z' → '2026-11-24 06:00 UTC'."""
    if not value:
        return "an unknown time"
    day, _, clock = value.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day


def period_line(selection: Selection, since: date | None) -> str:
    if since is not None:
        return f"Studies first found since {since.isoformat()}."
    if selection.as_of_run == 0:
        return "No period: the search has not had a good run yet."
    end = f", through the run of {stamp(selection.period_end)}"
    if selection.period_start:
        return f"New since {stamp(selection.period_start)}{end}."
    return f"Everything the search has found{end} (its first digest)."


def problem_line(selection: Selection, name: str) -> str | None:
    """None when the latest run of the search was good."""
    last = selection.latest_run
    if last is None:
        return f"This search has never run: nothing was looked for. Run `tracker run {name}`."
    error = f": {last['error']}" if last.get("error") else ""
    if selection.as_of_run == 0:
        return (
            f"This search has never had a good run; the latest one "
            f"({stamp(last['finished'])}) failed{error}. Nothing new can be shown until a "
            "run succeeds."
        )
    if last["status"] != "ok":
        return (
            f"The latest run of this search failed ({stamp(last['finished'])}){error}. "
            f"Studies found after the last good run ({stamp(selection.period_end)}) are "
            "missing from this digest."
        )
    return None


def problem_summary(problem: str | None, summary: str, nothing_new: bool) -> str:
    """The summary, unless a quiet "No new studies" would hide a search that failed."""
    if problem is None or not nothing_new:
        return summary
    return "Nothing new to report because the search did not run successfully (see above)."
