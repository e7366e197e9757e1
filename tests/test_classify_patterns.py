"""Patterns compiled on first use behave as the compiled pattern does."""

from __future__ import annotations

import re

from tracker.classify.patterns import lazy

TEXT = "In 2019, 42 patients and 7 controls; n = 49."


def test_a_lazy_pattern_compiles_once_on_first_use_and_answers_as_re_does():
    spec, flags = r"(\d+) (patients|controls)", re.IGNORECASE
    pattern, compiled = lazy(spec, flags), re.compile(spec, flags)
    assert pattern._compiled is None  # nothing compiled at import time
    assert pattern.search(TEXT).group(0) == compiled.search(TEXT).group(0)
    first = pattern.compiled
    assert pattern.compiled is first  # compiled once
    assert [m.span() for m in pattern.finditer(TEXT)] == [m.span() for m in compiled.finditer(TEXT)]
    assert pattern.findall(TEXT) == compiled.findall(TEXT)
    assert pattern.sub("N", TEXT) == compiled.sub("N", TEXT)
    assert pattern.split(TEXT) == compiled.split(TEXT)
    assert pattern.match(TEXT, 9).group(1) == "42"
    assert pattern.fullmatch("7 CONTROLS") is not None
    assert (pattern.pattern, pattern.flags) == (spec, flags)
