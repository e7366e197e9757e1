"""Hostile answers for the local E-utilities server: what an adversary, a broken proxy or
a misconfigured mirror could send. All crafted (no server is known to send them); each
is built from the real answer the request would have had.

* ``trickle``: the real answer, one byte every ``interval`` seconds (default 1);
* ``huge``: a well-formed efetch answer padded with whitespace to ``size`` bytes,
  streamed so the server never holds it;
* ``gzip_bomb``: ``Content-Encoding: gzip`` over ``size`` inflated bytes (default 1 GiB,
  about 1 MB on the wire);
* ``redirect``: HTTP ``code`` (302) to ``location`` (another host by default);
* ``out_of_range``: the real answer with one number beyond SQLite's 64-bit integers:
  ``field`` = ``id`` (an esearch <Id>), ``version`` (PMID Version), ``year``
  (PubDate <Year>) or ``pmid``.
"""

from __future__ import annotations

import re
import time
import zlib
from functools import lru_cache
from typing import Any

HOSTILE_KINDS = frozenset({"trickle", "huge", "gzip_bomb", "redirect", "out_of_range"})
HUGE_NUMBER = "99999999999999999999999"  # 23 digits: above 2**63 - 1 (19 digits)
_PAD = b" " * (1 << 20)


def out_of_range(body: bytes, field: str) -> bytes:
    """`body` with its first `field` number replaced by HUGE_NUMBER."""
    patterns = {
        "id": rb"<Id>\d+</Id>",
        "version": rb'<PMID Version="\d+">',
        "year": rb"<PubDate>(\s*)<Year>\d+</Year>",
        "pmid": rb'<PMID Version="(\d+)">\d+</PMID>',
    }
    huge = HUGE_NUMBER.encode()
    replacements = {
        "id": b"<Id>" + huge + b"</Id>",
        "version": b'<PMID Version="' + huge + b'">',
        "year": b"<PubDate>\\1<Year>" + huge + b"</Year>",
        "pmid": b'<PMID Version="\\1">' + huge + b"</PMID>",
    }
    return re.sub(patterns[field], replacements[field], body, count=1)


@lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """`size` bytes of an efetch-looking answer (mostly spaces), gzip-compressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = b'<?xml version="1.0" ?>\n<PubmedArticleSet>'
    parts = [packer.compress(head)]
    left = size - len(head) - len(b"</PubmedArticleSet>")
    while left > 0:
        parts.append(packer.compress(_PAD[: min(left, len(_PAD))]))
        left -= len(_PAD)
    parts.append(packer.compress(b"</PubmedArticleSet>"))
    parts.append(packer.flush())
    return b"".join(parts)


def mark_hostile(reply: Any, kind: str, opts: dict[str, Any]) -> Any:
    """The server's normal `reply`, marked to be sent by send_hostile."""
    if kind == "out_of_range":
        reply.body = out_of_range(reply.body, opts.get("field", "id"))
    reply.action, reply.hostile = "hostile", (kind, opts)
    return reply


def send_hostile(handler: Any, reply: Any) -> None:
    """Write the hostile answer on `handler` (a BaseHTTPRequestHandler)."""
    (kind, opts), status, body = reply.hostile, reply.status, reply.body
    if kind == "redirect":
        code = int(opts.get("code", 302))
        location = str(opts.get("location", "http://127.0.0.2:9/entrez/eutils/efetch.fcgi"))
        _head(handler, code, 0, {"Location": location})
        return
    if kind == "gzip_bomb":
        bomb = gzip_bomb(int(opts.get("size", 1 << 30)))
        _head(handler, 200, len(bomb), {"Content-Encoding": "gzip"})
        handler.wfile.write(bomb)
        return
    if kind == "huge":
        _send_huge(handler, int(opts.get("size", 400 << 20)))
        return
    if kind == "trickle":
        _head(handler, status, len(body), {})
        interval = float(opts.get("interval", 1.0))
        try:
            for i in range(len(body)):
                handler.wfile.write(body[i : i + 1])
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:  # the client gave up: what the test wants
            pass
        handler.close_connection = True
        return
    _head(handler, status, len(body), {})  # out_of_range: the edited body, whole
    handler.wfile.write(body)


def _send_huge(handler: Any, size: int) -> None:
    head = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n'
    tail = b"</PubmedArticleSet>"
    _head(handler, 200, size, {})
    try:
        handler.wfile.write(head)
        left = size - len(head) - len(tail)
        while left > 0:
            chunk = _PAD[: min(left, len(_PAD))]
            handler.wfile.write(chunk)
            left -= len(chunk)
        handler.wfile.write(tail)
    except OSError:  # the client refused it part-way
        handler.close_connection = True


def _head(handler: Any, status: int, length: int, extra: dict[str, str]) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/xml; charset=UTF-8")
    handler.send_header("Content-Length", str(length))
    for name, value in extra.items():
        handler.send_header(name, value)
    handler.end_headers()
