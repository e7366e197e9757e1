"""The Atom feed per saved search (reports/NAME/feed.xml), read back with feedparser as
a feed reader would, including the crafted hostile title and a retraction."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from digest_scenario import HOSTILE_PMID, HOSTILE_TITLE, RETRACTED_PMID, SEARCH, WEEK3, build
from helpers import check_golden

from tracker import store
from tracker.digest.feed import build_feed, clean

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return build(tmp_path_factory.mktemp("feed"))


@pytest.fixture(scope="module")
def feed(scenario):
    path = scenario.digests[-1].files["feed"]
    assert path == scenario.reports / "treatments" / "feed.xml"
    return path


def test_the_feed_matches_its_golden_file(scenario, feed, tmp_path):
    """The whole feed, byte for byte. Its times are when the runs happened (the real
    clock), so a copy of the database gets fixed ones first: run N found its studies and
    changes at 06:00 on week N (2026-11-23, -30, 12-07). Everything else is as written.
    Regenerate on purpose: UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_feed.py"""
    stamps = ET.fromstring(feed.read_bytes()).iter()
    assert all(STAMP.match(e.text) for e in stamps if e.tag.endswith(("updated", "published")))
    copy = tmp_path / "fixed-times.db"
    scenario.db.conn.execute("VACUUM INTO ?", (str(copy),))
    db = store.connect(copy)
    week = "strftime('%Y-%m-%dT06:00:00Z', '2026-11-16', '+' || (7 * {}) || ' days')"
    with db.conn:
        db.conn.execute(f"UPDATE query_articles SET first_seen = {week.format('first_run')}")
        db.conn.execute(f"UPDATE article_changes SET detected = {week.format('run')}")
    last = db.conn.execute("SELECT MAX(first_run), MAX(run) FROM query_articles, article_changes")
    assert last.fetchone() == (2, 2)  # week 3 found nothing new
    text = build_feed(db, SEARCH, today=WEEK3).decode("utf-8")
    db.close()
    check_golden("feed.xml", text)


def test_feed_is_well_formed_atom_that_feedparser_accepts(feed):
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Treatments: new studies in PubMed"
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids)) == 12 + 2  # every study, and the two changes
    ET.fromstring(feed.read_bytes())  # a strict XML parser agrees


def test_entries_carry_link_tier_and_the_hostile_title_as_plain_text(feed):
    parsed = feedparser.parse(feed.read_bytes())
    by_link = {e.link: e for e in parsed.entries if "/change/" not in e.id}
    hostile = by_link[f"https://pubmed.ncbi.nlm.nih.gov/{HOSTILE_PMID}/"]
    assert hostile.title == HOSTILE_TITLE
    assert hostile.title_detail.type == "text/plain"
    assert hostile.tags[0].term == "rct"  # a copy of a real RCT (tests/digest_scenario.py)
    assert "Participants: 408." in hostile.summary


def test_a_retracted_study_says_so_and_the_retraction_has_its_own_entry(feed):
    parsed = feedparser.parse(feed.read_bytes())
    retracted = [e for e in parsed.entries if e.link.endswith(f"/{RETRACTED_PMID}/")]
    titles = sorted(e.title for e in retracted)
    assert titles[0].startswith("Retracted: SAFETY OF LONG-TERM PROTON PUMP INHIBITORS")
    assert titles[1].startswith("[Retracted] SAFETY OF LONG-TERM PROTON PUMP INHIBITORS")


def test_characters_xml_cannot_carry_are_dropped():
    assert clean("a\x00b\x0bc\ud800d\ufffe") == "abcd"
    assert clean("tab\tnewline\n ok é 𝛼") == "tab\tnewline\n ok é 𝛼"
