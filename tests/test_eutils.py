"""The E-utilities client over real HTTP against the local server (tests/conftest.py)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree

from tracker.lookalikes.eutils.faults import max_in_window
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import SearchResult
from tracker.ncbi.client import (
    EutilsCapError,
    EutilsClient,
    EutilsConfig,
    EutilsConfigError,
    EutilsQueryError,
    EutilsUnavailable,
    RateLimited,
    RedactingFilter,
    redact,
)
from tracker.ncbi.errors import TransientFailure
from tracker.ncbi.ratelimit import RateLimiter
from tracker.ncbi.responses import parse_esearch

ERGO = 32051057  # real record, efetch/metapub__32051057.xml
RCT = 23121403
KEY = "SEKRET-api-key-0123456789"
Client = Callable[..., EutilsClient]


def fetched_pmids(body: bytes) -> list[int]:
    root = etree.fromstring(body)
    paths = "//MedlineCitation/PMID/text() | //BookDocument/PMID/text()"
    return [int(p) for p in root.xpath(paths)]


# -- happy paths --------------------------------------------------------------------------


def test_esearch_returns_a_checked_search_result(eutils_client: Client) -> None:
    result = eutils_client().esearch(
        "ergothioneine", datetype="crdt", mindate="2020/02/14", maxdate="2020/02/14"
    )
    assert result == SearchResult(
        count=1,
        ids=(ERGO,),
        query_translation='"ergothioneine"[All Fields] AND 2020/02/14:2020/02/14[Date - Create]',
    )


def test_efetch_returns_the_complete_raw_body(eutils_client: Client) -> None:
    body = eutils_client().efetch([ERGO, RCT, 99999999])
    assert fetched_pmids(body) == [ERGO, RCT]
    assert body.rstrip().endswith(b"</PubmedArticleSet>")


def test_every_request_is_a_post_carrying_tool_and_email(
    eutils_client: Client, eutils_server: LocalEutils
) -> None:
    client = eutils_client()
    client.esearch("humans", retmax=0)
    client.efetch([ERGO])
    logged = eutils_server.requests.entries()
    assert [(r.endpoint, r.method) for r in logged] == [("esearch", "POST"), ("efetch", "POST")]
    assert all(r.params["tool"] == "offlabel-tracker" for r in logged)
    assert all(r.params["email"] == "dev@example.org" for r in logged)
    assert logged[1].params["id"] == str(ERGO)
    assert client.counters == {"esearch": 1, "efetch": 1}
    assert [r.outcome for r in client.request_log] == ["ok", "ok"]


# -- retried failures ---------------------------------------------------------------------

RETRIED = [
    ("status", {"code": 500}),
    ("status", {"code": 502}),
    ("status", {"code": 503}),
    ("status", {"code": 504}),
    ("error_xml", {}),
    ("error_json", {}),
    ("html", {}),
    ("plain_text", {}),
    ("empty", {}),
    ("truncate", {}),
    ("reset", {}),
    ("429", {}),
]


@pytest.mark.parametrize(
    ("kind", "opts"), RETRIED, ids=[f"{k}{o.get('code', '')}" for k, o in RETRIED]
)
def test_transient_esearch_failures_are_retried(
    eutils_client: Client, eutils_server: LocalEutils, kind: str, opts: dict
) -> None:
    eutils_server.faults.push(kind, endpoint="esearch", times=2, **opts)
    result = eutils_client().esearch("ergothioneine")
    assert result.ids == (ERGO,)  # never "no results"
    assert eutils_server.requests.count("esearch") == 3


@pytest.mark.parametrize("kind", ["truncate", "error_xml", "html", "empty", "reset"])
def test_transient_efetch_failures_refetch_the_whole_batch(
    eutils_client: Client, eutils_server: LocalEutils, kind: str
) -> None:
    eutils_server.faults.push(kind, endpoint="efetch")
    assert fetched_pmids(eutils_client().efetch([ERGO, RCT])) == [ERGO, RCT]
    assert eutils_server.requests.count("efetch") == 2


def test_429_retry_after_is_honoured(eutils_client: Client, eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("429", retry_after=1)
    eutils_client().esearch("ergothioneine")
    first, second = eutils_server.requests.times("esearch")
    assert second - first >= 1.0


def test_429_retry_after_pauses_every_client_sharing_the_limiter(
    eutils_client: Client, eutils_server: LocalEutils, monkeypatch: pytest.MonkeyPatch
) -> None:
    eutils_server.faults.push("429", endpoint="esearch", retry_after=1)
    first, other = eutils_client(), eutils_client()
    limiter = first._limiter
    assert other._limiter is limiter  # one limiter per key/IP, shared
    paused = threading.Event()
    pause = limiter.pause

    def pause_and_tell(seconds: float) -> None:
        pause(seconds)
        paused.set()

    monkeypatch.setattr(limiter, "pause", pause_and_tell)
    thread = threading.Thread(target=first.esearch, args=("ergothioneine",))
    thread.start()
    assert paused.wait(10)  # the 429 has arrived: the other client must now wait as well
    other.efetch([ERGO])
    thread.join()
    (esearch_429, *_), (efetch_time,) = (
        eutils_server.requests.times("esearch"),
        eutils_server.requests.times("efetch"),
    )
    assert efetch_time - esearch_429 >= 1.0


def test_429_forever_raises_rate_limited(eutils_client: Client, eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("429", times=None, echo_key=True)
    with pytest.raises(RateLimited, match="rate limited") as caught:
        eutils_client(api_key=KEY, max_attempts=3).esearch("ergothioneine")
    assert isinstance(caught.value, EutilsUnavailable)
    assert eutils_server.requests.count() == 3
    assert KEY not in str(caught.value) and "api-key" not in str(caught.value)


def test_persistent_5xx_names_the_last_failure(
    eutils_client: Client, eutils_server: LocalEutils
) -> None:
    eutils_server.faults.push("status", times=None, code=503)
    with pytest.raises(EutilsUnavailable, match=r"retries exhausted after 3 attempts\): HTTP 503"):
        eutils_client(max_attempts=3).efetch([ERGO])


def test_hang_is_cut_by_the_timeout_and_retried(
    eutils_client: Client, eutils_server: LocalEutils
) -> None:
    eutils_server.faults.push("hang", endpoint="esearch", seconds=10)
    started = time.monotonic()
    client = eutils_client(timeout=0.3)
    assert client.esearch("ergothioneine").ids == (ERGO,)
    assert time.monotonic() - started < 3
    assert client.request_log[0].outcome.startswith("timed out")


def test_connection_refused_gives_up_after_max_attempts() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and is now closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = EutilsConfig(
        base_url=f"http://127.0.0.1:{port}/entrez/eutils/",
        max_attempts=3,
        backoff_base=0.01,
        requests_per_second=50,
    )
    with EutilsClient(config) as client, pytest.raises(EutilsUnavailable, match="ConnectError"):
        client.esearch("ergothioneine")
    assert client.counters["esearch"] == 3


def test_overall_deadline_stops_retrying(eutils_client: Client, eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("status", times=None, code=503)
    started = time.monotonic()
    with pytest.raises(EutilsUnavailable, match="deadline reached"):
        eutils_client(max_attempts=1000, backoff_base=0.1, backoff_cap=0.2, deadline=1.0).esearch(
            "ergothioneine"
        )
    assert time.monotonic() - started < 2.0


# -- final errors -------------------------------------------------------------------------


def test_invalid_key_fails_at_once(eutils_client: Client, eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("invalid_key", times=None)
    with pytest.raises(EutilsConfigError, match="API key") as caught:
        eutils_client(api_key=KEY).esearch("ergothioneine")
    assert eutils_server.requests.count() == 1
    assert KEY not in str(caught.value)


def test_field_not_found_is_a_query_error(
    eutils_client: Client, eutils_server: LocalEutils
) -> None:
    with pytest.raises(EutilsQueryError, match=r"\[zz\]"):
        eutils_client().esearch("ergothioneine[zz]")
    assert eutils_server.requests.count() == 1


def test_malformed_query_is_a_query_error(eutils_client: Client) -> None:
    with pytest.raises(EutilsQueryError, match="HTTP 400"):
        eutils_client().esearch("(ergothioneine AND")


def test_phrase_not_found_becomes_a_warning(eutils_client: Client) -> None:
    result = eutils_client().esearch("ergothioneine xyzzyqqq")
    assert result.ids == (ERGO,)
    assert result.warnings == ("PhraseNotFound: xyzzyqqq",)


def test_legitimately_empty_result(eutils_client: Client) -> None:
    result = eutils_client().esearch('"no such phrase anywhere"')
    assert (result.count, result.ids) == (0, ())
    assert result.warnings == ("OutputMessage: No items found.",)


def test_inconsistent_id_count_is_transient() -> None:
    # Crafted body: Count 5 but two ids (NCBI-NOTES checklist 60).
    body = (
        b"<eSearchResult><Count>5</Count><RetMax>2</RetMax><RetStart>0</RetStart>"
        b"<IdList><Id>1</Id><Id>2</Id></IdList></eSearchResult>"
    )
    with pytest.raises(TransientFailure, match="expected 5"):
        parse_esearch(body, "text/xml", retstart=0, retmax=9999)


# -- PubMed's 9,999 cap -------------------------------------------------------------------


@pytest.fixture
def big_server(eutils_server: LocalEutils) -> LocalEutils:
    eutils_server.clone_renumbered(12000, 90_000_001, date(2030, 1, 1), date(2030, 12, 31))
    return eutils_server


def test_count_above_cap_returns_9999_ids_and_the_true_count(
    eutils_client: Client, big_server: LocalEutils
) -> None:
    result = eutils_client().esearch("2030[crdt]")
    assert (result.count, len(result.ids)) == (12000, 9999)


@pytest.mark.parametrize("retstart", [100, 9999])
def test_paging_past_the_cap_raises_cap_error(
    eutils_client: Client, big_server: LocalEutils, retstart: int
) -> None:
    with pytest.raises(EutilsCapError, match="9,999"):
        eutils_client().esearch("2030[crdt]", retstart=retstart)
    assert big_server.requests.count() == 1


# -- rate limit ---------------------------------------------------------------------------


def _hammer(clients: list[EutilsClient], calls: int) -> None:
    def work(client: EutilsClient) -> None:
        for _ in range(calls):
            client.esearch("ergothioneine", retmax=0)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture
def booked_starts(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every start slot the clients' shared limiter hands out, in booking order.

    The pacing is asserted on these, not on the server's arrival times: on a loaded
    2-core machine a thread can wake 100-200 ms after its slot, so an earlier request
    arrives late and the next, on time, lands inside the same second at the server. The
    real NCBI sees network jitter the same way; the client's answer is a margin on the
    spacing (ratelimit.SAFETY) and a pause-and-retry on 429, both tested here.
    """
    slots: list[float] = []
    reserve = RateLimiter.reserve

    def recording(self: RateLimiter) -> float:
        slot = reserve(self)
        slots.append(slot)
        return slot

    monkeypatch.setattr(RateLimiter, "reserve", recording)
    return slots


