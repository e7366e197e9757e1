"""`tracker digest`: write (and mail) the digest of each saved search, and the settings
the weekly job's digest step shares with it (limit, templates, mail)."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from tracker import store
from tracker.cli.app import UserError, cli, emit_json, fail, settings
from tracker.cli.database import check_db_path
from tracker.cli.locked_job import WAIT_OPTION, JobPlace, locked_job
from tracker.digest.mail import (
    Delivery,
    LateDelivery,
    MailError,
    MailSettings,
    deliver_with_overdue,
    late_json,
    late_line,
)
from tracker.digest.write import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    DigestOptions,
    DigestResult,
    write_digest,
)
from tracker.errors import TrackerError
from tracker.ingest.rules import follow_rules
from tracker.ingest.sync import today_utc
from tracker.models import SavedSearch
from tracker.searches.saved import select_saved_searches
from tracker.unattended.job import MailOptions

_TRUE = {"1", "true", "yes", "on"}


def mail_settings() -> MailSettings | None:
    """TRACKER_SMTP_* and TRACKER_MAIL_* from the environment; None when mail is off."""
    return MailSettings.from_env(os.environ)  # a MailConfigError is exit 2


def job_mail_options() -> MailOptions | None:
    """What `tracker run` mails: every digest when mail is configured, empty ones too
    unless TRACKER_MAIL_SKIP_EMPTY is set, and an alert when a saved search has failed
    TRACKER_ALERT_AFTER runs in a row."""
    mail = mail_settings()
    if mail is None:
        return None
    skip = os.environ.get("TRACKER_MAIL_SKIP_EMPTY", "").strip().lower() in _TRUE
    alert = os.environ.get("TRACKER_ALERT_AFTER", "").strip()
    if alert and not (alert.isdigit() and int(alert) > 0):
        raise UserError(f"TRACKER_ALERT_AFTER must be a number of failed runs, not {alert!r}")
    return MailOptions(mail, skip_empty=skip, alert_after=int(alert) if alert else None)


def job_digest_options() -> DigestOptions:
    """`tracker run`'s digest settings: TRACKER_DIGEST_LIMIT and TRACKER_TEMPLATES."""
    limit_text = os.environ.get("TRACKER_DIGEST_LIMIT", "").strip()
    if limit_text and not limit_text.isdigit():
        raise UserError(f"TRACKER_DIGEST_LIMIT must be a number, not {limit_text!r}")
    folder = os.environ.get("TRACKER_TEMPLATES", "").strip()
    if folder and not Path(folder).is_dir():
        raise UserError(f"TRACKER_TEMPLATES: no such folder: {folder}")
    return DigestOptions(
        limit=min(int(limit_text or DEFAULT_LIMIT), MAX_LIMIT) or 1,
        template_dir=Path(folder) if folder else None,
    )


# The digest command's options, named as run_cmd.py names its own.
_SINCE = click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Re-render the period from this day (YYYY-MM-DD): studies first found since then.",
)
_LIMIT = click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT, clamp=True),
    default=DEFAULT_LIMIT,
    show_default=True,
    envvar="TRACKER_DIGEST_LIMIT",
    help="List at most this many new studies (strongest and newest first); the rest are "
    f"counted by tier and kept in the JSON, RIS and BibTeX files. At most {MAX_LIMIT} "
    "[env TRACKER_DIGEST_LIMIT].",
)
_TEMPLATES = click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    envvar="TRACKER_TEMPLATES",
    help="Folder of your own digest.md.j2 / digest.html.j2 / digest.txt.j2, overriding "
    "the bundled ones [env TRACKER_TEMPLATES].",
)
_SEND = click.option(
    "--send/--no-send",
    default=None,
    help="Mail the digest (default: when TRACKER_SMTP_HOST is set).",
)
_RESEND = click.option(
    "--resend", is_flag=True, help="Mail it even if the same digest was mailed before."
)
_NO_EMPTY = click.option(
    "--no-empty",
    "skip_empty",
    is_flag=True,
    envvar="TRACKER_MAIL_SKIP_EMPTY",
    help="Do not mail a digest with nothing new and nothing changed [env TRACKER_MAIL_SKIP_EMPTY].",
)


