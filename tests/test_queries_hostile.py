"""Issue 13 class 6 and issue 14 item 5: `queries/` holds what people and their editors
put there. Through the real `tracker` process against the local E-utilities server:
editor lock and backup files are ignored, only regular files are read (a FIFO never
hangs a run), names match in full, a byte-order mark is accepted, `run NAME` reads only
NAME's file, and one broken file never keeps the others from running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from faultkit import FILES, TERM, check_db, matching, sample_server, tracker, tracker_env

GOOD = f'term = "{TERM}"\n'


@pytest.fixture
def server():
    with sample_server(FILES[:10]) as srv:
        yield srv


def queries(tmp_path: Path) -> Path:
    folder = tmp_path / "queries"
    folder.mkdir(exist_ok=True)
    (folder / "good.toml").write_text(GOOD, encoding="utf-8")
    return folder


def ok_line(proc) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.stdout.startswith("good: ok, window "), proc.stdout


def test_editor_lock_and_backup_files_are_ignored(server, tmp_path):
    folder = queries(tmp_path)
    os.symlink("user@host.12345:1700000000", folder / ".#good.toml")  # Emacs' lock: dangling
    (folder / "#good.toml#").write_text("autosave", encoding="utf-8")
    (folder / "good.toml~").write_text("backup", encoding="utf-8")
    (folder / ".good.toml.swp").write_bytes(b"\x00vim")
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(server))
    ok_line(proc)
    assert proc.returncode == 0 and proc.stderr == ""
    assert check_db(tmp_path / "tracker.db") == {"good": matching(server)}


def test_a_fifo_never_hangs_a_run_and_is_named_when_all_run(server, tmp_path):
    folder = queries(tmp_path)
    os.mkfifo(folder / "other.toml")
    proc = tracker("sync", "good", cwd=tmp_path, env=tracker_env(server), timeout=30)
    ok_line(proc)
    assert proc.returncode == 0
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(server), timeout=30)
    ok_line(proc)
    assert proc.returncode == 2
    assert proc.stderr == "tracker: error: queries/other.toml: not a regular file " \
        "(a saved search is a .toml file)\n"  # fmt: skip


def test_a_name_ending_in_a_newline_is_refused_in_full(server, tmp_path):
    folder = queries(tmp_path)
    (folder / "evil\n.toml").write_text(GOOD, encoding="utf-8")
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(server))
    ok_line(proc)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()  # the newline is shown escaped: one line
    assert line.startswith("tracker: error: '") and "evil\\n.toml'" in line
    assert "lower-case letters" in line
    assert not any(p.name.startswith("evil") for p in tmp_path.rglob("*") if p.is_dir())


def test_a_byte_order_mark_is_accepted(server, tmp_path):
    folder = queries(tmp_path)
    (folder / "good.toml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    proc = tracker("check", "good", cwd=tmp_path, env=tracker_env(server))
    assert proc.returncode == 0, proc.stderr
    proc = tracker("sync", cwd=tmp_path, env=tracker_env(server))
    ok_line(proc)
    assert proc.returncode == 0


def test_one_broken_file_never_blocks_the_others(server, tmp_path):
    folder = queries(tmp_path)
    (folder / "broken.toml").write_text('term = "unclosed\n', encoding="utf-8")
    named = tracker("sync", "good", cwd=tmp_path, env=tracker_env(server))
    ok_line(named)
    assert named.returncode == 0 and named.stderr == ""
    every = tracker("sync", cwd=tmp_path, env=tracker_env(server))
    ok_line(every)
    assert every.returncode == 2
    [line] = every.stderr.splitlines()
    assert line.startswith("tracker: error: queries/broken.toml: not valid TOML")
    unknown = tracker("sync", "nope", cwd=tmp_path, env=tracker_env(server))
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("tracker: error: no saved search named nope in ")
    assert "(known: broken, good)" in unknown.stderr
