"""A stored collection of the real sample records, for tests of the researchers' tools.

`build_collection(path)` imports every PubMed XML sample (efetch/ and baseline/) into a
fresh database and returns it; `crafted_article()` is a crafted record (named as such)
whose text holds every character an export format or a spreadsheet treats specially.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from helpers import EFETCH_SOURCES
from sqlite_utils import Database

from tracker import store
from tracker.ingest.importer import ImportFileError, import_file
from tracker.models import AbstractSection, Article, Author

SAMPLES = Path(__file__).parent / "data" / "pubmed-samples"
XML_FILES = sorted(
    (p for folder in (*EFETCH_SOURCES, SAMPLES / "baseline") for p in folder.iterdir()
     if p.name.endswith((".xml", ".xml.gz"))),
    key=lambda p: (p.parent.name != "baseline", p.name),  # baseline/ first, as before
)  # fmt: skip
CRAFTED_PMID = 99000001


def crafted_article() -> Article:
    """Crafted (not from NCBI): LaTeX specials, braces, a formula-like title, RIS-like text."""
    return Article(
        pmid=CRAFTED_PMID,
        title='=HYPERLINK("x") 100% of {braced} R&D_costs $5 #1 ~ ^ \\ baclofen',
        abstract="BACKGROUND: first.\n\nER  - not a tag\n\nCONCLUSIONS: restless legs improved.",
        abstract_sections=(
            AbstractSection("first.", "BACKGROUND"),
            AbstractSection("ER  - not a tag"),
            AbstractSection("restless legs improved.", "CONCLUSIONS"),
        ),
        authors=(
            Author(1, last_name="Ørsted", fore_name="Hans Christian", initials="HC"),
            Author(2, collective_name="Baclofen and RLS Study Group"),
            Author(3, last_name="Smith", fore_name="Jo", initials="J", suffix="Jr"),
        ),
        journal="Journal of Crafted Tests & Data",
        journal_abbrev="J Crafted Tests",
        volume="12",
        issue="3",
        pages="123-45",
        pub_year=2021,
        pub_date="2021-03",
        create_date="2021-02-01",
        doi="10.1000/crafted_1",
        pmcid="PMC9900001",
        languages=("eng",),
        publication_types=(
            "Journal Article",
            "Randomized Controlled Trial",
            "Retracted Publication",
        ),
        keywords=("baclofen", "restless legs"),
        publication_status="ppublish",
        citation_status="MEDLINE",
    )


_BUILT: dict[bool, Path] = {}  # one imported collection per test process, copied per caller


def build_collection(path: Path, *, crafted: bool = True) -> Database:
    """A tracker database at ``path`` holding every sample record (and the crafted one).
    The imports run once per test process; each caller gets its own copy (VACUUM INTO),
    so a test that writes to it changes nobody else's."""
    if crafted not in _BUILT:
        folder = Path(tempfile.mkdtemp(prefix="collection-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "tracker.db"
        db = _import_samples(template, crafted=crafted)
        db.close()
        _BUILT[crafted] = template
    with closing(sqlite3.connect(_BUILT[crafted])) as conn:
        conn.execute("VACUUM INTO ?", (str(path),))
    return store.connect(path)


def _import_samples(path: Path, *, crafted: bool) -> Database:
    db = store.connect(path)
    for file in XML_FILES:
        try:
            import_file(db, file)
        except ImportFileError:  # a few samples are deliberately empty or broken answers
            continue
    if crafted:
        with store.write_transaction(db):
            store.upsert_articles(db, [crafted_article()], store.utc_now())
    return db
