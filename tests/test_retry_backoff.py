"""TRACKER_RETRY_BACKOFF: the first retry's back-off ceiling, read where the E-utilities
client's settings come from the environment (the tests' tracker processes set it small)."""

from __future__ import annotations

import pytest
from helpers import FAST_BACKOFF, one_error_line, tracker, tracker_env

from tracker.ncbi.client import EutilsConfig, EutilsConfigError


def test_the_setting_sets_the_back_off_base_and_leaves_the_cap():
    default = EutilsConfig.from_env({})
    assert (default.backoff_base, default.backoff_cap) == (1.0, 60.0)
    fast = EutilsConfig.from_env({"TRACKER_RETRY_BACKOFF": "0.01"})
    assert (fast.backoff_base, fast.backoff_cap) == (0.01, 60.0)
    assert EutilsConfig.from_env({"TRACKER_RETRY_BACKOFF": " "}).backoff_base == 1.0


@pytest.mark.parametrize("bad", ["0", "-1", "soon", "inf"])
def test_a_bad_value_is_refused_with_the_variable_named(bad):
    with pytest.raises(EutilsConfigError, match=f"TRACKER_RETRY_BACKOFF must be .*{bad!r}"):
        EutilsConfig.from_env({"TRACKER_RETRY_BACKOFF": bad})


def test_the_tests_tracker_processes_retry_after_a_short_back_off():
    assert tracker_env()["TRACKER_RETRY_BACKOFF"] == FAST_BACKOFF == "0.01"


def test_a_bad_value_stops_the_command_with_one_line_and_exit_2(workdir):
    env = tracker_env("http://127.0.0.1:9/", TRACKER_RETRY_BACKOFF="soon")
    line = one_error_line(tracker("sync", cwd=workdir, env=env), 2)
    assert (
        line
        == "tracker: error: TRACKER_RETRY_BACKOFF must be a number of seconds above 0, not 'soon'"
    )
