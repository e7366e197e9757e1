"""Command line: `tracker …`. Each module registers its commands on the group."""

from __future__ import annotations

from tracker.cli import (  # noqa: F401  (registers commands)
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
from tracker.cli.app import cli
from tracker.cli.guard import install_safe_output, run_guarded


def main() -> None:
    install_safe_output()
    run_guarded(lambda: cli(prog_name="tracker"))
