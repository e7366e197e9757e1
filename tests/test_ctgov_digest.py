"""Trials in the digest: Registered trials, What changed, badges, the results paper
under its trial, and the CSV and JSON exports, in every format."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sources_kit import (
    CERTOLIZUMAB_AXSPA,
    MONTANIDE_MELANOMA,
    RESULTS_FILE,
    TERMINATED_FILE,
    crafted_nct00184067_recruiting,
    crafted_nct02552212_before_results,
    ctgov_client,
    ctgov_files,
    pubmed_ran,
    real_study,
)

from tracker import store
from tracker.digest.write import write_digest
from tracker.ingest.trials_sync import run_trials
from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.models import SavedSearch
from tracker.pubmed import iter_pubmed_xml

SEARCH = SavedSearch(name="s", title="Sample pair", term="x")
PUBMED_29355075 = Path(__file__).parent / "data/pubmed-samples/baseline/tipplerow__29355075.xml"


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


def crafted_nct02552212_citing_29355075() -> dict:
    """Crafted: the real NCT02552212 (results posted) whose first RESULT reference names
    PMID 29355075, a real PubMed sample record, instead of 35296532 (not in the samples),
    so that its results paper is in the database."""
    study = real_study(RESULTS_FILE)
    study["protocolSection"]["referencesModule"]["references"][0]["pmid"] = "29355075"
    return study


def test_results_posted_with_the_results_paper_under_its_trial(db, ctgov, tmp_path):
    reports = tmp_path / "reports"
    ctgov.put_study(crafted_nct02552212_before_results())
    with ctgov_client(ctgov) as client:
        run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2022, 8, 1))
        pubmed_ran(db, SEARCH, date(2022, 8, 1))
        first = write_digest(db, SEARCH, reports, today=date(2022, 8, 1))
        ctgov.put_study(crafted_nct02552212_citing_29355075())
        run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2022, 8, 22))
    with store.write_transaction(db):
        articles = list(iter_pubmed_xml(PUBMED_29355075.read_bytes(), name="sample"))
        store.upsert_articles(db, articles, store.utc_now())
    pubmed_ran(db, SEARCH, date(2022, 8, 22))
    digest = write_digest(db, SEARCH, reports, today=date(2022, 8, 22))
    assert (
        first.summary
        == "No new studies since the last digest. Beside PubMed: 1 new registered trial."
    )
    assert digest.summary == (
        "No new studies since the last digest (2022-08-01). Beside PubMed: 1 trial updated."
    )
    doc = json.loads(digest.files["json"].read_text(encoding="utf-8"))
    (trial,) = doc["trials"]
    assert (trial["nct_id"], trial["status"], trial["change"]) == (
        "NCT02552212", "COMPLETED", "results_posted",
    )  # fmt: skip
    assert trial["publications"] == [
        {
            "pmid": 29355075,
            "title": "Durable Clinical Benefit With Nivolumab Plus Ipilimumab in DNA Mismatch "
            "Repair-Deficient/Microsatellite Instability-High Metastatic Colorectal Cancer.",
            "journal": "J. Clin. Oncol.",
            "year": 2018,
            "results_paper": True,
            "origins": ["ctgov_reference"],
        }
    ]
    assert doc["source_changes"] == [
        {
            "kind": "trial_results",
            "label": "Trial results posted",
            "title": trial["title"],
            "url": "https://clinicaltrials.gov/study/NCT02552212",
            "detail": "Results are now posted on ClinicalTrials.gov",
            "source": "ctgov",
            "id": "NCT02552212",
        }
    ]
    md = digest.markdown_path.read_text(encoding="utf-8")
    assert (
        "NCT02552212 · **Results newly posted** · **Completed** · **Results posted** · Phase 3 · "
        "317 participants (actual) · UCB BIOSCIENCES GmbH\n\nChanged: results posted "
        "(2020-08-17).\n\n- Results paper: [Durable Clinical Benefit With Nivolumab"
    ) in md
    assert digest.files["trials_csv"].read_bytes().decode("utf-8") == (
        "nct_id,title,status,change,why_stopped,phases,study_type,enrollment,enrollment_type,"
        "start_date,completion_date,last_update_posted,has_results,sponsor,url,results_pmids\r\n"
        f"NCT02552212,{trial['title']},COMPLETED,results_posted,,Phase 3,Interventional,317,"
        "actual,2015-09,2020-05,2022-08-18,True,UCB BIOSCIENCES GmbH,"
        "https://clinicaltrials.gov/study/NCT02552212,29355075\r\n"
    )
    assert json.loads(digest.files["trials_json"].read_text(encoding="utf-8")) == doc["trials"]


def test_a_trial_stopped_is_badged_with_its_reason_and_named_in_what_changed(db, ctgov, tmp_path):
    reports = tmp_path / "reports"
    ctgov.put_study(crafted_nct00184067_recruiting())
    with ctgov_client(ctgov) as client:
        run_trials(db, client, "s", MONTANIDE_MELANOMA, date(2014, 5, 12))
        write_digest(db, SEARCH, reports, today=date(2014, 5, 12))
        ctgov.put_study(real_study(TERMINATED_FILE))
        run_trials(db, client, "s", MONTANIDE_MELANOMA, date(2014, 5, 26))
    digest = write_digest(db, SEARCH, reports, today=date(2014, 5, 26))
    doc = json.loads(digest.files["json"].read_text(encoding="utf-8"))
    assert [(t["nct_id"], t["status"], t["change"], t["badges"]) for t in doc["trials"]] == [
        (
            "NCT00184067",
            "TERMINATED",
            "status_changed",
            [{"id": "terminated", "label": "Terminated: Primary PI left institution"}],
        )
    ]
    assert doc["trials"][0]["change_details"] == ["status Recruiting → Terminated"]
    assert [(c["kind"], c["label"], c["detail"]) for c in doc["source_changes"]] == [
        ("trial_stopped", "Trial terminated", "Trial terminated: Primary PI left institution"),
    ]
    text = digest.files["text"].read_text(encoding="utf-8")
    assert "- Trial terminated: " in text and "REGISTERED TRIALS" in text
    html = digest.html_path.read_text(encoding="utf-8")
    assert '<span class="badge caution"><bdi>Terminated: Primary PI left institution</bdi>' in html


def test_a_quiet_week_lists_no_trial_twice(db, ctgov, tmp_path):
    reports = tmp_path / "reports"
    with ctgov_client(ctgov) as client:
        run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2026, 1, 5))
        first = write_digest(db, SEARCH, reports, today=date(2026, 1, 5))
        run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2026, 1, 12))
    second = write_digest(db, SEARCH, reports, today=date(2026, 1, 12))
    assert [t["nct_id"] for t in json.loads(first.files["json"].read_text())["trials"]] == [
        "NCT02552212"
    ]
    assert json.loads(second.files["json"].read_text())["trials"] == []
    assert "trials_csv" not in second.files


def test_the_feed_lists_the_trial_beside_the_studies(db, ctgov, tmp_path):
    import feedparser

    ctgov.put_study(crafted_nct02552212_citing_29355075())
    with ctgov_client(ctgov) as client:
        run_trials(db, client, "s", CERTOLIZUMAB_AXSPA, date(2022, 8, 1))
    pubmed_ran(db, SEARCH, date(2022, 8, 1))
    digest = write_digest(db, SEARCH, tmp_path / "reports", today=date(2022, 8, 1))
    feed = feedparser.parse(digest.files["feed"].read_bytes())
    assert not feed.bozo
    (entry,) = [e for e in feed.entries if e.id == "https://clinicaltrials.gov/study/NCT02552212"]
    assert entry.title.startswith("[Registered trial · Completed] ")
    assert entry.link == "https://clinicaltrials.gov/study/NCT02552212"
    assert [t.term for t in entry.tags] == ["registered_trial"]
    assert entry.summary.startswith("NCT02552212: Completed.")
    assert "Results posted on ClinicalTrials.gov." in entry.summary
