"""A saved search's ClinicalTrials.gov runs, week after week, over real HTTP against the
look-alike and into a real SQLite database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sources_kit import (
    CERTOLIZUMAB_AXSPA,
    INTERFERON_MELANOMA,
    MONTANIDE_MELANOMA,
    PEMBROLIZUMAB_MELANOMA,
    TERMINATED_FILE,
    crafted_nct00184067_recruiting,
    crafted_nct02552212_before_results,
    ctgov_client,
    ctgov_files,
    real_study,
)

from tracker import store
from tracker.ingest.trials_sync import run_trials
from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.lookalikes.jsonserver import bad_request, server_error
from tracker.store import source_runs


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "t.db")
    yield database
    database.close()


@pytest.fixture
def ctgov():
    with LocalCtgov() as server:
        server.load_files(ctgov_files())
        yield server


def rows(db, sql, *args):
    return [tuple(r) for r in db.conn.execute(sql, args).fetchall()]


def test_backfill_then_a_quiet_week_costs_one_request(db, ctgov):
    with ctgov_client(ctgov) as client:
        first = run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 5))
        quiet = run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 12))
    assert (first.status, first.count, first.new, first.requests) == ("ok", 3, 3, 1)
    assert (quiet.status, quiet.count, quiet.new, quiet.requests, quiet.window_start) == (
        "ok", 0, 0, 1, "2026-01-02",
    )  # fmt: skip
    assert ctgov.requests[0].params == {
        "query.intr": "pembrolizumab OR Keytruda",
        "query.cond": "melanoma",
        "pageSize": "1000",
        "format": "json",
        "countTotal": "true",
    }
    assert ctgov.requests[1].params["filter.advanced"] == (
        "AREA[LastUpdatePostDate]RANGE[2026-01-02,MAX]"
    )
    assert rows(db, "SELECT search, nct_id, first_run FROM search_trials ORDER BY nct_id") == [
        ("s", "NCT03590054", 1),
        ("s", "NCT04114136", 1),
        ("s", "NCT04318717", 1),
    ]
    assert rows(db, "SELECT nct_id, overall_status, phases FROM trials ORDER BY nct_id") == [
        ("NCT03590054", "COMPLETED", '["PHASE1"]'),
        ("NCT04114136", "RECRUITING", '["PHASE2"]'),
        ("NCT04318717", "RECRUITING", '["PHASE2"]'),
    ]
    assert source_runs.source_synced_until(db, "s", "ctgov") == date(2026, 1, 12)


def test_a_trial_with_the_drug_only_in_its_eligibility_text_is_not_kept(db, ctgov):
    with ctgov_client(ctgov) as client:
        result = run_trials(db, client, "s", INTERFERON_MELANOMA, date(2026, 1, 5))
    # The look-alike, like a broad search area, returns NCT00184067 for "interferon":
    # the word is in its exclusion criteria, its intervention is Montanide ISA 51.
    assert (result.count, result.new, result.skipped) == (1, 0, 1)
    assert rows(db, "SELECT COUNT(*) FROM trials") == [(0,)]


def test_a_status_change_is_recorded_and_the_trial_counted_once(db, ctgov):
    ctgov.put_study(crafted_nct00184067_recruiting())
    with ctgov_client(ctgov) as client:
        week1 = run_trials(db, client, "s", MONTANIDE_MELANOMA, date(2014, 5, 12))
        ctgov.put_study(real_study(TERMINATED_FILE))  # the real record: TERMINATED
        week2 = run_trials(db, client, "s", MONTANIDE_MELANOMA, date(2014, 5, 26))
    assert (week1.new, week2.new, week2.updated) == (1, 0, 1)
    assert rows(db, "SELECT nct_id, source_run, kind, field, old, new FROM trial_changes") == [
        ("NCT00184067", 2, "status", "overall_status", "RECRUITING", "TERMINATED"),
    ]
    assert rows(db, "SELECT overall_status, why_stopped FROM trials") == [
        ("TERMINATED", "Primary PI left institution"),
    ]


def test_results_posted_are_a_change_and_the_references_link_to_pubmed(db, ctgov):
    ctgov.put_study(crafted_nct02552212_before_results())
    with ctgov_client(ctgov) as client:
        run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2022, 8, 1))
        ctgov.load_files([ctgov_files()[3]])  # the real NCT02552212, results posted
        week2 = run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2022, 8, 22))
    assert week2.updated == 1
    assert rows(db, "SELECT kind, old, new FROM trial_changes ORDER BY id") == [
        ("results_posted", "false", "2020-08-17"),
    ]
    assert rows(db, "SELECT pmid, origin, ref_type FROM trial_publications ORDER BY pmid") == [
        (30848558, "ctgov_reference", "DERIVED"),
        (34715908, "ctgov_reference", "DERIVED"),
        (35296532, "ctgov_reference", "RESULT"),
        (35733363, "ctgov_reference", "RESULT"),
    ]


def test_a_failed_run_is_recorded_keeps_the_window_and_is_retried_next_time(db, ctgov):
    with ctgov_client(ctgov, max_attempts=2) as client:
        run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 5))
        ctgov.fail_next(server_error(503), server_error(503))
        failed = run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 12))
        ctgov.fail_next(bad_request())
        refused = run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 19))
        retried = run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 26))
    assert (failed.status, failed.error, failed.requests) == (
        "failed", "ClinicalTrials.gov unavailable after 2 attempts: HTTP 503", 2,
    )  # fmt: skip
    assert (refused.status, refused.requests) == ("failed", 1)
    assert refused.error == (
        "ClinicalTrials.gov refused the request (HTTP 400): crafted: invalid query syntax"
    )
    # Every retry asks from the last good run's day, less the overlap.
    assert [failed.window_start, refused.window_start, retried.window_start] == ["2026-01-02"] * 3
    assert retried.status == "ok"
    assert rows(db, "SELECT id, status, requests FROM source_runs ORDER BY id") == [
        (1, "ok", 1), (2, "failed", 2), (3, "failed", 1), (4, "ok", 1),
    ]  # fmt: skip
    status = source_runs.source_status(db, "s", "ctgov")
    assert (status["consecutive_failures"], status["synced_until"], status["records"]) == (
        0, "2026-01-26", 3,
    )  # fmt: skip


def test_a_backfill_over_several_pages_keeps_every_trial(db, ctgov):
    ctgov.page_cap = 2  # three matching studies: two pages
    with ctgov_client(ctgov) as client:
        result = run_trials(db, client, "s", PEMBROLIZUMAB_MELANOMA, date(2026, 1, 5))
    assert (result.count, result.new, result.requests) == (3, 3, 2)
    assert [r.params.get("pageToken") is None for r in ctgov.requests] == [True, False]


def test_pubmed_records_link_to_the_trials_they_name(db):
    from pathlib import Path

    from tracker.pubmed import iter_pubmed_xml
    from tracker.store import links

    folder = Path(__file__).parent / "data/pubmed-samples/baseline"
    articles = [
        a
        for name in ("tipplerow__29355075.xml", "tipplerow__30073290.xml")
        for a in iter_pubmed_xml((folder / name).read_bytes(), name=name)
    ]
    with store.write_transaction(db):
        store.upsert_articles(db, articles, "2026-01-05T06:00:00Z")
    assert rows(
        db, "SELECT nct_id, pmid, origin FROM trial_publications ORDER BY pmid, origin"
    ) == [
        ("NCT02060188", 29355075, "pubmed_databank"),
        ("NCT02024373", 30073290, "pubmed_abstract"),
        ("NCT02024373", 30073290, "pubmed_databank"),
    ]
    assert links.trials_of_articles(db, [29355075, 30073290]) == {
        29355075: ["NCT02060188"],
        30073290: ["NCT02024373"],
    }


LINKED = ("tipplerow__29355075.xml", "tipplerow__30073290.xml")  # DataBankList, abstract
LINKS = [
    ("NCT02060188", 29355075, "pubmed_databank"),
    ("NCT02024373", 30073290, "pubmed_abstract"),
    ("NCT02024373", 30073290, "pubmed_databank"),
]


def test_a_sync_links_new_records_to_the_trials_they_name(db):
    """New records reach `articles` through the run's staged batches: the links must
    travel with them (they once came only through store.upsert_articles)."""
    from helpers import fast_client, local_eutils

    from tracker.ingest.sync import run_search
    from tracker.models import SavedSearch

    folder = Path(__file__).parent / "data/pubmed-samples/baseline"
    search = SavedSearch(name="s", title="S", term="nivolumab[tiab] OR atorvastatin[tiab]")
    with local_eutils([folder / name for name in LINKED]) as server, fast_client(server) as client:
        result = run_search(db, client, search, today=date(2026, 11, 23))
    assert (result.status, result.new) == ("ok", 2)
    assert (
        rows(db, "SELECT nct_id, pmid, origin FROM trial_publications ORDER BY pmid, origin")
        == LINKS
    )


def test_an_import_links_records_to_the_trials_they_name(db):
    from tracker.ingest.importer import import_file

    folder = Path(__file__).parent / "data/pubmed-samples/baseline"
    for name in LINKED:
        import_file(db, folder / name)
    assert (
        rows(db, "SELECT nct_id, pmid, origin FROM trial_publications ORDER BY pmid, origin")
        == LINKS
    )


def test_m009_links_stored_records_to_the_trials_their_abstracts_name(tmp_path):
    """A database filled before links travelled with staged and imported records gets
    the links its stored abstracts name; a DataBankList is not stored, so not those."""
    from tracker.ingest.importer import import_file

    path = tmp_path / "old.db"
    old = store.connect(path)
    folder = Path(__file__).parent / "data/pubmed-samples/baseline"
    for name in LINKED:
        import_file(old, folder / name)
    seen = old.conn.execute("SELECT first_seen FROM articles WHERE pmid = 30073290").fetchone()
    old.conn.execute("DELETE FROM trial_publications")
    old.conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm009%'")
    old.conn.commit()
    old.close()
    migrated = store.connect(path)
    assert rows(migrated, "SELECT nct_id, pmid, origin, first_seen FROM trial_publications") == [
        ("NCT02024373", 30073290, "pubmed_abstract", seen[0])
    ]
    migrated.close()
