"""The evidence tiers: their names, labels and order (strongest first)."""

from __future__ import annotations

# Strongest first, in the order the digest lists them (issue #7's order).
TIER_LABELS: dict[str, str] = {
    "systematic_review": "Systematic review / meta-analysis",
    "rct": "Randomised controlled trial",
    "clinical_trial": "Other clinical trial",
    "observational": "Observational study",
    "case_report": "Case report / case series",
    "narrative_review": "Narrative review",
    "guideline": "Guideline",
    "preclinical": "Preclinical (animal or in vitro)",
    "commentary": "Commentary (letter, editorial, comment)",
    "other": "Other",
}
TIERS: tuple[str, ...] = tuple(TIER_LABELS)
# Singular / plural nouns for the summary sentence ("1 randomised trial, 2 case reports").
TIER_NOUNS: dict[str, tuple[str, str]] = {
    "systematic_review": ("systematic review", "systematic reviews"),
    "rct": ("randomised trial", "randomised trials"),
    "clinical_trial": ("other clinical trial", "other clinical trials"),
    "observational": ("observational study", "observational studies"),
    "case_report": ("case report", "case reports"),
    "narrative_review": ("narrative review", "narrative reviews"),
    "guideline": ("guideline", "guidelines"),
    "preclinical": ("preclinical study", "preclinical studies"),
    "commentary": ("commentary", "commentaries"),
    "other": ("other", "other"),
}


def tier_rank(tier: str | None) -> int:
    """0 for the strongest tier; unknown values sort last."""
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


def tier_label(tier: str | None) -> str:
    return TIER_LABELS.get(tier or "other", TIER_LABELS["other"])
