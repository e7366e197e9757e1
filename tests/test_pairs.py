"""Drug × condition pairs: the PubMed term built from them, and the shipped pair."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.lookalikes.eutils.terms import parse_term
from tracker.searches.pairs import (
    Concept,
    Pair,
    alternatives,
    build_term,
    format_pair_term,
    pair_name,
    phrase,
)
from tracker.searches.saved import read_saved_search

REPO = Path(__file__).resolve().parent.parent
# queries/baclofen-rls.toml's hand-written term before it became a pair (commit ea33ea0).
TERM_BEFORE_PAIRS = """
("Baclofen"[Mesh] OR baclofen[tiab] OR arbaclofen[tiab] OR Lioresal[tiab]
  OR Gablofen[tiab] OR Ozobax[tiab] OR Lyvispah[tiab] OR Fleqsuvy[tiab] OR Kemstro[tiab])
AND
("Restless Legs Syndrome"[Mesh] OR "restless legs"[tiab] OR "restless leg"[tiab]
  OR "Willis-Ekbom"[tiab] OR "Willis Ekbom"[tiab]
  OR "Nocturnal Myoclonus Syndrome"[Mesh] OR "periodic limb movement*"[tiab]
  OR "periodic leg movement*"[tiab])
"""


def blocks(term: str) -> list[set[str]]:
    """The OR-ed alternatives of each AND-ed block, compared case-insensitively."""
    text = " ".join(term.split())
    return [
        {alt.strip(" ()").casefold() for alt in block.split(" OR ")}
        for block in re.split(r"\)\s+AND\s+\(", text)
    ]


@pytest.mark.parametrize(
    ("word", "tag", "expected"),
    [
        ("baclofen", "tiab", "baclofen[tiab]"),
        ("restless legs", "tiab", '"restless legs"[tiab]'),
        ("Willis-Ekbom", "tiab", '"Willis-Ekbom"[tiab]'),
        ("periodic limb movement*", "tiab", '"periodic limb movement*"[tiab]'),
        ("gabapentin*", "tiab", "gabapentin*[tiab]"),
        ("Sjögren", "tiab", "Sjögren[tiab]"),
        ("  double   space ", "tiab", '"double space"[tiab]'),
        ("Parkinson's", "tiab", '"Parkinson\'s"[tiab]'),
    ],
)
def test_words_are_quoted_unless_one_plain_token(word, tag, expected):
    assert phrase(word, tag) == expected


def test_a_pair_becomes_mesh_and_text_words_anded():
    pair = Pair(
        Concept.named("Aspirin", synonyms=["acetylsalicylic acid"], brands=["Aspro"]),
        Concept.named("venous thromboembolism", mesh=["Venous Thromboembolism"]),
    )
    assert build_term(pair) == (
        '("Aspirin"[Mesh] OR Aspirin[tiab] OR "acetylsalicylic acid"[tiab] OR Aspro[tiab]) '
        'AND ("Venous Thromboembolism"[Mesh] OR "venous thromboembolism"[tiab])'
    )


def test_words_repeated_in_another_case_appear_once():
    concept = Concept.named("Baclofen", synonyms=["baclofen", "BACLOFEN", "arbaclofen"])
    assert concept.words == ("Baclofen", "arbaclofen")


def test_no_mesh_means_text_words_only():
    assert alternatives(Concept.named("newdrug", mesh=[])) == ["newdrug[tiab]"]


def test_shipped_pair_is_at_least_as_complete_as_the_hand_written_term():
    search, pair = read_saved_search(REPO / "queries" / "baclofen-rls.toml")
    assert pair is not None
    before, after = blocks(TERM_BEFORE_PAIRS), blocks(search.term)
    assert len(before) == len(after) == 2
    for old, new in zip(before, after, strict=True):
        assert old <= new, old - new
    assert search.term == build_term(pair)


def test_built_terms_parse_as_pubmed_syntax():
    _, pair = read_saved_search(REPO / "queries" / "baclofen-rls.toml")
    parsed = parse_term(build_term(pair))
    assert not parsed.unknown_fields  # the local server's evaluator knows [Mesh] and [tiab]


def test_the_wrapped_term_is_the_same_term():
    _, pair = read_saved_search(REPO / "queries" / "baclofen-rls.toml")
    wrapped = format_pair_term(pair, width=60)
    assert max(len(line) for line in wrapped.splitlines()) <= 60 + 30
    assert " ".join(wrapped.split()) == build_term(pair)


def test_pair_names_are_valid_saved_search_names():
    assert pair_name("Baclofen", "Restless Legs Syndrome") == "baclofen-restless-legs-syndrome"
    assert pair_name("L-DOPA", "Sjögren's syndrome") == "l-dopa-sjogren-s-syndrome"


def test_title_only_words_are_searched_in_titles(tmp_path):
    from tracker.searches.saved import render_pair_search

    concept = Concept.named("restless legs syndrome", title_only=["RLS", "PLMD"])
    assert alternatives(concept)[-2:] == ["RLS[ti]", "PLMD[ti]"]
    pair = Pair(Concept.named("baclofen", synonyms=["baclofen*"]), concept)
    path = tmp_path / "x.toml"
    path.write_text(render_pair_search("X", pair), encoding="utf-8")
    search, loaded = read_saved_search(path)
    assert loaded == pair and search.term == build_term(pair)
    assert search.term.endswith("OR RLS[ti] OR PLMD[ti])")
