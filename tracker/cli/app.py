"""The `tracker` command group: shared options, logging, and turning errors into one line.

This package is the only place that reads environment variables, sets up logging and
prints. Nothing imports it.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from tracker.cli.command_table import COMMANDS
from tracker.cli.options import OptionsAnywhereGroup

# The exit codes are documented in the README ("Exit codes"); commands import them from here.
from tracker.errors import EXIT_LOCKED as EXIT_LOCKED
from tracker.errors import EXIT_OK as EXIT_OK
from tracker.errors import EXIT_RUN_FAILED as EXIT_RUN_FAILED
from tracker.errors import EXIT_USAGE as EXIT_USAGE
from tracker.errors import TrackerError
from tracker.ncbi.errors import RedactingFilter, Secrets
from tracker.ncbi.session import NcbiSession

if TYPE_CHECKING:  # imported where used: a command that needs neither starts sooner
    from sqlite_utils import Database

    from tracker.ncbi.client import EutilsClient

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class Settings:
    db_path: Path
    queries: Path
    reports: Path
    verbose: int
    as_json: bool
    log_format: str = "text"
    # Every E-utilities client of this process shares it: NCBI's pacing, keys to redact.
    ncbi: NcbiSession = field(default_factory=NcbiSession)


class Shown(click.ClickException):
    """An error as click prints it: ``tracker: <kind>: <line>`` on stderr, and its exit code."""

    kinds = {EXIT_RUN_FAILED: "failed", EXIT_USAGE: "error", EXIT_LOCKED: "busy"}

    def show(self, file: Any = None) -> None:
        kind = self.kinds.get(self.exit_code, "failed")
        click.echo(f"tracker: {kind}: {self.format_message()}", err=True)


class UserError(Shown):
    """A mistake the user can fix: printed as one line, exit code 2."""

    exit_code = EXIT_USAGE


class Locked(Shown):
    """Another run holds the database: exit code 3, so cron wrappers can tell."""

    exit_code = EXIT_LOCKED


class RunFailed(Shown):
    """Something outside the user's control failed (NCBI, the disk): exit code 1."""

    exit_code = EXIT_RUN_FAILED


def shown(exc: TrackerError) -> Shown:
    """The click error that prints ``exc`` as its one line with its exit code."""
    kind = {EXIT_USAGE: UserError, EXIT_LOCKED: Locked}.get(exc.exit_code, RunFailed)
    return kind(exc.line)


