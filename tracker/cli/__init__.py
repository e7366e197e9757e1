"""Command line: `tracker …`. Each command module registers its commands on the group
when the group first needs them (tracker/cli/command_table.py)."""

from __future__ import annotations

from tracker.cli.app import cli
from tracker.cli.guard import install_safe_output, run_guarded


def main() -> None:
    install_safe_output()
    run_guarded(lambda: cli(prog_name="tracker"))
