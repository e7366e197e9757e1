"""The conclusion a digest quotes is stored with the other classification answers
(articles.conclusion, m008), carries their rules version, and follows a change of the
rules: recomputed by `tracker run` and, when no run comes first, by `tracker digest`
itself, with "Conclusion corrected" under What changed for a study a digest already sent.

Real records only (tests/data/pubmed-samples/PROVENANCE.md): PMID 33119379 (an
unstructured abstract with an inline "Conclusions/Implications:" label and a PsycInfo
copyright line), 32437181 (a PsycInfo abstract with no label) and 34709863 (an
editorial without an abstract). The older rules are simulated in the database, as
tests/test_role_digest.py does: the copyright line appended to the conclusion is what
the rules before issue 12 left (its point 4 quotes the same kind of line).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from helpers import efetch_file, fast_client, tracker

from tracker import store
from tracker.classify.version import RULES_VERSION
from tracker.digest.view import study_view
from tracker.digest.write import write_digest
from tracker.ingest.sync import run_search
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SavedSearch
from tracker.searches.saved import render_saved_search

FILES = [efetch_file(f"metapub__{p}.xml") for p in (32437181, 33119379, 34709863)]
SEARCH = SavedSearch(
    name="family-health",
    title="Family health",
    term="neurobehavioral[tiab] OR resilience[tiab] OR racism[ti]",
)
WEEK1 = date(2026, 11, 23)
WEEK2 = WEEK1 + timedelta(days=7)
NSI = 33119379
NSI_CONCLUSION = (
    "The NSI has acceptable reliability and some evidence supporting its validity in "
    "measuring neurobehavioral symptoms. Although not intended to diagnose TBI, the NSI has "
    "value for clinicians and researchers in characterizing the presence and severity of "
    "symptom complaints and tracking symptomatic change in persons with TBI."
)
COVID_CONCLUSION = (
    "An illustration of the centrality of family processes in buffering against risk in the "
    "context of COVID-19, as well as promoting resilience through shared family beliefs and "
    "close relationships, is provided. Finally, clinical and research implications are "
    "discussed."
)
# As the older rules quoted it: the copyright line left in.
OLD_NSI_CONCLUSION = (
    NSI_CONCLUSION + " (PsycInfo Database Record (c) 2021 APA, all rights reserved)."
)
STORED = [
    (32437181, COVID_CONCLUSION, RULES_VERSION),
    (NSI, NSI_CONCLUSION, RULES_VERSION),
    (34709863, None, RULES_VERSION),  # no abstract, no conclusion
]
DETAIL = f"“{OLD_NSI_CONCLUSION}” → “{NSI_CONCLUSION}” (classification rules {RULES_VERSION})"
NSI_TITLE = "Review of the Neurobehavioral Symptom Inventory."


def conclusions(db) -> list[tuple]:
    sql = "SELECT pmid, conclusion, rules_version FROM articles ORDER BY pmid"
    return db.conn.execute(sql).fetchall()


def first_week(folder: Path):
    """The three records found and digested in week 1; returns (db, reports)."""
    db = store.connect(folder / "tracker.db")
    with LocalEutils(FILES) as server, fast_client(server) as client:
        assert run_search(db, client, SEARCH, today=WEEK1).status == "ok"
    write_digest(db, SEARCH, folder / "reports", today=WEEK1)
    return db


def older_rules(db) -> None:
    """As rules version 2025.0 left the two abstracts a week ago: the NSI review quoted
    with its copyright line, the COVID-19 review as today's rules quote it. The week-1
    digest is dated a week back, as it was made then."""
    with store.write_transaction(db):
        db.conn.execute(
            "UPDATE articles SET conclusion = ?, rules_version = '2025.0' WHERE pmid = ?",
            (OLD_NSI_CONCLUSION, NSI),
        )
        db.conn.execute("UPDATE articles SET rules_version = '2025.0' WHERE pmid = 32437181")
        db.conn.execute("UPDATE digests SET created = '2026-11-23T06:00:00Z'")


def test_a_real_record_stores_its_conclusion_with_the_rules_version(tmp_path):
    db = first_week(tmp_path)
    assert conclusions(db) == STORED
    doc = json.loads(next((tmp_path / "reports" / SEARCH.name).glob("*.json")).read_text())
    assert {s["pmid"]: s["conclusion"] for s in doc["studies"]} == {
        32437181: COVID_CONCLUSION,
        NSI: NSI_CONCLUSION,
        34709863: "",
    }
    db.close()


def test_the_digest_quotes_the_stored_conclusion_and_computes_only_a_missing_one(tmp_path):
    db = first_week(tmp_path)
    older_rules(db)
    row = store.article_rows(db, [NSI])[NSI]
    # What is stored is quoted, even when today's rules would choose otherwise…
    assert study_view(row, [], [])["conclusion"] == OLD_NSI_CONCLUSION
    # …and a row without a stored conclusion gets today's.
    assert study_view({**row, "conclusion": None}, [], [])["conclusion"] == NSI_CONCLUSION
    db.close()


def test_a_run_recomputes_old_conclusions_and_what_changed_says_so(tmp_path):
    db = first_week(tmp_path)
    older_rules(db)
    with LocalEutils(FILES) as server, fast_client(server) as client:
        run = run_search(db, client, SEARCH, today=WEEK2)
    assert run.status == "ok"
    assert conclusions(db) == STORED
    # Only the conclusion that differs is news; the COVID-19 review's did not change.
    changes = db.conn.execute("SELECT pmid, run, kind, detail FROM article_changes").fetchall()
    assert changes == [(NSI, run.run_id, "conclusion_corrected", DETAIL)]
    second = write_digest(db, SEARCH, tmp_path / "reports", today=WEEK2)
    check_what_changed(second)
    db.close()


def check_what_changed(digest) -> None:
    """The correction in every format: JSON, Markdown, HTML, plain text, feed."""
    doc = json.loads(digest.files["json"].read_text(encoding="utf-8"))
    assert [(c["pmid"], c["label"], c["detail"], c["reported"]) for c in doc["changes"]] == [
        (NSI, "Conclusion corrected", DETAIL, True)
    ]
    assert (
        doc["summary"]
        == "No new studies since the last digest (2026-11-23); 1 conclusion corrected."
    )
    md = digest.markdown_path.read_text(encoding="utf-8")
    assert (
        f"- **Conclusion corrected**: [{NSI_TITLE}](https://pubmed.ncbi.nlm.nih.gov/{NSI}/) "
        f"(*Rehabil Psychol*, 2021). {DETAIL}. Reported in an earlier digest.\n"
    ) in md
    html = digest.html_path.read_text(encoding="utf-8")
    assert '<span class="badge caution">Conclusion corrected</span>' in html
    assert f"<bdi>{DETAIL}</bdi>." in html
    txt = digest.files["text"].read_text(encoding="utf-8")
    assert (
        f"- Conclusion corrected: {NSI_TITLE} (https://pubmed.ncbi.nlm.nih.gov/{NSI}/). {DETAIL}.\n"
    ) in txt
    feed = digest.files["feed"].read_text(encoding="utf-8")
    assert f"<title>Conclusion corrected: {NSI_TITLE}</title>" in feed
    assert f'<summary type="text">Conclusion corrected: {DETAIL}</summary>' in feed


def test_tracker_digest_alone_recomputes_before_it_selects(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / f"{SEARCH.name}.toml").write_text(
        render_saved_search(SEARCH), encoding="utf-8"
    )
    db = first_week(tmp_path)
    older_rules(db)
    db.close()
    proc = tracker("--json", "digest", SEARCH.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [result] = json.loads(proc.stdout)
    assert (result["studies"], result["changes"]) == (0, 1)
    db = store.connect(tmp_path / "tracker.db")
    assert conclusions(db) == STORED
    # Noticed by no run: the digest that follows reports it, and only that one.
    changes = db.conn.execute("SELECT pmid, run, kind, detail FROM article_changes").fetchall()
    assert changes == [(NSI, None, "conclusion_corrected", DETAIL)]
    db.close()
    check_what_changed(_Digest(tmp_path, result))
    again = tracker("--json", "digest", SEARCH.name, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert [(r["studies"], r["changes"]) for r in json.loads(again.stdout)] == [(0, 0)]


class _Digest:
    """The paths `tracker --json digest` printed (relative to its folder), as
    check_what_changed reads them."""

    def __init__(self, folder: Path, result: dict) -> None:
        self.markdown_path = folder / result["markdown_path"]
        self.html_path = folder / result["html_path"]
        self.files = {k: folder / v for k, v in result["files"].items()}


def test_m008_backfills_the_conclusion_of_stored_rows(tmp_path):
    db = first_week(tmp_path)
    older_rules(db)  # a row of older rules keeps its version: the next run recomputes it
    with store.write_transaction(db):
        db.conn.execute("UPDATE articles SET conclusion = ? WHERE pmid = ?", (NSI_CONCLUSION, NSI))
    before = conclusions(db)
    copy = tmp_path / "copy.db"
    db.conn.execute(f"VACUUM INTO '{copy}'")
    db.close()
    old = store.connect(copy)
    old.conn.execute("ALTER TABLE articles DROP COLUMN conclusion")
    old.conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm008%'")
    old.conn.commit()
    old.close()
    migrated = store.connect(copy)
    assert (
        conclusions(migrated)
        == before
        == [
            (32437181, COVID_CONCLUSION, "2025.0"),
            (NSI, NSI_CONCLUSION, "2025.0"),
            (34709863, None, RULES_VERSION),
        ]
    )
    migrated.close()
