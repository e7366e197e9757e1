"""ClinicalTrials.gov v2: the parser on recorded studies, and the client over real HTTP
against the local look-alike: paging and every failure shape."""

from __future__ import annotations

import time

import pytest
from sources_kit import (
    PEMBROLIZUMAB_MELANOMA,
    RESULTS_FILE,
    ctgov_client,
    ctgov_files,
    real_study,
)

from tracker.ctgov.client import TrialQuery, iter_pages, search_params
from tracker.ctgov.parse import names_intervention, parse_page, parse_study
from tracker.ctgov.query import trial_query
from tracker.jsonapi.client import ApiQueryError, ApiUnavailable
from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.lookalikes.jsonserver import bad_request, hang, rate_limited, server_error, truncated
from tracker.models import Trial, TrialIntervention
from tracker.searches.pairs import Concept, Pair


@pytest.fixture
def ctgov():
    with LocalCtgov() as server:
        server.load_files(ctgov_files())
        yield server


def test_a_full_record_parses_to_the_fields_the_tracker_keeps():
    trial = parse_study(real_study(RESULTS_FILE))
    assert trial == Trial(
        nct_id="NCT02552212",
        brief_title="Multicenter Study Evaluating Certolizumab Pegol Compared to Placebo in "
        "Subjects With axSpA Without X-ray Evidence of AS",
        official_title=trial.official_title,
        overall_status="COMPLETED",
        last_known_status=None,
        why_stopped=None,
        phases=("PHASE3",),
        study_type="INTERVENTIONAL",
        enrollment=317,
        enrollment_type="ACTUAL",
        start_date="2015-09",
        primary_completion_date="2018-05",
        completion_date="2020-05",
        first_posted="2015-09-17",
        last_update_posted="2022-08-18",
        results_first_posted="2020-08-17",
        has_results=True,
        conditions=(
            "Axial Spondyloarthritis",
            "Nonradiographic Axial Spondyloarthritis",
            "Nr-axSpA",
        ),
        interventions=(
            TrialIntervention("Certolizumab Pegol", "BIOLOGICAL", ("Cimzia", "CDP870")),
            TrialIntervention("Placebo", "OTHER", ()),
        ),
        lead_sponsor="UCB BIOSCIENCES GmbH",
        reference_pmids=(
            (35296532, "RESULT"),
            (35733363, "RESULT"),
            (34715908, "DERIVED"),
            (30848558, "DERIVED"),
        ),
    )
    assert trial.url == "https://clinicaltrials.gov/study/NCT02552212"


def test_observational_study_without_phases_key_and_unknown_status():
    trial = parse_study(real_study("ctti-clinicaltrials-aact__NCT03475563.json"))
    assert (trial.phases, trial.overall_status, trial.last_known_status) == (
        (),
        "UNKNOWN",
        "RECRUITING",
    )
    assert (trial.enrollment, trial.enrollment_type) == (100, "ESTIMATED")


def test_page_token_and_total_count_of_a_recorded_page():
    page = parse_page(real_study("genomoncology-biomcp__search_phelan_limit5_20260811.json"))
    assert (len(page.studies), page.total_count) == (5, 21)
    assert page.next_page_token == "ZVt07cGHkvI2wRk2CJf6_LLq14bEL8swd7KrgP4dnDeTsPkw"
    last = parse_page(real_study("genomoncology-biomcp__search_nsclc_egfr_l858r_20260811.json"))
    assert last.next_page_token is None


def test_the_drug_must_be_an_intervention_by_name_or_other_name():
    trial = parse_study(real_study(RESULTS_FILE))
    assert names_intervention(trial, ["Cimzia"])
    assert names_intervention(trial, ["certolizumab pegol"])
    assert names_intervention(trial, ["certolizumab"])  # a whole word of the name
    assert names_intervention(trial, ["certoli*"])
    assert not names_intervention(trial, ["certoli"])  # not a word of it, and not truncated
    terminated = parse_study(real_study(
        "cyanheads-clinicaltrialsgov-mcp-server__study_NCT00184067_2025-06-17T11-17-42-480Z.json"
    ))  # fmt: skip
    # "interferon" is in its eligibility criteria only: not a trial of interferon.
    assert not names_intervention(terminated, ["interferon"])


