"""What a digest shows, as plain values for the templates: studies with their tier and
caution badges, grouped strongest first; the one-paragraph summary; "What changed".

Pure functions over stored rows (JSON columns decoded); no database, no files.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from tracker.classify import (
    TIER_NOUNS,
    TIERS,
    relation,
    relation_label,
    tier_label,
    tier_rank,
)
from tracker.classify.role import role_label
from tracker.digest.render import PUBMED_URL, conclusion_excerpt, short_authors

NOTEWORTHY_CHANGES = {
    "retracted": "Retracted",
    "retracted_and_republished": "Retracted and republished",
    "expression_of_concern": "Expression of concern",
    "erratum": "Erratum",
    "corrected_and_republished": "Corrected and republished",
    "update": "Updated",
    "tier_corrected": "Evidence tier corrected",
    "participants_corrected": "Participants corrected",
    "conclusion_corrected": "Conclusion corrected",
    "role_corrected": "Drug role corrected",
}
_CHANGE_NOUNS = {
    "retracted": ("earlier study retracted", "earlier studies retracted"),
    "retracted_and_republished": ("retracted and republished", "retracted and republished"),
    "expression_of_concern": ("expression of concern", "expressions of concern"),
    "erratum": ("erratum", "errata"),
    "corrected_and_republished": ("corrected and republished", "corrected and republished"),
    "update": ("update", "updates"),
    "tier_corrected": ("tier correction", "tier corrections"),
    "participants_corrected": ("participant count corrected", "participant counts corrected"),
    "conclusion_corrected": ("conclusion corrected", "conclusions corrected"),
    "role_corrected": ("drug role corrected", "drug roles corrected"),
}


def doi_url(doi: str | None) -> str | None:
    return "https://doi.org/" + quote(doi, safe="/:;()") if doi else None


def cautions(row: dict[str, Any]) -> list[dict[str, str]]:
    """The caution badges a blog author must not miss, most serious first."""
    out = []
    count = row.get("participants")
    if row.get("retracted"):
        out.append({"id": "retracted", "label": "Retracted"})
    if row.get("tier_provisional"):
        out.append({"id": "provisional", "label": "Provisional tier (from title and abstract)"})
    if row.get("evidence_tier") == "preclinical":
        out.append({"id": "preclinical", "label": "Animal or in-vitro"})
    if count == 1:
        out.append({"id": "single_case", "label": "Single case"})
    elif count is not None and count < 10:
        out.append({"id": "small", "label": "Fewer than 10 participants"})
    language = row.get("language")
    if language and language != "eng":
        out.append({"id": "not_english", "label": f"Not in English ({language})"})
    return out


def stored_conclusion(row: dict[str, Any]) -> str:
    """The conclusion the stored rules chose (`articles.conclusion`, m008), or "" when
    they found none; computed here only for a row that has none stored (NULL is also
    "none found": computing it again gives "" at once for a row without an abstract)."""
    stored = row.get("conclusion")
    if stored is not None:
        return str(stored)
    return conclusion_excerpt(row.get("abstract_sections") or [], row.get("abstract"))


def study_view(
    row: dict[str, Any], authors: list[dict[str, Any]], concepts: list[list[str]]
) -> dict[str, Any]:
    """Everything a template shows of one study, from its stored row (decoded)."""
    tier = row.get("evidence_tier") or "other"
    rel = relation(concepts, row.get("title"), row.get("abstract"))
    return {
        "pmid": row["pmid"],
        "title": row["title"],
        "authors": short_authors(authors),
        "journal": row.get("journal_abbrev") or row.get("journal") or "",
        "date": row.get("pub_date_text") or row.get("pub_date") or "",
        "year": row.get("pub_year"),
        "tier": tier,
        "tier_label": tier_label(tier),
        "provisional": bool(row.get("tier_provisional")),
        "participants": row.get("participants"),
        "relation": rel,
        "relation_label": relation_label(rel, concepts),
        "publication_types": [t for t in row["publication_types"] if t != "Journal Article"],
        "language": row.get("language"),
        "pubmed_url": PUBMED_URL.format(pmid=row["pmid"]),
        "doi": row.get("doi"),
        "doi_url": doi_url(row.get("doi")),
        "conclusion": stored_conclusion(row),
        "retracted": bool(row.get("retracted")),
        "cautions": cautions(row),
        **role_view(row),
    }


def role_view(row: dict[str, Any]) -> dict[str, Any]:
    """The drug role of a study for this search (None throughout for a search that is
    not a drug × condition pair)."""
    role = row.get("drug_role")
    certain = row.get("drug_role_certain")
    return {
        "drug_role": role,
        "drug_role_reason": row.get("drug_role_reason"),
        "drug_role_source": row.get("drug_role_source"),
        "drug_role_certain": None if certain is None else bool(certain),
        "drug_role_label": role_label(role) if role else None,
    }


# Safety signals first, then the evidence, then the studies of another role: a digest
# cut at its limit drops "other" studies before any harm or treatment study.
_ROLE_ORDER = {"harm": 0, None: 1, "treatment": 1, "other": 2}


def is_evidence(row: dict[str, Any]) -> bool:
    """Whether a study counts as evidence for the use: its drug role is treatment, or
    the search is not a drug × condition pair (no role)."""
    return row.get("drug_role") in (None, "treatment")


def listing_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(strongest_first(rows), key=lambda r: _ROLE_ORDER.get(r.get("drug_role"), 2))


def role_sections(studies: list[dict[str, Any]]) -> dict[str, Any]:
    """The listed studies as the digest shows them: "groups" (the evidence, by tier),
    "safety" (harm: their own section near the top), "other_role" (listed compactly)."""
    return {
        "groups": group_by_tier([s for s in studies if is_evidence(s)]),
        "safety": [s for s in studies if s["drug_role"] == "harm"],
        "other_role": [s for s in studies if s["drug_role"] == "other"],
    }


def strongest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By tier (strongest first), then newest publication date, then highest PMID."""
    return sorted(
        rows,
        key=lambda r: (
            tier_rank(r.get("evidence_tier")),
            _neg_date(r.get("pub_date") or ""),
            -int(r["pmid"]),
        ),
    )


