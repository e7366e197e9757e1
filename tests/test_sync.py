"""The weekly job end to end over real HTTP: backfill, a quiet week, new arrivals,
the 9,999 cap, failures that leave the database as it was, and recovery.

The local E-utilities server serves real PubMed records (tests/data/pubmed-samples);
the tracker's real client talks to it over HTTP.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from helpers import (
    CLONE_TERM,
    METAPUB_FILES,
    TREATMENTS_SEARCH,
    clone_server,
    crafted_retraction,
    fast_client,
    local_eutils,
)

from tracker import store
from tracker.digest.write import write_digest
from tracker.ingest.sync import EARLIEST, SyncOptions, run_search
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SavedSearch, Window

FILES = METAPUB_FILES
BASE, LATER = FILES[:120], FILES[120:]
TODAY = date(2026, 11, 23)
SEARCH = TREATMENTS_SEARCH


@pytest.fixture
def server():
    with local_eutils(BASE) as srv:
        yield srv


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "tracker.db")
    yield database
    database.close()


def matching(server: LocalEutils, term: str = SEARCH.term) -> set[int]:
    """What PubMed (here: the local server) holds for the term, whatever the date."""
    with fast_client(server) as client:
        return set(client.esearch(term).ids)


def snapshot(db) -> dict[str, list[tuple]]:
    """Every table's rows except the run log, for 'the database is as it was' checks."""
    tables = ["articles", "authors", "searches", "query_articles", "pending_fetch", "digests"]
    return {t: db.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


def members(db, search: str = SEARCH.name) -> set[int]:
    return {
        r[0] for r in db.conn.execute("SELECT pmid FROM query_articles WHERE search = ?", (search,))
    }


def test_first_run_backfills_everything_that_matches(server, db):
    expected = matching(server)
    assert 20 < len(expected) < len(BASE)  # the term picks a real subset
    server.requests.clear()
    with fast_client(server) as client:
        result = run_search(db, client, SEARCH, today=TODAY)
    assert (result.status, result.error) == ("ok", None)
    assert result.window == Window(EARLIEST, TODAY)
    assert (result.count, result.new, result.fetched, result.missing) == (
        len(expected),
        len(expected),
        len(expected),
        (),
    )
    assert members(db) == expected
    stored = {r[0] for r in db.conn.execute("SELECT pmid FROM articles")}
    assert stored == expected
    run = db.conn.execute(
        "SELECT search, window_start, window_end, count, new, fetched, missing, status, error, "
        "requests FROM runs"
    ).fetchall()
    efetches = -(-len(expected) // 200)
    assert run == [
        (
            "treatments",
            "1700-01-01",
            "2026-11-23",
            len(expected),
            len(expected),
            len(expected),
            "[]",
            "ok",
            None,
            1 + efetches,
        )
    ]
    assert server.requests.count("esearch") == 1
    assert server.requests.count("efetch") == efetches
    assert store.synced_until(db, SEARCH.name) == TODAY


def test_quiet_week_makes_no_efetch_and_adds_nothing(server, db):
    with fast_client(server) as client:
        run_search(db, client, SEARCH, today=TODAY)
        before = snapshot(db)
        server.requests.clear()
        result = run_search(db, client, SEARCH, today=TODAY + timedelta(days=7))
    assert (result.status, result.new, result.fetched) == ("ok", 0, 0)
    assert result.window == Window(TODAY - timedelta(days=3), TODAY + timedelta(days=7))
    assert server.requests.count("efetch") == 0
    # One esearch for records added or revised in the window (crdt OR mdat).
    assert server.requests.count("esearch") == 1
    after = snapshot(db)
    assert after["articles"] == before["articles"]
    assert after["query_articles"] == before["query_articles"]


def test_new_arrivals_are_found_once_and_digested_exactly(server, db, tmp_path):
    next_week = TODAY + timedelta(days=7)
    with fast_client(server) as client:
        run_search(db, client, SEARCH, today=TODAY)
        write_digest(db, SEARCH, tmp_path / "reports", today=TODAY)
        already = members(db)
        for path in LATER:
            server.add_record(path.read_bytes(), crdt=next_week)
        arrived = matching(server) - already
        assert arrived  # some of the later records match the term
        result = run_search(db, client, SEARCH, today=next_week)
        again = run_search(db, client, SEARCH, today=next_week)
    assert (result.new, again.new) == (len(arrived), 0)
    assert members(db) == already | arrived
    digest = write_digest(db, SEARCH, tmp_path / "reports", today=next_week)
    assert digest.studies == len(arrived)
    text = digest.markdown_path.read_text(encoding="utf-8")
    listed = {int(p) for p in re.findall(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/", text)}
    assert listed == arrived
    assert digest.markdown_path.name == f"{next_week}.md"
    empty = write_digest(db, SEARCH, tmp_path / "reports", today=next_week)
    assert empty.studies == 0
    assert empty.markdown_path.name == f"{next_week}-2.md"
    assert "No new studies since the last digest" in empty.markdown_path.read_text(encoding="utf-8")


@pytest.mark.long_running(10)
def test_a_window_above_the_cap_is_split_until_every_part_fits(db):
    with clone_server(12_500, date(2020, 1, 1), date(2020, 12, 31)) as (srv, clones):
        term = CLONE_TERM
        search = SavedSearch(name="big", title="Big", term=term, since=date(2020, 1, 1))
        with fast_client(srv) as client:
            ids = set(
                client.esearch(
                    term, datetype="crdt", mindate="2020/01/01", maxdate="2020/12/31", retmax=9999
                ).ids
            )
            assert len(ids) == 9999  # PubMed's cap: the set is truncated without splitting
            srv.requests.clear()
            result = run_search(
                db, client, search, today=date(2021, 1, 1), options=SyncOptions(batch_size=500)
            )
        assert (result.status, result.error) == ("ok", None)
        assert result.count == 12_500 and result.new == 12_500
        assert members(db, "big") == set(clones)
        assert srv.requests.count("esearch") == 3  # the whole window, then its two parts
        assert srv.requests.count("efetch") == 25


def test_a_single_day_above_the_cap_fails_loudly_and_keeps_nothing(db):
    with clone_server(10_050, date(2020, 5, 5), date(2020, 5, 5)) as (srv, _clones):
        search = SavedSearch(name="day", title="Day", term=CLONE_TERM, since=date(2020, 5, 5))
        with fast_client(srv) as client:
            result = run_search(db, client, search, today=date(2020, 5, 6))
    assert result.status == "failed"
    assert "10050 records were created on 2020-05-05 alone" in result.error
    assert members(db, "day") == set()
    assert store.synced_until(db, "day") is None


def test_a_failed_run_leaves_the_database_as_it_was_and_the_next_run_recovers(server, db):
    with fast_client(server) as client:
        run_search(db, client, SEARCH, today=TODAY)
    for path in LATER:
        server.add_record(path.read_bytes(), crdt=TODAY + timedelta(days=7))
    before = snapshot(db)
    server.faults.push("status", endpoint="efetch", times=None, code=503)
    with fast_client(server) as client:
        failed = run_search(db, client, SEARCH, today=TODAY + timedelta(days=7))
    assert failed.status == "failed" and "503" in failed.error
    assert snapshot(db) == before
    assert db.conn.execute("SELECT status, error IS NOT NULL FROM runs ORDER BY id").fetchall() == [
        ("ok", 0),
        ("failed", 1),
    ]
    server.faults.clear()
    with fast_client(server) as client:
        recovered = run_search(db, client, SEARCH, today=TODAY + timedelta(days=7))
    assert recovered.status == "ok"
    assert members(db) == matching(server)
    # It started where the last good run ended, not where the failed one tried to.
    assert recovered.window.start == TODAY - timedelta(days=3)


def test_records_efetch_leaves_out_are_retried_then_kept_pending(server, db):
    expected = matching(server)
    dropped = sorted(expected)[:2]
    server.faults.push("drop_records", endpoint="efetch", times=2, pmids=dropped)
    with fast_client(server) as client:
        first = run_search(db, client, SEARCH, today=TODAY)
        assert first.status == "ok"
        assert first.missing == tuple(dropped)
        assert members(db) == expected - set(dropped)
        assert store.pending_pmids(db, SEARCH.name) == set(dropped)
        second = run_search(db, client, SEARCH, today=TODAY + timedelta(days=7))
    assert (second.new, second.missing) == (2, ())
    assert members(db) == expected
    assert store.pending_pmids(db, SEARCH.name) == set()


def test_a_clock_that_jumps_back_never_moves_the_watermark_back(server, db):
    with fast_client(server) as client:
        run_search(db, client, SEARCH, today=TODAY)
        result = run_search(db, client, SEARCH, today=TODAY - timedelta(days=30))
    assert result.status == "ok"
    assert result.window == Window(TODAY - timedelta(days=3), TODAY)
    assert store.synced_until(db, SEARCH.name) == TODAY


def test_a_revised_record_is_updated_in_place_and_its_retraction_recorded(server, db):
    next_week = TODAY + timedelta(days=7)
    with fast_client(server) as client:
        run_search(db, client, SEARCH, today=TODAY)
        pmid = min(members(db))
        source = next(p for p in BASE if f">{pmid}</PMID>".encode() in p.read_bytes())
        first_seen = db.conn.execute(
            "SELECT first_seen FROM articles WHERE pmid = ?", (pmid,)
        ).fetchone()
        types_before = db.conn.execute(
            "SELECT publication_types FROM articles WHERE pmid = ?", (pmid,)
        ).fetchone()[0]
        server.add_record(crafted_retraction(source.read_bytes(), 99_999_999), mdat=next_week)
        result = run_search(db, client, SEARCH, today=next_week)
    assert (result.status, result.new, result.updated) == ("ok", 0, 1)
    row = db.conn.execute(
        "SELECT retracted, first_seen FROM articles WHERE pmid = ?", (pmid,)
    ).fetchone()
    assert row == (1, first_seen[0])
    changes = db.conn.execute(
        "SELECT pmid, run, kind, detail, notice_pmid FROM article_changes ORDER BY id"
    ).fetchall()
    before = ", ".join(json.loads(types_before))
    assert changes == [
        (pmid, result.run_id, "retracted", "PMID 99999999: Crafted notice. 2026;1:1", 99_999_999),
        (
            pmid,
            result.run_id,
            "publication_types",
            f"{before} → {before}, Retracted Publication",
            None,
        ),
    ]
    with fast_client(server) as client:
        again = run_search(db, client, SEARCH, today=next_week)
    assert again.updated == 1  # refreshed again (still in the window) but nothing new to say
    assert db.conn.execute("SELECT COUNT(*) FROM article_changes").fetchone()[0] == 2


def test_an_edited_term_searches_from_since_again_and_reports_only_what_it_adds(server, db):
    broader = replace(SEARCH, term=SEARCH.term + " OR review[tiab]")
    with fast_client(server) as client:
        run_search(db, client, SEARCH, today=TODAY)
        before = members(db)
        server.faults.push("status", endpoint="esearch", times=None, code=503)
        failed = run_search(db, client, broader, today=TODAY + timedelta(days=7))
        server.faults.clear()
        assert failed.status == "failed"
        # The failed attempt must not hide the edit: the next run still backfills.
        result = run_search(db, client, broader, today=TODAY + timedelta(days=7))
    added = matching(server, broader.term) - before
    assert added  # the broader term finds older records the first one missed
    assert result.window == Window(EARLIEST, TODAY + timedelta(days=7))
    assert (result.status, result.new) == ("ok", len(added))
    assert members(db) == before | added
