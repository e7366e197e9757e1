"""tracker.research.api: the notebook API returns DataFrames of articles, authors and runs."""

from __future__ import annotations

import pytest
from collection_fixture import CRAFTED_PMID, build_collection

from tracker import store
from tracker.models import RunResult
from tracker.research.api import CollectionError, open_collection


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "tracker.db"
    db = build_collection(path)
    with store.write_transaction(db):
        run = RunResult(search="crafted", run_id=None, status="ok", window=None, count=1)
        run_id = store.insert_run(db, run, 2)
        store.add_members(db, "crafted", [CRAFTED_PMID], run_id, store.utc_now())
        db.conn.execute("INSERT INTO searches (name, term) VALUES ('crafted', 'x')")
    db.close()
    return path


def test_articles_authors_and_runs_as_dataframes(db_path):
    with open_collection(db_path) as collection:
        articles = collection.articles()
        assert len(articles) > 300 and articles.index.name == "pmid"
        crafted = articles.loc[CRAFTED_PMID]
        assert crafted["publication_types"][0] == "Journal Article"  # JSON decoded to a list
        assert crafted["retracted"] == 1
        assert list(collection.articles(search="crafted")["pmid"]) == [CRAFTED_PMID]
        authors = collection.authors(search="crafted")
        assert list(authors["last_name"].fillna(authors["collective_name"])) == [
            "Ørsted",
            "Baclofen and RLS Study Group",
            "Smith",
        ]
        runs = collection.runs()
        assert list(runs[["search", "status", "count"]].itertuples(index=False)) == [
            ("crafted", "ok", 1)
        ]
        found = collection.find('"restless legs" AND baclofen')
        assert list(found["pmid"]) == [CRAFTED_PMID]
        assert collection.searches() == ["crafted"]


def test_an_empty_selection_still_has_its_columns(db_path):
    with open_collection(db_path) as collection:
        collection.db.conn.execute("INSERT INTO searches (name, term) VALUES ('idle', 'y')")
        assert collection.articles(search="idle").empty
        assert "title" in collection.articles(search="idle").columns
        assert "orcid" in collection.authors(search="idle").columns
        assert "query_translation" in collection.runs(search="idle").columns
        collection.db.conn.rollback()


def test_unknown_names_are_clear_errors(db_path, tmp_path):
    with open_collection(db_path) as collection, pytest.raises(CollectionError, match="nope"):
        collection.articles(search="nope")
    with pytest.raises(CollectionError, match="no such tracker database"):
        open_collection(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
