"""Preprints in the digest: the not-peer-reviewed caution, a linked pair shown as one
study, "Preprint published" in What changed, and the RIS and BibTeX exports."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sources_kit import (
    COVID_CORE,
    EUROPEPMC,
    VACCINE_COVID,
    crafted_ppr838108_unlinked,
    europepmc_client,
    pubmed_ran,
    real_epmc_record,
)

from tracker import store
from tracker.digest.write import write_digest
from tracker.ingest.preprints_sync import run_preprints
from tracker.lookalikes.europepmc.server import LocalEuropePmc
from tracker.models import SavedSearch

SEARCH = SavedSearch(name="s", title="Sample pair", term="x")


@pytest.fixture
def week_two(tmp_path):
    """Week 1: two preprints, PPR838108 not linked yet (crafted); week 2: the real record
    with its "Preprint of" link to PMID 38605817."""
    db = store.connect(tmp_path / "t.db")
    reports = tmp_path / "reports"
    with LocalEuropePmc() as epmc:
        epmc.load_files(sorted(EUROPEPMC.glob("*.json")))
        epmc.put_record(crafted_ppr838108_unlinked())
        with europepmc_client(epmc) as client:
            run_preprints(db, client, "s", VACCINE_COVID, date(2024, 4, 18))
            pubmed_ran(db, SEARCH, date(2024, 4, 18))
            first = write_digest(db, SEARCH, reports, today=date(2024, 4, 18))
            epmc.put_record(real_epmc_record(COVID_CORE, "PPR838108"))
            run_preprints(db, client, "s", VACCINE_COVID, date(2024, 4, 20))
    pubmed_ran(db, SEARCH, date(2024, 4, 20))
    second = write_digest(db, SEARCH, reports, today=date(2024, 4, 20))
    yield first, second
    db.close()


def test_week_one_lists_the_preprints_with_the_caution_and_exports(week_two):
    first, _ = week_two
    doc = json.loads(first.files["json"].read_text(encoding="utf-8"))
    assert [(p["id"], p["doi"], p["published_pmid"], p["change"]) for p in doc["preprints"]] == [
        ("PPR838108", "10.12688/f1000research.130610.4", None, "new"),
        ("PPR807612", "10.1101/2024.02.12.24302535", None, "new"),
    ]
    md = first.markdown_path.read_text(encoding="utf-8")
    assert "## Preprints\n\n> ⚠ Preprints have not been peer reviewed" in md
    assert "Tran H, Risk M, Lee Y, et al. Preprint (medRxiv, February 2024) · DOI:" in md
    ris = first.files["preprints_ris"].read_bytes().decode("utf-8")
    assert ris.split("\r\n\r\n")[1] == "\r\n".join(
        [
            "TY  - UNPB",
            "ID  - PPR807612",
            "TI  - RISK OF THROMBOEMBOLISM AFTER COVID-19 VACCINATION AND COVID-19 INFECTION.",
            "AU  - Tran, H",
            "AU  - Risk, M",
            "AU  - Lee, Y",
            "AU  - Nair.B, G",
            "AU  - Zhao, L",
            "PY  - 2024",
            "DA  - 2024/02/18",
            "PB  - medRxiv",
            "DO  - 10.1101/2024.02.12.24302535",
            "UR  - https://europepmc.org/article/PPR/PPR807612",
            "N1  - Preprint, not peer reviewed",
            "ER  - ",
            "",
        ]
    )
    bib = first.files["preprints_bib"].read_text(encoding="utf-8")
    assert bib.split("\n\n")[1] == (
        "@unpublished{PPR807612,\n"
        "  title = {{RISK OF THROMBOEMBOLISM AFTER COVID-19 VACCINATION AND COVID-19 "
        "INFECTION.}},\n"
        "  author = {Tran, H and Risk, M and Lee, Y and Nair.B, G and Zhao, L},\n"
        "  year = {2024},\n"
        "  note = {Preprint (medRxiv), not peer reviewed},\n"
        "  doi = {10.1101/2024.02.12.24302535},\n"
        "  url = {https://europepmc.org/article/PPR/PPR807612}\n"
        "}\n"
    )


def test_week_two_shows_the_pair_as_one_study_and_what_changed(week_two):
    _, second = week_two
    doc = json.loads(second.files["json"].read_text(encoding="utf-8"))
    assert [(p["id"], p["published_pmid"], p["change"]) for p in doc["preprints"]] == [
        ("PPR838108", 38605817, "published"),
    ]
    assert doc["preprints"][0]["study_line"] == (
        "preprint (F1000Res, April 2024) → published in F1000Research (PMID 38605817)"
    )
    assert doc["source_changes"] == [
        {
            "kind": "preprint_published",
            "label": "Preprint published",
            "title": "Sentiment analysis of Indonesian tweets on COVID-19 and COVID-19 "
            "vaccinations",
            "url": "https://pubmed.ncbi.nlm.nih.gov/38605817/",
            "detail": "The preprint (F1000Res, April 2024) → published in F1000Research "
            "(PMID 38605817); Europe PMC matched the two by title and first author",
            "source": "europepmc",
            "id": "PPR838108",
        }
    ]
    assert second.summary == (
        "No new studies since the last digest (2024-04-18). Beside PubMed: 1 preprint published."
    )
    md = second.markdown_path.read_text(encoding="utf-8")
    assert (
        "Preprint (F1000Res, April 2024) → published in *F1000Research* "
        "([PMID 38605817](https://pubmed.ncbi.nlm.nih.gov/38605817/)) (linked by Europe PMC "
        "on a title and first-author match)"
    ) in md
    html = second.html_path.read_text(encoding="utf-8")
    assert "→ published in <em><bdi>F1000Research</bdi></em>" in html


def test_the_feed_lists_the_preprint_with_its_caution_and_journal_version(week_two):
    import feedparser

    _, second = week_two
    feed = feedparser.parse(second.files["feed"].read_bytes())
    assert not feed.bozo
    (entry,) = [e for e in feed.entries if e.id.endswith("/PPR838108")]
    assert entry.title == (
        "[Preprint · F1000Res] Sentiment analysis of Indonesian tweets on COVID-19 and "
        "COVID-19 vaccinations"
    )
    assert [t.term for t in entry.tags] == ["preprint"]
    assert "have not been peer reviewed" in entry.summary
    assert entry.summary.endswith("Published since: PubMed 38605817.")
