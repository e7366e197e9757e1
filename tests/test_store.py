"""The database: whole stored rows for a real record, upserts that keep first_seen,
FTS kept in sync, migrations that re-run as no-ops, transactions that roll back."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tracker import store
from tracker.classify.version import RULES_VERSION
from tracker.pubmed import open_pubmed_file

SAMPLES = Path(__file__).parent / "data" / "pubmed-samples"
# PMID 30073290: a multicentre RCT (JAMA Neurol 2018), structured abstract, PMC id.
RCT_FILE = SAMPLES / "baseline" / "tipplerow__30073290.xml"
FIRST = "2026-01-01T00:00:00Z"
LATER = "2026-02-01T00:00:00Z"


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "t.db")
    yield database
    database.close()


def rct():
    (article,) = open_pubmed_file(RCT_FILE)
    return article


def stored_row(db, pmid: int) -> dict:
    return dict(next(db.query("SELECT * FROM articles WHERE pmid = ?", [pmid])))


def test_a_real_record_is_stored_as_this_whole_row(db):
    article = rct()
    with store.write_transaction(db):
        store.upsert_articles(db, [article], FIRST)
    row = stored_row(db, 30073290)
    abstract = row.pop("abstract")
    sections = json.loads(row.pop("abstract_sections"))
    mesh = json.loads(row.pop("mesh_headings"))
    assert row == {
        "pmid": 30073290,
        "version": 1,
        "record_type": "article",
        "title": "Safety and Efficacy of Atorvastatin for Chronic Subdural Hematoma in Chinese "
        "Patients: A Randomized ClinicalTrial.",  # sic: "ClinicalTrial" is in the record
        "vernacular_title": None,
        "journal": "JAMA neurology",
        "journal_abbrev": "JAMA Neurol",
        "issn": "2168-6157",
        "volume": "75",
        "issue": "11",
        "pages": "1338-1346",
        "pub_year": 2018,
        "pub_date": "2018-11-01",
        "pub_date_text": "2018 Nov 1",
        "create_date": "2018-08-04",
        "entry_date": "2018-08-04",
        "revised_date": "2019-12-10",
        "completed_date": "2019-10-09",
        "doi": "10.1001/jamaneurol.2018.2030",
        "pmcid": "PMC6248109",
        "pii": "2694718",
        "language": "eng",
        "languages": '["eng"]',
        "publication_types": json.dumps(
            [
                "Clinical Trial, Phase II",
                "Journal Article",
                "Multicenter Study",
                "Randomized Controlled Trial",
                "Research Support, N.I.H., Extramural",
                "Research Support, Non-U.S. Gov't",
            ]
        ),
        "mesh_terms": json.dumps(
            [
                "Aged",
                "Atorvastatin",
                "China",
                "Double-Blind Method",
                "Female",
                "Hematoma, Subdural, Chronic",
                "Humans",
                "Hydroxymethylglutaryl-CoA Reductase Inhibitors",
                "Male",
                "Middle Aged",
                "Outcome Assessment, Health Care",
            ]
        ),
        "keywords": "[]",
        "chemicals": '["Hydroxymethylglutaryl-CoA Reductase Inhibitors", "Atorvastatin"]',
        "comments_corrections": "[]",
        "publication_status": "ppublish",
        "citation_status": "MEDLINE",
        "history_statuses": '["pubmed", "medline", "entrez"]',
        "retracted": 0,
        "first_seen": FIRST,
        "updated": FIRST,
        "deleted": None,
        # tracker.classify, stored since migration m003: indexed as an RCT, "of these,
        # 200 (78.7%) were enrolled".
        "evidence_tier": "rct",
        "tier_provisional": 0,
        "participants": 200,
        "rules_version": RULES_VERSION,
        # Its "Conclusions and Relevance" section, stored since m008.
        "conclusion": "Atorvastatin may be a safe and efficacious nonsurgical alternative "
        "for treating patients with CSDH.",
    }
    assert [s["label"] for s in sections] == [
        "Importance",
        "Objective",
        "Design, Setting, and Participants",
        "Interventions",
        "Main Outcomes and Measures",
        "Results",
        "Conclusions and Relevance",
        "Trial Registration",
    ]
    assert abstract == "\n\n".join(f"{s['label']}: {s['text']}" for s in sections)
    assert mesh[1] == {
        "descriptor": "Atorvastatin",
        "ui": "D000069059",
        "major": True,
        "qualifiers": ["administration & dosage", "adverse effects", "pharmacology"],
    }
    authors = list(db.query("SELECT * FROM authors WHERE pmid = 30073290 ORDER BY position"))
    assert len(authors) == len(article.authors)
    assert authors[0] == {
        "pmid": 30073290,
        "position": 1,
        "last_name": "Jiang",
        "fore_name": "Rongcai",
        "initials": "R",
        "suffix": None,
        "collective_name": None,
        "affiliation": "Key Laboratory of Post-Neurotrauma Neurorepair and Regeneration in Central "
        "Nervous System, Ministry of Education in China and Tianjin, Tianjin Neurological "
        "Institute, Tianjin, China.",
        "affiliations": json.dumps(
            [
                "Key Laboratory of Post-Neurotrauma Neurorepair and Regeneration "
                "in Central Nervous System, Ministry of Education in China and "
                "Tianjin, Tianjin Neurological Institute, Tianjin, China."
            ]
        ),
        "orcid": None,
        "equal_contrib": 0,
    }


def test_an_upsert_refreshes_in_place_keeping_first_seen_and_fts_in_sync(db):
    article = rct()
    with store.write_transaction(db):
        store.upsert_articles(db, [article], FIRST)
    revised = replace(
        article,
        title="zzrevised title",
        abstract="zzrevised abstract",
        abstract_sections=(),
        authors=article.authors[:2],
    )
    with store.write_transaction(db):
        store.upsert_articles(db, [revised], LATER)
    row = stored_row(db, 30073290)
    assert (row["title"], row["first_seen"], row["updated"]) == (revised.title, FIRST, LATER)
    assert db.conn.execute("SELECT COUNT(*) FROM authors").fetchone()[0] == 2
    fts = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    assert db.conn.execute(fts, ["zzrevised"]).fetchall() == [(30073290,)]
    assert db.conn.execute(fts, ["hematoma"]).fetchall() == []  # old title and abstract gone
    assert db.conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 1


def test_a_failed_transaction_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), store.write_transaction(db):
        store.upsert_articles(db, [rct()], FIRST)
        raise RuntimeError("crafted failure mid-run")
    assert db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    assert db.conn.execute("SELECT COUNT(*) FROM authors").fetchone()[0] == 0


def test_reopening_reapplies_no_migration_and_keeps_wal(tmp_path):
    path = tmp_path / "t.db"
    with store.connect(path) as first:
        applied = first.conn.execute("SELECT name, applied_at FROM _sqlite_migrations").fetchall()
    with store.connect(path) as again:
        assert (
            again.conn.execute("SELECT name, applied_at FROM _sqlite_migrations").fetchall()
            == applied
        )
        assert again.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert [name for name, _ in applied][:2] == ["m001_initial", "m002_article_changes"]


def test_a_damaged_file_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "t.db"
    path.write_bytes(b"crafted: not a database " * 200)
    with pytest.raises(store.StoreError, match="damaged.*Restore it from a backup"):
        store.connect(path)
    assert path.read_bytes() == b"crafted: not a database " * 200


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.connect(tmp_path / "nope" / "t.db")
    assert not (tmp_path / "nope").exists()


def test_deleted_citations_are_flagged_not_dropped(db):
    with store.write_transaction(db):
        store.upsert_articles(db, [rct()], FIRST)
        assert store.mark_deleted(db, [30073290, 1], LATER) == 1
    assert stored_row(db, 30073290)["deleted"] == LATER
    assert isinstance(db.conn, sqlite3.Connection)
