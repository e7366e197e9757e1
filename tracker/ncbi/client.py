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
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx

from tracker.models import SearchResult
from tracker.ncbi.config import DEFAULT_BASE_URL, DEFAULT_RUN_DEADLINE, EutilsConfig
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
    is_offline,
    one_line,
    redact,
)
from tracker.ncbi.ratelimit import RateLimiter
from tracker.ncbi.responses import check_efetch, check_http, parse_esearch
from tracker.ncbi.session import NcbiSession
from tracker.ncbi.transfer import Answer, WallTimeout, post
from tracker.tls import verified_context

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RUN_DEADLINE",
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

MAX_RETMAX = 9999  # PubMed's ceiling (NCBI-NOTES A5)
OFFLINE_ATTEMPTS = 3  # connection refused / unknown host: this many quick tries, then stop
log = logging.getLogger(__name__)
log.addFilter(RedactingFilter())
T = TypeVar("T")


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
        # Redirects are not followed: a POST body holding the key must not go elsewhere.
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": self.config.tool, "Accept-Encoding": "gzip"},
            follow_redirects=False,
            verify=verified_context(),
        )
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
            "esearch", params, lambda r: parse_esearch(r.body, r.content_type, retstart, retmax)
        )

    def efetch(self, pmids: Sequence[int]) -> bytes:
        """PubMed XML for ``pmids`` (POSTed; 200–500 per call is NCBI's advice, A5).

        The body is verified complete; missing PMIDs are the caller's to reconcile.
        """
        ids = ",".join(str(int(p)) for p in pmids)
        params = {"db": "pubmed", "id": ids, "retmode": "xml"}
        return self._call("efetch", params, lambda r: check_efetch(r.body, r.content_type))

    # -- the retry loop --------------------------------------------------------------
    def _call(self, endpoint: str, params: dict[str, str], parse: Callable[[Answer], T]) -> T:
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
            if last.offline and attempt >= OFFLINE_ATTEMPTS:
                raise self._offline(endpoint, last)
            if attempt < self.config.max_attempts and not self._pause(endpoint, attempt, last):
                budget = "deadline reached"
                break
        if last is not None and last.offline:
            raise self._offline(endpoint, last)
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
        parse: Callable[[Answer], T],
    ) -> T:
        started = time.monotonic()
        status, nbytes = None, 0
        try:
            self._waiting_in = threading.get_ident()
            try:
                answer = post(
                    self._http,
                    f"{self._base}{endpoint}.fcgi",
                    data,
                    seconds=self._timeout(),
                    max_bytes=self.config.max_response_bytes,
                )
            finally:
                self._waiting_in = None
            status, nbytes = answer.status, len(answer.body)
            check_http(status, answer.headers, answer.body)
            result = parse(answer)
        except (httpx.TimeoutException, WallTimeout) as exc:
            failure = TransientFailure(f"timed out ({type(exc).__name__}: {exc})")
            self._record(endpoint, attempt, status, nbytes, started, failure.reason)
            raise failure from None
        except httpx.TransportError as exc:
            # Connection refused/reset, or a body cut off before Content-Length (B1).
            failure = TransientFailure(
                f"{type(exc).__name__}: {one_line(exc, 160)}", offline=is_offline(exc)
            )
            self._record(endpoint, attempt, status, nbytes, started, failure.reason)
            raise failure from None
        except (TransientFailure, EutilsError) as exc:
            self._record(endpoint, attempt, status, nbytes, started, str(exc))
            self.session.scrub(exc)
            raise
        self._record(endpoint, attempt, status, nbytes, started, "ok")
        return result

    def _timeout(self) -> float:
        """The attempt's wall-time bound: the timeout, or what is left of the deadline."""
        seconds = self.config.timeout
        if self._deadline is not None:
            seconds = max(0.001, min(seconds, self._deadline - time.monotonic()))
        return seconds

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
            if failure.offline:  # no route or no name: a long wait rarely helps
                ceiling = min(ceiling, 0.5)
            delay = random.uniform(0, ceiling)  # full jitter
        if self._deadline is not None and time.monotonic() + delay >= self._deadline:
            return False
        log.log(
            logging.DEBUG if failure.offline else logging.WARNING,
            "%s attempt %d/%d failed (%s); retrying in %.2f s",
            endpoint,
            attempt,
            self.config.max_attempts,
            failure.reason,
            delay,
        )
        self._sleep(delay)
        return True

    def _offline(self, endpoint: str, last: TransientFailure) -> EutilsUnavailable:
        """No connection at all (name not resolved, connection refused): say so at once,
        with what to do, instead of backing off for minutes."""
        return EutilsUnavailable(
            f"NCBI {endpoint} unavailable: cannot connect to {self._base} ({last.reason}); "
            "no network? try `tracker demo`; behind a proxy or mirror? set NCBI_EUTILS_URL"
        )

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
