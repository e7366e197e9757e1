"""One HTTP attempt, bounded whatever the server does: in wall time, in bytes received,
and in bytes inflated.

httpx's timeouts are per read: a server trickling one byte a second never trips a
60-second read timeout, and name resolution has no timeout at all. So the attempt runs
in a helper thread and the caller waits for it at most `seconds`; the helper also
checks the clock between chunks and stops reading once the caller has given up. The
body is read raw and inflated here (gzip, deflate) chunk by chunk, so neither a huge
body nor a compression bomb is ever held beyond `max_bytes`.
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass

import httpx

from tracker.ncbi.errors import EutilsResponseError

# A real efetch of 200 records is 1-6 MB (26.5 KB per record with references: the
# benchmarks' derived file); 500 records stay under 15 MB. 64 MiB is 10x the largest
# answer the tracker asks for, and bounds what one answer can cost in memory.
DEFAULT_MAX_RESPONSE_BYTES = 64 << 20
_CHUNK = 1 << 16


class WallTimeout(Exception):
    """The attempt did not finish within its wall-time bound."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # inflated

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def post(
    http: httpx.Client, url: str, data: dict[str, str], *, seconds: float, max_bytes: int
) -> Answer:
    """POST `data` to `url`; WallTimeout after `seconds` in all (connect, headers, body).

    httpx errors raised by the attempt are raised here, in the caller's thread, so a
    signal handler in the caller can still interrupt the wait (abandon_request)."""
    done = threading.Event()
    gave_up = threading.Event()
    box: dict[str, object] = {}
    ends = time.monotonic() + seconds

    def work() -> None:
        try:
            box["answer"] = _transfer(http, url, data, ends, max_bytes, gave_up)
        except BaseException as exc:  # handed to the caller, raised there
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="eutils-request", daemon=True).start()
    try:
        if not done.wait(seconds):
            raise WallTimeout(f"no complete answer within {seconds:g} s")
    finally:
        gave_up.set()  # the helper stops at its next chunk if it is still reading
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["answer"]  # type: ignore[return-value]


def _transfer(
    http: httpx.Client,
    url: str,
    data: dict[str, str],
    ends: float,
    max_bytes: int,
    gave_up: threading.Event,
) -> Answer:
    timeout = httpx.Timeout(max(0.001, ends - time.monotonic()))
    with http.stream("POST", url, data=data, timeout=timeout) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        inflate = _inflater(headers.get("content-encoding", ""))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:  # refused before reading it
            raise _too_large(max_bytes, inflated=False)
        parts: list[bytes] = []
        raw = size = 0
        for chunk in response.iter_raw(_CHUNK):
            if gave_up.is_set() or time.monotonic() > ends:
                raise WallTimeout("the answer was still arriving at the time limit")
            raw += len(chunk)
            out = inflate(chunk, max_bytes + 1 - size) if inflate else chunk
            size += len(out)
            if raw > max_bytes or size > max_bytes:
                raise _too_large(max_bytes, inflated=inflate is not None and raw <= max_bytes)
            parts.append(out)
        return Answer(response.status_code, headers, b"".join(parts))


def _inflater(encoding: str):  # type: ignore[no-untyped-def]
    """A function (chunk, limit) -> inflated bytes, or None for an identity body."""
    coding = encoding.strip().lower()
    if coding in ("", "identity"):
        return None
    if coding in ("gzip", "x-gzip", "deflate"):
        # wbits 47: zlib or gzip header, detected (some servers label zlib as "deflate")
        decoder = zlib.decompressobj(47 if coding != "deflate" else 15)

        def inflate(chunk: bytes, limit: int) -> bytes:
            try:
                # max_length bounds the output of this one call: a bomb inflates at most
                # `limit` bytes before the size check refuses it.
                return decoder.decompress(chunk, max(1, limit))
            except zlib.error as exc:
                raise httpx.DecodingError(f"damaged {coding} body: {exc}") from None

        return inflate
    raise EutilsResponseError(f"unsupported Content-Encoding {coding!r} in NCBI's answer")


def _too_large(max_bytes: int, *, inflated: bool) -> EutilsResponseError:
    what = "inflates to" if inflated else "is"
    return EutilsResponseError(
        f"the answer {what} more than {max_bytes >> 20} MiB (TRACKER_MAX_RESPONSE_MB); refused"
    )
