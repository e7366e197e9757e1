"""Issue #6, case 27: with NCBI_API_KEY set, the key appears nowhere.

The tracker runs as a real process with a unique random key, against the local server
made to fail in the ways that produce error messages (429 whose body echoes the key, as
NCBI's does; 5xx; an HTTP-200 error; an invalid-key answer; a hang cut by the timeout),
at every verbosity and in both log formats, then writes digests and status. Every
stdout, stderr, log, report file, the lock file and the SQLite files' bytes (database,
and -wal/-shm when present) are searched for the key, and the server confirms the key was sent.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from faultkit import (
    TERM,
    sample_server,
    sqlite,
    tracker,
    tracker_env,
    write_search,
)


def every_file(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.long_running(14)
def test_27_the_api_key_appears_in_no_output_log_report_or_database_byte(tmp_path):
    key = "k" + secrets.token_hex(16)
    encoded = [key.encode(), key.encode("utf-16-le"), key[::-1].encode()]
    outputs: list[str] = []
    with sample_server() as srv:
        write_search(tmp_path, "treatments", TERM)
        write_search(tmp_path, "failing", "review[tiab]")
        env = tracker_env(srv, NCBI_API_KEY=key, TRACKER_HTTP_TIMEOUT="0.5")
        faults = [
            ("429", {"echo_key": True, "retry_after": 0}, 2),
            ("status", {"code": 503}, 1),
            ("error_xml", {}, 1),
            ("hang", {"seconds": 2}, 1),
            ("plain_text", {}, 1),
        ]
        for verbosity, log_format in (("-v", "text"), ("-vv", "json"), ("-vv", "text")):
            for kind, opts, times in faults:
                srv.faults.push(kind, endpoint="any", times=times, **opts)
            proc = tracker(verbosity, "--log-format", log_format, "run", cwd=tmp_path, env=env)
            outputs += [proc.stdout, proc.stderr]
            assert "Traceback" not in proc.stderr
        # A search failing for good, so its error is stored on the run and printed.
        srv.faults.push("429", endpoint="any", times=None, echo_key=True, retry_after=0)
        failed = tracker("-vv", "sync", "failing", cwd=tmp_path, env=env)
        assert failed.returncode == 1 and "rate limited" in failed.stdout
        outputs += [failed.stdout, failed.stderr]
        srv.faults.clear()
        srv.faults.push("invalid_key", endpoint="any", times=1)
        invalid = tracker("-vv", "sync", "treatments", cwd=tmp_path, env=env)
        assert invalid.returncode == 1 and "API key" in invalid.stdout
        outputs += [invalid.stdout, invalid.stderr]
        srv.faults.clear()
        for args in (
            ["-vv", "digest"],
            ["-vv", "status"],
            ["--json", "status"],
            ["--json", "-vv", "run"],
            ["-vv", "check"],
        ):
            proc = tracker(*args, cwd=tmp_path, env=env)
            outputs += [proc.stdout, proc.stderr]
        sent = [r for r in srv.requests.entries()]
        assert sent and all(r.has_key for r in sent)  # the key was really in use
        assert all(key not in str(r.params) for r in sent)
    # The echoed 429 body and the stored errors exist, and name no key.
    with sqlite(tmp_path / "tracker.db") as conn:
        errors = [r[0] for r in conn.execute("SELECT error FROM runs WHERE error IS NOT NULL")]
    assert any("rate limited" in e for e in errors)
    assert any("API key" in e for e in errors)
    text = "\n".join(outputs)
    assert "api_key" not in text.replace("api_key=<redacted>", "")
    assert key not in text
    files = every_file(tmp_path)
    assert any(p.suffix == ".md" for p in files) and any(p.suffix == ".db" for p in files)
    for path in files:
        data = path.read_bytes()
        for needle in encoded:
            assert needle not in data, path
