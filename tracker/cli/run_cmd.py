"""The weekly job and its parts: run, sync, digest, import, status."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from tracker import store
from tracker.cli.app import (
    EXIT_RUN_FAILED,
    EXIT_USAGE,
    TIMEZONE_OPTION,
    ProgressBar,
    StopSignals,
    cli,
    emit_json,
    fail,
    open_db,
    schedule_timezone,
    settings,
)
from tracker.cli.database import check_db_path
from tracker.cli.digest_cmd import job_digest_options, job_mail_options
from tracker.cli.locked_job import WAIT_OPTION, JobPlace, locked_job
from tracker.cli.sources_cmd import (
    source_json,
    source_line,
    source_status_lines,
    source_status_rows,
)
from tracker.digest.mail import late_json, late_line
from tracker.digest.write import DigestOptions
from tracker.ingest.importer import ImportFileError, ImportResult, default_workers, import_file
from tracker.ingest.sources import SourceClients
from tracker.ingest.sync import SyncOptions
from tracker.models import RunResult, SavedSearch
from tracker.pubmed import PubmedParseError
from tracker.searches.saved import scan_saved_searches, select_saved_searches
from tracker.unattended.due import due_searches, due_state
from tracker.unattended.job import JobOutcome, MailOptions, run_job


def _searches(names: tuple[str, ...]) -> list[SavedSearch]:
    return select_saved_searches(settings().queries, names)


def _sync_all_valid(
    names: tuple[str, ...], options: SyncOptions, with_digest: bool, due: bool, wait: float
) -> int:
    """`run NAME` reads only NAME's file; `run` runs every valid saved search, names each
    broken one in one line, and then exits 2 (the code of a broken file, whatever the
    runs did)."""
    if names:
        return sync_searches(_searches(names), options, with_digest, due, wait)
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
    data["sources"] = [source_json(s) for s in outcome.sources]
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
    if outcome.late:
        data["late_mail"] = [late_json(item) for item in outcome.late]
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
    check_db_path(settings().db_path, create=True)  # before the lock file goes beside it
    with (
        locked_job(JobPlace.from_cli(), wait=wait, cancel=stop.event) as job,
        stop,
        SourceClients.from_env(os.environ, stop.event) as sources,
    ):
        if due:
            tz = schedule_timezone()
            searches = due_searches(job.db, searches, datetime.now(tz), tz)
        stop.interrupt = job.eutils.abandon_request
        outcomes = [
            _one(
                job.db,
                job.eutils,
                search,
                options,
                with_digest,
                stop,
                digest_options,
                mail,
                sources,
            )  # fmt: skip
            for search in searches
        ]
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
    sources: SourceClients | None = None,
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
    if sources is not None:
        sources.restart_deadlines()
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
        sources=sources,
    )
    bar.close()
    if not settings().as_json:
        click.echo(_run_line(outcome.run))
        for result in outcome.sources:
            click.echo(source_line(result))
        if outcome.digest:
            click.echo(f"  digest: {outcome.digest.markdown_path} ({outcome.digest.studies} new)")
        if outcome.digest_error:
            click.echo(f"{search.name}: digest FAILED: {outcome.digest_error}")
        for line in filter(None, map(late_line, outcome.late)):
            click.echo(line)
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
_WAIT = WAIT_OPTION


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
    (.txt, .nbib) into the database. Each file is stored whole or not at all; a file
    that is refused or empty is reported, and the next one imported (exit 1 if any was refused).

    \b
    Example:
      tracker import pubmed25n0001.xml.gz export.nbib
    """
    check_db_path(settings().db_path, create=True)  # before the lock file goes beside it
    with locked_job(JobPlace.from_cli(), wait=wait, with_client=False) as job:
        done = _import_files(job.db, files, jobs)
    refused = [d for d in done if d["status"] == "refused"]
    if settings().as_json:
        emit_json(done)
    else:
        stored = sum(d["articles"] for d in done)
        empty = sum(d["status"] == "empty" for d in done)
        click.echo(
            f"{len(done)} file{'s' if len(done) != 1 else ''}: {stored} records stored, "
            f"{empty} empty, {len(refused)} refused"
        )
    if len(refused) == 1:
        fail(f"refused {refused[0]['path']}: {refused[0]['error']}")
    if refused:
        names = ", ".join(Path(d["path"]).name for d in refused)
        fail(f"{len(refused)} of {len(done)} files refused ({names}); the others were imported")


def _records_read(bar: ProgressBar, records: int) -> None:
    bar(records, 0)  # a file's record count is not known ahead


def _import_files(db: Database, files: tuple[Path, ...], jobs: int) -> list[dict[str, Any]]:
    """Under the database lock, like a run: a run started meanwhile waits (`--wait`) or
    exits 3 with a clear line, instead of failing on SQLite's busy timeout partway through
    an import that can take minutes (NLM baseline files). A refused or empty file is
    reported and the next one imported: each file is its own transaction."""
    done = []
    for path in files:
        bar = ProgressBar(path.name)
        try:
            result = import_file(db, path, progress=partial(_records_read, bar), workers=jobs)
            item = _import_item(result)
        except (ImportFileError, PubmedParseError) as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            item = {"path": str(path), "status": "refused", "articles": 0, "deleted": 0,
                    "error": reason}  # fmt: skip
        except store.StoreError as exc:
            fail(f"{path}: {exc}")  # the database itself: the next file would fail too
        except (ValueError, OverflowError, OSError) as exc:  # the last resort: one line
            fail(f"{path}: not imported ({type(exc).__name__}: {str(exc)[:200]}); nothing stored")
        finally:
            bar.close()
        done.append(item)
        if not settings().as_json:
            click.echo(_import_line(item))
    return done


def _import_item(result: ImportResult) -> dict[str, Any]:
    status = "empty" if result.empty else "stored"
    return {"path": str(result.path), "status": status, "articles": result.articles,
            "deleted": result.deleted, "error": None}  # fmt: skip


def _import_line(item: dict[str, Any]) -> str:
    if item["status"] == "refused":
        return f"{item['path']}: refused: {item['error']}"
    if item["status"] == "empty":
        return f"{item['path']}: empty (no records in it)"
    deleted = f", {item['deleted']} marked deleted" if item["deleted"] else ""
    return f"{item['path']}: stored {item['articles']} records{deleted}"


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
    searches = _searches(names)  # an unknown name is the more useful line
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
        row["sources"] = source_status_rows(db, search.name)
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
    return "\n".join([line, *source_status_lines(row.get("sources") or [])])
