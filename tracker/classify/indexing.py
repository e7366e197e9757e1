"""The tier MEDLINE indexing gives: publication types first, then MeSH check tags.

Decisive when present, never provisional. A record whose only publication type is
"Journal Article" and whose MeSH says nothing about the design gets no tier here: its
tier then comes from the text (tracker.classify.design) and stays provisional.
"""

from __future__ import annotations

from collections.abc import Iterable

# Publication type → tier, tested strongest first. Names from NLM's Publication
# Characteristics list (https://www.nlm.nih.gov/mesh/pubtypes.html).
_PT_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("systematic_review", frozenset({"Systematic Review", "Meta-Analysis"})),
    ("preclinical", frozenset({"Randomized Controlled Trial, Veterinary",
                               "Clinical Trial, Veterinary", "Observational Study, Veterinary"})),
    ("rct", frozenset({"Randomized Controlled Trial"})),
    ("clinical_trial", frozenset({
        "Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
        "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Controlled Clinical Trial",
        "Pragmatic Clinical Trial", "Equivalence Trial", "Adaptive Clinical Trial",
        "Clinical Study",
    })),
    ("observational", frozenset({"Observational Study", "Twin Study"})),
    ("case_report", frozenset({"Case Reports"})),
    ("narrative_review", frozenset({"Review", "Scientific Integrity Review"})),
    ("guideline", frozenset({"Practice Guideline", "Guideline", "Consensus Development Conference",
                             "Consensus Development Conference, NIH"})),
    ("commentary", frozenset({"Letter", "Editorial", "Comment", "News", "Newspaper Article",
                              "Interview", "Personal Narrative", "Biography", "Lecture",
                              "Introductory Journal Article"})),
    ("other", frozenset({"Published Erratum", "Retraction of Publication",
                         "Expression of Concern", "Clinical Trial Protocol", "Dataset",
                         "Historical Article", "Congress", "Preprint"})),
)  # fmt: skip
_PT_RULES_LOWER = tuple((tier, frozenset(n.lower() for n in names)) for tier, names in _PT_RULES)
# Qualitative designs are observational too (no publication type exists for them).
_OBSERVATIONAL_MESH = frozenset({
    "Cohort Studies", "Prospective Studies", "Retrospective Studies", "Case-Control Studies",
    "Cross-Sectional Studies", "Longitudinal Studies", "Follow-Up Studies",
    "Surveys and Questionnaires", "Registries", "Health Surveys",
    "Qualitative Research", "Focus Groups", "Interviews as Topic",
})  # fmt: skip
_IN_VITRO_MESH = frozenset({"In Vitro Techniques", "Cells, Cultured", "Cell Line"})
# Publication types that say nothing about the design.
_UNINFORMATIVE_TYPES = frozenset({"journal article", "english abstract"})


def indexed_tier(publication_types: Iterable[str], mesh_terms: Iterable[str]) -> str | None:
    """The tier indexing gives, or None when it says nothing about the design."""
    types = {t.lower() for t in publication_types}  # MEDLINE text files may use capitals
    mesh = set(mesh_terms)
    for tier, names in _PT_RULES_LOWER:
        if types & names:
            return tier
    return _mesh_tier(mesh)


def _mesh_tier(mesh: set[str]) -> str | None:
    if "Humans" not in mesh and ("Animals" in mesh or mesh & _IN_VITRO_MESH):
        return "preclinical"
    if mesh & _OBSERVATIONAL_MESH:
        return "observational"
    return None


def has_indexing(publication_types: Iterable[str], mesh_terms: Iterable[str]) -> bool:
    """Whether MEDLINE has indexed the record at all: a publication type beyond
    "Journal Article", or any MeSH heading."""
    types = {t.lower() for t in publication_types}  # MEDLINE text files print them in capitals
    return bool(types - _UNINFORMATIVE_TYPES) or any(True for _ in mesh_terms)
