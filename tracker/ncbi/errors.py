"""E-utilities exceptions, and redaction of the API key from any text that leaves us.

The key leaks through GET URLs, exception texts, DEBUG parameter logs and the 429 body's
``api-key`` field (NCBI-NOTES E3, A1), so every message built here passes through redact().
redact() knows the shapes a key takes; Secrets also knows the configured values, and
belongs to whoever configured them (an NcbiSession, tracker/ncbi/session.py): no
module-level registry that outlives a test or mixes two configurations.
"""

from __future__ import annotations

import logging
import re
import threading

from tracker.errors import EXIT_USAGE, RunFailure

_PATTERNS = (
    re.compile(r"(api_key=)[^&\s\"']+", re.IGNORECASE),
    re.compile(r"(\"api[-_]key\"\s*:\s*\")[^\"]*", re.IGNORECASE),
    re.compile(r"('api[-_]key'\s*:\s*')[^']*", re.IGNORECASE),
)
REDACTED = "<redacted>"


def redact(text: object) -> str:
    """``text`` as a string without api_key=… values or "api-key" JSON fields."""
    out = str(text)
    for pattern in _PATTERNS:
        out = pattern.sub(lambda m: m.group(1) + REDACTED, out)
    return out


class Secrets:
    """The configured keys, removed wherever they appear (not only in the known shapes).

    Thread-safe: the scheduler's worker thread adds keys while logging redacts."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        """Remember a configured key (shorter than 4 characters is no secret worth it)."""
        if value and len(value) >= 4:
            with self._lock:
                self._values.add(value)

    def redact(self, text: object) -> str:
        """redact(), then every known key replaced, longest first."""
        out = redact(text)
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            out = out.replace(value, REDACTED)
        return out


def one_line(text: object, limit: int = 300) -> str:
    """Redacted, whitespace-collapsed, shortened: fit for an error message or log line."""
    flat = " ".join(redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class RedactingFilter(logging.Filter):
    """Logging filter that redacts the message and args of every record it sees, with
    ``secrets``' known keys as well when given.

    Attach to handlers (the CLI does) or loggers; it never drops a record.
    """

    def __init__(self, secrets: Secrets | None = None) -> None:
        super().__init__()
        self._redact = secrets.redact if secrets is not None else redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True


class EutilsError(RunFailure):
    """Base class; the message is always one redacted line."""

    def __init__(self, message: object) -> None:
        super().__init__(one_line(message, limit=500))


class EutilsUnavailable(EutilsError):
    """Retries (or the deadline) exhausted; the message names the last failure."""


class RateLimited(EutilsUnavailable):
    """NCBI answered 429 until the retry budget ran out."""


class EutilsCancelled(EutilsError):
    """The process was asked to stop (SIGTERM); no further attempt was made."""


class EutilsQueryError(EutilsError):
    """NCBI rejected the query itself (unknown field tag, HTTP 400): retrying cannot help."""

    exit_code = EXIT_USAGE


class EutilsResponseError(EutilsError):
    """NCBI answered with something no PubMed record can hold (an id beyond SQLite's
    64-bit integers, a body above the size cap): retrying the same request cannot help."""


class EutilsConfigError(EutilsError):
    """Bad configuration: invalid API key, email or tool. Fix the settings and re-run."""

    exit_code = EXIT_USAGE


class EutilsCapError(EutilsError):
    """PubMed's 9,999-id ceiling was hit (NCBI-NOTES A5): split the date window."""

    def __init__(self, message: object, count: int | None = None) -> None:
        super().__init__(message)
        self.count = count


class TransientFailure(Exception):
    """Internal: one attempt failed in a way worth retrying."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        rate_limited: bool = False,
        offline: bool = False,
    ) -> None:
        super().__init__(one_line(reason))
        self.reason = one_line(reason)
        self.retry_after = retry_after
        self.rate_limited = rate_limited
        self.offline = offline  # no connection at all: refused, or the name did not resolve


_OFFLINE = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "no address associated",
    "connection refused",
    "network is unreachable",
    "no route to host",
    "errno 111",
    "errno -2",
    "errno -3",
)


def is_offline(exc: BaseException) -> bool:
    """A connection that could not even be opened (httpx.ConnectError and its text)."""
    if type(exc).__name__ != "ConnectError":
        return False
    return any(marker in str(exc).lower() for marker in _OFFLINE)
