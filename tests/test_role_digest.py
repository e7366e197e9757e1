"""The drug's role end to end: crafted baclofen × restless legs records
(tests/data/crafted/PROVENANCE.md) served by the local E-utilities server, a real
`tracker run`, and the role read back from the digest; the role stored per saved search
(m004); and stored answers following a change of the rules.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import check_golden, fast_client, tracker, tracker_env

from tracker import store
from tracker.classify.version import RULES_VERSION
from tracker.digest.write import write_digest
from tracker.ingest.sync import run_search
from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.lookalikes.europepmc.server import LocalEuropePmc
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SavedSearch
from tracker.research.api import open_collection
from tracker.searches.saved import read_saved_search

REPO = Path(__file__).resolve().parent.parent
_RUN_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
CRAFTED = Path(__file__).parent / "data" / "crafted"
FILES = sorted(CRAFTED.glob("crafted__*.xml"))
SEARCH: SavedSearch = read_saved_search(REPO / "queries" / "baclofen-rls.toml")[0]
WEEK1 = date(2026, 11, 23)
WEEK2 = WEEK1 + timedelta(days=7)
EXPECTED_ROLES = {
    99100001: ("treatment", "title: baclofen for restless legs syndrome", "text"),
    99100002: ("harm", "title: baclofen-induced", "text"),
    99100003: ("harm", "title: baclofen withdrawal", "text"),
    99100004: ("harm", "abstract: restless legs syndrome among adverse events", "text"),
    99100005: ("other", "MeSH: Baclofen/pharmacology", "indexing"),
}
SUMMARY = (
    "1 new study of the drug as treatment: 1 randomised trial; 3 safety signals (the drug "
    "suspected of causing or worsening the condition); 1 other study names both without "
    "studying the drug for the condition."
)


def test_tracker_run_digest_json_carries_the_role_of_each_study(tmp_path):
    (tmp_path / "queries").mkdir()
    shutil.copy(REPO / "queries" / "baclofen-rls.toml", tmp_path / "queries")
    # The pair also searches ClinicalTrials.gov and Europe PMC: their look-alikes, empty.
    with LocalEutils(FILES) as server, LocalCtgov() as ctgov, LocalEuropePmc() as epmc:
        env = tracker_env(server, CTGOV_API_URL=ctgov.base_url, EUROPEPMC_URL=epmc.base_url)
        proc = tracker("run", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    [path] = (tmp_path / "reports" / "baclofen-rls").glob("*.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    roles = {
        s["pmid"]: (s["drug_role"], s["drug_role_reason"], s["drug_role_source"])
        for s in doc["studies"]
    }
    assert roles == EXPECTED_ROLES
    # Safety signals first, then the evidence, then the other roles.
    assert [s["drug_role"] for s in doc["studies"]] == ["harm"] * 3 + ["treatment", "other"]
    assert doc["summary"] == SUMMARY
    assert doc["held_by_drug_role"] == {"harm": 3, "other": 1, "treatment": 1}
    assert sum(doc["held_by_tier"].values()) == 1  # only the treatment study is evidence
    treatment = next(s for s in doc["studies"] if s["pmid"] == 99100001)
    assert (treatment["tier"], treatment["provisional"], treatment["drug_role_certain"]) == (
        "rct", True, True)  # fmt: skip


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Week 1: the five crafted records; a digest. Week 2: PubMed indexes the
    baclofen-induced case (CRAFTED MeSH added), and the stored answers of two studies
    are made to look as an older version of the rules left them; a digest."""
    tmp = tmp_path_factory.mktemp("roles")
    db = store.connect(tmp / "tracker.db")
    reports = tmp / "reports"
    digests = []
    with LocalEutils(FILES) as server, fast_client(server) as client:
        assert run_search(db, client, SEARCH, today=WEEK1).status == "ok"
        digests.append(write_digest(db, SEARCH, reports, today=WEEK1))
        server.add_record(indexed_induced_case(), mdat=WEEK2)
        older_rules(db)
        assert run_search(db, client, SEARCH, today=WEEK2).status == "ok"
        digests.append(write_digest(db, SEARCH, reports, today=WEEK2))
    yield db, digests
    db.close()


def normalised(path: Path) -> str:
    """The digest's text, with the wall-clock time its runs finished at blanked."""
    return _RUN_TIME.sub("YYYY-MM-DD HH:MM UTC", path.read_text(encoding="utf-8"))


