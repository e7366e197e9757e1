"""Every command answers -h (found by walking click's command tree, so a new command is
covered without editing this file), and the README's command tables list exactly the
commands the CLI has."""

from __future__ import annotations

import importlib
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.cli.command_table import COMMANDS

README = Path(__file__).resolve().parent.parent / "README.md"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command below ``group``, as the words that name it, the group itself first."""
    yield prefix
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{name} is listed but no module defines it"
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """The group's callback sets up logging on the root logger: put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("path", list(command_paths(cli)), ids=lambda p: " ".join(p) or "tracker")
def test_help_on_every_command(path: tuple[str, ...], keep_logging: None) -> None:
    runner = CliRunner()
    short = runner.invoke(cli, [*path, "-h"], prog_name="tracker")
    assert short.exit_code == 0, short.output
    assert short.output.startswith(f"Usage: {' '.join(('tracker', *path))} ")
    assert "Example" in short.output  # every command's help shows it in use
    if path:
        assert f"tracker {' '.join(path)}" in short.output.split("Example", 1)[1]
    long = runner.invoke(cli, [*path, "--help"], prog_name="tracker")
    assert long.exit_code == 0 and long.output == short.output


# The README's two command tables: the weekly job's, and the researchers' tools.
TABLE_SECTIONS = ("Commands", "Researchers' tools")


def readme_commands() -> list[str]:
    """The command names of the README's command tables, in their order."""
    text = README.read_text(encoding="utf-8")
    names = []
    for title in TABLE_SECTIONS:
        section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
        table = section.split("\n### ", 1)[0]  # the table opens the section
        names += re.findall(r"^\| `tracker ([a-z-]+)", table, flags=re.MULTILINE)
    return names


def test_readme_command_tables_list_exactly_the_commands() -> None:
    listed = readme_commands()
    assert len(listed) == len(set(listed)), "a command is listed twice"
    assert sorted(listed) == cli.list_commands(click.Context(cli))


def test_each_command_is_defined_where_the_lazy_table_says() -> None:
    """`tracker NAME` imports only COMMANDS[NAME].module: that module must define NAME,
    no module may define a command the table does not list, and the table's line for a
    command is the short help click makes from its docstring."""
    for name, entry in COMMANDS.items():
        importlib.import_module(f"tracker.cli.{entry.module}")
        assert name in cli.commands, f"tracker.cli.{entry.module} does not define {name!r}"
        command = cli.commands[name]
        assert command.callback.__module__ == f"tracker.cli.{entry.module}", name
        assert entry.summary == command.get_short_help_str(limit=10**6), name
    assert sorted(cli.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_command_listing_is_clicks_own(width: int) -> None:
    """The group lists its commands from the table exactly as click would from the
    imported commands, at any terminal width."""
    for entry in COMMANDS.values():
        importlib.import_module(f"tracker.cli.{entry.module}")
    ctx = click.Context(cli)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    cli.format_commands(ctx, ours)
    click.Group.format_commands(cli, ctx, clicks)
    assert ours.getvalue() == clicks.getvalue() and "sync" in ours.getvalue()


def test_tracker_help_imports_no_command_module(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from tracker.cli import main\n"
        "sys.argv = ['tracker', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.endswith('_cmd') or m == 'httpx')\n"
        "print('LOADED', loaded)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "Commands:" in proc.stdout and "LOADED []" in proc.stdout, proc.stdout
