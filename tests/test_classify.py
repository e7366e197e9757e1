"""Evidence tier, provisional flag, participants and relation to the search.

Indexed tiers are checked on real sample records (tests/data/pubmed-samples); the text
rules on real titles and abstracts with their indexing taken away, as a brand-new
record arrives. benchmarks/classify_agreement.py measures the text rules on all of them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import efetch_file

from tracker import store
from tracker.classify import (
    TIERS,
    classify,
    classify_article,
    indexed_tier,
    participants,
    relation,
    search_concepts,
    text_tier,
    tier_rank,
)
from tracker.pubmed import parse_pubmed_xml

BACLOFEN_RLS = """
("Baclofen"[Mesh] OR baclofen[tiab] OR arbaclofen[tiab] OR Lioresal[tiab])
AND
("Restless Legs Syndrome"[Mesh] OR "restless legs"[tiab] OR "periodic limb movement*"[tiab])
"""


def sample(name: str):
    (article,) = parse_pubmed_xml(efetch_file(name).read_bytes())
    return article


def unindexed(article):
    """The record as it arrives in its first weeks: no MeSH, only 'Journal Article'."""
    return replace(
        article,
        mesh_headings=(),
        publication_types=("Journal Article",),
        citation_status="Publisher",
    )


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("metapub__35830032.xml", "systematic_review"),  # Meta-Analysis
        ("metapub__33856845.xml", "systematic_review"),  # Systematic Review
        ("metapub__sample_article_23435529.xml", "rct"),
        ("metapub__25364329.xml", "case_report"),
        ("metapub__33568043.xml", "narrative_review"),
    ],
)
def test_indexed_records_take_their_tier_from_publication_types(name, tier):
    c = classify_article(sample(name))
    assert (c.tier, c.provisional) == (tier, False)


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("metapub__35830032.xml", "systematic_review"),
        ("metapub__sample_article_23435529.xml", "rct"),
        pytest.param(
            "metapub__25364329.xml",
            "case_report",
            marks=pytest.mark.xfail(
                reason="a held-out record (tests/data/classify/split.json): its title ends "
                "'and review of the literature' and the text rules call it a narrative "
                "review; the rules are not tuned on held-out records",
                strict=True,
            ),
        ),
    ],
)
def test_a_new_record_gets_a_provisional_tier_from_its_text(name, tier):
    c = classify_article(unindexed(sample(name)))
    assert (c.tier, c.provisional) == (tier, True)


def test_animal_only_indexing_is_preclinical_and_humans_is_not():
    assert indexed_tier(["Journal Article"], ["Animals", "Rats", "Baclofen"]) == "preclinical"
    assert indexed_tier(["Journal Article"], ["Animals", "Humans", "Cohort Studies"]) == (
        "observational"
    )
    assert indexed_tier(["Journal Article"], ["Humans", "Baclofen"]) is None


def test_text_rules_read_typical_abstracts():
    # Crafted abstracts, one per design, in the words such abstracts use.
    assert text_tier("Baclofen in RLS: a systematic review and meta-analysis", "") == (
        "systematic_review"
    )
    assert text_tier("Baclofen for RLS", "Forty patients were randomly assigned to baclofen "
                     "or placebo in a double-blind trial.") == "rct"  # fmt: skip
    assert text_tier("Baclofen for RLS", "We report a 58-year-old woman whose symptoms "
                     "resolved.") == "case_report"  # fmt: skip
    assert text_tier("Baclofen and dopamine", "Rats received baclofen; in vitro slices "
                     "were recorded.") == "preclinical"  # fmt: skip
    assert text_tier("Baclofen for RLS", "In this retrospective cohort of 1,203 "
                     "adults, 12% used baclofen.") == "observational"  # fmt: skip
    assert text_tier("Re: baclofen for RLS", None) == "commentary"


def test_participants_are_read_from_the_abstract():
    assert participants("Sixty patients were randomised; 52 completed the study.") == 60
    assert participants("A total of 1,234 adult patients were included (n = 1,100).") == 1234
    # One patient only for a case report: elsewhere "a 45-year-old woman" is an example.
    assert participants("We report a 45-year-old woman with restless legs.", case_report=True) == 1
    assert participants("We report a 45-year-old woman with restless legs.") is None
    assert participants("Baclofen reduced symptoms.") is None
    assert participants(None) is None


def test_relation_to_the_search_title_abstract_or_indexing_only():
    concepts = search_concepts(BACLOFEN_RLS)
    assert concepts == [
        ["baclofen", "baclofen", "arbaclofen", "lioresal"],
        ["restless legs syndrome", "restless legs", "periodic limb movement*"],
    ]
    assert relation(concepts, "Baclofen for restless legs syndrome", None) == "title"
    assert relation(concepts, "Lioresal in sleep", "Periodic limb movements fell.") == "abstract"
    assert relation(concepts, "A GABA-B agonist in sleep", "Symptoms improved.") == "indexing"


def test_tiers_are_ordered_strongest_first():
    assert TIERS[0] == "systematic_review" and TIERS[-1] == "other"
    assert tier_rank("rct") < tier_rank("case_report") < tier_rank("commentary")
    assert tier_rank(None) == len(TIERS)


def test_stored_rows_carry_the_tier_and_the_migration_backfills_old_rows(tmp_path):
    article = sample("metapub__sample_article_23435529.xml")
    db = store.connect(tmp_path / "t.db")
    store.upsert_articles(db, [article], "2026-01-01T00:00:00Z")
    row = db.conn.execute(
        "SELECT evidence_tier, tier_provisional, participants FROM articles"
    ).fetchone()
    c = classify_article(article)
    assert row == (c.tier, 0, c.participants)
    # Backfill: undo m003 as if the row had been stored before it existed, migrate again.
    db.conn.execute("DROP INDEX idx_articles_evidence_tier")
    for column in ("evidence_tier", "tier_provisional", "participants"):
        db.conn.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    for column in ("kind", "period_from", "period_to", "as_of_run", "json_path", "sent", "sent_to"):
        db.conn.execute(f"ALTER TABLE digests DROP COLUMN {column}")
    db.conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm003%'")
    db.conn.commit()
    db.close()
    db = store.connect(tmp_path / "t.db")
    assert db.conn.execute(
        "SELECT evidence_tier, tier_provisional, participants FROM articles"
    ).fetchone() == (c.tier, 0, c.participants)


def test_classify_prefers_indexing_over_text():
    c = classify("A case report", "We report a 45-year-old man.", ["Review"], ["Humans"])
    # A review has no participants of its own, and "Single case" is for case reports.
    assert (c.tier, c.provisional, c.participants) == ("narrative_review", False, None)
