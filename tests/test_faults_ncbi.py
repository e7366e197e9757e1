"""Issue #6, cases 1–12: NCBI misbehaving, injected for real by the local E-utilities
server (tracker/lookalikes/eutils/faults.py), through the real run path (``run_search`` over HTTP,
or the ``tracker`` process). Every case ends the same way: the database passes
``PRAGMA integrity_check`` and holds no partial batch (faultkit.check_db), a failed run
left the data and the watermark as they were, and the next normal run ends with
exactly the articles the server holds for the term.

Data: real records (tests/data/pubmed-samples/efetch, metapub__*.xml); the first 60 are
"last week", the next 30 arrive "this week". Failure bodies are crafted from the texts
quoted in NCBI-NOTES (see tracker/lookalikes/eutils/faults.py).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from faultkit import (
    CLONE_TERM,
    FILES,
    TERM,
    TODAY,
    check_db,
    clone_server,
    fast_client,
    matching,
    runs,
    sample_server,
    snapshot,
    tracker,
    tracker_env,
    watermark,
    write_search,
)
from helpers import crafted_retraction

from tracker import store
from tracker.ingest.sync import SyncOptions, run_search
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import RunResult, SavedSearch

SEARCH = SavedSearch(name="treatments", title="Treatments", term=TERM)
NEXT = TODAY + timedelta(days=7)  # today
ARRIVALS = FILES[60:90]


class Week:
    """A database after one good run, and a server where new records arrived since."""

    def __init__(self, server: LocalEutils, db_path: Path) -> None:
        self.server, self.db_path = server, db_path
        assert self.run(today=TODAY).status == "ok"
        for path in ARRIVALS:
            server.add_record(path.read_bytes(), crdt=NEXT)
        self.expected = matching(server)
        self.before = snapshot(db_path)
        assert matching(server) - check_db(db_path)[SEARCH.name]  # something is new
        server.requests.clear()

    def run(
        self,
        today: date = NEXT,
        options: SyncOptions | None = None,
        progress=None,
        client_server: LocalEutils | str | None = None,
        **config: object,
    ) -> RunResult:
        db = store.connect(self.db_path)
        try:
            with fast_client(client_server or self.server, **config) as client:
                return run_search(
                    db,
                    client,
                    SEARCH,
                    today=today,
                    progress=progress,
                    options=options or SyncOptions(),
                )
        finally:
            db.close()

    def assert_failed_cleanly(self, result: RunResult, *needles: str) -> None:
        """Failed, said why in one line, changed nothing but the run log."""
        assert result.status == "failed", result
        assert result.error and "\n" not in result.error
        for needle in needles:
            assert needle in result.error
        check_db(self.db_path)
        assert snapshot(self.db_path) == self.before
        assert watermark(self.db_path, SEARCH.name) == TODAY.isoformat()
        last = runs(self.db_path)[-1]
        assert (last["status"], last["error"]) == ("failed", result.error)

    def assert_next_run_exact(self) -> RunResult:
        self.server.faults.clear()
        result = self.run()
        assert (result.status, result.error) == ("ok", None)
        assert check_db(self.db_path)[SEARCH.name] == self.expected
        assert watermark(self.db_path, SEARCH.name) == NEXT.isoformat()
        again = self.run()  # and nothing is repeated
        assert (again.status, again.new, again.fetched) == ("ok", 0, 0)
        assert check_db(self.db_path)[SEARCH.name] == self.expected
        return result


@pytest.fixture
def week(tmp_path) -> Iterator[Week]:
    with sample_server() as server:
        yield Week(server, tmp_path / "tracker.db")


def gap_after(server: LocalEutils, status: int) -> float:
    """Seconds between the first request answered ``status`` and the next request."""
    entries = server.requests.entries()
    i = next(i for i, r in enumerate(entries) if r.status == status)
    return entries[i + 1].time - entries[i].time


# -- 1. 429 with and without Retry-After ------------------------------------------------------


def test_01_429_with_retry_after_waits_that_long_then_succeeds(week):
    week.server.faults.push("429", endpoint="efetch", times=1, retry_after=1)
    result = week.run()
    assert result.status == "ok"
    assert gap_after(week.server, 429) >= 0.95
    assert check_db(week.db_path)[SEARCH.name] == week.expected
    week.assert_next_run_exact()


def test_01_429_without_retry_after_backs_off_then_succeeds(week):
    week.server.faults.push("429", endpoint="esearch", times=2)
    result = week.run(backoff_base=0.2, backoff_cap=0.4, max_attempts=4)
    assert result.status == "ok"
    statuses = [r.status for r in week.server.requests.entries("esearch")]
    assert statuses[:3] == [429, 429, 200]
    week.assert_next_run_exact()


# -- 2. 429 that never stops ------------------------------------------------------------------


def test_02_429_for_ever_fails_as_rate_limited_and_keeps_the_watermark(week):
    week.server.faults.push("429", endpoint="efetch", times=None)
    result = week.run()
    week.assert_failed_cleanly(result, "rate limited", "HTTP 429")
    week.assert_next_run_exact()


def test_02_429_for_ever_makes_tracker_run_exit_1_with_rate_limited(week, tmp_path):
    write_search(tmp_path, "treatments", TERM)
    env = tracker_env(week.server, TRACKER_DB=str(week.db_path))
    # Retry-After: 0 keeps the test quick; the attempts are still bounded (max_attempts).
    week.server.faults.push("429", endpoint="efetch", times=None, retry_after=0)
    proc = tracker("sync", cwd=tmp_path, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("treatments: FAILED (")
    assert "rate limited" in proc.stdout
    week.before = snapshot(week.db_path)  # the CLI registered the search's title/term
    assert watermark(week.db_path, SEARCH.name) == TODAY.isoformat()
    check_db(week.db_path)
    week.assert_next_run_exact()


# -- 3. 5xx with an HTML body -----------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_03_5xx_html_is_retried_and_persistent_5xx_fails_clearly(week, code):
    week.server.faults.push("status", endpoint="efetch", times=1, code=code)
    week.server.faults.push("status", endpoint="esearch", times=1, code=code)
    assert week.run().status == "ok"
    assert [r.status for r in week.server.requests.entries()].count(code) == 2
    week.assert_next_run_exact()


@pytest.mark.parametrize("code", [500, 502, 503, 504])
@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
def test_03_persistent_5xx_fails_with_one_line_and_changes_nothing(week, code, endpoint):
    week.server.faults.push("status", endpoint=endpoint, times=None, code=code)
    result = week.run()
    week.assert_failed_cleanly(result, f"HTTP {code} (text/html)", "unavailable")
    week.assert_next_run_exact()


# -- 4. HTTP 200 that is a failure ------------------------------------------------------------

BODIES_200 = ["error_xml", "error_json", "html", "empty", "plain_text"]


@pytest.mark.parametrize("kind", BODIES_200)
@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
def test_04_failure_with_http_200_is_retried_never_taken_for_no_results(week, kind, endpoint):
    week.server.faults.push(kind, endpoint=endpoint, times=2)
    result = week.run(max_attempts=3)
    assert (result.status, result.error) == ("ok", None)
    assert check_db(week.db_path)[SEARCH.name] == week.expected
    week.assert_next_run_exact()


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("error_xml", "Search Backend failed"),
        ("error_json", "Search Backend failed"),
        ("html", "maintenance page"),
        ("empty", "empty body"),
        ("plain_text", "Unable to route"),
    ],
)
@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
def test_04_persistent_failure_with_http_200_fails_the_run(week, kind, needle, endpoint):
    week.server.faults.push(kind, endpoint=endpoint, times=None)
    result = week.run()
    week.assert_failed_cleanly(result, needle)
    assert not [r for r in runs(week.db_path) if r["status"] == "ok" and r["count"] == 0]
    week.assert_next_run_exact()


# -- 5. A body cut off mid-stream -------------------------------------------------------------


def test_05_truncated_body_refetches_the_whole_batch(week):
    week.server.faults.push("truncate", endpoint="efetch", times=1)
    result = week.run()
    assert result.status == "ok"
    efetches = week.server.requests.entries("efetch")
    assert efetches[0].status == 200 and efetches[0].params["id"] == efetches[1].params["id"]
    assert check_db(week.db_path)[SEARCH.name] == week.expected
    week.assert_next_run_exact()


def test_05_truncation_after_a_good_batch_commits_neither(week):
    # Batch 1 arrives whole and is parsed; every later efetch is cut off.
    def after_batch(done: int, total: int) -> None:
        if done == 5:
            week.server.faults.push("truncate", endpoint="efetch", times=None)

    result = week.run(options=SyncOptions(batch_size=5), progress=after_batch)
    week.assert_failed_cleanly(result, "without sending complete message body")
    assert len(week.server.requests.entries("efetch")) == 1 + 3  # one good, three cut
    week.assert_next_run_exact()


# -- 6. A server that accepts and never answers -----------------------------------------------


def test_06_a_hung_request_times_out_and_is_retried(week):
    week.server.faults.push("hang", endpoint="efetch", times=1, seconds=30)
    began = time.monotonic()
    result = week.run(timeout=0.4)
    assert result.status == "ok" and time.monotonic() - began < 15  # not the 30 s hang
    week.assert_next_run_exact()


def test_06_a_server_that_never_answers_is_cut_off_by_the_run_deadline(week):
    week.server.faults.push("hang", endpoint="any", times=None)
    began = time.monotonic()
    result = week.run(timeout=0.5, max_attempts=100, deadline=2.0)
    assert time.monotonic() - began < 4
    week.assert_failed_cleanly(result, "deadline reached", "timed out")
    week.assert_next_run_exact()


def test_06_tracker_run_has_an_overall_deadline(week, tmp_path):
    write_search(tmp_path, "treatments", TERM)
    env = tracker_env(
        week.server,
        TRACKER_DB=str(week.db_path),
        TRACKER_HTTP_TIMEOUT="0.5",
        TRACKER_RUN_DEADLINE="2",
    )
    week.server.faults.push("hang", endpoint="any", times=None)
    began = time.monotonic()
    proc = tracker("sync", cwd=tmp_path, env=env)
    assert time.monotonic() - began < 10
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "deadline reached" in proc.stdout
    week.before = snapshot(week.db_path)
    assert watermark(week.db_path, SEARCH.name) == TODAY.isoformat()
    week.assert_next_run_exact()


def test_06_a_bad_deadline_setting_is_a_usage_error(tmp_path):
    write_search(tmp_path, "treatments", TERM)
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(TRACKER_RUN_DEADLINE="soon"))
    assert proc.returncode == 2 and "TRACKER_RUN_DEADLINE" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- 7. Connection refused / reset ------------------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/entrez/eutils/"


def test_07_connection_refused_fails_cleanly(week):
    result = week.run(client_server=closed_port_url())
    week.assert_failed_cleanly(result, "unavailable", "ConnectError")
    week.assert_next_run_exact()


@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
def test_07_connection_reset_is_retried(week, endpoint):
    week.server.faults.push("reset", endpoint=endpoint, times=2)
    assert week.run().status == "ok"
    week.assert_next_run_exact()


def test_07_connection_reset_for_ever_fails_cleanly(week):
    week.server.faults.push("reset", endpoint="efetch", times=None)
    week.assert_failed_cleanly(week.run(), "unavailable")
    week.assert_next_run_exact()


# -- 8. efetch returning fewer records than asked ---------------------------------------------


def test_08_a_record_left_out_once_is_fetched_again_in_the_same_run(week):
    new = sorted(week.expected - check_db(week.db_path)[SEARCH.name])
    week.server.faults.push("drop_records", endpoint="efetch", times=1, pmids=new[:3])
    result = week.run()
    assert (result.status, result.missing) == ("ok", ())
    assert check_db(week.db_path)[SEARCH.name] == week.expected
    ids = [r.params["id"] for r in week.server.requests.entries("efetch")]
    assert ids[-1] == ",".join(str(p) for p in new[:3])  # the retry asked for just those


def test_08_a_permanent_miss_is_recorded_shown_and_retried_every_run(week, tmp_path):
    new = sorted(week.expected - check_db(week.db_path)[SEARCH.name])
    lost = new[0]
    week.server.faults.push("drop_records", endpoint="efetch", times=None, pmids=[lost])
    first = week.run()
    second = week.run()
    for result in (first, second):
        assert (result.status, result.missing) == ("ok", (lost,))
    assert [json.loads(r["missing"]) for r in runs(week.db_path)[-2:]] == [[lost], [lost]]
    members = check_db(week.db_path)[SEARCH.name]
    assert members == week.expected - {lost}
    db = store.connect(week.db_path)
    try:
        pending = db.conn.execute(
            "SELECT pmid, attempts FROM pending_fetch WHERE search = ?", (SEARCH.name,)
        ).fetchall()
    finally:
        db.close()
    assert pending == [(lost, 2)]
    write_search(tmp_path, "treatments", TERM)
    env = tracker_env(week.server, TRACKER_DB=str(week.db_path))
    shown = tracker("sync", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "1 not returned by efetch (will retry next run)" in shown.stdout
    status = tracker("status", cwd=tmp_path, env=env)
    assert "1 pending fetch" in status.stdout
    # Upstream serves it again: the next normal run fetches it, once.
    result = week.assert_next_run_exact()
    assert result.new == 1 and result.missing == ()
    db = store.connect(week.db_path)
    try:
        assert store.pending_pmids(db, SEARCH.name) == set()
    finally:
        db.close()


# -- 9. Counts above 9,999 --------------------------------------------------------------------


@pytest.mark.long_running(12)
def test_09_a_window_above_the_cap_is_split_and_collected_whole(tmp_path):
    db_path = tmp_path / "tracker.db"
    search = SavedSearch(name="big", title="Big", term=CLONE_TERM, since=date(2020, 1, 1))
    with clone_server(
        10_400, date(2020, 1, 1), date(2020, 3, 31), later=(30, date(2020, 4, 3))
    ) as (srv, clones):
        first_batch, more = set(clones[:10_400]), set(clones[10_400:])
        db = store.connect(db_path)
        try:
            with fast_client(srv, requests_per_second=200.0) as client:
                first = run_search(
                    db, client, search, today=date(2020, 4, 1), options=SyncOptions(batch_size=500)
                )
                assert (first.status, first.count, first.new) == ("ok", 10_400, 10_400)
                assert check_db(db_path)["big"] == first_batch
                second = run_search(db, client, search, today=date(2020, 4, 8))
        finally:
            db.close()
    assert (second.status, second.new) == ("ok", 30)
    assert check_db(db_path)["big"] == first_batch | more


@pytest.mark.long_running(10)
def test_09_a_single_day_above_the_cap_fails_loudly_and_keeps_nothing(tmp_path):
    db_path = tmp_path / "tracker.db"
    search = SavedSearch(name="day", title="Day", term=CLONE_TERM, since=date(2020, 5, 5))
    with clone_server(10_050, date(2020, 5, 5), date(2020, 5, 5)) as (srv, clones):
        db = store.connect(db_path)
        try:
            with fast_client(srv, requests_per_second=200.0) as client:
                result = run_search(db, client, search, today=date(2020, 5, 6))
                assert result.status == "failed"
                assert "10050 records were created on 2020-05-05 alone" in result.error
                assert "narrow the saved search" in result.error
                assert check_db(db_path) == {"day": set()}
                assert watermark(db_path, "day") is None
                # Upstream the day shrinks below the cap (or the user narrows the term):
                # the next normal run collects exactly what is there.
                for pmid in clones[9_000:]:
                    srv.corpus.remove(pmid)
                again = run_search(
                    db, client, search, today=date(2020, 5, 6), options=SyncOptions(batch_size=1000)
                )
        finally:
            db.close()
    assert (again.status, again.new) == ("ok", 9_000)
    assert check_db(db_path)["day"] == set(clones[:9_000])


# -- 10. PhraseNotFound and FieldNotFound -----------------------------------------------------


def test_10_phrase_not_found_is_recorded_on_the_run_and_shown(week, tmp_path):
    term = "treatment[tiab] OR xyzzyplughium"
    write_search(tmp_path, "treatments", term)
    env = tracker_env(week.server, TRACKER_DB=str(week.db_path))
    proc = tracker("run", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "  warning: PhraseNotFound: xyzzyplughium" in proc.stdout
    last = runs(week.db_path)[-1]
    assert last["status"] == "ok"
    assert "PhraseNotFound: xyzzyplughium" in json.loads(last["warnings"])
    assert matching(week.server, term) <= check_db(week.db_path)[SEARCH.name]
    check = tracker("check", cwd=tmp_path, env=env)
    assert check.returncode == 0, check.stderr
    assert "warning: PhraseNotFound: xyzzyplughium" in check.stdout


def test_10_a_bad_field_tag_is_refused_by_check_and_fails_the_run(week, tmp_path):
    write_search(tmp_path, "treatments", TERM)
    write_search(tmp_path, "typo", "baclofen[tiabb] AND restless legs[tiab]")
    env = tracker_env(week.server, TRACKER_DB=str(week.db_path))
    before = snapshot(week.db_path)
    proc = tracker("check", cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("tracker:")]
    assert len(lines) == 1 and "typo.toml" in lines[0] and "[tiabb]" in lines[0]
    assert "treatments: ok" in proc.stdout
    assert snapshot(week.db_path) == before  # check stores nothing
    run = tracker("sync", "typo", cwd=tmp_path, env=env)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stdout.startswith("typo: FAILED") and "[tiabb]" in run.stdout
    assert check_db(week.db_path).get("typo", set()) == set()
    assert watermark(week.db_path, "typo") is None


# -- 11. The history server -------------------------------------------------------------------

HISTORY_ERROR = "Cannot retrieve history data: OUT OF RANGE, QueryKey: 1, WebEnv: MCID_x"


def test_11_no_request_ever_uses_the_history_server(week):
    week.server.faults.push("status", endpoint="efetch", times=1, code=502)
    week.assert_next_run_exact()
    for entry in week.server.requests.entries():
        keys = {k.casefold() for k in entry.params}
        assert not keys & {"usehistory", "webenv", "query_key"}, entry.params
        assert entry.method == "POST"
    assert all(r.params["id"] for r in week.server.requests.entries("efetch"))


@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
def test_11_an_expired_history_error_is_a_failure_never_zero_results(week, endpoint):
    week.server.faults.push("error_xml", endpoint=endpoint, times=None, message=HISTORY_ERROR)
    result = week.run()
    week.assert_failed_cleanly(result, "Cannot retrieve history data")
    week.assert_next_run_exact()


def test_11_an_expired_history_http_400_is_a_failure(week):
    week.server.faults.push("status", endpoint="esearch", times=None, code=400)
    result = week.run()
    week.assert_failed_cleanly(result, "HTTP 400")
    week.assert_next_run_exact()


# -- 12. Records that change upstream ---------------------------------------------------------


def revised_title(xml: bytes, new_title: str) -> bytes:
    """Crafted revision of a real record: a new ArticleTitle."""
    text = xml.decode("utf-8")
    start = text.index("<ArticleTitle>") + len("<ArticleTitle>")
    end = text.index("</ArticleTitle>")
    return (text[:start] + new_title + text[end:]).encode("utf-8")


def test_12_revised_and_retracted_records_are_updated_in_place(week):
    members = check_db(week.db_path)[SEARCH.name]
    revised, retracted = sorted(members)[:2]
    sources = {}
    for path in FILES[:60]:
        data = path.read_bytes()
        for pmid in (revised, retracted):
            if f">{pmid}</PMID>".encode() in data:
                sources[pmid] = data
    db = store.connect(week.db_path)
    try:
        first_seen = dict(
            db.conn.execute(
                "SELECT pmid, first_seen FROM articles WHERE pmid IN (?, ?)", (revised, retracted)
            )
        )
    finally:
        db.close()
    week.server.add_record(
        revised_title(sources[revised], "Quuxotherapy revisited: a trial"), mdat=NEXT
    )
    week.server.add_record(crafted_retraction(sources[retracted], 99_999_998), mdat=NEXT)
    week.expected = matching(week.server)
    result = week.assert_next_run_exact()
    assert result.updated == 2
    db = store.connect(week.db_path)
    try:
        rows = dict(
            db.conn.execute(
                "SELECT pmid, first_seen FROM articles WHERE pmid IN (?, ?)", (revised, retracted)
            )
        )
        assert rows == first_seen
        assert db.conn.execute(
            "SELECT title FROM articles WHERE pmid = ?", (revised,)
        ).fetchone() == ("Quuxotherapy revisited: a trial",)
        found = db.conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ("quuxotherapy",)
        ).fetchall()
        assert found == [(revised,)]
        assert db.conn.execute(
            "SELECT retracted FROM articles WHERE pmid = ?", (retracted,)
        ).fetchone() == (1,)
        kinds = {
            r[0]
            for r in db.conn.execute(
                "SELECT kind FROM article_changes WHERE pmid = ?", (retracted,)
            )
        }
        assert "retracted" in kinds
        assert db.conn.execute(
            "SELECT COUNT(*) FROM articles WHERE pmid IN (?, ?)", (revised, retracted)
        ).fetchone() == (2,)
    finally:
        db.close()
