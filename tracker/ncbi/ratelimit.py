"""A pacer for E-utilities request starts, shared by every client of one session.

NCBI allows 3 requests/s per IP without a key and 10/s per key, shared by everything
using that IP or key (NCBI-NOTES A1); concurrent callers in one process blew the limit
until request *starts* were spaced (feynman#237/#239). Bio.Entrez's own pacer is neither
thread-safe nor applied to retries (NCBI-NOTES B3.2, B3.7). Cross-process coordination is
not done here: one tracker run per machine is serialised elsewhere. Within a process, the
command line gives every client it builds the same NcbiSession, hence the same pool.
"""

from __future__ import annotations

import threading
import time

# 0.333 s "sometimes hit the NCBI rate limit", so Biopython spaces calls 0.37 s apart
# (NCBI-NOTES B3): keep a 10 % margin over the nominal rate.
SAFETY = 1.1


class RateLimiter:
    """Spaces request starts at least ``1/rate`` (plus margin) apart; thread-safe."""

    def __init__(self, rate: float) -> None:
        self.interval = SAFETY / rate
        self._next = 0.0  # monotonic time of the next free start slot
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def tighten(self, rate: float) -> None:
        """Another client sharing this limiter asked for a lower rate: the strictest wins."""
        with self._lock:
            self.interval = max(self.interval, SAFETY / rate)

    def reserve(self) -> float:
        """Book the next start slot; returns the monotonic time it begins."""
        with self._lock:
            slot = max(time.monotonic(), self._next, self._paused_until)
            self._next = slot + self.interval
            return slot

    def acquire(self, deadline: float | None = None) -> bool:
        """Wait for a start slot; False (slot left unused) if it lies past ``deadline``."""
        slot = self.reserve()
        if deadline is not None and slot > deadline:
            return False
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return True

    def pause(self, seconds: float) -> None:
        """After a 429 with Retry-After: no caller of this limiter starts for ``seconds``."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class LimiterPool:
    """One limiter per E-utilities host and key/no-key, shared by the clients given the
    same pool (an NcbiSession): NCBI counts per IP and per key, not per client."""

    def __init__(self) -> None:
        self._limiters: dict[tuple[str, bool], RateLimiter] = {}
        self._lock = threading.Lock()

    def limiter(self, base_url: str, has_key: bool, rate: float) -> RateLimiter:
        """The limiter for this host and key/no-key; the strictest rate asked for wins."""
        with self._lock:
            limiter = self._limiters.get((base_url, has_key))
            if limiter is None:
                limiter = self._limiters[(base_url, has_key)] = RateLimiter(rate)
            else:
                limiter.tighten(rate)
            return limiter