def _answered(server: LocalEutils) -> int:
    """Requests the server answered with 200; any other answer may only be a 429."""
    statuses = [r.status for r in server.requests]
    assert set(statuses) <= {200, 429}, statuses
    return statuses.count(200)


def test_no_more_than_3_starts_per_second_across_threads(
    eutils_client: Client, eutils_server: LocalEutils, booked_starts: list[float]
) -> None:
    eutils_server.rate_limit = True  # NCBI's own check: a 429 is retried, never lost
    _hammer([eutils_client(requests_per_second=None) for _ in range(4)], calls=2)
    assert len(booked_starts) >= 8 and max_in_window(booked_starts) <= 3
    assert _answered(eutils_server) == 8


def test_retries_count_against_the_rate(
    eutils_client: Client, eutils_server: LocalEutils, booked_starts: list[float]
) -> None:
    eutils_server.faults.push("status", times=4, code=503)
    _hammer([eutils_client(requests_per_second=None) for _ in range(2)], calls=2)
    assert eutils_server.requests.count() == 8 and len(booked_starts) == 8
    assert max_in_window(booked_starts) <= 3


def test_with_a_key_ten_starts_per_second(
    eutils_client: Client, eutils_server: LocalEutils, booked_starts: list[float]
) -> None:
    eutils_server.rate_limit = True
    _hammer([eutils_client(api_key=KEY, requests_per_second=None) for _ in range(3)], calls=5)
    assert len(booked_starts) >= 15 and 3 < max_in_window(booked_starts) <= 10
    assert _answered(eutils_server) == 15


