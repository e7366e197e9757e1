"""A small threaded HTTP server on 127.0.0.1 for the JSON look-alikes (ctgov, europepmc):
a request log, and a queue of failures to inject into the next requests.

Failure shapes (SOURCES-NOTES "Errors"; no real error body was ever recorded, so the
bodies here are crafted and say so):
* ("status", 400, text): a plain-text 4xx body, as CT.gov documents `errorMessage`;
* ("status", 429, text) with Retry-After; ("status", 503, text);
* ("truncate",): a 200 whose JSON body is cut off half-way (Content-Length honest, so
  the client reads it whole and must notice the JSON is incomplete);
* ("hang", seconds): accept the request and answer nothing for that long.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Fault:
    kind: str  # "status" | "truncate" | "hang"
    status: int = 200
    body: str = ""
    retry_after: str | None = None
    seconds: float = 0.0


def bad_request(text: str = "crafted: invalid query syntax") -> Fault:
    return Fault("status", 400, text)


def rate_limited(retry_after: str = "1") -> Fault:
    return Fault("status", 429, "crafted: too many requests", retry_after=retry_after)


def server_error(status: int = 503) -> Fault:
    return Fault("status", status, "crafted: service unavailable")


def truncated() -> Fault:
    return Fault("truncate")


def hang(seconds: float) -> Fault:
    return Fault("hang", seconds=seconds)


@dataclass
class LoggedRequest:
    path: str
    params: dict[str, str]
    answered: int | str = 0


@dataclass
class JsonServer:
    """Subclasses implement answer(path, params) -> (status, JSON-able body)."""

    host: str = "127.0.0.1"
    port: int = 0
    requests: list[LoggedRequest] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        raise NotImplementedError

    def prefix(self) -> str:
        return "/"

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}{self.prefix()}"

    def fail_next(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def count(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    def start(self) -> JsonServer:
        handler = _handler(self)
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        # Polling every 50 ms (not the default 0.5 s) lets stop() return at once.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> JsonServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None


def _handler(owner: JsonServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            path = (
                url.path[len(owner.prefix()) :] if url.path.startswith(owner.prefix()) else url.path
            )
            logged = LoggedRequest(path, params)
            owner.requests.append(logged)
            fault = owner._take_fault()
            if fault is not None:
                logged.answered = fault.kind if fault.kind != "status" else fault.status
                _send_fault(self, fault)
                return
            status, body = owner.answer(path, params)
            logged.answered = status
            if isinstance(body, str):
                _send(self, status, body.encode(), "text/plain; charset=utf-8")
            else:
                data = json.dumps(body, ensure_ascii=False).encode()
                _send(self, status, data, "application/json;charset=UTF-8")

    return Handler


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    ctype: str,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


def _send_fault(handler: BaseHTTPRequestHandler, fault: Fault) -> None:
    if fault.kind == "hang":
        time.sleep(fault.seconds)
        handler.close_connection = True
        return
    if fault.kind == "truncate":
        body = b'{"studies": [{"protocolSection": {"identificationModule": {"nctId": "NCT0'
        _send(handler, 200, body, "application/json")  # crafted: a cut-off JSON body
        return
    headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
    _send(handler, fault.status, fault.body.encode(), "text/plain", headers)


Answer = Callable[[str, dict[str, str]], tuple[int, Any]]
