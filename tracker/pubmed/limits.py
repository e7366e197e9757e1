"""Bounds on what one PubMed record may hold, checked where records are parsed.

A record is refused (PubmedParseError, naming the field) rather than stored wrong or
left to crash the insert: SQLite integers are 64-bit, so a 20-digit <PMID> raised
OverflowError deep in a run before these checks existed.
"""

from __future__ import annotations

import io
import re
from typing import BinaryIO

from tracker.pubmed.stream import PubmedParseError

MAX_SQLITE_INT = 2**63 - 1
MAX_YEAR = 9999  # ISO dates and every date column are four-digit years


def bounded_int(text: str | None, what: str, *, low: int = 1, high: int = MAX_SQLITE_INT) -> int:
    """`text` as an integer in low..high, or ValueError naming `what`."""
    value = (text or "").strip()
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"{what} {value[:30]!r} is not a whole number")
    number = int(value[:40]) if len(value) <= 40 else high + 1
    if not low <= number <= high:
        raise ValueError(f"{what} {value[:30]}{'…' if len(value) > 30 else ''} is out of range "
                         f"({low}..{high})")  # fmt: skip
    return number


def year(text: str | None, what: str = "<Year>") -> int:
    return bounded_int(text, what, low=1, high=MAX_YEAR)


# Per record, checked on the bytes before libxml2 builds anything: a real record is
# 5-60 KB with a few hundred elements; the largest (consortium papers with ~3,000
# authors) are about 2 MB and 30,000 elements. Crafted files reach gigabytes of tree
# from a few MB of gzip (30 million <Keyword> in one record), so a record is refused
# past either bound.
MAX_RECORD_BYTES = 16 << 20
MAX_RECORD_TAGS = 400_000  # counted as '<' marks: about 200,000 elements
_RECORD_END = re.compile(rb"</(?:PubmedArticle|PubmedBookArticle|DeleteCitation)>")
_CARRY = 24  # longer than any record end tag, so a tag cut by a read is still found


class RecordGuard(io.RawIOBase):
    """A byte stream that refuses (PubmedParseError) a record beyond the per-record
    bounds before the parser sees its bytes."""

    def __init__(
        self,
        stream: BinaryIO,
        label: str,
        max_bytes: int = MAX_RECORD_BYTES,
        max_tags: int = MAX_RECORD_TAGS,
    ) -> None:
        super().__init__()
        self._stream, self._label = stream, label
        self._max_bytes, self._max_tags = max_bytes, max_tags
        self._bytes = self._tags = self._offset = 0
        self._carry = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        if chunk:
            self._check(chunk)
            self._offset += len(chunk)
        return chunk

    def _check(self, chunk: bytes) -> None:
        window = self._carry + chunk
        start = resume = len(self._carry)
        for match in _RECORD_END.finditer(window):
            if match.end() <= start:  # wholly inside the carry: seen with the last read
                continue
            self._add(window[max(resume, start) : match.end()])
            self._bytes = self._tags = 0
            resume = match.end()
        self._add(window[max(resume, start) :])
        self._carry = window[-_CARRY:]

    def _add(self, part: bytes) -> None:
        self._bytes += len(part)
        self._tags += part.count(b"<")
        if self._bytes > self._max_bytes or self._tags > self._max_tags:
            raise PubmedParseError(
                f"{self._label}: the record before byte {self._offset + len(part):,} is larger "
                f"than any PubMed record (over {self._max_tags // 2:,} elements or "
                f"{self._max_bytes >> 20} MiB); refused"
            )
