"""`tracker import`: load PubMed XML (efetch output, baseline and update files, .gz)
and MEDLINE text into the database, one transaction per file.

A large <PubmedArticleSet> file is parsed by worker processes, piece by piece
(tracker/ingest/import_worker.py), while this process inflates, cuts and writes; anything
else is parsed here. Both paths write the same rows in the same order, so the
database ends up the same either way (tests/test_import_parallel.py); the one
difference is that the pieces leave out reference lists unread (pubmed_split.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from tracker import store
from tracker.errors import RunFailure
from tracker.ingest.import_pool import WorkerFailed, encode_in_workers
from tracker.ingest.import_worker import PIECE_RECORDS, Encoded, encode_records
from tracker.models import Article, DeletedCitations
from tracker.pubmed import can_cut, open_pubmed_file, open_pubmed_pieces
from tracker.pubmed.medline import open_medline_file

MEDLINE_SUFFIXES = (".txt", ".nbib", ".medline")
XML_SUFFIXES = (".xml", ".xml.gz", ".gz")
# Below this size starting worker interpreters (~0.1 s) costs more than it saves.
PARALLEL_FROM_BYTES = 4 << 20  # ~600 records gzipped, ~150 as plain XML
MAX_WORKERS = 4  # past ~3 workers the writer in this process is the bottleneck


class ImportFileError(RunFailure, ValueError):
    """A file that cannot be imported; nothing from it was stored."""


@dataclass(frozen=True)
class ImportResult:
    path: Path
    articles: int
    deleted: int

    @property
    def empty(self) -> bool:
        return self.articles == 0 and self.deleted == 0


def default_workers() -> int:
    """Parse workers for a large file: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


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
    db: Database,
    path: Path,
    progress: Callable[[int], None] | None = None,
    *,
    workers: int = 1,
    parallel_from_bytes: int = PARALLEL_FROM_BYTES,
) -> ImportResult:
    """Store every record of one file, or none of them (one transaction).

    `workers` > 1 parses a <PubmedArticleSet> file of at least `parallel_from_bytes`
    bytes in that many worker processes.
    """
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    now = store.utc_now()
    if workers > 1 and _worth_cutting(path, parallel_from_bytes):
        batches = _encoded_by_workers(path, now, workers)
    else:
        batches = encode_records(records_of(path), now)
    articles = deleted = 0
    with store.write_transaction(db), closing(batches), store.bulk_articles(db) as writer:
        for batch in batches:
            if isinstance(batch, DeletedCitations):
                deleted += store.mark_deleted(db, batch.pmids, now)
                continue
            writer.write(batch)
            articles += batch.records
            if progress:
                progress(articles)
    if articles == 0 and deleted == 0 and path.name.lower().endswith(MEDLINE_SUFFIXES):
        raise ImportFileError(f"{path}: holds no MEDLINE records")
    # An empty <PubmedArticleSet> is a real answer (efetch of PMIDs deleted meanwhile);
    # the caller reports it and goes on to the next file.
    return ImportResult(path, articles, deleted)


def _worth_cutting(path: Path, parallel_from_bytes: int) -> bool:
    name = path.name.lower()
    return (
        name.endswith(XML_SUFFIXES) and path.stat().st_size >= parallel_from_bytes and can_cut(path)
    )


def _encoded_by_workers(path: Path, now: str, workers: int) -> Generator[Encoded, None, None]:
    try:
        pieces = open_pubmed_pieces(path, PIECE_RECORDS)
        yield from encode_in_workers(pieces, os.fspath(path), now, workers)
    except WorkerFailed as exc:
        raise ImportFileError(f"{path}: {exc}; nothing was stored") from None