def _neg_date(value: str) -> tuple[int, ...]:
    parts = [int(p) for p in value.split("-") if p.isdigit()]
    return tuple(-p for p in (parts + [0, 0, 0])[:3])


def group_by_tier(studies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for s in studies:
        groups.setdefault(s["tier"], []).append(s)
    return [
        {"tier": t, "label": tier_label(t), "studies": groups[t]}
        for t in sorted(groups, key=tier_rank)
    ]


def tier_phrase(counts: dict[str, int]) -> str:
    """'1 randomised trial, 2 case reports' in tier order."""
    parts = []
    for tier in TIERS:
        n = counts.get(tier, 0)
        if n:
            one, many = TIER_NOUNS[tier]
            parts.append(f"{n:,} {one if n == 1 else many}")
    return ", ".join(parts)


def _pubmed(pmid: int | None) -> str | None:
    return PUBMED_URL.format(pmid=pmid) if pmid else None


def change_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "pmid": row["pmid"],
        "kind": row["kind"],
        "label": NOTEWORTHY_CHANGES[row["kind"]],
        "detail": row["detail"],
        "title": row["title"],
        "journal": row.get("journal_abbrev") or row.get("journal") or "",
        "year": row.get("pub_year"),
        "detected": (row.get("detected") or "")[:10],
        "reported": bool(row.get("reported")),
        "retracted": bool(row.get("retracted")),
        "tier_label": tier_label(row.get("evidence_tier")),
        "pubmed_url": PUBMED_URL.format(pmid=row["pmid"]),
        "notice_url": _pubmed(row.get("notice_pmid")),
        "doi": row.get("doi"),
        "doi_url": doi_url(row.get("doi")),
    }


def noteworthy(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes a blog author needs to hear about (not every publication-type edit)."""
    return [change_view(r) for r in rows if r["kind"] in NOTEWORTHY_CHANGES]


def summary(
    new_counts: dict[str, int],
    changes: list[dict[str, Any]],
    previous: str | None,
    roles: dict[str, int] | None = None,
) -> str:
    """One paragraph: '3 new studies: 1 randomised trial, 2 case reports; 1 earlier
    study retracted.' For a drug × condition search (`roles` given: new studies per drug
    role), `new_counts` holds the treatment studies only, and the rest are named apart:
    '1 new study of the drug as treatment: 1 randomised trial; 2 safety signals (…)'."""
    total = sum(new_counts.values())
    if roles is not None:
        text = _role_summary(total, new_counts, roles, previous)
    elif total:
        noun = "study" if total == 1 else "studies"
        text = f"{total:,} new {noun}: {tier_phrase(new_counts)}"
    else:
        text = "No new studies since the last digest" + (f" ({previous})" if previous else "")
    kinds = Counter(c["kind"] for c in changes)
    parts = []
    for kind, (one, many) in _CHANGE_NOUNS.items():
        n = kinds.get(kind, 0)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    if parts:
        text += "; " + ", ".join(parts)
    return text + "."


def _role_summary(
    total: int, new_counts: dict[str, int], roles: dict[str, int], previous: str | None
) -> str:
    harm, other = roles.get("harm", 0), roles.get("other", 0)
    if total:
        noun = "study" if total == 1 else "studies"
        text = f"{total:,} new {noun} of the drug as treatment: {tier_phrase(new_counts)}"
    elif harm or other:
        text = "No new study of the drug as treatment"
    else:
        return "No new studies since the last digest" + (f" ({previous})" if previous else "")
    if harm:
        signals = "safety signal" if harm == 1 else "safety signals"
        text += f"; {harm:,} {signals} (the drug suspected of causing or worsening the condition)"
    if other:
        noun = "study names" if other == 1 else "studies name"
        text += f"; {other:,} other {noun} both without studying the drug for the condition"
    return text
