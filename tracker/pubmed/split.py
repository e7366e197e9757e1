"""A PubMed XML file cut into self-contained documents of N records, for parallel parsing.

`tracker import` hands each piece to a worker process (tracker/ingest/import_worker.py) while
the main process writes what came back. This room only scans bytes for record end
tags; it parses no XML. A cut is a hint, never trusted: every piece is a whole
document that libxml2 parses in full, so a cut in the wrong place (an end tag inside a
comment or CDATA section, which PubMed never writes) makes a malformed piece and a loud
failure of the whole import, never a wrong record.

Reference lists are left out of the pieces: they are ~70% of a record as efetch and
the baseline files serve it today, and the tracker reads nothing in them. Each is
replaced by its newlines, so libxml2's line numbers still point into the file. What
is lost is the checking of their insides: a file whose only damage is inside a
<ReferenceList> imports through the workers, where parsing in one process refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tracker.pubmed.stream import PubmedParseError, read_prolog

__all__ = ["Piece", "iter_pieces"]

# The root start tag, attributes allowed ('>' may sit inside a quoted value).
_ROOT_START = re.compile(rb"<PubmedArticleSet(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*>")
# Exactly as PubMed writes them; another spelling only makes a larger piece.
_RECORD_END = re.compile(rb"</Pubmed(?:Book)?Article>")
_LONGEST_END = len(b"</PubmedBookArticle>")
_ROOT_END = b"</PubmedArticleSet>"
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Piece:
    """One document: the file's prolog and root start tag, then whole records."""

    data: bytes
    first_line: int  # the file line on which this piece's records begin
    head_lines: int  # newlines in the prolog and root start tag copied before them

    @property
    def line_offset(self) -> int:
        """Add to a line number in `data` to get the line in the file."""
        return self.first_line - 1 - self.head_lines


def iter_pieces(stream: BinaryIO, label: str, records: int) -> Iterator[Piece]:
    """Pieces of about `records` records each, in file order; PubmedArticleSet roots only.

    The prolog gets the same byte-level safety check as the streaming parser before
    any piece is cut. The last piece carries the file's own root end tag, so a file
    cut short makes that piece malformed. Memory: one piece plus one read block.
    """
    head, buf = _split_head(stream, label)
    head_lines = head.count(b"\n")
    first_line = head_lines + 1
    scan = count = 0
    eof = False
    while True:
        end = _RECORD_END.search(buf, scan)
        if end is None:
            if eof:
                break
            # an end tag may straddle the block boundary: look at its start again
            scan = max(scan, len(buf) - _LONGEST_END)
            data = stream.read(_BLOCK)
            if data:
                buf += data
            else:
                eof = True
            continue
        scan = end.end()
        count += 1
        if count == records:
            body = _without_reference_lists(bytes(buf[:scan]))
            yield Piece(head + body + _ROOT_END, first_line, head_lines)
            first_line += buf.count(b"\n", 0, scan)
            del buf[:scan]
            scan = count = 0
    yield Piece(head + _without_reference_lists(bytes(buf)), first_line, head_lines)


_REFS = b"ReferenceList>"
_REFS_OPEN = b"<" + _REFS


def _without_reference_lists(data: bytes) -> bytes:
    """Every <ReferenceList> (nested ones with it) replaced by the newlines it held.

    An unclosed list (a file cut short) stays, for libxml2 to report.
    """
    kept: list[bytes] = []
    pos = 0
    while (start := data.find(_REFS_OPEN, pos)) >= 0:
        end = _reference_list_end(data, start)
        if end < 0:
            break
        kept += (data[pos:start], b"\n" * data.count(b"\n", start, end))
        pos = end
    if not kept:
        return data
    kept.append(data[pos:])
    return b"".join(kept)


def _reference_list_end(data: bytes, start: int) -> int:
    """Offset just past the end tag matching the <ReferenceList> at `start`, or -1."""
    depth, pos = 0, start
    while (found := data.find(_REFS, pos)) >= 0:
        pos = found + len(_REFS)
        if data[found - 1 : found] == b"<":
            depth += 1
        elif data[found - 2 : found] == b"</":
            depth -= 1
            if depth == 0:
                return pos
    return -1


def _split_head(stream: BinaryIO, label: str) -> tuple[bytes, bytearray]:
    """(prolog + root start tag, the bytes read after it)."""
    prefix, root, start = read_prolog(stream, label)
    if root != "PubmedArticleSet":
        raise PubmedParseError(f"{label}: only a <PubmedArticleSet> file can be cut up")
    buf = bytearray(prefix)
    while (match := _ROOT_START.match(buf, start)) is None:
        data = stream.read(_BLOCK)
        if not data or len(buf) > 2 * _BLOCK:
            raise PubmedParseError(f"{label}: unreadable <PubmedArticleSet> start tag")
        buf += data
    return bytes(buf[: match.end()]), buf[match.end() :]
