"""Stored answers follow the rules: recompute what other rules (or an older version of
the record) made, and say so where a digest already showed the old answer.

Run inside every `tracker run`, after the new records are stored (tracker.ingest.sync),
and by `tracker digest` before it selects anything (run_id None), so a digest made right
after an upgrade never shows the answers of the old rules:
* tiers, participant counts and conclusions whose `rules_version` is not
  tracker.classify's RULES_VERSION (or NULL: stored before versions were recorded) are
  recomputed;
* drug roles are recomputed when their version differs, when they were never decided
  (a new membership), or when PubMed revised the record since (MeSH qualifiers arrived).

A changed answer for a study an earlier digest of the search listed becomes an
`article_changes` row (tier_corrected, participants_corrected, conclusion_corrected,
role_corrected), so the next digest's "What changed" says so, as tier corrections from
indexing do.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from tracker import store
from tracker.classify import Classification, classify_row, tier_label
from tracker.classify.role import role_label
from tracker.classify.version import RULES_VERSION
from tracker.ingest.changes import Change
from tracker.store import roles


def follow_rules(db: Database, run_id: int | None, now: str) -> list[Change]:
    """Recompute stale answers, record the changes readers must hear of; returns them.
    `run_id` is the run that noticed them; None outside a run (`tracker digest`)."""
    reported = roles.reported_members(db)
    changes = _retier(db, {pmid for _, pmid in reported}) + _reassign(db, reported, now)
    store.insert_changes(db, run_id, now, changes)
    return changes


def _retier(db: Database, reported: set[int]) -> list[Change]:
    changes, updates = [], []
    for row in roles.stale_tiers(db, RULES_VERSION):
        c = classify_row(row)
        updates.append(
            (c.tier, int(c.provisional), c.participants, c.conclusion, RULES_VERSION, row["pmid"])
        )
        if row["pmid"] in reported and row["evidence_tier"] is not None:
            changes += _corrections(row, c)
    roles.set_tiers(db, updates)
    return changes


def _corrections(row: dict[str, Any], c: Classification) -> list[Change]:
    """What the new rules answer differently for a study a digest already showed."""
    note = f" (classification rules {RULES_VERSION})"
    pmid, out = row["pmid"], []
    if c.tier != row["evidence_tier"]:
        was = tier_label(row["evidence_tier"])
        out.append(Change(pmid, "tier_corrected", f"{was} → {tier_label(c.tier)}{note}"))
    if c.participants != row["participants"]:
        detail = f"{_count(row['participants'])} → {_count(c.participants)}{note}"
        out.append(Change(pmid, "participants_corrected", detail))
    # NULL is "none found" (m008 computed every stored row's): finding one is news too.
    if c.conclusion != row["conclusion"]:
        detail = f"{_quote(row['conclusion'])} → {_quote(c.conclusion)}{note}"
        out.append(Change(pmid, "conclusion_corrected", detail))
    return out


def _reassign(db: Database, reported: set[tuple[str, int]], now: str) -> list[Change]:
    changes, updates = [], []
    for row in roles.stale_roles(db, RULES_VERSION):
        role, reason, source, certain = roles.role_values(row["term"], row)
        key = (row["search"], row["pmid"])
        updates.append((role, reason, source, certain, *key))
        if key in reported and row["drug_role"] and role != row["drug_role"]:
            detail = f"{role_label(row['drug_role'])} → {role_label(role)} ({reason})"
            changes.append(Change(row["pmid"], "role_corrected", detail, search=row["search"]))
    roles.set_roles(db, updates, now, RULES_VERSION)
    return changes


def _count(value: int | None) -> str:
    return "not stated" if value is None else f"{value:,}"


def _quote(text: str | None) -> str:
    """“The text”, whole: the old one is what a reader may have quoted already."""
    return f"“{text}”" if text else "none found"
