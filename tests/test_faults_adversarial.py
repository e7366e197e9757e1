"""Issue 13: a server, a file or a neighbour misbehaving on purpose. Each case runs the
real `tracker` process against the local E-utilities server, whose hostile answers
(tracker/lookalikes/eutils/hostile.py) are crafted from the real answer the request
would have had: numbers beyond SQLite's 64-bit integers, a trickle, a huge body, a gzip
bomb, a redirect; and the machine offline.

Every case ends the same way: one clear line, no traceback, the failure recorded as a
run (so `tracker status` counts it), the database consistent (faultkit.check_db), and
the other saved searches run.
"""

from __future__ import annotations

import json
import resource
import signal
import socket
import time
from pathlib import Path

import pytest
from faultkit import (
    FILES,
    TERM,
    check_db,
    matching,
    runs,
    sample_server,
    start,
    tracker,
    tracker_env,
    wait_for,
    write_search,
)

from tracker.lookalikes.eutils.hostile import HUGE_NUMBER, out_of_range


@pytest.fixture
def server():
    with sample_server(FILES[:20]) as srv:
        yield srv


@pytest.fixture
def two_searches(tmp_path: Path) -> Path:
    write_search(tmp_path, "alpha", TERM)
    write_search(tmp_path, "beta", TERM)
    return tmp_path