class TrackerGroup(OptionsAnywhereGroup):
    """The command group: group options typed after the subcommand too, commands
    imported when named, and any TrackerError a command lets through becomes its one
    line and exit code here, so commands catch only what they add context to."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is not None and cmd_name not in self.commands:
            importlib.import_module(f"tracker.cli.{entry.module}")  # its decorators register it
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, from the table's lines: `tracker --help` imports no command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            entry = COMMANDS.get(name)
            if entry is not None:
                listed = click.Command(name, help=entry.summary)  # click's own shortening
                rows.append((name, listed.get_short_help_str(limit)))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            raise shown(exc) from None


def fail(message: str) -> NoReturn:
    raise RunFailed(message)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors; run lines carry their fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        run = getattr(record, "run", None)
        if isinstance(run, dict):
            data.update(run)
        return json.dumps(data, ensure_ascii=False, default=str)


def setup_logging(
    verbose: int,
    log_format: str = "text",
    floor: int = logging.WARNING,
    secrets: Secrets | None = None,
) -> None:
    level = floor if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    level = min(level, floor)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; ours are enough.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


@click.group(cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "db_path",
    envvar="TRACKER_DB",
    default="tracker.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite database file [env TRACKER_DB].",
)
@click.option(
    "--queries",
    envvar="TRACKER_QUERIES",
    default="queries",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of saved searches [env TRACKER_QUERIES].",
)
@click.option(
    "--reports",
    envvar="TRACKER_REPORTS",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder digests are written to [env TRACKER_REPORTS].",
)
@click.option("-v", "--verbose", count=True, help="More logging to stderr (-v info, -vv debug).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="TRACKER_LOG_FORMAT",
    help="Log lines on stderr as text or JSON [env TRACKER_LOG_FORMAT].",
)
@click.version_option(package_name="offlabel-tracker", prog_name="tracker")
@click.pass_context
def cli(
    ctx: click.Context,
    db_path: Path,
    queries: Path,
    reports: Path,
    verbose: int,
    as_json: bool,
    log_format: str,
) -> None:
    """Track PubMed for studies of drugs used off-label, and write digests.

    \b
    Example (the weekly job, as cron runs it):
      tracker run
    Offline, on bundled sample records:
      tracker demo
    """
    ctx.obj = Settings(db_path, queries, reports, verbose, as_json, log_format)
    setup_logging(verbose, log_format, secrets=ctx.obj.ncbi.secrets)


def settings() -> Settings:
    obj = click.get_current_context().find_object(Settings)
    assert obj is not None
    return obj


def busy_timeout() -> float:
    """TRACKER_BUSY_TIMEOUT: seconds a writer waits for another connection's lock."""
    text = os.environ.get("TRACKER_BUSY_TIMEOUT", "").strip()
    if not text:
        from tracker.store.db import BUSY_TIMEOUT_SECONDS

        return BUSY_TIMEOUT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise UserError(f"TRACKER_BUSY_TIMEOUT must be a number of seconds, not {text!r}")
    return value


def open_db(check: bool = True, create: bool = False) -> Database:
    """The database; only the commands that fill one pass `create` (tracker/cli/database.py)."""
    from tracker import store
    from tracker.cli.database import check_db_path  # it imports this module

    check_db_path(settings().db_path, create=create)
    return store.connect(settings().db_path, check=check, busy_timeout=busy_timeout())


def eutils_client(cancel: threading.Event | None = None) -> EutilsClient:
    from tracker.ncbi.client import EutilsClient, EutilsConfig

    # A bad NCBI_EMAIL or key is an EutilsConfigError: exit 2 through TrackerGroup.
    config = EutilsConfig.from_env(os.environ)
    return EutilsClient(config, cancel=cancel, session=settings().ncbi)


TIMEZONE_OPTION = click.option(
    "--timezone",
    "tz_name",
    default="UTC",
    show_default=True,
    envvar="TRACKER_TIMEZONE",
    help="Timezone the crontab schedules are read in [env TRACKER_TIMEZONE].",
)


def schedule_timezone(name: str | None = None) -> ZoneInfo:
    """The timezone crontab schedules are read in: --timezone, TRACKER_TIMEZONE, or UTC."""
    name = name or os.environ.get("TRACKER_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"unknown timezone {name!r} (use a name like UTC or Europe/Paris)"
        ) from None


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class StopSignals:
    """While active, SIGTERM and SIGINT set a flag instead of killing the process.

    The running sync checks the flag between efetch batches and rolls its transaction
    back, so a container stop or Ctrl-C never leaves half a run behind.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self.event = threading.Event()  # also cuts the HTTP client's back-off sleeps short
        # Called last by the handler; may raise to abandon a blocked HTTP request.
        self.interrupt: Callable[[], None] | None = None
        self._previous: dict[int, Any] = {}

    def is_set(self) -> bool:
        return self.event.is_set()

    def _handle(self, signum: int, _frame: Any) -> None:
        self.received = signum
        self.event.set()
        logging.getLogger("tracker").warning(
            "received %s: stopping after rolling back the current run", signal.Signals(signum).name
        )
        if self.interrupt is not None:
            self.interrupt()

    def __enter__(self) -> StopSignals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


class ProgressBar:
    """A tqdm bar on stderr, only when stderr is a terminal (never in cron mail).

    Created lazily on the first update, when the total is known.
    """

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="rec", file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
