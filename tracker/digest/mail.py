"""Mailing a digest: HTML with a plain-text alternative, the chart inline, the citation
files attached. smtplib + email.message; STARTTLS when asked.

Settings come from the environment (the CLI reads it and hands it here):

| variable | meaning |
| TRACKER_SMTP_HOST | SMTP server; mail is off when unset |
| TRACKER_SMTP_PORT | default 587 with STARTTLS, else 25 |
| TRACKER_SMTP_STARTTLS | 1/true/yes (default) or 0/false/no |
| TRACKER_SMTP_USER, TRACKER_SMTP_PASSWORD | login, when the server wants one |
| TRACKER_MAIL_FROM | the sender address |
| TRACKER_MAIL_TO | recipients, comma-separated |
| TRACKER_SMTP_CAFILE | a CA bundle to trust besides the system's (a private server) |

The password is never logged or put into an error message.
"""

from __future__ import annotations

import json
import mimetypes
import re
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, cast

from sqlite_utils import Database

from tracker import store
from tracker.digest.write import DigestResult
from tracker.errors import RunFailure, UsageError
from tracker.store import digests as stored

_CHART = re.compile(r"<!--chart-->.*?<!--/chart-->", re.DOTALL)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_ADDRESS = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")


class MailConfigError(UsageError, ValueError):
    """A mail setting is wrong; the message names the variable."""


class MailError(RunFailure, RuntimeError):
    """The digest could not be sent; one line, without the password."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    cafile: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings | None:
        """None when TRACKER_SMTP_HOST is unset: mail is off."""
        host = env.get("TRACKER_SMTP_HOST", "").strip()
        if not host:
            return None
        flag = env.get("TRACKER_SMTP_STARTTLS", "1").strip().lower()
        if flag not in _TRUE | _FALSE:
            raise MailConfigError(f"TRACKER_SMTP_STARTTLS must be 1 or 0, not {flag!r}")
        starttls = flag in _TRUE
        port_text = env.get("TRACKER_SMTP_PORT", "").strip() or ("587" if starttls else "25")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise MailConfigError(f"TRACKER_SMTP_PORT must be a port number, not {port_text!r}")
        sender = env.get("TRACKER_MAIL_FROM", "").strip()
        if not _ADDRESS.match(sender):
            raise MailConfigError("TRACKER_MAIL_FROM must be one e-mail address")
        recipients = tuple(
            a.strip() for a in env.get("TRACKER_MAIL_TO", "").split(",") if a.strip()
        )
        if not recipients or not all(_ADDRESS.match(a) for a in recipients):
            raise MailConfigError("TRACKER_MAIL_TO must be e-mail addresses, comma-separated")
        user = env.get("TRACKER_SMTP_USER") or None
        return cls(
            host=host,
            port=int(port_text),
            sender=sender,
            recipients=recipients,
            starttls=starttls,
            user=user,
            password=env.get("TRACKER_SMTP_PASSWORD") or None,
            cafile=env.get("TRACKER_SMTP_CAFILE") or None,
        )


def build_message(settings: MailSettings, digest: DigestResult) -> EmailMessage:
    """The digest as a multipart/alternative message (text, then HTML with the chart
    as a related image, the DATE.svg file; clients that show no SVG at all, Gmail and
    Outlook among them, show its alt text instead), files attached."""
    msg = EmailMessage()
    msg["Subject"] = f"{digest.title or digest.search}: {digest.summary}"[:250]
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[1])
    text_path = digest.files.get("text")
    text = text_path.read_text(encoding="utf-8") if text_path else digest.summary
    msg.set_content(text)
    html = digest.html_path.read_text(encoding="utf-8")
    chart = digest.files.get("svg")
    cid = make_msgid(domain="chart.offlabel-tracker")
    if chart:
        html = _CHART.sub(f'<img src="cid:{cid[1:-1]}" alt="Studies per year" width="640">', html)
    else:
        html = _CHART.sub("", html)
    msg.add_alternative(html, subtype="html")
    if chart:
        parts = cast(list[EmailMessage], msg.get_payload())  # [text, html]: alternatives
        html_part = parts[1]
        html_part.add_related(chart.read_bytes(), "image", "svg+xml", cid=cid, filename=chart.name)
    for key in ("ris", "bib", "trials_csv", "preprints_ris", "preprints_bib"):
        path = digest.files.get(key)
        if path:
            _attach(msg, path)
    return msg


def _attach(msg: EmailMessage, path: Path) -> None:
    kind = {".ris": "application/x-research-info-systems", ".bib": "application/x-bibtex"}.get(
        path.suffix
    ) or (mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    maintype, subtype = kind.split("/", 1)
    msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)


def send(settings: MailSettings, msg: EmailMessage) -> None:
    """Hand the message to the SMTP server; MailError (one line) when that fails."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=settings.cafile))
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(msg, from_addr=settings.sender, to_addrs=list(settings.recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP login as {settings.user} refused ({exc.smtp_code})") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"{settings.host}:{settings.port} does not offer STARTTLS "
            "(set TRACKER_SMTP_STARTTLS=0 only for a server on this machine)"
        ) from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise MailError(f"cannot send through {settings.host}:{settings.port}: {exc}") from None


def build_alert(
    settings: MailSettings, search: str, failures: int, error: str | None, last_good: str | None
) -> EmailMessage:
    """A short plain-text alert: `search` has failed `failures` runs in a row."""
    msg = EmailMessage()
    msg["Subject"] = f"tracker: {search} failed {failures} runs in a row"
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[1])
    msg.set_content(
        f"The saved search {search!r} has failed {failures} runs in a row.\n\n"
        f"Last error: {error or 'unknown'}\n"
        f"Last good run: {last_good or 'never'}\n\n"
        "Nothing is lost: the next good run starts where the last good one ended.\n"
        "`tracker status` shows the details; `tracker run -v` retries now with logging.\n"
    )
    return msg


