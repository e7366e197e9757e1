"""The weekly job and its parts: run, sync, digest, import, status."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from .. import store
from ..digest import DigestError, DigestResult, write_digest
from ..importer import ImportFileError, import_file
from ..models import RunResult, SavedSearch
from ..pubmed import PubmedParseError
from ..queries import select_saved_searches
from ..sync import SyncOptions, run_search, today_utc
from .app import (
    EXIT_RUN_FAILED,
    ProgressBar,
    cli,
    emit_json,
    eutils_client,
    fail,
    open_db,
    settings,
    user_errors,
)


def _searches(names: tuple[str, ...]) -> list[SavedSearch]:
    with user_errors():
        return select_saved_searches(settings().queries, names)


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


def _run_json(result: RunResult, digest: DigestResult | None = None) -> dict[str, Any]:
    data = asdict(result)
    data.pop("extra", None)
    if digest is not None:
        data["digest"] = {
            "studies": digest.studies,
            "markdown": str(digest.markdown_path),
            "html": str(digest.html_path),
        }
    return data


def sync_searches(searches: list[SavedSearch], options: SyncOptions, with_digest: bool) -> int:
    """Sync (and digest) each saved search; one failing search does not stop the others."""
    db = open_db()
    failures = 0
    report: list[dict[str, Any]] = []
    with eutils_client() as client:
        for search in searches:
            bar = ProgressBar(f"{search.name}: efetch")
            result = run_search(db, client, search, options=options, progress=bar)
            bar.close()
            digest = None
            if result.status == "ok" and with_digest:
                digest = _digest_or_none(db, search)
                failures += digest is None
            failures += result.status != "ok"
            report.append(_run_json(result, digest))
            if not settings().as_json:
                click.echo(_run_line(result))
                if digest:
                    click.echo(f"  digest: {digest.markdown_path} ({digest.studies} new)")
    if settings().as_json:
        emit_json(report)
    return EXIT_RUN_FAILED if failures else 0


def _digest_or_none(db: Any, search: SavedSearch) -> DigestResult | None:
    try:
        return write_digest(db, search, settings().reports, today=today_utc())
    except (DigestError, store.StoreError) as exc:
        click.echo(f"{search.name}: digest FAILED: {exc}", err=True)
        return None


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--all", "full", is_flag=True, help="Ignore the watermark: search from `since` again.")
@click.pass_context
def run(ctx: click.Context, names: tuple[str, ...], full: bool) -> None:
    """Sync each saved search (all by default) and write its digest: the main job.

    \b
    Example:
      tracker run                 # every saved search in ./queries
      tracker run baclofen-rls    # just one
    """
    ctx.exit(sync_searches(_searches(names), SyncOptions(full=full), with_digest=True))


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--all", "full", is_flag=True, help="Ignore the watermark: search from `since` again.")
@click.pass_context
def sync(ctx: click.Context, names: tuple[str, ...], full: bool) -> None:
    """Fetch what is new in PubMed for each saved search, without writing a digest.

    \b
    Example:
      tracker sync baclofen-rls
    """
    ctx.exit(sync_searches(_searches(names), SyncOptions(full=full), with_digest=False))


@cli.command()
@click.argument("names", nargs=-1)
def digest(names: tuple[str, ...]) -> None:
    """Write the digest of studies first seen since each saved search's last digest.

    \b
    Example:
      tracker digest baclofen-rls
    """
    db = open_db()
    results = []
    for search in _searches(names):
        try:
            result = write_digest(db, search, settings().reports, today=today_utc())
        except (DigestError, store.StoreError) as exc:
            fail(f"{search.name}: {exc}")
        results.append(result)
        if not settings().as_json:
            click.echo(f"{search.name}: {result.studies} new → {result.markdown_path}, {result.html_path}")
    if settings().as_json:
        emit_json([{**asdict(r), "markdown_path": str(r.markdown_path), "html_path": str(r.html_path)} for r in results])


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_(files: tuple[Path, ...]) -> None:
    """Load PubMed XML (.xml, .xml.gz: efetch, baseline, update files) or MEDLINE text
    (.txt, .nbib) into the database. Each file is stored whole or not at all.

    \b
    Example:
      tracker import pubmed25n0001.xml.gz export.nbib
    """
    db = open_db()
    done = []
    for path in files:
        bar = ProgressBar(path.name)
        try:
            result = import_file(db, path, progress=lambda n, bar=bar: bar(n, 0))
        except (ImportFileError, PubmedParseError) as exc:
            fail(str(exc))
        except store.StoreError as exc:
            fail(f"{path}: {exc}")
        finally:
            bar.close()
        done.append(result)
        if not settings().as_json:
            click.echo(f"{path}: {result.articles} records stored, {result.deleted} marked deleted")
    if settings().as_json:
        emit_json([{"path": str(r.path), "articles": r.articles, "deleted": r.deleted} for r in done])


@cli.command()
@click.argument("names", nargs=-1)
def status(names: tuple[str, ...]) -> None:
    """Per saved search: last good run, articles held, last error.

    \b
    Example:
      tracker status --json
    """
    db = open_db(check=False)
    rows = [store.search_status(db, s.name) for s in _searches(names)]
    if settings().as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['search']}: last good run {row['last_good_run'] or 'never'}, "
            f"synced until {row['synced_until'] or '-'}, {row['articles']} articles"
            + (f", {row['pending_fetch']} pending fetch" if row["pending_fetch"] else "")
            + (f", {row['consecutive_failures']} failed since: {row['last_error']}"
               if row["consecutive_failures"] else "")
        )
