"""E-utilities client settings, and reading them from the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.ncbi.errors import EutilsConfigError
from tracker.ncbi.transfer import DEFAULT_MAX_RESPONSE_BYTES

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
# A server that accepts and never answers, or answers 429 for ever, must not keep an
# unattended run alive indefinitely (NCBI-NOTES checklist 10): each run gets this long.
DEFAULT_RUN_DEADLINE = 2 * 3600.0


@dataclass(frozen=True)
class EutilsConfig:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)  # never shown (NCBI-NOTES E3)
    email: str | None = None
    tool: str = "offlabel-tracker"
    timeout: float = 60.0  # the whole of one attempt: connect, headers and body
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    deadline: float | None = None  # seconds for the client's whole life
    requests_per_second: float | None = None  # None: 3 without a key, 10 with (NCBI-NOTES A1)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES  # one answer, after inflating

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
        TRACKER_MAX_RESPONSE_MB (MiB one answer may hold, inflated) and TRACKER_RETRY_BACKOFF
        (seconds: the first retry's back-off ceiling, doubling per attempt up to backoff_cap;
        the tests' subprocesses set it small)."""
        values: dict[str, object] = {
            "base_url": environ.get("NCBI_EUTILS_URL", "").strip() or DEFAULT_BASE_URL,
            "api_key": environ.get("NCBI_API_KEY", "").strip() or None,
            "email": environ.get("NCBI_EMAIL", "").strip() or None,
            "timeout": _seconds(environ, "TRACKER_HTTP_TIMEOUT", 60.0),
            "deadline": _seconds(environ, "TRACKER_RUN_DEADLINE", DEFAULT_RUN_DEADLINE),
            "backoff_base": _seconds(environ, "TRACKER_RETRY_BACKOFF", 1.0),
            "max_response_bytes": int(
                _seconds(environ, "TRACKER_MAX_RESPONSE_MB", DEFAULT_MAX_RESPONSE_BYTES / 2**20)
                * 2**20
            ),
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
        unit = "MiB" if name.endswith("_MB") else "seconds"
        raise EutilsConfigError(f"{name} must be a number of {unit} above 0, not {text!r}")
    return value