@cli.command()
@click.argument("names", nargs=-1)
@_SINCE
@_LIMIT
@_TEMPLATES
@_SEND
@_RESEND
@_NO_EMPTY
@WAIT_OPTION
def digest(
    names: tuple[str, ...],
    since: datetime | None,
    limit: int,
    templates: Path | None,
    send: bool | None,
    resend: bool,
    skip_empty: bool,
    wait: float,
) -> None:
    """Write the digest of studies first seen since each saved search's last digest
    (or since DATE), and mail it when mail is configured.

    \b
    Example:
      tracker digest baclofen-rls
      tracker digest baclofen-rls --since 2024-01-01 --no-send
      tracker digest baclofen-rls --resend      # mail it again
    """
    mail = _mail_for(send, resend)
    options = DigestOptions(
        limit=limit,
        since=since.date() if since else None,
        template_dir=templates,
        mail=mail is not None,
    )
    searches = select_saved_searches(settings().queries, names)
    check_db_path(settings().db_path, create=False)  # a digest reads a database, never makes one
    # Under the database lock, like a run: a digest never interleaves with a sync.
    with locked_job(JobPlace.from_cli(), wait=wait, with_client=False) as job:
        _follow_rules(job.db)
        done = [
            _digest_one(job.db, search, options, mail, skip_empty, resend) for search in searches
        ]
    if settings().as_json:
        emit_json([_as_json(*one) for one in done])


def _follow_rules(db: Database) -> None:
    """Answers stored by older classification rules are recomputed before anything is
    selected (as `tracker run` does after each sync), so a digest made right after an
    upgrade, without a run, never quotes them; corrections to studies an earlier digest
    showed go into this digest's "What changed"."""
    with store.write_transaction(db):
        follow_rules(db, None, store.utc_now())


def _mail_for(send: bool | None, resend: bool) -> MailSettings | None:
    """The mail settings --send/--no-send/--resend leave in force (None: no mail)."""
    mail = mail_settings()
    if (send or resend) and mail is None:
        raise UserError("mail is not configured: set TRACKER_SMTP_HOST (see README)")
    return None if send is False else mail


def _digest_one(
    db: Database,
    search: SavedSearch,
    options: DigestOptions,
    mail: MailSettings | None,
    skip_empty: bool,
    resend: bool,
) -> tuple[DigestResult, Delivery | None, list[LateDelivery]]:
    """Write one saved search's digest and mail it (after what is still due from
    earlier digests); prints its lines unless --json."""
    try:
        result = write_digest(db, search, settings().reports, today=today_utc(), options=options)
    except TrackerError as exc:
        fail(f"{search.name}: {exc}")
    delivery, late = None, list[LateDelivery]()
    if mail is not None:
        try:
            # What an earlier run could not mail goes first: a reader misses no week.
            delivery = deliver_with_overdue(
                db, mail, result, late, skip_empty=skip_empty, resend=resend
            )
        except MailError as exc:
            _late_lines(late)
            fail(f"{search.name}: digest written to {result.markdown_path}, but mail: {exc}")
    _late_lines(late)
    if not settings().as_json:
        click.echo(_line(result, delivery))
    return result, delivery, late


def _late_lines(late: list[LateDelivery]) -> None:
    if not settings().as_json:
        for line in filter(None, map(late_line, late)):
            click.echo(line)


def _line(result: DigestResult, delivery: Delivery | None) -> str:
    line = (
        f"{result.search}: {result.studies} new, {result.changes} changed → "
        f"{result.markdown_path}, {result.html_path}"
    )
    if delivery is not None:
        line += (
            "\n  mail: "
            + {
                "sent": f"sent to {', '.join(delivery.recipients)}",
                "skipped-empty": "not sent (nothing new, --no-empty)",
                "already-sent": "not sent: this digest was mailed before (--resend to send again)",
            }[delivery.status]
        )
    return line


def _as_json(
    result: DigestResult, delivery: Delivery | None, late: list[LateDelivery]
) -> dict[str, Any]:
    data = asdict(result)
    data["markdown_path"] = str(result.markdown_path)
    data["html_path"] = str(result.html_path)
    data["files"] = {k: str(v) for k, v in result.files.items()}
    data["mail"] = delivery.status if delivery else None
    if late:
        data["late_mail"] = [late_json(item) for item in late]
    return data
