"""Conclusions: the labelled findings first, inline labels next, the last sentences last,
and never registration, funding, DOI/URL or copyright text.

Sections named crafted were written for the test; the rest are real structured and
unstructured abstracts from tests/data/pubmed-samples (TUNING part), with their labelled
conclusions in tests/data/classify/conclusions.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tracker.classify import conclusion_excerpt
from tracker.digest.render import conclusion_excerpt as rendered_excerpt

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "classify" / "conclusions.json"


def s(label, category, text):
    return {"label": label, "nlm_category": category, "text": text}


CRAFTED_SECTIONS = {
    "crafted: CONCLUSIONS over OUTLOOK and IMPACT": (
        [s("RESULTS", "RESULTS", "It fell."), s("CONCLUSIONS", "CONCLUSIONS", "It works."),
         s("OUTLOOK", "CONCLUSIONS", "More trials."), s("IMPACT", "CONCLUSIONS", "Big.")],
        "It works.",
    ),
    "crafted: NLM's CONCLUSIONS category under another label": (
        [s("BACKGROUND", "BACKGROUND", "Why."), s("INTERPRETATION", "CONCLUSIONS", "It works.")],
        "It works.",
    ),
    "crafted: SUMMARY over FUTURE DIRECTIONS": (
        [s("PURPOSE OF REVIEW", None, "Why."), s("SUMMARY", None, "Baclofen helps."),
         s("FUTURE DIRECTIONS", "CONCLUSIONS", "Study more.")],
        "Baclofen helps.",
    ),
    "crafted: SIGNIFICANCE": (
        [s("OBJECTIVE", None, "Aim."), s("SIGNIFICANCE", None, "Variants matter.")],
        "Variants matter.",
    ),
    "crafted: registration and funding are dropped": (
        [s("CONCLUSIONS", "CONCLUSIONS", "Aspirin helped. (Funded by the Council; "
           "ClinicalTrials.gov number, NCT01234567.)."),
         s("TRIAL REGISTRATION", None, "NCT01234567.")],
        "Aspirin helped.",
    ),
    "crafted: copyright and DOI lines are dropped": (
        [s("CONCLUSIONS", "CONCLUSIONS", "Insight matters. (PsycInfo Database Record (c) 2022 "
           "APA, all rights reserved). https://doi.org/10.1000/xyz.")],
        "Insight matters.",
    ),
    "crafted: a URL-only conclusion yields to the discussion": (
        [s("DISCUSSION", None, "The atlas is the largest yet."),
         s("CONCLUSION", None, "It can be obtained from https://example.org/atlas.")],
        "The atlas is the largest yet.",
    ),
}  # fmt: skip

CRAFTED_TEXT = {
    "crafted: inline Conclusions-": (
        "Background- Why. Methods- We did it. Conclusions- Baclofen eased symptoms.",
        "Baclofen eased symptoms.",
    ),
    "crafted: inline In conclusion,": (
        "We treated 12 patients. Most improved. In conclusion, baclofen may help. "
        "Visual Overview: see the figure.",
        "In conclusion, baclofen may help.",
    ),
    "crafted: inline label run into the text": (
        "Bone density rose (P = .002).ConclusionOur results show remineralization.",
        "Our results show remineralization.",
    ),
    "crafted: the last sentences when nothing is labelled": (
        "First sentence. Second one here. Third: 3.5 mg was used. Fourth ends it.",
        "Third: 3.5 mg was used. Fourth ends it.",
    ),
    "crafted: abbreviations do not end sentences": (
        "We sampled urine. Taken together, Bacillus spp. EVs predominate in pregnancy.",
        "We sampled urine. Taken together, Bacillus spp. EVs predominate in pregnancy.",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CRAFTED_SECTIONS))
def test_structured_abstracts_give_their_conclusion_section(name):
    sections, expected = CRAFTED_SECTIONS[name]
    assert conclusion_excerpt(sections, None) == expected


@pytest.mark.parametrize("name", list(CRAFTED_TEXT))
def test_unstructured_abstracts_give_their_inline_or_closing_conclusion(name):
    abstract, expected = CRAFTED_TEXT[name]
    assert conclusion_excerpt([], abstract) == expected


def test_no_abstract_no_conclusion_and_the_digest_uses_these_rules():
    assert conclusion_excerpt([], None) == ""
    assert rendered_excerpt is conclusion_excerpt


def test_real_tuning_abstracts_give_their_labelled_conclusion():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from classify_split import sample_records

    wanted = {
        23121403,  # NEJM: "(Funded by …; … Registry number, ACTRN…)" dropped
        33856845,  # PsycInfo copyright line dropped
        30073290,  # "Conclusions and Relevance" over "Trial Registration"
        38909159,  # CONCLUSION over IMPACT
        39345789,  # DISCUSSION when CONCLUSION is only a URL
        31418823,  # a citation line "J Am Geriatr Soc 67:2568-2573, 2019." dropped
        31418850,  # SIGNIFICANCE
        34567890,  # inline "Conclusion Findings…"
        36096127,  # IOP "Significance." inline
        34995163,  # "In summary, …"
    }
    labels = {r["pmid"]: r for r in json.loads(LABELS.read_text("utf-8"))}
    got, want = {}, {}
    for _file, article in sample_records():
        if article.pmid in wanted:
            assert labels[article.pmid]["part"] == "tuning"
            want[article.pmid] = labels[article.pmid]["conclusion"]
            got[article.pmid] = conclusion_excerpt(
                list(article.abstract_sections), article.abstract
            )
    assert got == want
