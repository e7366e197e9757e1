"""The Atom feed of one saved search: reports/NAME/feed.xml (RFC 4287).

One entry per study the search found (newest 50), and one per noteworthy change
(retraction, expression of concern, erratum, update, tier correction). A retracted
study's own entry says so in its title and is re-dated to the retraction, so feed
readers show it again.

Built with ElementTree, never from a text template: every title and abstract is
character data, and characters XML 1.0 forbids (control characters that do turn up in
PubMed text) are dropped, so a hostile or broken title cannot break the feed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405  (we only write XML here, never parse it)
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker import atomic_files
from tracker.classify import tier_label
from tracker.classify.role import role_label
from tracker.digest.feed_sources import source_entries
from tracker.digest.render import PUBMED_URL, short_authors
from tracker.digest.view import NOTEWORTHY_CHANGES, cautions, stored_conclusion
from tracker.models import SavedSearch
from tracker.store import authors_by_pmid
from tracker.store import digests as stored

ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ID_BASE = "tag:offlabel-tracker,2024:"


def clean(text: object) -> str:
    return _NOT_XML.sub("", str(text or ""))


def _stamp(value: str | None, fallback: str) -> str:
    """An RFC 3339 timestamp from our ISO text ('2024-03-15' or '…T08:00:00Z')."""
    value = value or fallback
    return value if "T" in value else f"{value}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = clean(text)
    return el


def build_feed(
    db: Database,
    search: SavedSearch,
    *,
    today: date,
    limit: int = 50,
    problem: tuple[str, str] | None = None,
) -> bytes:
    """`problem`: (text, RFC 3339 time) when the search's latest run failed or it never
    had a good one; it becomes the feed's newest entry, so a reader sees it first."""
    fallback = f"{today.isoformat()}T00:00:00Z"
    rows = stored.feed_rows(db, search.name, limit)
    changes = stored.feed_changes(db, search.name, limit)
    changes = [c for c in changes if c["kind"] in NOTEWORTHY_CHANGES]
    retracted_on = {c["pmid"]: c["detected"] for c in changes if c["kind"] == "retracted"}
    authors = authors_by_pmid(db, [r["pmid"] for r in rows])
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", f"{search.title}: new studies in PubMed")
    _sub(feed, "id", f"{ID_BASE}{search.name}")
    _sub(feed, "link", rel="self", href="feed.xml")
    _sub(feed, "generator", "offlabel-tracker")
    entries = [_study_entry(r, authors[r["pmid"]], retracted_on, fallback) for r in rows]
    entries += [_change_entry(search.name, c, fallback) for c in changes]
    entries += source_entries(db, search.name, limit, fallback, _sub, _stamp)  # trials, preprints
    if problem is not None:
        entries.append(_problem_entry(search.name, problem[0], _stamp(problem[1], fallback)))
    entries.sort(key=lambda e: e[0], reverse=True)
    _sub(feed, "updated", entries[0][0] if entries else fallback)
    author = _sub(feed, "author")
    _sub(author, "name", "offlabel-tracker")
    for _, entry in entries:
        feed.append(entry)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _study_entry(
    row: dict[str, Any], authors: list[dict[str, Any]], retracted_on: dict[int, str], fallback: str
) -> tuple[str, ET.Element]:
    updated = _stamp(retracted_on.get(row["pmid"]) or row.get("search_first_seen"), fallback)
    entry = ET.Element(f"{{{ATOM}}}entry")
    prefix = "[Retracted] " if row.get("retracted") else ""
    if row.get("drug_role") == "harm":
        prefix += "[Safety signal] "
    _sub(entry, "title", prefix + row["title"])
    _sub(entry, "id", f"{ID_BASE}pubmed/{row['pmid']}")
    _sub(entry, "link", rel="alternate", type="text/html", href=PUBMED_URL.format(pmid=row["pmid"]))
    _sub(entry, "published", _stamp(row.get("search_first_seen"), fallback))
    _sub(entry, "updated", updated)
    for a in authors[:3] or [{"collective_name": "No authors listed"}]:
        _sub(_sub(entry, "author"), "name", short_authors([a]))
    tier = tier_label(row.get("evidence_tier"))
    _sub(entry, "category", term=clean(row.get("evidence_tier") or "other"), label=clean(tier))
    badges = ", ".join(c["label"] for c in cautions(row))
    journal = row.get("journal_abbrev") or row.get("journal") or ""
    date_text = row.get("pub_date_text") or row.get("pub_date") or ""
    lines = [f"{tier}{' (' + badges + ')' if badges else ''}. {journal} {date_text}.".strip()]
    if row.get("participants"):
        lines.append(f"Participants: {row['participants']}.")
    if row.get("drug_role"):
        _sub(entry, "category", term=f"drug_role:{row['drug_role']}",
             label=clean(role_label(row["drug_role"])))  # fmt: skip
        lines.append(f"Drug role: {role_label(row['drug_role'])} ({row['drug_role_reason']}).")
    excerpt = stored_conclusion(row)
    if excerpt:
        lines.append(excerpt)
    _sub(entry, "summary", "\n\n".join(lines), type="text")
    return updated, entry


def _problem_entry(search: str, text: str, updated: str) -> tuple[str, ET.Element]:
    entry = ET.Element(f"{{{ATOM}}}entry")
    _sub(entry, "title", f"Warning: the saved search {search} is not working")
    _sub(entry, "id", f"{ID_BASE}{search}/problem/{updated}")
    _sub(entry, "updated", updated)
    _sub(entry, "summary", text, type="text")
    return updated, entry


def _change_entry(search: str, change: dict[str, Any], fallback: str) -> tuple[str, ET.Element]:
    updated = _stamp(change.get("detected"), fallback)
    entry = ET.Element(f"{{{ATOM}}}entry")
    _sub(entry, "title", f"{NOTEWORTHY_CHANGES[change['kind']]}: {change['title']}")
    _sub(entry, "id", f"{ID_BASE}{search}/change/{change['id']}")
    url = PUBMED_URL.format(pmid=change["pmid"])
    _sub(entry, "link", rel="alternate", type="text/html", href=url)
    _sub(entry, "updated", updated)
    _sub(entry, "category", term=clean(change["kind"]), label=NOTEWORTHY_CHANGES[change["kind"]])
    _sub(entry, "summary", f"{NOTEWORTHY_CHANGES[change['kind']]}: {change['detail']}", type="text")
    return updated, entry


def write_feed(
    db: Database,
    search: SavedSearch,
    path: Path,
    *,
    today: date,
    problem: tuple[str, str] | None = None,
) -> Path:
    data = build_feed(db, search, today=today, problem=problem)
    atomic_files.write_bytes(path, data)
    return path
