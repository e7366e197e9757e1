"""Group options where people type them: `tracker find x --db demo.db` and
`tracker status --json` mean `tracker --db demo.db find x` and `tracker --json status`.

Before click parses the line, the group's own options found after the subcommand are
moved in front of it, unless the subcommand has an option of the same name (find,
stats, sql, search and show have their own --json; both mean the same).
"""

from __future__ import annotations

import re

import click

VALUE_OPTIONS = ("--db", "--queries", "--reports", "--log-format")
FLAG_OPTIONS = ("--json", "--verbose")
_SHORT_VERBOSE = re.compile(r"^-v+$")


def _subcommand_index(group: click.Group, ctx: click.Context, args: list[str]) -> int | None:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None
        if arg.startswith("-"):
            i += 2 if arg in VALUE_OPTIONS else 1
            continue
        return i if group.get_command(ctx, arg) is not None else None
    return None


def _takes_value(command: click.Command) -> set[str]:
    return {
        opt
        for p in command.params
        if isinstance(p, click.Option) and not p.is_flag and not p.count
        for opt in p.opts + p.secondary_opts
    }


def hoist_group_options(group: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """`args` with the group's options moved before the subcommand."""
    index = _subcommand_index(group, ctx, args)
    if index is None:
        return args
    command = group.get_command(ctx, args[index])
    assert command is not None  # _subcommand_index found it
    own = {opt for p in command.params for opt in p.opts + p.secondary_opts}
    valued = _takes_value(command)
    moved: list[str] = []
    kept: list[str] = []
    rest = args[index + 1 :]
    j = 0
    while j < len(rest):
        arg = rest[j]
        name = arg.split("=", 1)[0]
        if arg == "--":
            kept += rest[j:]
            break
        step = 2 if "=" not in arg and (name in valued or name in VALUE_OPTIONS) else 1
        if name in own:
            kept += rest[j : j + step]
        elif name in VALUE_OPTIONS or name in FLAG_OPTIONS or _SHORT_VERBOSE.match(arg):
            moved += rest[j : j + step]
        else:
            kept += rest[j : j + step]
        j += step
    return args[:index] + moved + [args[index]] + kept


class OptionsAnywhereGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_group_options(self, ctx, list(args)))
