"""PubMed XML (efetch bodies, NLM baseline/update files) -> models.Article.

Pure functions: no network, no database. Two rooms behind this front door:
tracker/pubmed_xml.py streams record elements safely (prolog check before libxml2
sees a byte, iterparse freeing each record, gzip inflated in a read-ahead thread) and
tracker/pubmed_fields.py turns one element into an Article.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from .models import Article, DeletedCitations
from .pubmed_fields import record
from .pubmed_xml import GzipReadAhead, PubmedParseError, iter_record_elements

__all__ = [
    "PubmedParseError",
    "iter_pubmed_xml",
    "open_pubmed_file",
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
    for elem in iter_record_elements(stream, label):
        yield record(elem, label)


def open_pubmed_file(path: str | os.PathLike[str]) -> Iterator[Article | DeletedCitations]:
    """Parse a .xml or .xml.gz file (gzip is recognised by its magic bytes)."""
    label = os.fspath(path)
    with open(label, "rb") as raw:
        if raw.read(2) != b"\x1f\x8b":
            raw.seek(0)
            yield from iter_pubmed_xml(raw, name=label)
            return
        raw.seek(0)
        with GzipReadAhead(raw) as stream:
            try:
                yield from iter_pubmed_xml(stream, name=label)
            except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                raise PubmedParseError(f"{label}: corrupt gzip data: {exc}") from None


def parse_pubmed_xml(data: bytes) -> list[Article]:
    """All articles of a small document, e.g. one efetch body (DeleteCitation skipped)."""
    return [r for r in iter_pubmed_xml(data) if isinstance(r, Article)]
