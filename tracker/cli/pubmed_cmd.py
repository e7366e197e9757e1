"""Researchers' commands that ask PubMed: search, show, add."""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from tracker import store
from tracker.cli.app import (
    Locked,
    ProgressBar,
    UserError,
    cli,
    emit_json,
    eutils_client,
    fail,
    settings,
)
from tracker.cli.database import check_db_path, no_database
from tracker.cli.research_common import (
    ARTICLE_COLUMNS,
    JSON_OPTION,
    check_new_search_name,
    print_table,
    wants_json,
)
from tracker.digest.export import json_record, write_export
from tracker.digest.render import short_author
from tracker.errors import TrackerError
from tracker.ingest.sync import EFETCH_BATCH, fetch_articles, today_utc
from tracker.models import Article, SavedSearch
from tracker.ncbi.client import EutilsError, EutilsQueryError
from tracker.searches.pairs import Concept, Pair, format_pair_term, pair_name
from tracker.searches.saved import (
    DEFAULT_SCHEDULE,
    QueryError,
    read_saved_search,
    render_pair_search,
    render_saved_search,
    select_saved_searches,
    validate_crontab,
)
from tracker.store import reads
from tracker.unattended.lock import LockHeld, database_lock


@cli.command()
@click.argument("term")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Only records added to PubMed (Create Date) on or after this day, YYYY-MM-DD.",
)
@click.option(
    "--max",
    "max_results",
    type=click.IntRange(0, 9999),
    default=20,
    show_default=True,
    help="How many records to fetch, store and list (the count is always the full one).",
)
@click.option("--save", "save_name", help="Also write queries/NAME.toml with this term.")
@click.option("--title", help="Title of the saved search written by --save.")
@JSON_OPTION
@click.option("--csv", "as_csv", is_flag=True, help="The records as CSV on stdout.")
def search(
    term: str,
    since: Any,
    max_results: int,
    save_name: str | None,
    title: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Search PubMed now: how PubMed read TERM, its count, and the newest records.

    The records are stored in the database (for find, stats, export), without joining
    any saved search. When the count differs from the PubMed website, the query
    translation shows why (automatic term mapping, an ignored phrase, a date filter).

    \b
    Example:
      tracker search 'baclofen AND "restless legs"' --max 50
      tracker search 'baclofen[tiab] AND dystonia[tiab]' --since 2020-01-01 --save baclofen-dystonia
    """
    since_day = since.date() if since else None
    save_path = check_new_search_name(save_name) if save_name else None
    db, result, articles, unstored = _search_and_store(term, since_day, max_results)
    if save_path is not None:
        _save_search_locked(save_path, term, title, since_day, locked=unstored is None)
    rows = _in_esearch_order(db, list(result.ids))
    if as_csv:
        write_export(rows, store.authors_by_pmid(db, [r["pmid"] for r in rows]), "csv", sys.stdout)
    elif wants_json(as_json):
        stored = articles if unstored is None else 0  # fetched, not kept
        emit_json(_search_json(db, term, since_day, result, stored, rows))
    else:
        _print_search(result, since_day, rows, db)
    if save_path is not None:
        click.echo(f"saved as {save_path}; `tracker run {save_path.stem}` tracks it from now on",
                   err=True)  # fmt: skip
    if unstored is not None:
        click.echo(f"tracker: note: records not stored: {unstored}", err=True)


def _search_and_store(
    term: str, since: date | None, max_results: int
) -> tuple[Database, Any, int, str | None]:
    """Search and store the records, under the database lock like every writer. Only
    run, sync, import and demo create a database: without one, the records go into a
    scratch database in memory, are shown, and the last value says why none was kept."""
    path = settings().db_path
    if not path.exists():
        check_db_path(path, create=True)  # a folder in its place is still one clear line
        db = store.connect(":memory:")
        with eutils_client() as client:
            result = _esearch(client, term, since, max_results)
            return db, result, _fetch_and_store(db, client, list(result.ids)), no_database(path)
    check_db_path(path, create=True)  # before the lock file goes beside it: SQLite or nothing
    try:
        with database_lock(path):
            db = store.connect(path)
            with eutils_client() as client:
                result = _esearch(client, term, since, max_results)
                return db, result, _fetch_and_store(db, client, list(result.ids)), None
    except LockHeld as exc:
        raise Locked(str(exc)) from None


def _save_search_locked(
    path: Path, term: str, title: str | None, since: date | None, *, locked: bool
) -> None:
    """Under the database lock where there is a database: a run never reads a
    half-written saved search (without one, no lock file is left beside a missing file)."""
    if not locked:
        _save_search(path, term, title, since)
        return
    try:
        with database_lock(settings().db_path):
            _save_search(path, term, title, since)
    except LockHeld as exc:
        raise Locked(str(exc)) from None


def _search_json(
    db: Database,
    term: str,
    since: date | None,
    result: Any,
    stored: int,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    return {
        "term": term,
        "since": since,
        "query_translation": result.query_translation,
        "count": result.count,
        "warnings": list(result.warnings),
        "stored": stored,
        "articles": [json_record(r, authors[r["pmid"]]) for r in rows],
    }


def _esearch(client: Any, term: str, since: date | None, retmax: int) -> Any:
    window = {}
    if since is not None:
        window = {
            "datetype": "crdt",
            "mindate": since.strftime("%Y/%m/%d"),
            "maxdate": today_utc().strftime("%Y/%m/%d"),
        }
    try:
        return client.esearch(term, retmax=retmax, **window)
    except EutilsQueryError as exc:
        raise UserError(str(exc)) from None
    except EutilsError as exc:
        fail(f"PubMed search failed: {exc}")


def _fetch_and_store(db: Database, client: Any, pmids: list[int]) -> int:
    stored = 0
    bar = ProgressBar("efetch")
    now = store.utc_now()

    def save(batch: list[Article]) -> None:
        # One short transaction per batch, after its efetch: no network inside one.
        nonlocal stored
        with store.write_transaction(db):
            store.upsert_articles(db, batch, now)
        stored += len(batch)

    try:
        fetch_articles(client, pmids, EFETCH_BATCH, save, bar)
    except (TrackerError, sqlite3.Error) as exc:
        kept = f"the {stored} fetched before were stored" if stored else "nothing was stored"
        fail(f"fetching the records failed, {kept}: {exc}")
    finally:
        bar.close()
    return stored


def _in_esearch_order(db: Database, pmids: list[int]) -> list[dict[str, Any]]:
    rows = {r["pmid"]: r for r in reads.article_rows(db, pmids=pmids)}
    return [rows[p] for p in pmids if p in rows]


def _print_search(result: Any, since: date | None, rows: list[dict], db: Database) -> None:
    click.echo(f"PubMed read it as: {result.query_translation or '(no translation given)'}")
    for warning in result.warnings:
        click.echo(f"warning: {warning} (PubMed left it out and searched the rest)")
    window = f" added since {since}" if since else ""
    click.echo(f"{result.count} records in PubMed{window}; showing {len(rows)}")
    if rows:
        click.echo()
        print_table(_with_first_authors(db, rows), ARTICLE_COLUMNS)


def _with_first_authors(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    return [
        {**r, "first_author": short_author(authors[r["pmid"]][0]) if authors[r["pmid"]] else ""}
        for r in rows
    ]


def _save_search(path: Path, term: str, title: str | None, since: date | None) -> None:
    search = SavedSearch(name=path.stem, term=term, title=title or path.stem, since=since)
    write_new_file(path, render_saved_search(search))


# -- show, add -------------------------------------------------------------------------------


@cli.command()
@click.argument("name")
@JSON_OPTION
def show(name: str, as_json: bool) -> None:
    """Print a saved search and the PubMed term it sends (built from drug × condition).

    \b
    Example:
      tracker show baclofen-rls
    """
    [search] = select_saved_searches(settings().queries, [name])
    _, pair = read_saved_search(Path(str(search.path)))
    if wants_json(as_json):
        emit_json(
            {
                "name": search.name, "title": search.title, "path": search.path,
                "schedule": search.schedule, "since": search.since, "term": search.term,
                "pair": None if pair is None else asdict(pair),
            }
        )  # fmt: skip
        return
    click.echo(f"{search.name}: {search.title}  ({search.path})")
    click.echo(f"schedule {search.schedule}; since {search.since or 'the beginning'}")
    if pair is not None:
        for label, concept in (("drug", pair.drug), ("condition", pair.condition)):
            click.echo(f"{label}: {concept.name}; MeSH: {', '.join(concept.mesh) or 'none'}")
        click.echo("\nPubMed term:")
        click.echo(format_pair_term(pair))
    else:
        click.echo(f"\nPubMed term:\n{search.term}")


@cli.command()
@click.argument("drug")
@click.argument("condition")
@click.option("--name", help="Saved search name [default: DRUG-CONDITION].")
@click.option("--title", help="Title [default: 'DRUG for CONDITION'].")
@click.option("--drug-synonym", multiple=True, help="Another name of the drug (repeatable).")
@click.option("--brand", multiple=True, help="A brand name of the drug (repeatable).")
@click.option("--condition-synonym", multiple=True, help="Another name (repeatable).")
@click.option("--drug-title-only", multiple=True, metavar="WORD",
              help="A word searched in titles only, [ti] (repeatable).")  # fmt: skip
@click.option("--condition-title-only", multiple=True, metavar="WORD",
              help="A word searched in titles only, [ti]: an abbreviation such as RLS, "
              "ambiguous in abstracts (repeatable).")  # fmt: skip
@click.option("--drug-mesh", multiple=True, help="MeSH heading(s) [default: DRUG].")
@click.option("--condition-mesh", multiple=True, help="MeSH heading(s) [default: CONDITION].")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First backfill starts here.")
@click.option("--schedule", default=DEFAULT_SCHEDULE, show_default=True, help="Crontab.")
def add(
    drug: str,
    condition: str,
    name: str | None,
    title: str | None,
    drug_synonym: tuple[str, ...],
    brand: tuple[str, ...],
    condition_synonym: tuple[str, ...],
    drug_title_only: tuple[str, ...],
    condition_title_only: tuple[str, ...],
    drug_mesh: tuple[str, ...],
    condition_mesh: tuple[str, ...],
    since: Any,
    schedule: str,
) -> None:
    """Write a new drug × condition saved search, queries/DRUG-CONDITION.toml.

    \b
    Example:
      tracker add Gabapentin "Burning Mouth Syndrome" --brand Neurontin --drug-synonym gabapentine
      tracker add Baclofen "Restless Legs Syndrome" --condition-title-only RLS
      tracker show gabapentin-burning-mouth-syndrome
    """
    path = check_new_search_name(name or pair_name(drug, condition))
    pair = Pair(
        Concept.named(drug, drug_synonym, brand, drug_mesh or None, drug_title_only),
        Concept.named(
            condition, condition_synonym, (), condition_mesh or None, condition_title_only
        ),
    )
    validate_crontab(schedule, "--schedule")
    text = render_pair_search(
        title or f"{drug} for {condition}",
        pair,
        schedule=schedule,
        since=since.date() if since else None,
    )
    _write_locked(path, text)
    search = _read_back(path)
    click.echo(f"wrote {path}")
    click.echo(format_pair_term(pair))
    click.echo(f"track it from now on: tracker run {search.name}")


def _write_locked(path: Path, text: str) -> None:
    try:  # under the database lock: a run never reads a half-written saved search
        with database_lock(settings().db_path):
            write_new_file(path, text)
    except LockHeld as exc:
        raise Locked(str(exc)) from None


def _read_back(path: Path) -> SavedSearch:
    try:
        search, _ = read_saved_search(path)  # the same checks as every later run
    except QueryError as exc:
        path.unlink()
        raise UserError(str(exc).replace(f"{path}: ", "")) from None
    return search


# -- find, stats -----------------------------------------------------------------------------


def write_new_file(path: Path, text: str) -> None:
    """Write beside `path` and link it into place: a reader sees the whole file or none,
    and a file that appeared meanwhile is never overwritten."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise UserError(f"{path} exists already; choose another name or edit that file") from None
    finally:
        tmp.unlink(missing_ok=True)
