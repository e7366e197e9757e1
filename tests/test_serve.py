"""`tracker serve`: Datasette on the database, started for real on 127.0.0.1 and read
over HTTP; and the metadata it is given, with and without classified tiers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from collection_fixture import CRAFTED_PMID, build_collection
from sqlite_utils import Database

from tracker.research.serve import build_metadata
from tracker.store import reads

pytest.importorskip("datasette")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
        return json.loads(response.read())


@pytest.fixture
def served(tmp_path):
    build_collection(tmp_path / "tracker.db").close()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "TRACKER_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get_json(f"{base}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stdout.read().decode()) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_datasette_serves_canned_queries_facets_and_descriptions(served):
    new = get_json(f"{served}/tracker/new_this_month.json?_shape=array")
    assert len(new) > 300 and {"pmid", "title", "first_seen", "searches"} <= set(new[0])
    retracted = get_json(f"{served}/tracker/retracted.json?_shape=array")
    assert [r["pmid"] for r in retracted] == [CRAFTED_PMID]
    table = get_json(f"{served}/tracker/articles.json?_size=1&_extra=facet_results")
    facets = table["facet_results"]
    facets = facets.get("results", facets)  # Datasette 1.x nests them
    assert {"pub_year", "journal_abbrev"} <= set(facets)
    metadata = get_json(f"{served}/-/metadata.json")
    articles = metadata["databases"]["tracker"]["tables"]["articles"]
    assert articles["columns"]["first_seen"] == "When the tracker first stored it (UTC)"


def test_by_tier_says_plainly_when_tiers_are_not_classified():
    db = Database(memory=True)
    db["articles"].create({"pmid": int, "title": str, "pub_year": int, "journal": str,
                           "journal_abbrev": str, "retracted": int, "deleted": str})  # fmt: skip
    db["query_articles"].create({"search": str, "pmid": int})
    metadata = build_metadata(db, "tracker.db")
    tables = metadata["databases"]["tracker"]["tables"]
    assert "evidence_tier" not in tables["articles"]["facets"]
    assert "evidence_tier" not in tables["articles"]["columns"]
    by_tier = metadata["databases"]["tracker"]["queries"]["by_tier"]
    assert db.execute(by_tier["sql"]).fetchall() == [("tiers not classified yet",)]
    assert reads.collection_stats(db)["by_tier"] is None


def test_with_tiers_the_facet_and_query_use_them():
    db = Database(memory=True)
    db["articles"].create({"pmid": int, "pub_year": int, "journal": str, "journal_abbrev": str,
                           "retracted": int, "deleted": str, "evidence_tier": str})  # fmt: skip
    db["query_articles"].create({"search": str, "pmid": int})
    db["articles"].insert_all([{"pmid": 1, "evidence_tier": "rct"}, {"pmid": 2}])
    db["query_articles"].insert_all([{"search": "s", "pmid": 1}, {"search": "s", "pmid": 2}])
    metadata = build_metadata(db, "tracker.db")
    assert "evidence_tier" in metadata["databases"]["tracker"]["tables"]["articles"]["facets"]
    by_tier = metadata["databases"]["tracker"]["queries"]["by_tier"]["sql"]
    assert sorted(db.execute(by_tier).fetchall(), key=str) == [("s", "rct", 1), ("s", None, 1)]


def test_articles_page_opens_without_abstracts_and_json_columns(served):
    with urllib.request.urlopen(f"{served}/tracker/articles", timeout=10) as response:  # noqa: S310
        url, html = response.url, response.read().decode()
    assert "_nocol=abstract&" in url and "_nocol=mesh_headings" in url
    assert 'data-column="title"' in html
    for column in ("abstract", "abstract_sections", "mesh_headings", "publication_types"):
        assert f'data-column="{column}"' not in html
    # Asked for, a hidden column shows; the JSON API is untouched.
    with urllib.request.urlopen(f"{served}/tracker/articles?_col=abstract", timeout=10) as r:  # noqa: S310
        assert 'data-column="abstract"' in r.read().decode()
    row = get_json(f"{served}/tracker/articles.json?_size=1&_shape=array")[0]
    assert "abstract" in row and "mesh_headings" in row
