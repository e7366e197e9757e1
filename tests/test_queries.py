"""Saved searches: loading queries/*.toml, and every mistake naming file and key."""

from datetime import date
from pathlib import Path

import pytest

from tracker.models import SavedSearch
from tracker.searches.pairs import Concept, Pair, build_term
from tracker.searches.saved import (
    QueryError,
    load_saved_search,
    load_saved_searches,
    read_saved_search,
    render_pair_search,
    render_saved_search,
    select_saved_searches,
)

REPO = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_baclofen_search_is_a_pair_with_a_one_line_term():
    search, pair = read_saved_search(REPO / "queries" / "baclofen-rls.toml")
    assert pair is not None
    assert (pair.drug.name, pair.condition.name) == ("baclofen", "restless legs syndrome")
    assert search.name == "baclofen-rls"
    assert search.title == "Baclofen for restless legs syndrome"
    assert search.schedule == "0 6 * * 1"
    assert "\n" not in search.term
    for needed in (
        '"Baclofen"[Mesh]',
        "Lioresal[tiab]",
        '"Restless Legs Syndrome"[Mesh]',
        '"Willis-Ekbom"[tiab]',
        '"periodic limb movement*"[tiab]',
    ):
        assert needed in search.term


def test_full_saved_search_is_read_whole(tmp_path):
    path = write(
        tmp_path,
        "x-y",
        'term = "a AND b"\ntitle = "T"\nschedule = "0 * * * *"\nsince = 2015-01-01\n',
    )
    assert load_saved_search(path) == SavedSearch(
        name="x-y",
        term="a AND b",
        title="T",
        schedule="0 * * * *",
        since=date(2015, 1, 1),
        path=str(path),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('term = "a"\ncolour = "red"\n', "unknown key 'colour'"),
        ('title = "no term"\n', "key 'term' is required"),
        ('term = "   "\n', "key 'term' is empty"),
        ("term = 5\n", "key 'term' must be a string, not int"),
        ('term = "a"\nschedule = "every monday"\n', "key 'schedule' is not a valid crontab"),
        ('term = "a"\nsince = "last year"\n', "key 'since' must be a date"),
        ('term = "a\n', "not valid TOML"),
        ('term = "a"\ndrug = "x"\ncondition = "y"\n', "either key 'term' or keys 'drug'"),
        ('drug = "x"\n', "key 'condition' is required with key 'drug'"),
        ('condition = "y"\n', "key 'drug' is required with key 'condition'"),
        ('drug = 3\ncondition = "y"\n', "key 'drug' must be a name or a table"),
        ('condition = "y"\n[drug]\nmesh = ["X"]\n', "key 'drug.name' is required"),
        ('condition = "y"\n[drug]\nname = "x"\ncolour = 1\n', "unknown key 'drug.colour'"),
        ('drug = "x"\n[condition]\nname = "y"\nbrands = ["z"]\n', "'condition.brands'"),
        ('condition = "y"\n[drug]\nname = "x"\nsynonyms = 4\n', "'drug.synonyms' must be a list"),
        ('condition = "y"\n[drug]\nname = "x"\nsynonyms = [4]\n', "must be a string, not int"),
        ('condition = "y"\n[drug]\nname = "x"\nsynonyms = [" "]\n', "holds an empty name"),
        ("condition = 'y'\n[drug]\nname = 'x\"[mh]'\n", "contains '\"'"),
        ("drug = 'x'\ncondition = 'y'\nschedule = 'no'\n", "key 'schedule' is not a valid"),
    ],
)
def test_bad_saved_search_names_file_and_key(tmp_path, text, message):
    path = write(tmp_path, "bad", text)
    with pytest.raises(QueryError) as err:
        load_saved_search(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_name_lists_the_known_ones(tmp_path):
    write(tmp_path, "one", 'term = "a"\n')
    with pytest.raises(QueryError, match=r"no saved search named two .*known: one"):
        select_saved_searches(tmp_path, ["two"])


def test_empty_folder_is_an_error_not_a_silent_success(tmp_path):
    with pytest.raises(QueryError, match="holds no saved searches"):
        select_saved_searches(tmp_path, [])
    with pytest.raises(QueryError, match="no such folder"):
        load_saved_searches(tmp_path / "missing")


def test_rendered_saved_search_loads_back_equal(tmp_path):
    search = SavedSearch(
        name="pair", term='"a b"[tiab] AND c\\d', title='Say "hi"', since=date(2020, 5, 1)
    )
    path = write(tmp_path, "pair", render_saved_search(search))
    assert load_saved_search(path) == SavedSearch(
        name="pair", term=search.term, title=search.title, since=search.since, path=str(path)
    )


def test_a_pair_may_name_drug_and_condition_in_one_word_each(tmp_path):
    path = write(tmp_path, "simple", 'drug = "Aspirin"\ncondition = "Migraine Disorders"\n')
    search, pair = read_saved_search(path)
    assert pair == Pair(Concept.named("Aspirin"), Concept.named("Migraine Disorders"))
    assert search == SavedSearch(
        name="simple",
        term=build_term(pair),
        title="simple",
        path=str(path),
    )


def test_a_term_search_has_no_pair(tmp_path):
    assert read_saved_search(write(tmp_path, "raw", 'term = "a"\n'))[1] is None


def test_a_pair_whose_term_grows_past_the_limit_is_refused(tmp_path):
    words = ", ".join(f'"synonym{i:04d}"' for i in range(300))
    path = write(tmp_path, "long", f'condition = "y"\n[drug]\nname = "x"\nsynonyms = [{words}]\n')
    with pytest.raises(QueryError, match="the term built from 'drug' and 'condition' is longer"):
        load_saved_search(path)


def test_rendered_pair_loads_back_equal(tmp_path):
    pair = Pair(
        Concept.named("Baclofen", synonyms=["arbaclofen"], brands=["Lioresal"]),
        Concept.named("Restless legs", mesh=[], synonyms=["Willis-Ekbom"]),
    )
    text = render_pair_search("Baclofen for\nRLS", pair, since=date(2010, 1, 1))
    path = write(tmp_path, "baclofen-rls", text)
    search, loaded = read_saved_search(path)
    assert loaded == pair
    assert (search.title, search.since, search.term) == (
        "Baclofen for\nRLS",
        date(2010, 1, 1),
        build_term(pair),
    )