def status_json(cwd: Path, env: dict[str, str]) -> dict[str, dict]:
    proc = tracker("--json", "status", cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr
    return {row["search"]: row for row in json.loads(proc.stdout)}


def no_traceback(proc) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr


def peak_child_rss_mb() -> float:
    """Peak resident memory of the largest finished child (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# -- class 1: numbers beyond SQLite's range -------------------------------------------------


def test_an_out_of_range_esearch_id_fails_one_search_and_the_next_still_runs(server, two_searches):
    env = tracker_env(server)
    server.faults.push("out_of_range", endpoint="esearch", times=1, field="id")
    proc = tracker("sync", cwd=two_searches, env=env)
    no_traceback(proc)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("alpha: FAILED (") and HUGE_NUMBER[:20] in lines[0]
    assert "outside the range of a PMID" in lines[0]
    assert lines[1].startswith("beta: ok")
    members = check_db(two_searches / "tracker.db")
    assert members == {"alpha": set(), "beta": matching(server)}
    status = status_json(two_searches, env)
    assert status["alpha"]["consecutive_failures"] == 1
    assert status["beta"]["consecutive_failures"] == 0
    again = tracker("sync", cwd=two_searches, env=env)
    assert again.returncode == 0, again.stdout
    assert check_db(two_searches / "tracker.db")["alpha"] == matching(server)


@pytest.mark.parametrize(
    ("field", "named"),
    [("version", "PMID Version"), ("year", "PubDate <Year>"), ("pmid", "<PMID>")],
)
def test_an_out_of_range_record_field_is_refused_with_its_name_and_recorded(
    server, two_searches, field, named
):
    env = tracker_env(server)
    server.faults.push("out_of_range", endpoint="efetch", times=1, field=field)
    proc = tracker("sync", cwd=two_searches, env=env)
    no_traceback(proc)
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith("alpha: FAILED (") and named in first and "out of range" in first
    assert "beta: ok" in proc.stdout
    assert [r["status"] for r in runs(two_searches / "tracker.db", "alpha")] == ["failed"]
    assert check_db(two_searches / "tracker.db")["alpha"] == set()


def test_import_refuses_an_out_of_range_record_with_one_line(tmp_path):
    # Crafted: a real record (FILES[0]) with its PMID Version made 23 digits long.
    crafted = tmp_path / "crafted-out-of-range-version.xml"
    crafted.write_bytes(out_of_range(FILES[0].read_bytes(), "version"))
    proc = tracker("import", str(crafted), cwd=tmp_path, env=tracker_env())
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.count("tracker:") == 1
    assert "PMID Version" in proc.stderr and "out of range" in proc.stderr


# -- classes 4 and 5: a slow, huge or compressed answer ------------------------------------


@pytest.mark.long_running(7)
def test_a_trickling_server_cannot_hold_a_run_past_its_deadline(server, tmp_path):
    write_search(tmp_path, "alpha", TERM)
    env = tracker_env(server, TRACKER_HTTP_TIMEOUT="2", TRACKER_RUN_DEADLINE="5")
    server.faults.push("trickle", endpoint="efetch", times=None, interval=0.5)
    began = time.monotonic()
    proc = tracker("sync", cwd=tmp_path, env=env)
    elapsed = time.monotonic() - began
    no_traceback(proc)
    assert proc.returncode == 1
    assert elapsed < 12, elapsed
    assert proc.stdout.startswith("alpha: FAILED (")
    assert "deadline reached" in proc.stdout or "timed out" in proc.stdout
    assert status_json(tmp_path, env)["alpha"]["consecutive_failures"] == 1


def test_a_huge_answer_is_refused_at_the_cap_in_bounded_memory(server, tmp_path):
    write_search(tmp_path, "alpha", TERM)
    env = tracker_env(server, TRACKER_MAX_RESPONSE_MB="16")
    server.faults.push("huge", endpoint="efetch", times=None, size=400 << 20)
    proc = tracker("sync", cwd=tmp_path, env=env)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "more than 16 MiB (TRACKER_MAX_RESPONSE_MB); refused" in proc.stdout
    assert len(server.requests.entries("efetch")) == 1  # refused, not retried
    assert peak_child_rss_mb() < 250


@pytest.mark.long_running(9)
def test_a_gzip_bomb_is_inflated_as_a_stream_and_refused_at_the_cap(server, tmp_path):
    write_search(tmp_path, "alpha", TERM)
    env = tracker_env(server)  # the default cap, 64 MiB
    server.faults.push("gzip_bomb", endpoint="efetch", times=None, size=1 << 30)
    proc = tracker("sync", cwd=tmp_path, env=env)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "inflates to more than 64 MiB" in proc.stdout
    assert peak_child_rss_mb() < 350


def test_a_redirect_is_not_followed_and_fails_at_once(server, tmp_path):
    write_search(tmp_path, "alpha", TERM)
    server.faults.push("redirect", endpoint="esearch", times=None)
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(server))
    no_traceback(proc)
    assert proc.returncode == 1
    assert "redirected to http://127.0.0.2:9/" in proc.stdout and "not followed" in proc.stdout
    assert len(server.requests.entries("esearch")) == 1


# -- issue 14 item 4: offline --------------------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/entrez/eutils/"


@pytest.mark.parametrize("url", ["closed port", "http://no-such-host.invalid/entrez/eutils/"])
def test_offline_gives_up_in_seconds_naming_the_url_and_what_to_try(tmp_path, url):
    url = closed_port_url() if url == "closed port" else url
    write_search(tmp_path, "alpha", TERM)
    began = time.monotonic()
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(url))
    elapsed = time.monotonic() - began
    no_traceback(proc)
    assert proc.returncode == 1
    assert elapsed < 6, elapsed
    assert f"cannot connect to {url}" in proc.stdout
    assert "tracker demo" in proc.stdout and "NCBI_EUTILS_URL" in proc.stdout
    assert "retrying" not in proc.stderr  # no screenful of back-off lines first


# -- a stop request is not a failure of the search -----------------------------------------


def test_ctrl_c_is_recorded_but_does_not_count_toward_the_alert_streak(server, tmp_path):
    write_search(tmp_path, "alpha", TERM)
    env = tracker_env(server)
    server.faults.push("hang", endpoint="efetch", times=None)
    proc = start("sync", cwd=tmp_path, env=env)
    wait_for(lambda: server.requests.count("efetch") >= 1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "stop request" in out
    server.faults.clear()
    status = status_json(tmp_path, env)["alpha"]
    assert status["consecutive_failures"] == 0
    assert status["last_run_status"] == "failed"


# -- class 5 under `tracker import`: one record holding a million elements -------------------


def keyword_bomb(count: int) -> bytes:
    """Crafted: a real record (FILES[0]) whose KeywordList holds `count` <Keyword>s."""
    record = FILES[0].read_bytes()
    keywords = b"<Keyword>x</Keyword>" * count
    if b"<KeywordList" in record:
        return record.replace(b"</KeywordList>", keywords + b"</KeywordList>", 1)
    return record.replace(
        b"</MedlineCitation>", b"<KeywordList>" + keywords + b"</KeywordList></MedlineCitation>", 1
    )


@pytest.mark.parametrize("suffix", [".xml.gz", ".xml"])  # one process; parse workers
def test_import_refuses_a_record_with_a_million_elements_in_bounded_memory(tmp_path, suffix):
    import gzip

    data = keyword_bomb(1_000_000)
    path = tmp_path / f"crafted-keyword-bomb{suffix}"
    path.write_bytes(gzip.compress(data, 1) if suffix.endswith(".gz") else data)
    proc = tracker("import", str(path), cwd=tmp_path, env=tracker_env())
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.count("tracker:") == 1
    assert "larger than any PubMed record (over 200,000 elements or 16 MiB); refused" in proc.stderr
    assert peak_child_rss_mb() < 350


# -- `tracker sql`: bounded answers, only a reader's functions ------------------------------


@pytest.fixture
def library(tmp_path: Path) -> Path:
    proc = tracker("import", *map(str, FILES[:5]), cwd=tmp_path, env=tracker_env())
    assert proc.returncode == 0, proc.stderr
    return tmp_path


def test_sql_refuses_fts3_tokenizer_by_name(library):
    proc = tracker("sql", "SELECT hex(fts3_tokenizer('simple'))", cwd=library, env=tracker_env())
    no_traceback(proc)
    assert proc.returncode != 0
    assert proc.stderr.count("tracker:") == 1 and "fts3_tokenizer() is refused" in proc.stderr


def test_sql_refuses_an_answer_above_its_cap_in_bounded_memory(library):
    sql = "SELECT pmid, zeroblob(40000000) FROM articles"  # 5 rows of 40 MB: 200 MB
    proc = tracker("sql", sql, cwd=library, env=tracker_env())
    no_traceback(proc)
    assert proc.returncode != 0
    assert proc.stderr.count("tracker:") == 1
    assert "the answer holds more than 64 MiB" in proc.stderr
    assert peak_child_rss_mb() < 350


# -- class 5 for MEDLINE text: one record of 20 MB -----------------------------------------

MEDLINE = Path(__file__).parent / "data/pubmed-samples/medline"
KOLMOGOROV = MEDLINE / "pmidcite__pubmed_Kolmogorov2020.txt"


def medline_bomb(extra_lines: int, newline: str = "\n") -> str:
    """Crafted: the real record of PMID 33020656 whose abstract goes on for
    `extra_lines` more wrapped lines of 80 characters (joined by `newline`)."""
    text = KOLMOGOROV.read_text(encoding="utf-8")
    more = newline.join("      " + "long-read " * 7 + "x" * 4 for _ in range(extra_lines))
    return text.replace("\nAB  - ", "\nAB  - " + more.lstrip() + newline + "      ", 1)


@pytest.mark.parametrize("newline", ["\n", " "], ids=["wrapped", "one-line"])
def test_import_refuses_a_medline_record_past_the_record_bounds(tmp_path, newline):
    path = tmp_path / "crafted-medline-bomb.txt"
    path.write_text(medline_bomb(250_000, newline), encoding="utf-8")  # 20 MB
    proc = tracker("import", str(path), cwd=tmp_path, env=tracker_env())
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.count("tracker:") == 1
    assert "a MEDLINE record of more than 16 MiB or 400,000 lines" in proc.stderr
    assert str(path) in proc.stderr
    assert peak_child_rss_mb() < 350
