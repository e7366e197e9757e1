"""`tracker import`: load PubMed XML (efetch output, baseline and update files, .gz)
and MEDLINE text into the database, one transaction per file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from . import store
from .medline import open_medline_file
from .models import Article, DeletedCitations
from .pubmed import open_pubmed_file

BATCH = 500  # rows per executemany: large enough to amortise, small enough for flat memory
MEDLINE_SUFFIXES = (".txt", ".nbib", ".medline")
XML_SUFFIXES = (".xml", ".xml.gz", ".gz")


class ImportFileError(ValueError):
    """A file that cannot be imported; nothing from it was stored."""


@dataclass(frozen=True)
class ImportResult:
    path: Path
    articles: int
    deleted: int


def records_of(path: Path) -> Iterator[Article | DeletedCitations]:
    name = path.name.lower()
    if name.endswith(MEDLINE_SUFFIXES):
        return open_medline_file(path)
    if name.endswith(XML_SUFFIXES):
        return open_pubmed_file(path)
    raise ImportFileError(
        f"{path}: unknown kind of file; expected PubMed XML (.xml, .xml.gz) "
        "or MEDLINE text (.txt, .nbib)"
    )


def import_file(
    db: Database, path: Path, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Store every record of one file, or none of them (one transaction)."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    articles = deleted = 0
    batch: list[Article] = []
    now = store.utc_now()
    with store.write_transaction(db):
        for record in records_of(path):
            if isinstance(record, DeletedCitations):
                # Store what came before first: a deletion applies to earlier records.
                store.upsert_articles(db, batch, now)
                articles += len(batch)
                batch = []
                deleted += store.mark_deleted(db, record.pmids, now)
                continue
            batch.append(record)
            if len(batch) >= BATCH:
                store.upsert_articles(db, batch, now)
                articles += len(batch)
                batch = []
                if progress:
                    progress(articles)
        store.upsert_articles(db, batch, now)
        articles += len(batch)
    if articles == 0 and deleted == 0:
        raise ImportFileError(f"{path}: holds no PubMed records")
    return ImportResult(path, articles, deleted)