def test_the_pair_in_essie_syntax():
    pair = Pair(
        Concept.named("baclofen", synonyms=["arbaclofen"], brands=["Lioresal"]),
        Concept.named(
            "restless legs syndrome",
            synonyms=["Willis-Ekbom", "periodic limb movement*"],
            mesh=["Restless Legs Syndrome", "Nocturnal Myoclonus Syndrome"],
        ),
    )
    assert trial_query(pair) == TrialQuery(
        intr="baclofen OR arbaclofen OR Lioresal",
        cond='"restless legs syndrome" OR "Willis-Ekbom" OR "periodic limb movement" '
        'OR "Nocturnal Myoclonus Syndrome"',
    )


def test_search_params_with_the_incremental_window():
    from datetime import date

    params = search_params(TrialQuery("a OR b", "c"), date(2024, 3, 1))
    assert params == {
        "query.intr": "a OR b",
        "query.cond": "c",
        "pageSize": "1000",
        "format": "json",
        "countTotal": "true",
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2024-03-01,MAX]",
    }


def test_pages_follow_the_token_with_the_same_parameters(ctgov):
    ctgov.page_cap = 2  # three matching studies: pages of 2 and 1
    with ctgov_client(ctgov) as client:
        pages = list(iter_pages(client, trial_query(PEMBROLIZUMAB_MELANOMA), None))
    assert [len(p.studies) for p in pages] == [2, 1]
    assert [p.total_count for p in pages] == [3, None]
    first, second = (r.params for r in ctgov.requests)
    assert "pageToken" not in first and second["pageToken"] == pages[0].next_page_token
    assert {k: v for k, v in second.items() if k != "pageToken"} == {
        k: v for k, v in first.items() if k != "countTotal"
    }


def _query() -> TrialQuery:
    return trial_query(PEMBROLIZUMAB_MELANOMA)


def test_plain_text_400_is_one_line_and_not_retried(ctgov):
    ctgov.fail_next(bad_request("crafted: Invalid\nquery.intr  value"))
    with ctgov_client(ctgov) as client, pytest.raises(ApiQueryError) as caught:
        list(iter_pages(client, _query(), None))
    assert str(caught.value) == (
        "ClinicalTrials.gov refused the request (HTTP 400): crafted: Invalid query.intr value"
    )
    assert ctgov.count() == 1


def test_429_waits_for_retry_after_then_succeeds(ctgov):
    ctgov.fail_next(rate_limited("2"))
    slept: list[float] = []
    with ctgov_client(ctgov) as client:
        client._sleep = slept.append  # record the wait instead of sleeping it
        pages = list(iter_pages(client, _query(), None))
    assert slept == [2.0]
    assert [r.answered for r in ctgov.requests] == [429, 200]
    assert len(pages[0].studies) == 3


@pytest.mark.parametrize("fault", [server_error(503), server_error(500), truncated()])
def test_5xx_and_a_cut_off_json_body_are_retried(ctgov, fault):
    ctgov.fail_next(fault)
    with ctgov_client(ctgov) as client:
        pages = list(iter_pages(client, _query(), None))
    assert len(pages[0].studies) == 3
    assert ctgov.count() == 2


def test_a_hang_times_out_and_is_retried(ctgov):
    ctgov.fail_next(hang(20.0))  # daemon thread: the stop does not wait for it
    began = time.monotonic()
    with ctgov_client(ctgov, timeout=0.5) as client:
        pages = list(iter_pages(client, _query(), None))
    assert len(pages[0].studies) == 3
    assert client.attempts[0].outcome.startswith("timed out")
    assert time.monotonic() - began < 8  # the 20 s hang was cut, even on a loaded machine


def test_retries_give_up_with_the_last_reason(ctgov):
    ctgov.fail_next(*[server_error(502)] * 3)
    with ctgov_client(ctgov, max_attempts=3) as client, pytest.raises(ApiUnavailable) as caught:
        list(iter_pages(client, _query(), None))
    assert str(caught.value) == "ClinicalTrials.gov unavailable after 3 attempts: HTTP 502"


def test_a_body_over_the_cap_is_refused(ctgov):
    with ctgov_client(ctgov, max_body=1000) as client, pytest.raises(ApiQueryError) as caught:
        list(iter_pages(client, _query(), None))
    assert str(caught.value) == "ClinicalTrials.gov: response larger than 1000 bytes; refused"
