"""Saved searches: loading queries/*.toml, and every mistake naming file and key."""

from datetime import date
from pathlib import Path

import pytest

from tracker.models import SavedSearch
from tracker.queries import (
    QueryError,
    load_saved_search,
    load_saved_searches,
    render_saved_search,
    select_saved_searches,
)

REPO = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_baclofen_search_loads_as_one_line_term():
    search = load_saved_search(REPO / "queries" / "baclofen-rls.toml")
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
