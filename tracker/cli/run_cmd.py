"""The weekly job and its parts: run, sync, digest, import, status."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tracker import store
from tracker.cli.app import (
    EXIT_RUN_FAILED,
    EXIT_USAGE,
    TIMEZONE_OPTION,
    Locked,
    ProgressBar,
    StopSignals,
    UserError,
    cli,
    emit_json,
    eutils_client,
    fail,
    open_db,
    schedule_timezone,
    settings,
    user_errors,
)
from tracker.cli.digest_cmd import job_digest_options, job_mail_options
from tracker.digest.write import DigestOptions
from tracker.ingest.importer import ImportFileError, ImportResult, default_workers, import_file
from tracker.ingest.sync import SyncOptions
from tracker.models import RunResult, SavedSearch
from tracker.pubmed import PubmedParseError
from tracker.searches.saved import scan_saved_searches, select_saved_searches
from tracker.unattended.job import JobOutcome, MailOptions, run_job
from tracker.unattended.lock import LockHeld, database_lock
from tracker.unattended.schedule import due_searches, due_state


def _searches(names: tuple[str, ...]) -> list[SavedSearch]:
    with user_errors():
        return select_saved_searches(settings().queries, names)


def _sync_all_valid(
    names: tuple[str, ...], options: SyncOptions, with_digest: bool, due: bool, wait: float
) -> int:
    """`run NAME` reads only NAME's file; `run` runs every valid saved search, names each
    broken one in one line, and then exits 2 (the code of a broken file, whatever the
    runs did)."""
    if names:
        return sync_searches(_searches(names), options, with_digest, due, wait)
    with user_errors():
        searches, errors = scan_saved_searches(settings().queries)
    for error in errors:
        click.echo(f"tracker: error: {error}", err=True)
    code = sync_searches(searches, options, with_digest, due, wait) if searches else 0
    return EXIT_USAGE if errors else code


def _run_line(result: RunResult) -> str:
    window = f"{result.window.start}..{result.window.end}" if result.window else "-"
    if result.status != "ok":
        return f"{result.search}: FAILED ({window}): {result.error}"
    line = f"{result.search}: ok, window {window}, {result.count} in PubMed, {result.new} new"
    if result.missing:
        line += f", {len(result.missing)} not returned by efetch (will retry next run)"
    for warning in result.warnings:
        line += f"\n  warning: {warning}"
    return line


def _run_json(outcome: JobOutcome) -> dict[str, Any]:
    data = asdict(outcome.run)
    data.pop("extra", None)
    if outcome.digest is not None:
        data["digest"] = {
            "studies": outcome.digest.studies,
            "markdown": str(outcome.digest.markdown_path),
            "html": str(outcome.digest.html_path),
        }
    if outcome.digest_error:
        data["digest_error"] = outcome.digest_error
    if outcome.delivery or outcome.mail_error:
        data["mail"] = outcome.delivery.status if outcome.delivery else None
        data["mail_error"] = outcome.mail_error
    return data


def sync_searches(
    searches: list[SavedSearch], options: SyncOptions, with_digest: bool, due: bool, wait: float
) -> int:
    """Sync (and digest) each saved search under the database lock; one failing search
    does not stop the others. SIGTERM/SIGINT roll the current run back and stop."""
    cfg = settings()
    # Digest and mail settings are checked before any run starts (a typo is exit 2).
    digest_options = job_digest_options() if with_digest else None
    mail = job_mail_options()  # sync alone mails no digest, but does alert on failures
    stop = StopSignals()
    try:
        with database_lock(cfg.db_path, wait), stop:
            db = open_db()
            if due:
                tz = schedule_timezone()
                searches = due_searches(db, searches, datetime.now(tz), tz)
            with eutils_client(stop.event) as client:
                stop.interrupt = client.abandon_request
                outcomes = [
                    _one(db, client, search, options, with_digest, stop, digest_options, mail)
                    for search in searches
                ]
    except LockHeld as exc:
        raise Locked(str(exc)) from None
    if cfg.as_json:
        emit_json([_run_json(o) for o in outcomes])
    elif due and not searches:
        click.echo("nothing is due")
    return EXIT_RUN_FAILED if any(not o.ok for o in outcomes) or stop.received else 0


def _one(
    db: Any,
    client: Any,
    search: SavedSearch,
    options: SyncOptions,
    with_digest: bool,
    stop: StopSignals,
    digest_options: DigestOptions | None = None,
    mail: MailOptions | None = None,
) -> JobOutcome:
    if stop.received:
        run = RunResult(
            search=search.name,
            run_id=None,
            status="failed",
            window=None,
            error="not started: the process was asked to stop",
        )
        return JobOutcome(run, None, None, 0.0)
    bar = ProgressBar(f"{search.name}: efetch")
    client.restart_deadline()  # TRACKER_RUN_DEADLINE applies to each saved search's run
    reports = settings().reports if with_digest else None
    outcome = run_job(
        db,
        client,
        search,
        reports,
        options=options,
        progress=bar,
        should_stop=stop.is_set,
        digest_options=digest_options,
        mail=mail,
    )
    bar.close()
    if not settings().as_json:
        click.echo(_run_line(outcome.run))
        if outcome.digest:
            click.echo(f"  digest: {outcome.digest.markdown_path} ({outcome.digest.studies} new)")
        if outcome.digest_error:
            click.echo(f"{search.name}: digest FAILED: {outcome.digest_error}")
        if outcome.delivery and outcome.delivery.status == "sent":
            click.echo(f"  mail: sent to {', '.join(outcome.delivery.recipients)}")
        if outcome.mail_error:
            click.echo(f"{search.name}: {outcome.mail_error}")
    return outcome


_NAMES = click.argument("names", nargs=-1)
_FULL = click.option(
    "--all", "full", is_flag=True, help="Ignore the watermark: search from `since` again."
)
_DUE = click.option(
    "--due",
    is_flag=True,
    help="Only the saved searches that are due by their schedule (for hourly cron).",
)
_WAIT = click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another run on the same database to finish (then exit 3).",
)


@cli.command()
@_NAMES
@_FULL
@_DUE
@_WAIT
@click.pass_context
def run(ctx: click.Context, names: tuple[str, ...], full: bool, due: bool, wait: float) -> None:
    """Sync each saved search (all by default) and write its digest: the main job.

    \b
    Example:
      tracker run                 # every saved search in ./queries
      tracker run baclofen-rls    # just one
      tracker run --due           # from an hourly cron line: only what is due
    """
    ctx.exit(_sync_all_valid(names, SyncOptions(full=full), True, due, wait))


@cli.command()
@_NAMES
@_FULL
@_DUE
@_WAIT
@click.pass_context
def sync(ctx: click.Context, names: tuple[str, ...], full: bool, due: bool, wait: float) -> None:
    """Fetch what is new in PubMed for each saved search, without writing a digest.

    \b
    Example:
      tracker sync baclofen-rls
    """
    ctx.exit(_sync_all_valid(names, SyncOptions(full=full), False, due, wait))


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=default_workers,
    show_default="usable cores, at most 4",
    help="Processes that parse a large PubMed XML file in parallel; 1 parses here.",
)
@_WAIT
def import_(files: tuple[Path, ...], jobs: int, wait: float) -> None:
    """Load PubMed XML (.xml, .xml.gz: efetch, baseline, update files) or MEDLINE text
    (.txt, .nbib) into the database. Each file is stored whole or not at all.

    \b
    Example:
      tracker import pubmed25n0001.xml.gz export.nbib
    """
    try:
        with database_lock(settings().db_path, wait):
            done = _import_files(files, jobs)
    except LockHeld as exc:
        raise Locked(str(exc)) from None
    if settings().as_json:
        emit_json(
            [{"path": str(r.path), "articles": r.articles, "deleted": r.deleted} for r in done]
        )


def _import_files(files: tuple[Path, ...], jobs: int) -> list[ImportResult]:
    """Under the database lock, like a run: a run started meanwhile waits (`--wait`) or
    exits 3 with a clear line, instead of failing on SQLite's busy timeout partway through
    an import that can take minutes (NLM baseline files)."""
    db = open_db()
    done = []
    for path in files:
        bar = ProgressBar(path.name)
        try:
            result = import_file(db, path, progress=lambda n, bar=bar: bar(n, 0), workers=jobs)
        except (ImportFileError, PubmedParseError) as exc:
            fail(str(exc))
        except store.StoreError as exc:
            fail(f"{path}: {exc}")
        except (ValueError, OverflowError, OSError) as exc:  # the last resort: one line
            fail(f"{path}: not imported ({type(exc).__name__}: {str(exc)[:200]}); nothing stored")
        finally:
            bar.close()
        done.append(result)
        if not settings().as_json:
            click.echo(f"{path}: {result.articles} records stored, {result.deleted} marked deleted")
    return done


@cli.command()
@click.argument("names", nargs=-1)
@TIMEZONE_OPTION
def status(names: tuple[str, ...], tz_name: str) -> None:
    """Per saved search: last good run, next due time, articles, consecutive failures;
    a warning when the last good run is older than two scheduled times.

    \b
    Example:
      tracker status --json     # for monitoring
    """
    searches = _searches(names)  # a mistyped name first, as everywhere
    if not settings().db_path.is_file():  # status only reads: it must not create one
        where = settings().db_path
        raise UserError(f"no database at {where}; run `tracker run` first, or set --db")
    db = open_db(check=False)
    tz = schedule_timezone(tz_name)
    now = datetime.now(tz)
    rows = []
    for search in searches:
        row = store.search_status(db, search.name)
        due = due_state(db, search, now, tz)
        row.update(
            schedule=search.schedule,
            due=due.due,
            next_due=due.next_due.isoformat(),
            overdue=due.overdue,
        )
        rows.append(row)
    if settings().as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(_status_line(row))


def _status_line(row: dict[str, Any]) -> str:
    line = (
        f"{row['search']}: last good run {row['last_good_run'] or 'never'}, "
        f"next due {'now' if row['due'] else row['next_due']}, {row['articles']} articles"
    )
    if row["pending_fetch"]:
        line += f", {row['pending_fetch']} pending fetch"
    if row["consecutive_failures"]:
        line += f", {row['consecutive_failures']} failed runs since (last: {row['last_error']})"
    if row["overdue"]:
        line += "\n  WARNING: the last good run is older than two scheduled times"
    return line
