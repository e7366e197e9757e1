"""A local, E-utilities-compatible server that serves real recorded PubMed records.

Used by the test suite and by the offline ``tracker demo``. Answers esearch.fcgi,
efetch.fcgi and a minimal einfo.fcgi (GET or form POST) in the shapes NCBI uses (see
tests/data/pubmed-samples/), and can inject the failures NCBI is known for (.faults).

    python -m tracker.lookalikes.eutils.server \\
        --records tests/data/pubmed-samples/efetch --port 8765
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import threading
import time
from collections.abc import Iterable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tracker.lookalikes.eutils.corpus import Corpus
from tracker.lookalikes.eutils.faults import (
    BACKEND_ERROR,
    INVALID_KEY_BODY,
    MAINTENANCE_HTML,
    RATE_LIMIT_BODY,
    ROUTE_TEXT,
    STATUS_HTML,
    Fault,
    FaultQueue,
    LoggedRequest,
    RequestLog,
)
from tracker.lookalikes.eutils.hostile import HOSTILE_KINDS, mark_hostile, send_hostile
from tracker.lookalikes.eutils.responses import (
    EFETCH_HEAD,
    ESEARCH_HEAD,
    PUBMED_CAP,
    RETSTART_ERROR,
    date_window,
    error_xml,
    esearch_body,
    id_list,
)
from tracker.lookalikes.eutils.terms import (
    BoolOp,
    Node,
    QuerySyntaxError,
    Text,
    matches,
    parse_term,
    prune_unknown,
    translate,
)

XML_TYPE = "text/xml; charset=UTF-8"
ENDPOINTS = {"esearch.fcgi": "esearch", "efetch.fcgi": "efetch", "einfo.fcgi": "einfo"}


class Reply:
    """What the handler should send: a status, headers and body, or a socket action."""

    def __init__(
        self,
        status: int,
        body: bytes | str = b"",
        ctype: str = XML_TYPE,
        headers: dict[str, str] | None = None,
        action: str | None = None,
        hang_seconds: float | None = None,
    ) -> None:
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.ctype = ctype
        self.headers = headers or {}
        self.action = action  # None | "truncate" | "hang" | "reset"
        self.hang_seconds = hang_seconds


class LocalEutils:
    """ThreadingHTTPServer on 127.0.0.1 speaking enough E-utilities for the tracker."""

    def __init__(
        self,
        records: Iterable[str | Path] = (),
        *,
        port: int = 0,
        corpus: Corpus | None = None,
        rate_limit: bool = False,
    ) -> None:
        self.corpus = corpus if corpus is not None else Corpus()
        if records:
            self.corpus.load_files(records)
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.rate_limit = rate_limit  # answer 429 above 3 rps (10 with a key), as NCBI does
        self.drop_unknown_phrases = True  # PubMed's PhraseNotFound broadening (NCBI-NOTES A9)
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/entrez/eutils/"

    def start(self) -> LocalEutils:
        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), _make_handler(self))
        self._httpd.daemon_threads = True
        # A short poll interval keeps stop() fast (tests start one server each).
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="local-eutils", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases "hang" faults
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def wait_for_stop(self, seconds: float | None) -> None:
        """Block a "hang" fault until stop() or ``seconds`` pass."""
        self._stopping.wait(seconds)

    def __enter__(self) -> LocalEutils:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- corpus shortcuts ------------------------------------------------------------
    def load_files(self, paths: Iterable[str | Path]) -> int:
        return self.corpus.load_files(paths)

    def add_record(self, xml: bytes, *, crdt: date | None = None, mdat: date | None = None) -> int:
        return self.corpus.add_record(xml, crdt=crdt, mdat=mdat)

    def clone_renumbered(
        self, count: int, start_pmid: int, crdt_from: date, crdt_to: date
    ) -> list[int]:
        return self.corpus.clone_renumbered(count, start_pmid, crdt_from, crdt_to)

    # -- request handling ------------------------------------------------------------
    def handle(self, endpoint: str, params: dict[str, str]) -> Reply:
        has_key = bool(params.get("api_key"))
        if self.rate_limit and self.requests.recent(has_key) >= (10 if has_key else 3):
            return Reply(429, RATE_LIMIT_BODY, "application/json")
        fault = self.faults.take(endpoint)
        if fault is not None and fault.kind != "drop_records":
            return self._fault_reply(fault, endpoint, params)
        if endpoint == "esearch":
            reply = self.esearch(params)
        elif endpoint == "efetch":
            reply = self.efetch(params, fault)
        else:
            reply = self.einfo()
        reply.headers.update(self._rate_headers(has_key))
        return reply

    def _rate_headers(self, has_key: bool) -> dict[str, str]:
        # Real responses carry these (cassettes: X-RateLimit-Limit '3' or '10').
        limit = 10 if has_key else 3
        remaining = max(0, limit - self.requests.recent(has_key))
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "Access-Control-Expose-Headers": "X-RateLimit-Limit,X-RateLimit-Remaining",
        }

    def _fault_reply(self, fault: Fault, endpoint: str, params: dict[str, str]) -> Reply:
        kind, opts = fault.kind, fault.opts
        if kind == "429":
            body = RATE_LIMIT_BODY
            if opts.get("echo_key"):  # the in-the-wild shape echoes the caller (rentrez#132)
                ident = params.get("api_key") or "127.0.0.1"
                body = f'{{"error":"API rate limit exceeded","api-key":"{ident}","count":"11"}}'
            retry = opts.get("retry_after")
            headers = {"Retry-After": str(retry)} if retry is not None else {}
            return Reply(429, body, "application/json", headers)
        if kind == "status":
            code = int(opts.get("code", 503))
            return Reply(code, STATUS_HTML.format(code=code), "text/html")
        if kind == "error_xml":
            root = "eSearchResult" if endpoint == "esearch" else "eFetchResult"
            return Reply(200, error_xml(opts.get("message", BACKEND_ERROR), root))
        if kind == "error_json":
            body = json.dumps({"esearchresult": {"ERROR": opts.get("message", BACKEND_ERROR)}})
            return Reply(200, body, "application/json; charset=UTF-8")
        if kind == "invalid_key":
            return Reply(400, INVALID_KEY_BODY, "application/json")
        simple = {
            "html": (MAINTENANCE_HTML, "text/html"),
            "plain_text": (ROUTE_TEXT, "text/plain"),
            "empty": ("", XML_TYPE),
        }
        if kind in simple:
            body, ctype = simple[kind]
            return Reply(200, body, ctype)
        normal = self.esearch(params) if endpoint == "esearch" else self.efetch(params, None)
        if kind in HOSTILE_KINDS:  # sent by tracker/lookalikes/eutils/hostile.py
            return mark_hostile(normal, kind, opts)
        normal.action = kind  # truncate / hang / reset
        normal.hang_seconds = opts.get("seconds")
        return normal

    # -- esearch ---------------------------------------------------------------------
    def esearch(self, params: dict[str, str]) -> Reply:
        if params.get("db", "pubmed") != "pubmed":
            return Reply(200, error_xml(f"Invalid db name specified: {params.get('db')}"))
        term = params.get("term", "").strip()
        if not term:
            return Reply(200, error_xml("Empty term and query_key - nothing todo"))
        try:
            retmax = int(params.get("retmax", 20))
            retstart = int(params.get("retstart", 0))
            parsed = parse_term(term)
            window = date_window(params)
        except (ValueError, QuerySyntaxError) as exc:
            # Crafted: NCBI's wording for a malformed query is not recorded anywhere.
            return Reply(400, error_xml(f"Invalid query: {exc}"))
        if retstart > PUBMED_CAP - 1:
            return Reply(200, error_xml(RETSTART_ERROR))
        node = parsed.node
        not_found: list[str] = []
        if self.drop_unknown_phrases:
            node, not_found = prune_unknown(node, self._known)
        if node is not None and window is not None:
            node = BoolOp("AND", node, window)
        ids = self._search(node)
        if params.get("rettype") == "count":
            return Reply(
                200,
                f"{ESEARCH_HEAD}<eSearchResult>\n\t<Count>{len(ids)}</Count>\n</eSearchResult>\n",
            )
        body = esearch_body(
            ids, retstart, retmax, translate(node), not_found, parsed.unknown_fields
        )
        return Reply(200, body)

    def _known(self, text: Text) -> bool:
        seen: set[int] = set()  # clones share their source's text: test each text once
        for entry in self.corpus.entries():
            if entry.source_pmid not in seen:
                seen.add(entry.source_pmid)
                if text.phrase in entry.text.get(text.field):
                    return True
        return False

    def _search(self, node: Node | None) -> list[int]:
        if node is None:
            return []
        cache: dict[tuple[int, int], bool] = {}
        hits = [e.pmid for e in self.corpus.entries() if matches(node, e, cache)]
        return sorted(hits, reverse=True)  # newest PMIDs first, like PubMed's date order

    # -- efetch ----------------------------------------------------------------------
    def efetch(self, params: dict[str, str], fault: Fault | None) -> Reply:
        if params.get("db", "pubmed") != "pubmed":
            return Reply(
                200, error_xml(f"Invalid db name specified: {params.get('db')}", "eFetchResult")
            )
        wanted = id_list(params.get("id", ""))
        if fault is not None:  # drop_records: a silently partial batch (RISmed#12)
            drop = set(fault.opts.get("pmids", ()))
            drop |= set(wanted[: int(fault.opts.get("count", 0))])
            wanted = [p for p in wanted if p not in drop]
        parts = [EFETCH_HEAD, b"<PubmedArticleSet>\n"]
        for pmid in wanted:
            entry = self.corpus.get(pmid)
            if entry is not None:  # unknown PMIDs are simply absent, as at NCBI
                parts += [entry.render(), b"\n"]
        parts.append(b"</PubmedArticleSet>")
        return Reply(200, b"".join(parts))

    def einfo(self) -> Reply:
        body = (
            f'<?xml version="1.0" encoding="UTF-8" ?>\n<eInfoResult><DbInfo>'
            f"<DbName>pubmed</DbName><MenuName>PubMed</MenuName>"
            f"<Count>{len(self.corpus)}</Count></DbInfo></eInfoResult>\n"
        )
        return Reply(200, body)


def _make_handler(server: LocalEutils) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        eutils = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and Content-Length, as NCBI's front end
    eutils: LocalEutils

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silent: the server keeps its own log in .requests (without the key)."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET", urlsplit(self.path).query)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        query = urlsplit(self.path).query
        self._serve("POST", "&".join(q for q in (query, body) if q))

    def _serve(self, method: str, query: str) -> None:
        arrived = time.monotonic()
        params = dict(parse_qsl(query, keep_blank_values=True))
        endpoint = ENDPOINTS.get(urlsplit(self.path).path.rsplit("/", 1)[-1])
        if endpoint is None:
            reply = Reply(404, "Not Found", "text/plain")
        else:
            reply = self.eutils.handle(endpoint, params)
        logged = {k: v for k, v in params.items() if k != "api_key"}
        status = None if reply.action in ("hang", "reset") else reply.status
        self.eutils.requests.append(
            LoggedRequest(
                arrived, endpoint or self.path, method, logged, bool(params.get("api_key")), status
            )
        )
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        if reply.action == "reset":
            # SO_LINGER 0 makes close() send RST: "connection reset by peer"
            # (wp-a/nature-academic-search#15).
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if reply.action == "hostile":
            return send_hostile(self, reply)
        if reply.action == "hang":
            self.eutils.wait_for_stop(reply.hang_seconds)
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.ctype)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "private")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.action == "truncate":  # full Content-Length, half the body, then close
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(reply.body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Serve recorded PubMed records over a local E-utilities-compatible HTTP API."
    )
    parser.add_argument(
        "--records",
        nargs="+",
        default=[],
        metavar="FILE_OR_DIR",
        help="PubmedArticleSet XML files (.xml, .xml.gz, cassettes) or dirs",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free)")
    parser.add_argument(
        "--rate-limit",
        action="store_true",
        help="answer 429 above 3 requests/s (10 with api_key), as NCBI does",
    )
    args = parser.parse_args(argv)
    server = LocalEutils(args.records, port=args.port, rate_limit=args.rate_limit)
    server.start()
    print(f"{server.base_url}  ({len(server.corpus)} records; Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