def indexed_induced_case() -> bytes:
    """CRAFTED: crafted__baclofen-induced-rls.xml as MEDLINE indexing would leave it."""
    text = (CRAFTED / "crafted__baclofen-induced-rls.xml").read_text(encoding="utf-8")
    mesh = (
        '<MeshHeadingList><MeshHeading><DescriptorName UI="D001418" MajorTopicYN="N">Baclofen'
        '</DescriptorName><QualifierName UI="Q000009" MajorTopicYN="Y">adverse effects'
        '</QualifierName></MeshHeading><MeshHeading><DescriptorName UI="D012148" '
        'MajorTopicYN="N">Restless Legs Syndrome</DescriptorName><QualifierName UI="Q000139" '
        'MajorTopicYN="Y">chemically induced</QualifierName></MeshHeading></MeshHeadingList>'
    )
    text = text.replace("</MedlineCitation>", mesh + "</MedlineCitation>", 1)
    text = text.replace('Status="Publisher"', 'Status="MEDLINE"', 1)
    text = text.replace("<PublicationType>Journal Article</PublicationType>",
                        "<PublicationType>Journal Article</PublicationType>"
                        "<PublicationType>Case Reports</PublicationType>")  # fmt: skip
    return text.encode("utf-8")


def older_rules(db) -> None:
    """As rules version 2025.0 would have left two studies reported in week 1: the
    withdrawal case counted as treatment, the trial as a case report of 7."""
    with store.write_transaction(db):
        db.conn.execute(
            "UPDATE query_articles SET drug_role = 'treatment', drug_role_reason = 'old', "
            "rules_version = '2025.0' WHERE pmid = 99100003"
        )
        db.conn.execute(
            "UPDATE articles SET evidence_tier = 'case_report', participants = 7, "
            "rules_version = '2025.0' WHERE pmid = 99100001"
        )


def test_the_role_is_stored_per_search_and_study(weeks):
    db, _ = weeks
    rows = db.conn.execute(
        "SELECT pmid, drug_role, drug_role_reason, drug_role_source, drug_role_certain, "
        "rules_version FROM query_articles WHERE search = 'baclofen-rls' ORDER BY pmid"
    ).fetchall()
    expected = dict(EXPECTED_ROLES)
    # Indexed in week 2: the same role, now from MeSH.
    expected[99100002] = (
        "harm", "MeSH: Restless Legs Syndrome/chemically induced; Baclofen/adverse effects",
        "indexing",
    )  # fmt: skip
    assert rows == [(p, *expected[p], 1, RULES_VERSION) for p in sorted(expected)]


def test_new_rules_recompute_and_what_changed_says_so(weeks):
    db, (_, second) = weeks
    changes = db.conn.execute(
        "SELECT pmid, kind, detail, search FROM article_changes ORDER BY id"
    ).fetchall()
    assert changes == [
        # Indexing arrived (tracker.ingest.changes), not a rules change: not noteworthy.
        (99100002, "publication_types", "Journal Article → Journal Article, Case Reports", None),
        (99100001, "tier_corrected", "Case report / case series → Randomised controlled trial "
         f"(classification rules {RULES_VERSION})", None),
        (99100001, "participants_corrected", f"7 → 40 (classification rules {RULES_VERSION})",
         None),
        (99100003, "role_corrected", "Treatment study → Safety signal (title: baclofen "
         "withdrawal)", "baclofen-rls"),
    ]  # fmt: skip
    doc = json.loads(second.files["json"].read_text(encoding="utf-8"))
    assert [(c["pmid"], c["label"], c["reported"]) for c in doc["changes"]] == [
        (99100001, "Evidence tier corrected", True),
        (99100001, "Participants corrected", True),
        (99100003, "Drug role corrected", True),
    ]
    assert doc["summary"] == (
        "No new studies since the last digest (2026-11-23); 1 tier correction, "
        "1 participant count corrected, 1 drug role corrected."
    )
    text = second.markdown_path.read_text(encoding="utf-8")
    assert "- **Drug role corrected**: [Intrathecal baclofen withdrawal" in text


@pytest.mark.parametrize("part", ["md", "html", "txt"])
def test_role_digest_matches_its_golden_file(weeks, part):
    first = weeks[1][0]
    path = {"md": first.markdown_path, "html": first.html_path}.get(part) or first.files["text"]
    check_golden(f"roles-week1.{part}", normalised(path))


def test_safety_signals_come_before_the_evidence_in_every_format(weeks):
    first = weeks[1][0]
    md = first.markdown_path.read_text(encoding="utf-8")
    assert md.index("## ⚠ Safety signals (3)") < md.index("## New studies")
    assert md.index("## New studies") < md.index("### Other studies naming the drug")
    html = first.html_path.read_text(encoding="utf-8")
    assert html.index('<section class="safety"') < html.index('id="new-studies"')
    txt = first.files["text"].read_text(encoding="utf-8")
    assert txt.index("!! SAFETY SIGNALS (3)") < txt.index("NEW STUDIES")
    feed = first.files["feed"].read_text(encoding="utf-8")
    assert len(re.findall(r"<title>\[Safety signal\] ", feed)) == 3
    assert feed.count('term="drug_role:harm"') == 3


