"""Atom entries for the registered trials and preprints of a saved search, beside its
PubMed studies in the same feed (tracker/digest/feed.py): a feed reader sees a trial
registered or a preprint posted as it sees a new paper."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from tracker.digest.sources_context import EUROPEPMC_URL
from tracker.digest.sources_view import PREPRINT_CAUTION, month_year, status_label
from tracker.store import preprints as stored_preprints
from tracker.store import trials as stored_trials

ATOM = "http://www.w3.org/2005/Atom"
Sub = Callable[..., ET.Element]


def source_entries(
    db: Database, search: str, limit: int, fallback: str, sub: Sub, stamp: Callable
) -> list[tuple[str, ET.Element]]:
    """(updated, entry) for the newest trials and preprints the search holds; empty when
    it has none (a search that is not a drug × condition pair)."""
    if "search_trials" not in db.table_names():
        return []
    entries = [
        _trial(t, fallback, sub, stamp) for t in stored_trials.feed_trials(db, search, limit)
    ]
    entries += [
        _preprint(p, fallback, sub, stamp)
        for p in stored_preprints.feed_preprints(db, search, limit)
    ]
    return entries


def _trial(row: dict[str, Any], fallback: str, sub: Sub, stamp: Callable) -> tuple[str, ET.Element]:
    updated = stamp(row.get("updated") or row.get("search_first_seen"), fallback)
    status = status_label(row.get("overall_status"))
    entry = ET.Element(f"{{{ATOM}}}entry")
    sub(entry, "title", f"[Registered trial · {status}] {row['brief_title']}")
    sub(entry, "id", f"https://clinicaltrials.gov/study/{row['nct_id']}")
    sub(entry, "link", rel="alternate", type="text/html", href=row.get("url") or "")
    sub(entry, "published", stamp(row.get("search_first_seen"), fallback))
    sub(entry, "updated", updated)
    sub(entry, "category", term="registered_trial", label="Registered trial")
    lines = [f"{row['nct_id']}: {status}."]
    if row.get("why_stopped"):
        lines.append(f"Why stopped: {row['why_stopped']}.")
    if row.get("enrollment"):
        kind = (row.get("enrollment_type") or "").lower()
        lines.append(f"Enrollment: {row['enrollment']}{' (' + kind + ')' if kind else ''}.")
    if row.get("has_results"):
        lines.append("Results posted on ClinicalTrials.gov.")
    sub(entry, "summary", " ".join(lines), type="text")
    return updated, entry


def _preprint(
    row: dict[str, Any], fallback: str, sub: Sub, stamp: Callable
) -> tuple[str, ET.Element]:
    updated = stamp(row.get("updated") or row.get("search_first_seen"), fallback)
    server = row.get("server") or "preprint server"
    when = month_year(row.get("first_publication_date"))
    entry = ET.Element(f"{{{ATOM}}}entry")
    sub(entry, "title", f"[Preprint · {server}] {row['title']}")
    sub(entry, "id", EUROPEPMC_URL.format(id=row["id"]))
    sub(entry, "link", rel="alternate", type="text/html", href=EUROPEPMC_URL.format(id=row["id"]))
    sub(entry, "published", stamp(row.get("search_first_seen"), fallback))
    sub(entry, "updated", updated)
    sub(entry, "category", term="preprint", label="Preprint (not peer reviewed)")
    lines = [f"Preprint ({server}{', ' + when if when else ''}). {PREPRINT_CAUTION}"]
    if row.get("published_pmid"):
        lines.append(f"Published since: PubMed {row['published_pmid']}.")
    sub(entry, "summary", " ".join(lines), type="text")
    return updated, entry