@dataclass(frozen=True)
class Delivery:
    status: str  # "sent", "skipped-empty", "already-sent", "files-gone" (deliver_overdue)
    recipients: tuple[str, ...] = ()


def deliver_digest(
    db: Database,
    settings: MailSettings,
    digest: DigestResult,
    *,
    skip_empty: bool = False,
    resend: bool = False,
) -> Delivery:
    """Mail `digest` unless it is empty and `skip_empty`, or the same digest (same
    search, period and data) was mailed before and `resend` is not given. Records the
    sending in `digests.sent`. MailError when the server refuses."""
    if skip_empty and digest.empty:
        _settle(db, digest.digest_id)
        return Delivery("skipped-empty")
    period = digest.period_from
    if not resend and stored.already_sent(db, digest.search, period, digest.as_of_run):
        _settle(db, digest.digest_id)
        return Delivery("already-sent")
    send(settings, build_message(settings, digest))
    with store.write_transaction(db):
        stored.mark_sent(db, digest.digest_id, store.utc_now(), settings.recipients)
    return Delivery("sent", settings.recipients)


def _settle(db: Database, digest_id: int) -> None:
    with store.write_transaction(db):
        stored.settle_mail(db, digest_id)


@dataclass(frozen=True)
class LateDelivery:
    """An earlier digest whose mail failed (or whose run was killed before it), now sent."""

    digest: DigestResult
    delivery: Delivery


def deliver_overdue(
    db: Database, settings: MailSettings, search: str, before_id: int, *, skip_empty: bool
) -> Iterator[LateDelivery]:
    """Mail, oldest first, the digests of `search` (older than digest `before_id`) still
    due: a mailing run sends what an earlier one could not before its own digest, so a
    reader misses no week. MailError (one line) stops at the first refusal; what is not
    sent stays due. A digest whose files are gone is "files-gone" and no longer due."""
    for row in stored.mail_due(db, search, before_id):
        digest = _due_digest(row)
        if digest.html_path.is_file():
            delivery = deliver_digest(db, settings, digest, skip_empty=skip_empty)
        else:  # the reports folder was cleaned up meanwhile: nothing left to mail
            _settle(db, digest.digest_id)
            delivery = Delivery("files-gone")
        yield LateDelivery(digest, delivery)


def deliver_with_overdue(
    db: Database,
    settings: MailSettings,
    digest: DigestResult,
    late: list[LateDelivery],
    *,
    skip_empty: bool = False,
    resend: bool = False,
) -> Delivery:
    """What earlier digests of its search still owe first (deliver_overdue, each added to
    `late` as it goes, so a MailError part way keeps what was sent), then `digest`."""
    late.extend(
        deliver_overdue(db, settings, digest.search, digest.digest_id, skip_empty=skip_empty)
    )
    return deliver_digest(db, settings, digest, skip_empty=skip_empty, resend=resend)


def late_line(late: LateDelivery) -> str | None:
    """The line `tracker run` and `tracker digest` print for a late delivery."""
    day = late.digest.markdown_path.stem
    if late.delivery.status == "sent":
        recipients = ", ".join(late.delivery.recipients)
        return (
            f"  mail: sent the digest of {day}, which an earlier run left unsent, to {recipients}"
        )
    if late.delivery.status == "files-gone":
        return (
            f"  mail: the digest of {day}, which an earlier run left unsent, was not sent: "
            f"{late.digest.html_path} is gone"
        )
    return None  # empty with --no-empty, or mailed meanwhile: nothing to say


def late_json(late: LateDelivery) -> dict[str, Any]:
    return {"markdown": str(late.digest.markdown_path), "mail": late.delivery.status}


def _due_digest(row: Mapping[str, Any]) -> DigestResult:
    """The DigestResult a recorded digest's mail needs, from its row and `mail_due`."""
    due = json.loads(row["mail_due"])
    return DigestResult(
        search=row["search"],
        digest_id=row["id"],
        studies=due["studies"],
        markdown_path=Path(row["markdown_path"]),
        html_path=Path(row["html_path"]),
        changes=due["changes"],
        summary=due["summary"],
        kind=row["kind"] or "regular",
        period_from=row["period_from"],
        as_of_run=row["as_of_run"] or 0,
        files={k: Path(v) for k, v in due["files"].items() if Path(v).is_file()},
        title=due["title"],
    )
