"""What the E-utilities clients of one process share: the request pacing and the keys to
redact.

NCBI's limit (3 requests/s without a key, 10 with) is per IP or key, not per client, so
clients running at once must pace together (NCBI-NOTES A1), and a 429's Retry-After
pauses all of them. The command line makes one session per process and passes it to
every client it builds (and its key registry to the log handler's filter); a client
built without one gets a session of its own, so nothing carries over between tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from tracker.ncbi.errors import Secrets
from tracker.ncbi.ratelimit import LimiterPool

E = TypeVar("E", bound=BaseException)


@dataclass
class NcbiSession:
    secrets: Secrets = field(default_factory=Secrets)
    limiters: LimiterPool = field(default_factory=LimiterPool)

    def scrub(self, exc: E) -> E:
        """``exc`` with every known key removed from its message (and reason)."""
        exc.args = tuple(self.secrets.redact(a) if isinstance(a, str) else a for a in exc.args)
        reason = getattr(exc, "reason", None)
        if isinstance(reason, str):
            exc.reason = self.secrets.redact(reason)  # type: ignore[attr-defined]
        return exc
