"""Three weeks of one saved search, over real HTTP to the local E-utilities server, for
the digest, feed, mail and browser tests.

Week 1: a backfill of real sample records, plus two records as a brand-new record
        arrives: a CRAFTED hostile one (named as such; see HOSTILE_TITLE) and a real
        narrative review (PMID 36873252) with its indexing taken away (CRAFTED: unindexed
        copy), so its tier is provisional (its text reads as an observational study).
Week 2: ten more real records arrive; PubMed "revises" two stored ones: the real
        36873252 comes back indexed ("Review": the provisional tier is corrected),
        and a study reported in week 1 comes back retracted (tests/test_sync.py's
        crafted_retraction).
Week 3: nothing new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from helpers import METAPUB_FILES, crafted_retraction, efetch_file, fast_client, local_eutils
from sqlite_utils import Database

from tracker import store
from tracker.digest.write import DigestOptions, DigestResult, write_digest
from tracker.ingest.sync import run_search
from tracker.models import SavedSearch

FILES = METAPUB_FILES
CORRECTED = efetch_file("metapub__36873252.xml")  # Review; its text reads like a cohort
# A randomised trial (indexed), so the hostile copy is among the studies a digest lists.
HOSTILE_SOURCE = efetch_file("metapub__sample_article_23435529.xml")
HOSTILE_SOURCE_PMID = "23435529"
HOSTILE_PMID = 99000007
RETRACTED_PMID = 35830032  # a meta-analysis in week 1's backfill
BASE = [f for f in FILES[:40] if f != CORRECTED] + [efetch_file("metapub__35830032.xml")]
LATER = [f for f in FILES[40:50] if f not in BASE and f != CORRECTED]
WEEK1 = date(2026, 11, 23)
WEEK2 = WEEK1 + timedelta(days=7)
WEEK3 = WEEK2 + timedelta(days=7)
SEARCH = SavedSearch(
    name="treatments",
    title="Treatments",
    term="(treatment[tiab] OR therapy[tiab] OR management[tiab]) AND (patient*[tiab] OR "
    "disease*[tiab])",
)
# CRAFTED hostile title: real markup, escaped markup that decodes to a script, an
# attribute breakout, Markdown link/heading syntax, a Jinja expression, the mail chart
# marker, and a CDATA terminator. If any of it ran, document.title or the body's
# attributes would change (tests/test_browser.py looks).
HOSTILE_TITLE_XML = (
    "<i>Baclofen</i> &lt;script&gt;document.title='PWNED'&lt;/script&gt; "
    "&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt; "
    '" onmouseover="document.title=\'PWNED2\'" ](javascript:alert(1)) # not a heading '
    "{{ 7*7 }} &lt;!--chart--&gt; ]]&gt; *not bold* &amp;amp; &lt;/title&gt;"
)
HOSTILE_TITLE = (
    "Baclofen <script>document.title='PWNED'</script> "
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> "
    '" onmouseover="document.title=\'PWNED2\'" ](javascript:alert(1)) # not a heading '
    "{{ 7*7 }} <!--chart--> ]]> *not bold* &amp; </title>"
)


def hostile_record() -> bytes:
    """CRAFTED: a real record renumbered, its title replaced by HOSTILE_TITLE_XML and
    its conclusion by a <script> that tries to run."""
    text = HOSTILE_SOURCE.read_text(encoding="utf-8").replace(
        HOSTILE_SOURCE_PMID, str(HOSTILE_PMID)
    )
    text = re.sub(
        r"<ArticleTitle>.*?</ArticleTitle>",
        f"<ArticleTitle>{HOSTILE_TITLE_XML}</ArticleTitle>",
        text,
        count=1,
        flags=re.DOTALL,
    )
    return text.replace(
        "</Abstract>",
        '<AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">Therapy helped patients. '
        "&lt;script&gt;document.body.setAttribute('data-pwned','2')&lt;/script&gt;"
        "</AbstractText></Abstract>",
        1,
    ).encode("utf-8")


def unindexed(xml: bytes) -> bytes:
    """CRAFTED: a real record as it looks before MEDLINE indexing: no MeSH, only the
    'Journal Article' type, citation status 'Publisher'."""
    text = xml.decode("utf-8")
    text = re.sub(r"<MeshHeadingList>.*?</MeshHeadingList>", "", text, flags=re.DOTALL)
    text = re.sub(
        r"<PublicationTypeList>.*?</PublicationTypeList>",
        '<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>'
        "</PublicationTypeList>",
        text,
        flags=re.DOTALL,
    )
    text = re.sub(r'(<MedlineCitation[^>]*Status=")[^"]*"', r'\1Publisher"', text, count=1)
    return text.encode("utf-8")


@dataclass
class Scenario:
    db: Database
    reports: Path
    digests: list[DigestResult]


def build(tmp_path: Path, options: DigestOptions | None = None) -> Scenario:
    db = store.connect(tmp_path / "tracker.db")
    reports = tmp_path / "reports"
    options = options or DigestOptions(limit=12)
    results = []
    with local_eutils(BASE) as server, fast_client(server) as client:
        server.add_record(hostile_record(), crdt=WEEK1)
        server.add_record(unindexed(CORRECTED.read_bytes()), crdt=WEEK1)
        assert run_search(db, client, SEARCH, today=WEEK1).status == "ok"
        results.append(write_digest(db, SEARCH, reports, today=WEEK1, options=options))
        for path in LATER:
            server.add_record(path.read_bytes(), crdt=WEEK2)
        server.add_record(CORRECTED.read_bytes(), mdat=WEEK2)
        retracted = efetch_file(f"metapub__{RETRACTED_PMID}.xml")
        server.add_record(crafted_retraction(retracted.read_bytes(), 99_999_999), mdat=WEEK2)
        assert run_search(db, client, SEARCH, today=WEEK2).status == "ok"
        results.append(write_digest(db, SEARCH, reports, today=WEEK2, options=options))
        assert run_search(db, client, SEARCH, today=WEEK3).status == "ok"
        results.append(write_digest(db, SEARCH, reports, today=WEEK3, options=options))
    return Scenario(db, reports, results)