def test_the_limiter_spaces_starts_with_a_margin() -> None:
    limiter = RateLimiter(10)
    slots = [limiter.reserve() for _ in range(25)]
    gaps = [b - a for a, b in zip(slots, slots[1:], strict=False)]
    assert min(gaps) >= 0.11 - 1e-9 and max_in_window(slots) <= 10


# -- secrets ------------------------------------------------------------------------------


def test_api_key_never_logged_nor_shown(
    eutils_client: Client, eutils_server: LocalEutils, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = eutils_client(api_key=KEY, max_attempts=3)
    eutils_server.faults.push("429", echo_key=True)
    eutils_server.faults.push("plain_text")
    client.esearch("ergothioneine")
    eutils_server.faults.push("status", times=None, code=500)
    with pytest.raises(EutilsUnavailable) as caught:
        client.efetch([ERGO])
    assert "esearch attempt 1" in caplog.text  # DEBUG request lines were captured
    assert KEY not in caplog.text and KEY not in str(caught.value)
    assert KEY not in repr(client) and KEY not in repr(client.config)
    assert all(r.has_key and KEY not in repr(r.params) for r in eutils_server.requests)


def test_redact_and_filter() -> None:
    client = EutilsClient(EutilsConfig(api_key="another-KEY-value"))  # registers the key
    text = 'GET ?db=pubmed&api_key=abc123&id=1 {"api-key":"10.0.0.1"} another-KEY-value'
    assert client.session.secrets.redact(text) == (
        'GET ?db=pubmed&api_key=<redacted>&id=1 {"api-key":"<redacted>"} <redacted>'
    )
    # Without the session, only the shapes a key takes are known.
    assert redact(text) == (
        'GET ?db=pubmed&api_key=<redacted>&id=1 {"api-key":"<redacted>"} another-KEY-value'
    )
    client.close()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "url %s", ("api_key=zzz",), None)
    assert RedactingFilter().filter(record) and record.getMessage() == "url api_key=<redacted>"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", ("another-KEY-value",), None)
    assert RedactingFilter(client.session.secrets).filter(record)
    assert record.getMessage() == "<redacted>"


