"""Evidence tier, participants, conclusion and relation to the search, for one stored study.

Pure functions over plain values (title, abstract, publication types, MeSH), so the
same rules serve a freshly parsed Article, a stored row and the migration that
backfills old rows. One module per rule class:

- tracker.classify.indexing: the tier MEDLINE indexing gives (publication types, MeSH
  check tags). Decisive when present, never provisional.
- tracker.classify.design: the tier title and abstract suggest. A new record carries no
  indexing for weeks (citation status "Publisher", "In-Process"), and some indexed
  records say nothing about the design ("Journal Article" only). Such a tier is
  *provisional*: every digest format marks it, and tracker.ingest.changes reports when
  indexing later corrects it. Agreement with indexing on held-out real records is
  measured by benchmarks/classify_agreement.py (benchmarks/CLASSIFY.md).
  tracker.classify.trials holds its trial rules.
- tracker.classify.sample_size: how many people the study enrolled or analysed
  (numbers in digits or words: tracker.classify.numbers).
- tracker.classify.conclusions: the sentence(s) quoted as the study's conclusion.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.classify.conclusions import conclusion_excerpt, conclusion_of
from tracker.classify.design import text_tier
from tracker.classify.indexing import has_indexing, indexed_tier
from tracker.classify.relation import (  # noqa: F401  (re-exported: moved there)
    RELATION_LABELS,
    relation,
    relation_label,
    search_concepts,
)
from tracker.classify.sample_size import participants
from tracker.classify.tiers import TIER_LABELS, TIER_NOUNS, TIERS, tier_label, tier_rank
from tracker.models import Article

__all__ = [
    "RELATION_LABELS",
    "TIERS",
    "TIER_LABELS",
    "TIER_NOUNS",
    "Classification",
    "classify",
    "classify_article",
    "classify_row",
    "conclusion_excerpt",
    "has_indexing",
    "indexed_tier",
    "participants",
    "relation",
    "relation_label",
    "search_concepts",
    "text_tier",
    "tier_label",
    "tier_rank",
]

# Tiers whose studies have no participants of their own: a review's or a guideline's
# numbers are the literature's, a preclinical study's are animals, cells or samples.
_NO_PARTICIPANTS = frozenset({"systematic_review", "narrative_review", "guideline", "preclinical"})


@dataclass(frozen=True)
class Classification:
    tier: str
    provisional: bool  # decided from title and abstract, not from indexing
    participants: int | None  # as the abstract states it; None rather than a guess
    conclusion: str | None = None  # the abstract's conclusion, cleaned; None without one
    tier_source: str = "indexing"  # "indexing" | "text"


def classify(
    title: str | None,
    abstract: str | None,
    publication_types: Sequence[str],
    mesh_terms: Sequence[str],
    citation_status: str | None = None,
    sections: Sequence[Any] = (),
) -> Classification:
    """Indexing first; text when indexing says nothing about the design. A text tier is
    provisional, also on a MEDLINE record indexed only as "Journal Article": nothing but
    the wording decided it. (citation_status is kept for callers; indexing itself says
    whether the record is indexed.)"""
    del citation_status
    tier = indexed_tier(publication_types, mesh_terms)
    source = "indexing"
    if tier is None:
        tier, source = text_tier(title, abstract), "text"
    count = None
    if tier not in _NO_PARTICIPANTS:
        count = participants(abstract, case_report=tier == "case_report")
        if count == 1 and tier != "case_report":
            count = None  # "Single case" is for a case report of one patient only
    return Classification(tier, source == "text", count, conclusion_of(sections, abstract), source)


def classify_article(article: Article) -> Classification:
    return classify(
        article.title,
        article.abstract,
        article.publication_types,
        article.mesh_terms,
        article.citation_status,
        article.abstract_sections,
    )


def classify_row(row: dict[str, Any]) -> Classification:
    """For a stored `articles` row whose JSON columns are decoded."""
    return classify(
        row.get("title"),
        row.get("abstract"),
        row.get("publication_types") or [],
        row.get("mesh_terms") or [],
        row.get("citation_status"),
        _sections(row.get("abstract_sections")),
    )


def _sections(value: Any) -> list[Any]:
    """Decoded sections; a row straight from SQL holds them as JSON text."""
    if isinstance(value, str):
        return list(json.loads(value or "[]"))
    return list(value or [])
