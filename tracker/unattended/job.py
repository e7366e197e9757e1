"""The weekly job for one saved search — sync, then digest, then mail it when mail is
configured — and its one log line.

`tracker run`, `tracker run --due` and `tracker schedule` all go through here, so a
run looks the same in the logs however it was started.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from tracker import store
from tracker.digest.mail import (
    Delivery,
    LateDelivery,
    MailError,
    MailSettings,
    build_alert,
    deliver_with_overdue,
    send,
)
from tracker.digest.write import DigestError, DigestOptions, DigestResult, write_digest
from tracker.ingest.source_run import SourceResult
from tracker.ingest.sources import SourceClients, sync_sources
from tracker.ingest.sync import Progress, StopCheck, SyncOptions, run_search, today_utc
from tracker.models import RunResult, SavedSearch, is_stopped
from tracker.ncbi.client import EutilsClient

log = logging.getLogger("tracker.unattended.job")


@dataclass(frozen=True)
class JobOutcome:
    run: RunResult
    digest: DigestResult | None
    digest_error: str | None
    seconds: float
    delivery: Delivery | None = None
    mail_error: str | None = None
    sources: tuple[SourceResult, ...] = ()  # ClinicalTrials.gov, Europe PMC
    late: tuple[LateDelivery, ...] = ()  # earlier digests whose mail was still due

    @property
    def ok(self) -> bool:
        return (
            self.run.status == "ok"
            and all(s.status == "ok" for s in self.sources)
            and self.digest_error is None
            and self.mail_error is None
        )


@dataclass(frozen=True)
class MailOptions:
    settings: MailSettings
    skip_empty: bool = False  # do not mail a digest with nothing new and no changes
    alert_after: int | None = None  # mail an alert when a search fails this many runs in a row


def run_job(
    db: Database,
    client: EutilsClient,
    search: SavedSearch,
    reports: Path | None,
    *,
    options: SyncOptions | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
    today: date | None = None,
    digest_options: DigestOptions | None = None,
    mail: MailOptions | None = None,
    sources: SourceClients | None = None,
) -> JobOutcome:
    """Sync `search` (PubMed, then the other sources when `sources` is given), then
    (when `reports` is given and a source succeeded) digest it, then (when `mail` is
    given) mail the digest. A failing source never stops the others or the digest."""
    began = time.monotonic()
    run = run_search(
        db,
        client,
        search,
        options=options or SyncOptions(),
        progress=progress,
        should_stop=should_stop,
        today=today,
    )
    others: tuple[SourceResult, ...] = ()
    if sources is not None:
        full = bool(options and options.full)
        others = sync_sources(db, sources, search, today or today_utc(), full=full)
    digest = None
    digest_error = None
    any_ok = run.status == "ok" or any(s.status == "ok" for s in others)
    if any_ok and reports is not None:
        recorded = replace(digest_options or DigestOptions(), mail=mail is not None)
        try:
            digest = write_digest(db, search, reports, today=today or today_utc(), options=recorded)
        except (DigestError, store.StoreError) as exc:
            digest_error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one line, and the next search still runs
            log.debug("%s: digest failed", search.name, exc_info=True)
            digest_error = f"unexpected {type(exc).__name__}: {str(exc)[:300]}"
    delivery, mail_error = None, None
    late: tuple[LateDelivery, ...] = ()
    if digest is not None and mail is not None:
        delivery, mail_error, late = _mail_digest(db, mail, digest)
    if run.status != "ok" and not is_stopped(run.error) and mail is not None and mail.alert_after:
        mail_error = _alert_if_due(db, mail, search.name, run.error)
    outcome = JobOutcome(
        run, digest, digest_error, time.monotonic() - began, delivery, mail_error, others, late
    )
    log_outcome(outcome)
    return outcome


def _mail_digest(
    db: Database, mail: MailOptions, digest: DigestResult
) -> tuple[Delivery | None, str | None, tuple[LateDelivery, ...]]:
    """Mail what an earlier run could not (oldest first: a reader misses no week), then
    this digest; a refusal stops there, and what is not sent stays due for the next run."""
    late: list[LateDelivery] = []
    try:
        delivery = deliver_with_overdue(db, mail.settings, digest, late, skip_empty=mail.skip_empty)
    except (MailError, store.StoreError) as exc:
        return None, f"mail: {exc}", tuple(late)
    return delivery, None, tuple(late)


def _alert_if_due(db: Database, mail: MailOptions, search: str, error: str | None) -> str | None:
    """Mail once per streak of failures: when the count reaches `alert_after` exactly."""
    status = store.search_status(db, search)
    if mail.alert_after is None or status["consecutive_failures"] != mail.alert_after:
        return None
    try:
        send(mail.settings, build_alert(mail.settings, search, mail.alert_after, error,
                                        status["last_good_run"]))  # fmt: skip
    except MailError as exc:
        return f"alert mail: {exc}"
    log.warning("search=%s alert mailed after %d failed runs", search, mail.alert_after)
    return None


def log_outcome(outcome: JobOutcome) -> None:
    """One line per run, with the same fields as structured `extra` for JSON logs."""
    run = outcome.run
    fields = {
        "search": run.search,
        "window": f"{run.window.start}..{run.window.end}" if run.window else None,
        "count": run.count,
        "new": run.new,
        "changed": run.updated,
        "missing": len(run.missing),
        "seconds": round(outcome.seconds, 2),
        "outcome": "ok" if outcome.ok else "failed",
        "error": run.error or outcome.digest_error or outcome.mail_error,
        "failed_sources": ",".join(s.source for s in outcome.sources if s.status != "ok") or None,
        "digest": str(outcome.digest.markdown_path) if outcome.digest else None,
        "mail": outcome.delivery.status if outcome.delivery else None,
    }
    text = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
    log.log(logging.INFO if outcome.ok else logging.ERROR, "run %s", text, extra={"run": fields})
