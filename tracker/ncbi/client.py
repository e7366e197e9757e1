"""The E-utilities HTTP client: rate limit, retries, timeouts, complete-body checks.

One thin method per endpoint (esearch, efetch) over one retry loop. Policy, with the
reason for each rule in NCBI-NOTES:
* every request is a form POST – the key and long id lists stay out of URLs (A3, E3);
* request starts are paced across every client of one NcbiSession (the command line
  gives all of its clients one), retries included (A1, B3.2);
* 429 / 5xx / connection errors / timeouts / cut-off bodies and NCBI's HTTP-200 failures
  are retried with capped exponential back-off and full jitter, bounded by max_attempts and
  the overall deadline (B1, B3); Retry-After is honoured when sent (A1);
* an invalid key, a bad field tag or another 4xx stops at once (A2, A9).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from tracker.models import SearchResult
from tracker.ncbi.errors import (
    EutilsCancelled,
    EutilsCapError,
    EutilsConfigError,
    EutilsError,
    EutilsQueryError,
    EutilsUnavailable,
    RateLimited,
    RedactingFilter,
    TransientFailure,
    one_line,
    redact,
)
from tracker.ncbi.ratelimit import RateLimiter
from tracker.ncbi.responses import check_efetch, check_http, parse_esearch
from tracker.ncbi.session import NcbiSession

__all__ = [
    "DEFAULT_BASE_URL",
    "EutilsCancelled",
    "EutilsCapError",
    "EutilsClient",
    "EutilsConfig",
    "EutilsConfigError",
    "EutilsError",
    "EutilsQueryError",
    "EutilsUnavailable",
    "NcbiSession",
    "RateLimited",
    "RedactingFilter",
    "RequestRecord",
    "redact",
]

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
MAX_RETMAX = 9999  # PubMed's ceiling (NCBI-NOTES A5)
# A server that accepts and never answers, or answers 429 for ever, must not keep an
# unattended run alive indefinitely (NCBI-NOTES checklist 10): each run gets this long.
DEFAULT_RUN_DEADLINE = 2 * 3600.0
log = logging.getLogger(__name__)
log.addFilter(RedactingFilter())
T = TypeVar("T")


@dataclass(frozen=True)
class EutilsConfig:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)  # never shown (NCBI-NOTES E3)
    email: str | None = None
    tool: str = "offlabel-tracker"
    timeout: float = 60.0  # connect and read, per request
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    deadline: float | None = None  # seconds for the client's whole life
    requests_per_second: float | None = None  # None: 3 without a key, 10 with (NCBI-NOTES A1)

    def __post_init__(self) -> None:
        # NCBI asks for a developer email and a tool name without spaces; EDirect refuses
        # "root@" addresses ("which crashes server") (NCBI-NOTES A2).
        if self.email is not None and (
            not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email)
            or self.email.casefold().startswith("root@")
        ):
            raise EutilsConfigError(
                f"NCBI email {self.email!r} is not usable: give the "
                "developer's address, without spaces and not root@…"
            )
        if not self.tool or re.search(r"\s", self.tool):
            raise EutilsConfigError(
                f"NCBI tool name {self.tool!r} must be non-empty and without spaces"
            )
        if self.max_attempts < 1 or self.timeout <= 0:
            raise EutilsConfigError("max_attempts must be >= 1 and timeout > 0")

    @property
    def rate(self) -> float:
        return self.requests_per_second or (10.0 if self.api_key else 3.0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: object) -> EutilsConfig:
        """Read NCBI_EUTILS_URL, NCBI_API_KEY and NCBI_EMAIL (blank means unset), and
        TRACKER_HTTP_TIMEOUT (seconds per request), TRACKER_RUN_DEADLINE (seconds
        for one saved search's run, retries and back-off included) and
        TRACKER_RETRY_BACKOFF (seconds: the first retry's back-off ceiling, doubling per
        attempt up to backoff_cap; the tests' subprocesses set it small)."""
        values: dict[str, object] = {
            "base_url": environ.get("NCBI_EUTILS_URL", "").strip() or DEFAULT_BASE_URL,
            "api_key": environ.get("NCBI_API_KEY", "").strip() or None,
            "email": environ.get("NCBI_EMAIL", "").strip() or None,
            "timeout": _seconds(environ, "TRACKER_HTTP_TIMEOUT", 60.0),
            "deadline": _seconds(environ, "TRACKER_RUN_DEADLINE", DEFAULT_RUN_DEADLINE),
            "backoff_base": _seconds(environ, "TRACKER_RETRY_BACKOFF", 1.0),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise EutilsConfigError(f"{name} must be a number of seconds above 0, not {text!r}")
    return value


@dataclass(frozen=True)
class RequestRecord:
    """One attempt, for benchmarks and tests. Holds no parameters (they may hold the key)."""

    endpoint: str
    attempt: int
    status: int | None
    nbytes: int
    elapsed: float
    outcome: str  # "ok", or the one-line reason it failed


class EutilsClient:
    """E-utilities for PubMed. Thread-safe; use as a context manager or call close().

    Clients that run at once should share one ``session`` (pacing, keys to redact)."""

    def __init__(
        self,
        config: EutilsConfig | None = None,
        *,
        sleep: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
        session: NcbiSession | None = None,
    ) -> None:
        self.config = config or EutilsConfig()
        self.session = session or NcbiSession()
        self.session.secrets.add(self.config.api_key)
        base = self.config.base_url
        self._base = base if base.endswith("/") else base + "/"
        self._limiter: RateLimiter = self.session.limiters.limiter(
            self._base, bool(self.config.api_key), self.config.rate
        )
        timeout = httpx.Timeout(self.config.timeout)
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": self.config.tool})
        self._deadline = (
            time.monotonic() + self.config.deadline if self.config.deadline is not None else None
        )
        # A stop request (SIGTERM) cuts a back-off short instead of sleeping through it.
        self._cancel = cancel or threading.Event()
        self._sleep = sleep or self._cancel.wait
        self._waiting_in: int | None = None  # thread blocked in an HTTP request, if any
        self.request_log: list[RequestRecord] = []
        self.counters: Counter[str] = Counter()  # attempts per endpoint

    def abandon_request(self) -> None:
        """For a SIGTERM/SIGINT handler: when the handling thread (the main thread) is
        blocked in an HTTP request, give it up now instead of waiting for the answer or
        the timeout (up to a minute, longer than a container's stop grace period).

        Raises EutilsCancelled there, which the run records as failed and rolls back."""
        self._cancel.set()
        if self._waiting_in == threading.get_ident():
            raise EutilsCancelled(
                "stopped by a stop request while waiting for NCBI; nothing was stored"
            )

    def restart_deadline(self) -> None:
        """Start the configured deadline afresh: the CLI gives each saved search's run
        its own, so one slow search cannot starve the next."""
        if self.config.deadline is not None:
            self._deadline = time.monotonic() + self.config.deadline

    @property
    def request_count(self) -> int:
        """HTTP attempts made so far, all endpoints, retries included."""
        return sum(self.counters.values())

    def __repr__(self) -> str:
        return f"EutilsClient({self.config!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints -------------------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        retmax: int = MAX_RETMAX,
        retstart: int = 0,
    ) -> SearchResult:
        """One esearch page. Count can exceed len(ids): PubMed serves only 9,999 ids."""
        if not 0 <= retmax <= MAX_RETMAX or retstart < 0:
            raise ValueError(f"retmax must be 0..{MAX_RETMAX} and retstart >= 0")
        if (mindate is None) != (maxdate is None):
            raise ValueError("mindate and maxdate must be given together (NBK25499)")
        params = {
            "db": "pubmed",
            "term": term,
            "retmode": "xml",
            "retmax": str(retmax),
            "retstart": str(retstart),
        }
        if mindate is not None:
            params.update(datetype=datetype or "pdat", mindate=mindate, maxdate=str(maxdate))
        return self._call(
            "esearch", params, lambda r: parse_esearch(r.content, _ctype(r), retstart, retmax)
        )

    def efetch(self, pmids: Sequence[int]) -> bytes:
        """PubMed XML for ``pmids`` (POSTed; 200–500 per call is NCBI's advice, A5).

        The body is verified complete; missing PMIDs are the caller's to reconcile.
        """
        ids = ",".join(str(int(p)) for p in pmids)
        params = {"db": "pubmed", "id": ids, "retmode": "xml"}
        return self._call("efetch", params, lambda r: check_efetch(r.content, _ctype(r)))

    # -- the retry loop --------------------------------------------------------------
    def _call(
        self, endpoint: str, params: dict[str, str], parse: Callable[[httpx.Response], T]
    ) -> T:
        data = {**params, **self._identity()}
        last: TransientFailure | None = None
        attempts, budget = 0, "retries exhausted"
        for attempt in range(1, self.config.max_attempts + 1):
            if self._cancel.is_set():
                raise EutilsCancelled(f"NCBI {endpoint}: stopped by a stop request")
            if not self._limiter.acquire(self._deadline):
                budget = "deadline reached"
                break
            attempts = attempt
            try:
                return self._attempt(endpoint, attempt, data, parse)
            except TransientFailure as failure:
                last = failure
            if attempt < self.config.max_attempts and not self._pause(endpoint, attempt, last):
                budget = "deadline reached"
                break
        raise self._give_up(endpoint, last, f"{budget} after {attempts} attempts")

    def _identity(self) -> dict[str, str]:
        ident = {"tool": self.config.tool}
        if self.config.email:
            ident["email"] = self.config.email
        if self.config.api_key:
            ident["api_key"] = self.config.api_key
        return ident

    def _attempt(
        self,
        endpoint: str,
        attempt: int,
        data: dict[str, str],
        parse: Callable[[httpx.Response], T],
    ) -> T:
        started = time.monotonic()
        status, nbytes = None, 0
        try:
            self._waiting_in = threading.get_ident()
            try:
                response = self._http.post(
                    f"{self._base}{endpoint}.fcgi", data=data, timeout=self._timeout()
                )
            finally:
                self._waiting_in = None
            status, nbytes = response.status_code, len(response.content)
            check_http(
                status, {k.lower(): v for k, v in response.headers.items()}, response.content
            )
            result = parse(response)
        except httpx.TimeoutException as exc:
            failure = TransientFailure(f"timed out ({type(exc).__name__})")
            self._record(endpoint, attempt, status, nbytes, started, failure.reason)
            raise failure from None
        except httpx.TransportError as exc:
            # Connection refused/reset, or a body cut off before Content-Length (B1).
            failure = TransientFailure(f"{type(exc).__name__}: {one_line(exc, 160)}")
            self._record(endpoint, attempt, status, nbytes, started, failure.reason)
            raise failure from None
        except (TransientFailure, EutilsError) as exc:
            self._record(endpoint, attempt, status, nbytes, started, str(exc))
            self.session.scrub(exc)
            raise
        self._record(endpoint, attempt, status, nbytes, started, "ok")
        return result

    def _timeout(self) -> httpx.Timeout:
        seconds = self.config.timeout
        if self._deadline is not None:
            seconds = max(0.001, min(seconds, self._deadline - time.monotonic()))
        return httpx.Timeout(seconds)

    def _record(
        self,
        endpoint: str,
        attempt: int,
        status: int | None,
        nbytes: int,
        started: float,
        outcome: str,
    ) -> None:
        elapsed = time.monotonic() - started
        self.counters[endpoint] += 1
        self.request_log.append(RequestRecord(endpoint, attempt, status, nbytes, elapsed, outcome))
        log.debug(
            "%s attempt %d: status %s, %d bytes, %.3f s, %s",
            endpoint,
            attempt,
            status,
            nbytes,
            elapsed,
            outcome,
        )

    def _pause(self, endpoint: str, attempt: int, failure: TransientFailure) -> bool:
        """Sleep before the next attempt; False when that would overrun the deadline."""
        if failure.retry_after is not None:
            delay = failure.retry_after
            self._limiter.pause(delay)  # every caller sharing the key/IP waits (NCBI-NOTES A1)
        else:
            ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1))
            delay = random.uniform(0, ceiling)  # full jitter
        if self._deadline is not None and time.monotonic() + delay >= self._deadline:
            return False
        log.warning(
            "%s attempt %d/%d failed (%s); retrying in %.2f s",
            endpoint,
            attempt,
            self.config.max_attempts,
            failure.reason,
            delay,
        )
        self._sleep(delay)
        return True

    def _give_up(
        self, endpoint: str, last: TransientFailure | None, budget: str
    ) -> EutilsUnavailable:
        reason = last.reason if last else "no attempt fitted in the deadline"
        if last is not None and last.rate_limited:
            error: EutilsUnavailable = RateLimited(
                f"NCBI {endpoint} rate limited (HTTP 429; {budget}); try again later or "
                "set NCBI_API_KEY"
            )
        else:
            error = EutilsUnavailable(f"NCBI {endpoint} unavailable ({budget}): {reason}")
        log.warning("%s", self.session.scrub(error))
        return error


def _ctype(response: httpx.Response) -> str:
    return response.headers.get("content-type", "")
