"""Europe PMC preprints: the parser on recorded core records, the query translation,
and runs over real HTTP against the look-alike: paging, a preprint that gains its
journal link, failure shapes."""

from __future__ import annotations

from datetime import date

import pytest
from sources_kit import (
    COVID_CORE,
    EUROPEPMC,
    VACCINE_COVID,
    crafted_ppr838108_unlinked,
    europepmc_client,
    real_epmc_record,
)

from tracker import store
from tracker.europepmc.client import iter_pages
from tracker.europepmc.parse import parse_page, parse_record
from tracker.europepmc.query import preprint_query
from tracker.ingest.preprints_sync import run_preprints
from tracker.jsonapi.client import ApiQueryError
from tracker.lookalikes.europepmc.server import LocalEuropePmc
from tracker.lookalikes.jsonserver import bad_request, rate_limited, server_error, truncated
from tracker.models import PreprintLink
from tracker.searches.pairs import Concept, Pair


@pytest.fixture
def epmc():
    with LocalEuropePmc() as server:
        server.load_files(sorted(EUROPEPMC.glob("*.json")))
        yield server


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "t.db")
    yield database
    database.close()


def test_a_preprint_with_its_journal_link():
    p = parse_record(real_epmc_record(COVID_CORE, "PPR838108"))
    assert (p.id, p.doi, p.server, p.version) == (
        "PPR838108", "10.12688/f1000research.130610.4", "F1000Res", 4,
    )  # fmt: skip
    assert p.published == PreprintLink(
        38605817, "F1000Research. 2023 ;12:1007", "Link created based on a title-first author match"
    )
    assert p.published.confidence == "title-author match"
    assert p.authors[:2] == ("Kalanjati VP", "Hasanatuludhhiyah N")
    assert (p.first_index_date, p.date_of_creation) == ("2024-04-18", "2024-04-18")


def test_a_page_keeps_preprints_only_and_ends_without_a_cursor():
    import json

    data = json.loads((EUROPEPMC / COVID_CORE).read_text(encoding="utf-8"))
    page = parse_page(data, "*")
    assert ([p.id for p in page.preprints], page.other_records) == (
        ["PPR838108", "PPR847354", "PPR807612"], 22,
    )  # fmt: skip
    assert page.next_cursor == "AoIIQYG89Cg1MDA4ODY4NQ=="
    last = json.loads((EUROPEPMC / "genomoncology-biomcp__search_pmid_20516115.json").read_text())
    assert parse_page(last, "*").next_cursor is None


def test_the_pair_in_europe_pmc_syntax():
    pair = Pair(
        Concept.named("baclofen", brands=["Lioresal"]),
        Concept.named("restless legs syndrome", synonyms=["periodic limb movement*"]),
    )
    assert preprint_query(pair, date(2024, 3, 1)) == (
        '(baclofen OR Lioresal) AND ("restless legs syndrome" OR "periodic limb movement*") '
        "AND SRC:PPR AND (FIRST_IDATE:[2024-03-01 TO 3000-12-31] "
        "OR UPDATE_DATE:[2024-03-01 TO 3000-12-31])"
    )


def test_cursor_pages_to_the_end(epmc):
    epmc.page_cap = 1
    with europepmc_client(epmc) as client:
        pages = list(iter_pages(client, preprint_query(VACCINE_COVID, None)))
    cursors = [r.params["cursorMark"] for r in epmc.requests]
    assert len(pages) == len(cursors) and cursors[0] == "*"
    assert [c for c in cursors[1:]] == [p.next_cursor for p in pages[:-1]]
    assert pages[-1].next_cursor is None
    assert epmc.requests[0].params["resultType"] == "core"
    assert epmc.requests[0].params["format"] == "json"


def test_a_preprint_that_gains_its_journal_link(db, epmc):
    epmc.put_record(crafted_ppr838108_unlinked())
    with europepmc_client(epmc) as client:
        week1 = run_preprints(db, client, "s", VACCINE_COVID, date(2024, 4, 18))
        epmc.put_record(real_epmc_record(COVID_CORE, "PPR838108"))  # now linked
        week2 = run_preprints(db, client, "s", VACCINE_COVID, date(2024, 4, 20))
    assert week1.new >= 1 and week2.new == 0
    assert week2.updated == 1
    changes = db.conn.execute("SELECT preprint_id, kind, old, new FROM preprint_changes")
    assert [tuple(r) for r in changes] == [("PPR838108", "published", None, "38605817")]
    row = db.conn.execute(
        "SELECT published_pmid, link_confidence, link_note FROM preprints WHERE id = 'PPR838108'"
    ).fetchone()
    assert tuple(row) == (
        38605817, "title-author match", "Link created based on a title-first author match",
    )  # fmt: skip


def test_a_quiet_week_is_one_request_with_the_window(db, epmc):
    with europepmc_client(epmc) as client:
        run_preprints(db, client, "s", VACCINE_COVID, date(2026, 1, 5))
        quiet = run_preprints(db, client, "s", VACCINE_COVID, date(2026, 1, 12))
    assert (quiet.status, quiet.count, quiet.requests) == ("ok", 0, 1)
    assert (
        epmc.requests[1]
        .params["query"]
        .endswith(
            "AND SRC:PPR AND (FIRST_IDATE:[2026-01-02 TO 3000-12-31] "
            "OR UPDATE_DATE:[2026-01-02 TO 3000-12-31])"
        )
    )


@pytest.mark.parametrize("fault", [rate_limited("0"), server_error(502), truncated()])
def test_transient_failures_are_retried(db, epmc, fault):
    epmc.fail_next(fault)
    with europepmc_client(epmc) as client:
        result = run_preprints(db, client, "s", VACCINE_COVID, date(2026, 1, 5))
    assert (result.status, result.requests) == ("ok", 2)


def test_a_plain_text_400_fails_the_run_at_once(db, epmc):
    epmc.fail_next(bad_request("crafted: Syntax error in query"))
    with europepmc_client(epmc) as client, pytest.raises(ApiQueryError):
        list(iter_pages(client, "x"))
    with europepmc_client(epmc) as client:
        epmc.fail_next(bad_request("crafted: Syntax error in query"))
        result = run_preprints(db, client, "s", VACCINE_COVID, date(2026, 1, 5))
    assert (result.status, result.error) == (
        "failed", "Europe PMC refused the request (HTTP 400): crafted: Syntax error in query",
    )  # fmt: skip


def test_a_hang_times_out_and_is_retried(db, epmc):
    from tracker.lookalikes.jsonserver import hang

    epmc.fail_next(hang(20.0))
    with europepmc_client(epmc, timeout=0.5) as client:
        result = run_preprints(db, client, "s", VACCINE_COVID, date(2026, 1, 5))
    assert (result.status, result.requests) == ("ok", 2)
    assert client.attempts[0].outcome.startswith("timed out")
