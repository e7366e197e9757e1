"""Fault injection and request logging for the local E-utilities server.

The failure bodies are reconstructed (crafted) from the verbatim texts quoted in
NCBI-NOTES A1/A9 and INDEX.md; no recorded file of them exists.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.lookalikes.eutils.hostile import HOSTILE_KINDS

FAULT_KINDS = frozenset(
    {
        "429",
        "status",
        "error_xml",
        "error_json",
        "html",
        "plain_text",
        "empty",
        "truncate",
        "hang",
        "reset",
        "drop_records",
        "invalid_key",
    }
)
FAULT_KINDS |= HOSTILE_KINDS  # trickle, huge, gzip_bomb, redirect, out_of_range

# NBK25497's documented 429 body (NCBI-NOTES A1).
RATE_LIMIT_BODY = '{"error":"API rate limit exceeded","count":"11"}'
# Crafted: only '{"error":"API key invalid",...}' is known (NCBI-NOTES brief); the rest is ours.
INVALID_KEY_BODY = '{"error":"API key invalid","type":"api-key","status":"error"}'
# Crafted around the title quoted from OpenKnowledgeMaps/Headstart#257.
STATUS_HTML = (
    "<!DOCTYPE html><html><head><title>NCBI/eutils202 - WWW Error {code} Diagnostic</title>"
    "</head><body><h1>Error {code}</h1><p>Server error.</p></body></html>"
)
# Crafted maintenance page: metapub's ncbi_errors.py recognises it by "down_bethesda".
MAINTENANCE_HTML = (
    "<!DOCTYPE html><html><head><title>NCBI Maintenance</title></head><body>"
    '<img src="https://www.ncbi.nlm.nih.gov/corehtml/down_bethesda.gif" alt="NCBI is down">'
    "<p>NCBI services are temporarily unavailable for scheduled maintenance.</p>"
    "</body></html>"
)
# Verbatim text from ARTbio/tools-artbio#425.
ROUTE_TEXT = "Unable to route request! service name: /http/service/ratecontrol"
# Verbatim ERROR text from SACGF/variantgrid#1184 (HTTP 200).
BACKEND_ERROR = (
    "Search Backend failed: Couldn't resolve #PMQuerySrv_2_0?dbaf=pubmed, "
    "the address table is empty."
)


@dataclass
class Fault:
    kind: str
    endpoint: str = "any"
    times: int | None = 1  # None = for ever
    opts: dict[str, Any] = field(default_factory=dict)


class FaultQueue:
    """Faults to inject, consumed in order by the first matching request."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def push(self, kind: str, endpoint: str = "any", times: int | None = 1, **opts: Any) -> None:
        """Queue ``kind`` for the next ``times`` requests to ``endpoint`` ("esearch",
        "efetch", "einfo" or "any"); ``times=None`` keeps it for ever."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(Fault(kind, endpoint, times, dict(opts)))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in ("any", endpoint):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it. ``params`` never holds the api_key value."""

    time: float  # time.monotonic() at arrival
    endpoint: str
    method: str
    params: Mapping[str, str]
    has_key: bool
    status: int | None  # None when the connection was dropped or left hanging


class RequestLog:
    """Thread-safe list of LoggedRequest for assertions on rate and call counts."""

    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def append(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def entries(self, endpoint: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self._items if endpoint in (None, r.endpoint)]

    def times(self, endpoint: str | None = None) -> list[float]:
        return [r.time for r in self.entries(endpoint)]

    def count(self, endpoint: str | None = None) -> int:
        return len(self.entries(endpoint))

    def recent(self, has_key: bool, window: float = 1.0) -> int:
        """Requests from callers with/without a key in the last ``window`` seconds."""
        now = time.monotonic()
        return sum(1 for r in self.entries() if r.has_key == has_key and now - r.time < window)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.entries())

    def __len__(self) -> int:
        return self.count()


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Most request starts inside any rolling ``window`` seconds (half-open)."""
    ordered = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(ordered):
        while t - ordered[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best
