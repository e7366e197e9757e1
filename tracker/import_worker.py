"""What a `tracker import` worker process does: one piece of a file -> rows to write.

Parsing, field extraction, evidence-tier classification and row encoding are ~70% of
an import's CPU time; the main process only inflates gzip, cuts pieces and writes to
SQLite. The one-process path encodes with the same function (in batches of 500, not
per piece); the rows written are the same, since a row never goes back to an older
version of its record (store.write_articles).

Imports stay light on purpose (no sqlite-utils, no pandas): each worker is a fresh
interpreter started with the "spawn" method.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from multiprocessing.process import BaseProcess

from lxml import etree

from .models import Article, DeletedCitations
from .pubmed_fields import record
from .pubmed_split import Piece
from .pubmed_xml import RECORD_TAGS, PubmedParseError, refuse_internal_dtd, safe_parser
from .rows import EncodedArticles, encode_articles

BATCH = 500  # rows per executemany: large enough to amortise, small enough for flat memory
PIECE_RECORDS = 20  # ~0.5 MB of XML: a small tree stays in CPU cache while it is read

Encoded = EncodedArticles | DeletedCitations


def encode_records(
    records: Iterable[Article | DeletedCitations], now: str, batch: int = BATCH
) -> Iterator[Encoded]:
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


def start_worker() -> None:
    """Worker initializer.

    Ctrl-C reaches the whole process group, but only the main process decides what an
    interrupted import means (roll back, one line, exit 1), so workers ignore SIGINT.
    A main process killed outright (SIGKILL, OOM) cannot shut its pool down: each
    worker watches its parent and exits with it instead of waiting for work forever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent,), name="parent-watch", daemon=True
        ).start()


def _exit_with(parent: BaseProcess) -> None:
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)
