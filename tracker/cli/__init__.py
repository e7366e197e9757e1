"""Command line: `tracker …`. Each module registers its commands on the group."""

from __future__ import annotations

from . import (  # noqa: F401  (registers commands)
    check_cmd,
    demo_cmd,
    digest_cmd,
    jobs,
    research_collection,
    research_pubmed,
    schedule_cmd,
)
from .app import cli


def main() -> None:
    cli(prog_name="tracker")
