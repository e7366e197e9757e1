"""PubMed XML (efetch bodies, NLM baseline/update files) -> models.Article.

Pure functions: no network, no database. Three rooms behind this front door:
tracker/pubmed/stream.py streams record elements safely (prolog check before libxml2
sees a byte, iterparse freeing each record, gzip inflated in a read-ahead thread),
tracker/pubmed/fields.py turns one element into an Article, and
tracker/pubmed/split.py cuts a large file into whole documents for parallel parsing.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from tracker.models import Article, DeletedCitations
from tracker.pubmed.fields import record
from tracker.pubmed.limits import RecordGuard
from tracker.pubmed.split import Piece, iter_pieces
from tracker.pubmed.stream import GzipReadAhead, PubmedParseError, iter_record_elements, read_prolog

__all__ = [
    "Piece",
    "PubmedParseError",
    "can_cut",
    "iter_pubmed_xml",
    "open_pubmed_file",
    "open_pubmed_pieces",
    "parse_pubmed_xml",
]


def iter_pubmed_xml(
    source: BinaryIO | bytes, *, name: str | None = None
) -> Iterator[Article | DeletedCitations]:
    """Yield each PubmedArticle / PubmedBookArticle / DeleteCitation in document order.

    A truncated or malformed document raises PubmedParseError after yielding the
    complete records that came before the damage.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    label = name or str(getattr(stream, "name", "") or "PubMed XML")
    if not isinstance(stream, RecordGuard):  # files come guarded from _opened already
        stream = RecordGuard(stream, label)  # type: ignore[assignment]
    for elem in iter_record_elements(stream, label):
        yield record(elem, label)


def open_pubmed_file(path: str | os.PathLike[str]) -> Iterator[Article | DeletedCitations]:
    """Parse a .xml or .xml.gz file (gzip is recognised by its magic bytes)."""
    label = os.fspath(path)
    with _opened(label) as stream:
        yield from iter_pubmed_xml(stream, name=label)


def open_pubmed_pieces(path: str | os.PathLike[str], records: int) -> Iterator[Piece]:
    """A <PubmedArticleSet> .xml or .xml.gz file as whole documents of about `records`
    records each, for parsing in parallel (tracker/ingest/import_worker.py parses one)."""
    label = os.fspath(path)
    with _opened(label) as stream:
        yield from iter_pieces(stream, label, records)


def can_cut(path: str | os.PathLike[str]) -> bool:
    """Whether open_pubmed_pieces can cut this file: its root is <PubmedArticleSet>.

    False for anything unreadable too: the streaming parser then reports it.
    """
    label = os.fspath(path)
    try:
        with _opened(label, read_ahead=False) as stream:
            return read_prolog(stream, label)[1] == "PubmedArticleSet"
    except (OSError, EOFError, zlib.error, PubmedParseError):
        return False


@contextmanager
def _opened(label: str, read_ahead: bool = True) -> Iterator[BinaryIO]:
    """The file's bytes, inflated when it is gzip: in a read-ahead thread for parsing,
    in place for a peek at the prolog (the thread would inflate megabytes ahead)."""
    with open(label, "rb") as raw:
        if raw.read(2) != b"\x1f\x8b":
            raw.seek(0)
            yield cast(BinaryIO, RecordGuard(raw, label))
            return
        raw.seek(0)
        with GzipReadAhead(raw) if read_ahead else gzip.GzipFile(fileobj=raw) as stream:
            try:
                # Both read like a binary file.
                yield cast(BinaryIO, RecordGuard(cast(BinaryIO, stream), label))
            except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                raise PubmedParseError(f"{label}: corrupt gzip data: {exc}") from None


def parse_pubmed_xml(data: bytes) -> list[Article]:
    """All articles of a small document, e.g. one efetch body (DeleteCitation skipped)."""
    return [r for r in iter_pubmed_xml(data) if isinstance(r, Article)]
