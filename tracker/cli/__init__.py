"""Command line: `tracker …`. Each module registers its commands on the group."""

from __future__ import annotations

import sys


def _import_sqlite_utils_without_pandas() -> None:
    """sqlite-utils imports pandas and numpy when they are installed (~55 MB resident,
    ~0.3 s) only to map their scalar types when it creates tables from Python values,
    which the tracker never does: tracker/store/schema.py declares every column. The
    command line imports it with both hidden, which keeps `tracker import` and its
    worker processes within the memory the benchmarks allow (benchmarks/RESULTS.md).
    Nothing else changes: a command that needs numpy later (matplotlib, for
    `stats --plot`) imports it as usual.
    """
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes the import fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


_import_sqlite_utils_without_pandas()

from tracker.cli import (  # noqa: E402, F401  (registers commands)
    check_cmd,
    collection_cmd,
    demo_cmd,
    digest_cmd,
    list_cmd,
    publish_cmd,
    pubmed_cmd,
    run_cmd,
    schedule_cmd,
)
from tracker.cli.app import cli  # noqa: E402
from tracker.cli.guard import install_safe_output, run_guarded  # noqa: E402


def main() -> None:
    install_safe_output()
    run_guarded(lambda: cli(prog_name="tracker"))
