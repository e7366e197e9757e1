"""What a `tracker import` worker process does: one piece of a file -> rows to write.

Parsing, field extraction, evidence-tier classification and row encoding are ~70% of
an import's CPU time; the main process only inflates gzip, cuts pieces and writes to
SQLite. The one-process path encodes with the same function (in batches of 500, not
per piece); the rows written are the same, since a row never goes back to an older
version of its record (store.write_articles).

Imports stay light on purpose (no sqlite-utils, no pandas): each worker is a fresh
`python -m tracker.ingest.import_worker` (tracker/ingest/import_pool.py starts them).
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import struct
import sys
from collections.abc import Generator, Iterable
from typing import IO, Any

from lxml import etree

from tracker.models import Article, DeletedCitations
from tracker.pubmed.fields import record
from tracker.pubmed.split import Piece
from tracker.pubmed.stream import RECORD_TAGS, PubmedParseError, refuse_internal_dtd, safe_parser
from tracker.store.rows import EncodedArticles, encode_articles

BATCH = 500  # rows per executemany: large enough to amortise, small enough for flat memory
PIECE_RECORDS = 20  # ~0.5 MB of XML: a small tree stays in CPU cache while it is read

Encoded = EncodedArticles | DeletedCitations


def encode_records(
    records: Iterable[Article | DeletedCitations], now: str, batch: int = BATCH
) -> Generator[Encoded, None, None]:
    """Articles encoded in batches, in file order; a DeleteCitation ends a batch, since it
    applies to the records before it."""
    articles: list[Article] = []
    for item in records:
        if isinstance(item, DeletedCitations):
            if articles:
                yield encode_articles(articles, now)
                articles = []
            yield item
            continue
        articles.append(item)
        if len(articles) >= batch:
            yield encode_articles(articles, now)
            articles = []
    if articles:
        yield encode_articles(articles, now)


def encode_piece(piece: Piece, label: str, now: str) -> list[Encoded]:
    """Parse one whole piece and encode its records (runs in a worker process)."""
    try:
        root = etree.fromstring(piece.data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise PubmedParseError(
            f"{label}: malformed or truncated XML: {_in_file_lines(str(exc), piece)}"
        ) from None
    refuse_internal_dtd(root, label)
    offset = piece.line_offset
    records = (record(elem, label, offset) for elem in root.iter(*RECORD_TAGS))
    return list(encode_records(records, now))


def _in_file_lines(message: str, piece: Piece) -> str:
    """libxml2's "line N" counted in the file, not in the piece."""
    message = message.replace("(<string>, ", "(")
    return re.sub(r"\bline (\d+)", lambda m: f"line {int(m[1]) + piece.line_offset}", message)


# ---------------------------------------------------------------- the worker process

_HEADER = struct.Struct(">Q")  # byte length of the pickle that follows


def send(stream: IO[bytes], obj: Any) -> None:
    """One length-prefixed pickle: how the main process and a worker talk."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next object, or EOFError at the end of input."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - written by our own parent or child process


def serve(label: str, now: str, source: IO[bytes], sink: IO[bytes]) -> None:
    """Pieces from `source` until it ends, each answered on `sink` in order:
    ("ok", batches), ("parse-error", message) or ("failed", message)."""
    while True:
        try:
            piece = receive(source)
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", encode_piece(piece, label, now))
        except PubmedParseError as exc:
            reply = ("parse-error", str(exc))
        except Exception as exc:  # a bug, not the file: reported, not swallowed
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        try:
            send(sink, reply)
        except BrokenPipeError:  # the import stopped: nobody is reading any more
            return


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group; the main process alone decides what an
    # interrupted import means (roll back, exit 1) and then closes this one's input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sys.argv[1], sys.argv[2], sys.stdin.buffer, sys.stdout.buffer)
    os._exit(0)  # nothing left to flush; skip freeing every object one by one
