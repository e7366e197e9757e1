"""Command line: `tracker …`. Each module registers its commands on the group."""

from __future__ import annotations

from . import check_cmd, demo_cmd, jobs, research_collection, research_pubmed, schedule_cmd  # noqa: F401  (registers commands)
from .app import cli


def main() -> None:
    cli(prog_name="tracker")
