"""Evidence tier, participants and relation to the search, for one stored study.

Pure functions over plain values (title, abstract, publication types, MeSH), so the
same rules serve a freshly parsed Article, a stored row and the migration that
backfills old rows.

Two sources, in this order:
1. Indexing. NLM's publication types ("Randomized Controlled Trial", "Case Reports"…)
   and MeSH check tags ("Animals" without "Humans", "Cohort Studies"…). Decisive when
   present, never provisional.
2. Text. A new record carries no indexing for weeks (citation status "Publisher",
   "In-Process"), so title and abstract are read with the rules below. Such a tier is
   *provisional* until indexing confirms or corrects it; tracker.ingest.changes reports the
   correction. How often the text rules agree with indexing on the real sample records
   is measured by benchmarks/classify_agreement.py (figures in benchmarks/CLASSIFY.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tracker.classify.relation import (  # noqa: F401  (re-exported: moved there)
    RELATION_LABELS,
    relation,
    relation_label,
    search_concepts,
)
from tracker.models import Article

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


@dataclass(frozen=True)
class Classification:
    tier: str
    provisional: bool  # decided from text only, before indexing
    participants: int | None  # as the abstract states it


# --- 1. indexing: publication types and MeSH -------------------------------------------

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
_OBSERVATIONAL_MESH = frozenset({
    "Cohort Studies", "Prospective Studies", "Retrospective Studies", "Case-Control Studies",
    "Cross-Sectional Studies", "Longitudinal Studies", "Follow-Up Studies",
    "Surveys and Questionnaires", "Registries", "Health Surveys",
})  # fmt: skip
_IN_VITRO_MESH = frozenset({"In Vitro Techniques", "Cells, Cultured", "Cell Line"})


def indexed_tier(publication_types: Iterable[str], mesh_terms: Iterable[str]) -> str | None:
    """The tier indexing gives, or None when it says nothing about the design."""
    types = set(publication_types)
    mesh = set(mesh_terms)
    for tier, names in _PT_RULES:
        if types & names:
            return tier
    return _mesh_tier(mesh)


def _mesh_tier(mesh: set[str]) -> str | None:
    if "Humans" not in mesh and ("Animals" in mesh or mesh & _IN_VITRO_MESH):
        return "preclinical"
    if mesh & _OBSERVATIONAL_MESH:
        return "observational"
    return None


# --- 2. text: title and abstract --------------------------------------------------------


def _rx(pattern: str) -> re.Pattern[str]:
    """Patterns are lower case and run over lower-cased text: much faster than IGNORECASE."""
    return re.compile(pattern)


_SR = _rx(
    r"\bsystematic(ally)?\s+(literature\s+)?review|\bmeta-?\s?analy|\bumbrella review"
    r"|\bcochrane (database|review)|\bpooled analysis of (randomi|trials|studies)"
)
_SR_WORDS = ("systematic", "meta", "umbrella review", "cochrane ", "pooled analysis of ")
_GUIDELINE = _rx(
    r"\bguideline|\bconsensus (statement|recommendation|conference)"
    r"|\bpractice parameter|\bposition (statement|paper)|\bexpert consensus"
)
_ANIMAL = _rx(
    r"\b(rats?|mice|mouse|murine|rodents?|zebrafish|drosophila|rabbits?|"
    r"monkeys?|primates?|pigs?|piglets|dogs|cats|sheep|guinea pigs?|c\. elegans|"
    r"in vitro|cell lines?|cultured (cells|neurons)|slice preparations?|knock-?out)\b"
)
_LAB = _rx(
    r"\b(enzymes?|purified|kinetics?|in vivo|macrophages|microsom\w*|assays?|"
    r"plasmids?|strains?|species|gene expression|cells|receptors?|molecular|proteins?|"
    r"mutants?|oocytes?|bacteria\w*|spectr\w*|phylogenetic)\b"
)
_HUMAN = _rx(
    r"\b(patients?|participants?|volunteers?|women|men|children|adults|"
    r"outpatients?|inpatients?|infants|adolescents|respondents)\b"
)
_RCT = _rx(
    r"\brandomi[sz]ed\b[^.]{0,60}\b(trial|study|controlled|crossover|cross-over|"
    r"clinical)\b|\brandomly (assigned|allocated)|\bdouble-?\s?blind"
    r"|\bplacebo-?\s?controlled|\brandomi[sz]ation\b|\bwere randomi[sz]ed"
)
_TRIAL = _rx(
    r"\bopen-?\s?label|\bphase\s+(i{1,3}v?|[1-4])\b|\bsingle-?\s?arm"
    r"|\bnon-?randomi[sz]ed|\bpilot (study|trial)|\buncontrolled (study|trial)"
    r"|\bdose-?(finding|escalation)|\b(this|a|an|our) (clinical |prospective )?trial\b"
    r"|\bwere treated with\b"
)
_CASE = _rx(
    r"\bcase (report|series)\b|\bwe (report|describe|present) (a|an|the|two|three"
    r"|four|five|\d+)\b|\b\d+-year-old\b|\breport of (a|an|two|three|\d+) (case|patient)"
    r"|\b(this|a) (rare )?case\b|\bsingle case"
)
_CASE_NAMED = _rx(r"\bcase (report|series)\b")
_OBSERVATIONAL = _rx(
    r"\bcohort\b|\bcase-?\s?control|\bcross-?\s?sectional|\bretrospective"
    r"|\bprospective(ly)?\b|\bobservational|\bregistry|\bpopulation-based"
    r"|\bsurvey\b|\bquestionnaires?\b|\bchart review|\bmedical records\b"
    r"|\blongitudinal|\bfollow-up of\b"
)
_REVIEW = _rx(
    r"\b(this|our|the present|narrative|literature|brief|mini-?|short|comprehensive|"
    r"critical) review\b|\bwe (review|summari[sz]e|discuss|highlight)\b|\bpurpose of "
    r"review|\breview of the literature|\b(this|the) (article|paper|chapter) "
    r"(reviews|discusses|summari[sz]es|describes)|\b(are|is) (reviewed|discussed)\b"
    r"|\brecent (advances|progress|developments)"
)
_REVIEW_TITLE = _rx(
    r"\breview\b|\boverview\b|\bstate of the art\b|\bupdate on\b"
    r"|\bcurrent concepts|\bperspectives?\b|\b(advances|progress) in\b"
)
_COMMENTARY = _rx(
    r"\bletter\b|\beditorial\b|\bcomment(ary)? on\b|\bcommentary\b|\bin reply\b"
    r"|\breply to\b|\bresponse to\b|^re:\s|\bauthors? reply\b|\bcorrespondence\b"
)
# What an abstract reporting new data says and an expository one does not. The
# lookahead holds every alternative's first character: one test rejects most
# positions before the alternatives are tried (3x faster, same matches).
_DATA = _rx(
    r"(?=[\dprsw])(?:\d\s?%|\bp\s?[<=>]|\bwe (found|observed|measured|enrolled|included|"
    r"recruited|examined|analy[sz]ed|investigated|show(ed)?|demonstrate[d]?)\b|\bresults\b"
    r"|\bsignificant(ly)?\b|\bwere (examined|measured|studied|assessed))"
)


def text_tier(title: str | None, abstract: str | None) -> str:
    """The tier title and abstract suggest: the rules a new, unindexed record gets.

    Tested in order; the first that fires wins (a systematic review mentions trials, a
    case report "reviews the literature", a review mentions cohorts).
    """
    title = (title or "").lower()
    abstract = (abstract or "").lower()
    text = f"{title}\n{abstract}"

    @cache
    def human() -> bool:
        return _HUMAN.search(text) is not None

    # Tested lazily, first match wins: most records stop after a few searches.
    steps: tuple[tuple[str, Callable[[], object]], ...] = (
        ("systematic_review", lambda: _has_any(text, _SR_WORDS) and _SR.search(text)),
        ("guideline", lambda: _GUIDELINE.search(title)),
        ("case_report", lambda: _CASE.search(title) or _CASE_NAMED.search(abstract[:400])),
        ("narrative_review", lambda: _REVIEW.search(text) or _REVIEW_TITLE.search(title)),
        ("preclinical", lambda: not human() and _ANIMAL.search(text)),
        ("rct", lambda: _RCT.search(text)),
        ("case_report", lambda: _CASE.search(abstract)),
        ("clinical_trial", lambda: _TRIAL.search(text)),
        ("observational", lambda: _OBSERVATIONAL.search(text)),
        ("preclinical", lambda: abstract and not human() and _LAB.search(text)),
        ("commentary", lambda: _COMMENTARY.search(title) or not abstract),
        ("narrative_review", lambda: not _DATA.search(abstract)),
    )
    return next((tier for tier, fires in steps if fires()), "other")


# --- participants -----------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+|" + "|".join(_NUMBER_WORDS) + r")"
# Speed matters (this runs on every stored record, in the import hot path): the abstract
# is lower-cased once and searched case-sensitively; numbers are found first, then what
# follows each is matched in place. Scanning every word boundary with one
# case-insensitive pattern cost ~0.35 ms per abstract.
# The lookahead rejects most positions with one character test before the 30-way
# alternation is tried: a third faster, same matches.
_NUMBER_STARTS = "".join(sorted({word[0] for word in _NUMBER_WORDS}))
_NUMBER = re.compile(rf"\b(?=[\d{_NUMBER_STARTS}]){_NUM}\b")
_PEOPLE = (r"(?:(?:consecutive|adult|elderly|older|healthy|eligible|pediatric|paediatric|"
           r"hospitali[sz]ed|female|male|pregnant|dialysis|hemodialysis|uremic)\s+){0,3}"
           r"(?:patients|participants|subjects|individuals|adults|children|women|men|volunteers"
           r"|people|persons|outpatients|inpatients|cases|veterans|residents|respondents"
           r"|infants|adolescents|pregnancies)\b")  # fmt: skip
_PEOPLE_AFTER = re.compile(rf"\s+(?:[a-z-]+\s+){{0,3}}?{_PEOPLE}")
_ENROLLED_AFTER = re.compile(
    rf"\s+(?:\([^)]*\)\s+)?(?:{_PEOPLE}\s+)?(?:were|was)\s+(?:enrolled|included|"
    r"randomi[sz]ed|recruited|analy[sz]ed)\b"
)
_ENROLLED_BEFORE = re.compile(
    rf"\b(?:enrolled|included|randomi[sz]ed|recruited)\s+(?:a total of\s+)?{_NUM}\b"
)
_SCREENING = re.compile(
    r"\b(screened|approached|assessed for eligibility|invited|contacted|eligible)\b"
)
# Words without which _ENROLLED_BEFORE, _SCREENING and _SINGLE cannot match.
_ENROLLED_WORDS = ("enrolled", "included", "randomi", "recruited")
_SCREENING_WORDS = ("screened", "approached", "assessed for eligibility", "invited",
                    "contacted", "eligible")  # fmt: skip
_SINGLE_WORDS = ("-year-old", "we report", "we describe", "we present")
_SENTENCE_GAP = re.compile(r"(?<=[.;])\s+")
_N_EQUALS = re.compile(r"\bn\s*=\s*(\d{1,3}(?:,\d{3})+|\d+)\b")
_SINGLE = re.compile(
    r"\b(a|an)\s+\d+-year-old\b|\bwe (report|describe|present) (a|an)\s+"
    r"(case|patient|\d+-year-old|(wo)?man|(young |elderly )?(boy|girl|male|female))"
)


def _number(token: str) -> int | None:
    token = token.lower().replace(",", "")
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def participants(abstract: str | None) -> int | None:
    """The largest number of people the abstract says were studied, or None.

    The enrolled number when the abstract says "N were enrolled / randomised"; else the
    largest count of people outside screening sentences, because abstracts name the total
    and then subgroups ("60 patients were randomised; 52 completed"), and "we approached
    254 patients" is not the sample. A case report's "a 45-year-old woman" is 1.

    Each full scan of the abstract costs ~15 µs, so a scan is skipped when a word it
    needs is absent (`in` is ~50× faster than a regex search); the result is the same.
    """
    if not abstract:
        return None
    text = abstract.lower()
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return 1 if _single(text) else None
    enrolled = [_number(m.group(1)) for m in numbers if _ENROLLED_AFTER.match(text, m.end())]
    if _has_any(text, _ENROLLED_WORDS):
        enrolled += [_number(m.group(1)) for m in _ENROLLED_BEFORE.finditer(text)]
    enrolled = [c for c in enrolled if c and 0 < c < 10_000_000]
    if enrolled:
        return max(enrolled)
    counted = _outside_screening(text)
    counts = [
        _number(m.group(1))
        for m in numbers
        if counted(m.start()) and _PEOPLE_AFTER.match(text, m.end())
    ]
    if "=" in text:
        counts += [_number(m.group(1)) for m in _N_EQUALS.finditer(text) if counted(m.start())]
    found = [c for c in counts if c and 0 < c < 10_000_000]
    if found:
        return max(found)
    if _single(text):
        return 1
    return None


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _single(text: str) -> bool:
    return _has_any(text, _SINGLE_WORDS) and _SINGLE.search(text) is not None


def _outside_screening(text: str) -> Callable[[int], bool]:
    """Whether a position lies outside every sentence about screening."""
    if not _has_any(text, _SCREENING_WORDS):
        return lambda _pos: True
    starts = [0] + [m.end() for m in _SENTENCE_GAP.finditer(text)]
    ends = starts[1:] + [len(text)]
    screening = [bool(_SCREENING.search(text, s, e)) for s, e in zip(starts, ends, strict=True)]
    return lambda pos: not screening[bisect_right(starts, pos) - 1]


# --- the whole classification ----------------------------------------------------------


def classify(
    title: str | None,
    abstract: str | None,
    publication_types: Sequence[str],
    mesh_terms: Sequence[str],
    citation_status: str | None = None,
) -> Classification:
    """Indexing first; text when indexing says nothing. The text tier is provisional
    while the record is not yet indexed (no MeSH, citation status not MEDLINE)."""
    count = participants(abstract)
    tier = indexed_tier(publication_types, mesh_terms)
    if tier is not None:
        return Classification(tier, False, count)
    indexed = bool(mesh_terms) or citation_status == "MEDLINE"
    return Classification(text_tier(title, abstract), not indexed, count)


def classify_article(article: Article) -> Classification:
    return classify(
        article.title,
        article.abstract,
        article.publication_types,
        article.mesh_terms,
        article.citation_status,
    )


def classify_row(row: dict[str, Any]) -> Classification:
    """For a stored `articles` row whose JSON columns are decoded."""
    return classify(
        row.get("title"),
        row.get("abstract"),
        row.get("publication_types") or [],
        row.get("mesh_terms") or [],
        row.get("citation_status"),
    )
