"""What changed about a stored study when PubMed revised it: retractions, expressions
of concern, errata, updates, new publication types.

Pure functions: the old stored row and the newly fetched Article in, Change records
out. PubMed signals a retraction on the original record three ways (publication type
"Retracted Publication", a RetractionIn link, a "retracted" history status) and an
erratum, expression of concern or update by a CommentsCorrections link to the notice
(NCBI-NOTES A11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.classify import classify_article, tier_label
from tracker.models import Article

# CommentsCorrections RefType → the change a blog author needs to hear about.
LINK_KINDS = {
    "RetractionIn": "retracted",
    "ExpressionOfConcernIn": "expression_of_concern",
    "ErratumIn": "erratum",
    "UpdateIn": "update",
    "CorrectedandRepublishedIn": "corrected_and_republished",
    "RetractedandRepublishedIn": "retracted_and_republished",
}


@dataclass(frozen=True)
class Change:
    pmid: int
    kind: str  # retracted, expression_of_concern, erratum, update, …, tier_corrected
    detail: str  # the notice ("PMID 123: J Sleep Res. 2024;33:e1"), or "old → new"
    notice_pmid: int | None = None
    search: str | None = None  # the one saved search it concerns (a drug role); None: all


def detect_changes(old: dict[str, Any], new: Article) -> list[Change]:
    """Changes between a stored row (JSON columns decoded) and its revised record."""
    changes: list[Change] = []
    seen = {(c["ref_type"], c.get("pmid"), c.get("source")) for c in old["comments_corrections"]}
    for link in new.comments_corrections:
        kind = LINK_KINDS.get(link.ref_type)
        if kind and (link.ref_type, link.pmid, link.source) not in seen:
            changes.append(Change(new.pmid, kind, _notice(link.pmid, link.source), link.pmid))
    if new.retracted and not old["retracted"] and not any(c.kind == "retracted" for c in changes):
        changes.append(Change(new.pmid, "retracted", "PubMed now marks it retracted"))
    before, after = list(old["publication_types"]), list(new.publication_types)
    if before != after:
        changes.append(Change(new.pmid, "publication_types", f"{_list(before)} → {_list(after)}"))
    tier = _tier_correction(old, new)
    if tier:
        changes.append(tier)
    return changes


def _tier_correction(old: dict[str, Any], new: Article) -> Change | None:
    """Indexing replaced a provisional (text-only) tier with a different one, or
    changed an indexed tier. Confirmation of a provisional tier is not news."""
    was = old.get("evidence_tier")
    now = classify_article(new)
    if was is None or now.provisional or now.tier == was:
        return None
    note = " (provisional)" if old.get("tier_provisional") else ""
    detail = f"{tier_label(was)}{note} → {tier_label(now.tier)}"
    return Change(new.pmid, "tier_corrected", detail)


def _notice(pmid: int | None, source: str | None) -> str:
    parts = [f"PMID {pmid}" if pmid else None, source]
    return ": ".join(p for p in parts if p) or "notice without a reference"


def _list(values: list[str]) -> str:
    return ", ".join(values) if values else "none"
