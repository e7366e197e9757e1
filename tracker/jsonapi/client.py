"""A polite JSON-over-HTTP GET client, shared by the ClinicalTrials.gov and Europe PMC
sources (tracker.ctgov, tracker.europepmc).

The policy mirrors the E-utilities client (tracker.ncbi.client), for APIs that publish
no limits of their own (SOURCES-NOTES "Rate limits"):
* request starts are paced (default 1/s: robots.txt `Crawl-delay: 1` on clinicaltrials.gov);
* 429 (Retry-After honoured), 5xx, 408, connection errors, timeouts, cut-off or
  non-JSON bodies are retried with capped exponential back-off and full jitter, bounded
  by max_attempts and an overall deadline;
* any other 4xx stops at once; its body is plain text (CT.gov's `errorMessage` is
  text/plain, OAS) and is quoted as one line;
* a body larger than max_body is refused instead of filling memory.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tracker.tls import verified_context

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 64 * 1024 * 1024  # a 1000-study CT.gov page is ~30 MB at most


def one_line(text: object, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ApiError(Exception):
    """Base class; the message is always one line naming the source."""

    def __init__(self, message: object) -> None:
        super().__init__(one_line(message, 500))


class ApiUnavailable(ApiError):
    """Retries (or the deadline) exhausted; the message names the last failure."""


class ApiQueryError(ApiError):
    """The API refused the request (a 4xx other than 429): retrying cannot help."""


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = one_line(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ApiConfig:
    name: str  # "ClinicalTrials.gov", "Europe PMC": named in every error
    base_url: str
    timeout: float = 60.0
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 300.0  # a Retry-After beyond this is a failure, not a wait
    requests_per_second: float = 1.0
    max_body: int = DEFAULT_MAX_BODY
    deadline: float | None = 2 * 3600.0  # seconds for the client's whole life
    user_agent: str = "offlabel-tracker"


@dataclass(frozen=True)
class LoggedAttempt:
    path: str
    attempt: int
    status: int | None
    nbytes: int
    outcome: str


class JsonClient:
    """GET JSON from one API. Use as a context manager or call close()."""

    def __init__(
        self,
        config: ApiConfig,
        *,
        sleep: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.config = config
        base = config.base_url
        self._base = base if base.endswith("/") else base + "/"
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.timeout),
            headers={"User-Agent": config.user_agent, "Accept": "application/json"},
            verify=verified_context(),
        )
        self._interval = 1.0 / config.requests_per_second if config.requests_per_second else 0.0
        self._next_start = 0.0
        self._cancel = cancel or threading.Event()
        self._sleep = sleep or self._cancel.wait
        self._deadline = time.monotonic() + config.deadline if config.deadline else None
        self.attempts: list[LoggedAttempt] = []

    @property
    def request_count(self) -> int:
        return len(self.attempts)

    def restart_deadline(self) -> None:
        if self.config.deadline:
            self._deadline = time.monotonic() + self.config.deadline

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(self, path: str, params: Mapping[str, str]) -> Any:
        """The decoded JSON body of GET base/path?params, after retries."""
        last: _Transient | None = None
        name = self.config.name
        made = 0
        for attempt in range(1, self.config.max_attempts + 1):
            if self._cancel.is_set():
                raise ApiUnavailable(f"{name}: stopped by a stop request")
            if not self._pace():
                break
            made = attempt
            try:
                return self._attempt(path, params, attempt)
            except _Transient as failure:
                last = failure
            if attempt < self.config.max_attempts and not self._pause(attempt, last):
                break
        reason = last.reason if last else "no attempt fitted in the deadline"
        raise ApiUnavailable(f"{name} unavailable after {made} attempts: {reason}")

    def _pace(self) -> bool:
        now = time.monotonic()
        start = max(now, self._next_start)
        if self._deadline is not None and start > self._deadline:
            return False
        self._next_start = start + self._interval
        if start > now:
            time.sleep(start - now)
        return True

    def _attempt(self, path: str, params: Mapping[str, str], attempt: int) -> Any:
        status, nbytes = None, 0
        try:
            status, headers, body = self._fetch(path, params)
            nbytes = len(body)
            result = _check(self.config.name, status, headers, body)
        except httpx.TimeoutException as exc:
            self._log(path, attempt, status, nbytes, f"timed out ({type(exc).__name__})")
            raise _Transient(f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {one_line(exc, 160)}"
            self._log(path, attempt, status, nbytes, reason)
            raise _Transient(reason) from None
        except _Transient as exc:
            self._log(path, attempt, status, nbytes, exc.reason)
            raise
        except ApiError as exc:
            self._log(path, attempt, status, nbytes, str(exc))
            raise
        self._log(path, attempt, status, nbytes, "ok")
        return result

    def _fetch(self, path: str, params: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Status, lower-cased headers and body, reading at most max_body bytes."""
        limit = self.config.max_body
        with self._http.stream(
            "GET", self._base + path, params=dict(params), timeout=self._timeout()
        ) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ApiQueryError(
                        f"{self.config.name}: response larger than {limit} bytes; refused"
                    )
                chunks.append(chunk)
            return response.status_code, headers, b"".join(chunks)

    def _timeout(self) -> httpx.Timeout:
        seconds = self.config.timeout
        if self._deadline is not None:
            seconds = max(0.001, min(seconds, self._deadline - time.monotonic()))
        return httpx.Timeout(seconds)

    def _log(self, path: str, attempt: int, status: int | None, nbytes: int, outcome: str) -> None:
        self.attempts.append(LoggedAttempt(path, attempt, status, nbytes, outcome))
        log.debug("%s %s attempt %d: %s, %d bytes, %s", self.config.name, path, attempt,
                  status, nbytes, outcome)  # fmt: skip

    def _pause(self, attempt: int, failure: _Transient) -> bool:
        """Sleep before the next attempt; False when that would overrun the deadline."""
        if failure.retry_after is not None:
            delay = failure.retry_after
            if delay > self.config.retry_after_cap:
                return False
        else:
            ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1))
            delay = random.uniform(0, ceiling)
        if self._deadline is not None and time.monotonic() + delay >= self._deadline:
            return False
        log.warning("%s attempt %d/%d failed (%s); retrying in %.2f s", self.config.name,
                    attempt, self.config.max_attempts, failure.reason, delay)  # fmt: skip
        self._sleep(delay)
        self._next_start = max(self._next_start, time.monotonic())
        return True


def _check(name: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    if status == 429:
        raise _Transient("HTTP 429 rate limited", retry_after=_retry_after(headers))
    if status >= 500 or status == 408:
        raise _Transient(f"HTTP {status}")
    if status != 200:
        text = body[:400].decode("utf-8", "replace")
        raise ApiQueryError(f"{name} refused the request (HTTP {status}): {one_line(text, 200)}")
    if not body.strip():
        raise _Transient("empty body with HTTP 200")
    try:
        return json.loads(body)
    except ValueError:
        head = one_line(body[:120].decode("utf-8", "replace"), 80)
        raise _Transient(f"incomplete or non-JSON body ({len(body)} bytes): {head}") from None


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP-date: fall back to our own back-off
        return None