# -- configuration ------------------------------------------------------------------------


def test_config_from_env() -> None:
    config = EutilsConfig.from_env(
        {
            "NCBI_EUTILS_URL": "http://127.0.0.1:9/entrez/eutils/",
            "NCBI_API_KEY": KEY,
            "NCBI_EMAIL": "dev@example.org",
        }
    )
    assert (config.base_url, config.api_key, config.email, config.rate) == (
        "http://127.0.0.1:9/entrez/eutils/",
        KEY,
        "dev@example.org",
        10.0,
    )
    default = EutilsConfig.from_env({"NCBI_API_KEY": "  "})
    assert default.base_url == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    assert (default.api_key, default.rate) == (None, 3.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"email": "root@example.org"},
        {"email": "a b@example.org"},
        {"email": "nobody"},
        {"tool": "offlabel tracker"},
        {"tool": ""},
    ],
)
def test_config_rejects_bad_identity(bad: dict) -> None:
    with pytest.raises(EutilsConfigError):
        EutilsConfig(**bad)


def test_esearch_argument_checks(eutils_client: Client) -> None:
    with pytest.raises(ValueError, match="together"):
        eutils_client().esearch("x", mindate="2020")
    with pytest.raises(ValueError, match="retmax"):
        eutils_client().esearch("x", retmax=10000)
