"""tracker.research.find: PubMed-like input → FTS5 queries that SQLite accepts and that mean what
the researcher wrote; hostile input never raises."""

from __future__ import annotations

import sqlite3

import pytest
from collection_fixture import CRAFTED_PMID, build_collection

from tracker.research.find import fts_query, plain_words
from tracker.store import reads


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_collection(tmp_path_factory.mktemp("find") / "tracker.db")


def pmids(db, text: str, **filters) -> list[int]:
    return [r["pmid"] for r in reads.find_articles(db, fts_query(text).expression,
                                                          limit=1000, **filters)]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("baclofen", '"baclofen"'),
        ('"restless legs"', '"restless legs"'),
        ("baclofen AND gabapentin", '("baclofen" AND "gabapentin")'),
        ("a OR b AND c", '(("a" OR "b") AND "c")'),  # left to right, as PubMed
        ("a NOT b", '("a" NOT "b")'),
        ("a b", '("a" AND "b")'),
        ("spasm*", '"spasm"*'),
        ('"periodic limb movement"*', '"periodic limb movement"*'),
        ("(a OR b) NOT c", '(("a" OR "b") NOT "c")'),
        ("Willis-Ekbom", '"Willis-Ekbom"'),
        ("dystonia[ti]", 'title : "dystonia"'),
        ("(a OR b)[ab]", 'abstract : ("a" OR "b")'),
        ("baclofen[tiab]", '"baclofen"'),
        ("rls and baclofen", '(("rls" AND "and") AND "baclofen")'),
        ('say "x""', '"say" AND "x"'),
    ],
)
def test_pubmed_like_input_becomes_this_fts5_expression(text, expression):
    query = fts_query(text)
    if text == 'say "x""':  # an unclosed quote: read as plain words
        assert query.fallback
    assert query.expression == expression


@pytest.mark.parametrize(
    "text",
    [
        '"unclosed', "(((", ")", "a AND", "AND a", "NOT a", "a OR OR b", "a NOT", '""', "*",
        "-", "a -b", "col:umn", "title:x", "NEAR(a b)", "a + b", "'; DROP TABLE articles; --",
        "[ti]", "a [", "\\", "^", "a:b:c", "x AND (y OR", "{title}: x", "\x00", "ü*", "a*b*",
    ],
)  # fmt: skip
def test_hostile_input_never_raises_in_sqlite(db, text):
    query = fts_query(text)
    if query.expression:
        reads.find_articles(db, query.expression)  # must not raise


def test_unparsable_input_falls_back_to_its_words_and_says_so():
    query = fts_query('baclofen AND ("restless legs')
    assert query.fallback and query.expression == '"baclofen" AND "restless" AND "legs"'
    assert "read as plain words" in query.notes[0]


def test_a_negated_word_is_never_searched_for_in_the_fallback():
    assert plain_words("NOT aspirin").expression == ""
    assert plain_words("(pain NOT aspirin").expression == '"pain"'


def test_unknown_field_tags_are_noted():
    assert fts_query("pain[mh]").notes == ("[mh] searched as title and abstract words",)


def test_phrases_operators_and_truncation_find_the_right_records(db):
    both = set(pmids(db, "aspirin AND thromboembolism"))
    assert 23121403 in both
    assert set(pmids(db, '"venous thromboembolism"')) >= {23121403}
    assert 23121403 not in pmids(db, "aspirin NOT thromboembolism")
    assert set(pmids(db, "thrombo*")) >= both
    assert set(pmids(db, "aspirin OR thromboembolism")) >= both


def test_results_are_ranked_title_matches_first(db):
    rows = reads.find_articles(db, fts_query("aspirin").expression, limit=50)
    ranks = [r["rank"] for r in rows]
    assert ranks == sorted(ranks)
    assert "aspirin" in rows[0]["title"].lower()
    assert "[" in rows[0]["snippet"]  # the match is marked


def test_filters_by_year_and_search_membership(db):
    assert all(r["pub_year"] >= 2020 for r in reads.find_articles(
        db, fts_query("treatment").expression, since_year=2020, limit=500))  # fmt: skip
    assert pmids(db, "restless", search="nothing-joined") == []
    assert CRAFTED_PMID in pmids(db, "restless")


def test_stemming_finds_other_forms(db):
    assert CRAFTED_PMID in pmids(db, '"restless leg"')  # the abstract says "restless legs"


def test_sqlite_would_refuse_the_raw_text(db):
    with pytest.raises(sqlite3.OperationalError):
        reads.find_articles(db, '"unclosed')
