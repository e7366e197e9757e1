"""Every command answers -h (found by walking click's command tree, so a new command is
covered without editing this file), and the README's command tables list exactly the
commands the CLI has."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tracker.cli import cli

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
    """`tracker NAME` imports only COMMAND_MODULES[NAME]: that module must define NAME,
    and no module may define a command the table does not list."""
    import importlib

    from tracker.cli.app import COMMAND_MODULES

    for name, module in COMMAND_MODULES.items():
        importlib.import_module(f"tracker.cli.{module}")
        assert name in cli.commands, f"tracker.cli.{module} does not define {name!r}"
        assert cli.commands[name].callback.__module__ == f"tracker.cli.{module}", name
    assert sorted(cli.commands) == sorted(COMMAND_MODULES)