def test_m004_backfills_the_role_of_stored_memberships(weeks, tmp_path):
    db, _ = weeks
    copy = tmp_path / "copy.db"
    db.conn.execute(f"VACUUM INTO '{copy}'")
    old = store.connect(copy)
    before = old.conn.execute(
        "SELECT search, pmid, drug_role, drug_role_reason FROM query_articles ORDER BY pmid"
    ).fetchall()
    old.conn.execute("DROP INDEX idx_query_articles_search_drug_role")
    for column in ("drug_role", "drug_role_reason", "drug_role_source", "drug_role_certain",
                   "role_checked", "rules_version"):  # fmt: skip
        old.conn.execute(f"ALTER TABLE query_articles DROP COLUMN {column}")
    old.conn.execute("ALTER TABLE articles DROP COLUMN rules_version")
    old.conn.execute("ALTER TABLE article_changes DROP COLUMN search")
    old.conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm004%'")
    old.conn.commit()
    old.close()
    migrated = store.connect(copy)
    after = migrated.conn.execute(
        "SELECT search, pmid, drug_role, drug_role_reason FROM query_articles ORDER BY pmid"
    ).fetchall()
    assert after == before
    # Tiers made before versions were recorded are recomputed by the next run.
    assert migrated.conn.execute("SELECT DISTINCT rules_version FROM articles").fetchall() == [
        (None,)
    ]
    migrated.close()


def db_path(db) -> Path:
    return Path(db.conn.execute("PRAGMA database_list").fetchone()[2])


def test_find_role_keeps_the_studies_of_that_role(weeks, tmp_path):
    db, _ = weeks
    args = ("--db", str(db_path(db)), "--json", "find", "baclofen", "--search", "baclofen-rls")
    proc = tracker(*args, "--role", "harm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = {(r["pmid"], r["drug_role"]) for r in json.loads(proc.stdout)["articles"]}
    assert found == {(99100002, "harm"), (99100003, "harm"), (99100004, "harm")}
    anywhere = tracker("--db", str(db_path(db)), "--json", "find", "baclofen", "--role", "other",
                       cwd=tmp_path)  # fmt: skip
    assert [r["pmid"] for r in json.loads(anywhere.stdout)["articles"]] == [99100005]


def test_exports_and_the_api_carry_the_role(weeks, tmp_path):
    db, _ = weeks
    path = db_path(db)
    out = tmp_path / "roles.csv"
    proc = tracker("--db", str(path), "export", "baclofen-rls", "--format", "csv", "--out",
                   str(out), cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {int(r["pmid"]): (r["drug_role"], r["drug_role_reason"]) for r in rows} == {
        99100001: ("treatment", "title: baclofen for restless legs syndrome"),
        99100002: ("harm", "MeSH: Restless Legs Syndrome/chemically induced; "
                   "Baclofen/adverse effects"),
        99100003: ("harm", "title: baclofen withdrawal"),
        99100004: ("harm", "abstract: restless legs syndrome among adverse events"),
        99100005: ("other", "MeSH: Baclofen/pharmacology"),
    }  # fmt: skip
    ris = tracker("--db", str(path), "export", "baclofen-rls", "--format", "ris", cwd=tmp_path)
    assert "N1  - Drug role: harm (title: baclofen withdrawal)" in ris.stdout
    with open_collection(path) as collection:
        harms = collection.articles(search="baclofen-rls", role="harm")
        assert sorted(harms.index) == [99100002, 99100003, 99100004]
        assert set(harms["drug_role_source"]) == {"indexing", "text"}


def test_an_edited_term_recomputes_the_roles_with_its_words(tmp_path):
    """Edited to drop XP19986, the term no longer names the drug the way the trial's
    title does (CRAFTED: the treatment trial with the code name in its title): the role
    is decided again with the words the term has now, from the abstract."""
    trial = (CRAFTED / "crafted__baclofen-rls-treatment.xml").read_text(encoding="utf-8")
    trial = trial.replace("Baclofen for restless", "XP19986 for restless")
    trial = trial.replace("randomised to baclofen", "randomised to XP19986")  # CRAFTED
    without_code = SavedSearch(
        name=SEARCH.name, title=SEARCH.title, term=SEARCH.term.replace(" OR XP19986[tiab]", "")
    )
    db = store.connect(tmp_path / "tracker.db")
    with LocalEutils([]) as server, fast_client(server) as client:
        server.add_record(trial.encode("utf-8"), crdt=WEEK1)
        assert run_search(db, client, SEARCH, today=WEEK1).status == "ok"
        store_role = "SELECT drug_role, drug_role_reason FROM query_articles WHERE pmid = 99100001"
        assert db.conn.execute(store_role).fetchone() == (
            "treatment",
            "title: xp19986 for restless legs syndrome",
        )
        with store.write_transaction(db):
            store.register_search(db, without_code)
        assert db.conn.execute(
            "SELECT rules_version FROM query_articles WHERE pmid = 99100001"
        ).fetchone() == (None,)
        assert run_search(db, client, without_code, today=WEEK2).status == "ok"
        assert db.conn.execute(store_role).fetchone() == (
            "treatment",
            "abstract: baclofen reduced the international rls",
        )
    db.close()
