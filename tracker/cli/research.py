"""The researchers' tools: search, show, add, find, stats, export, sql, serve."""

from __future__ import annotations

import csv
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from .. import store
from ..eutils import EutilsError, EutilsQueryError
from ..export import EXPORT_FORMATS, json_record, short_author, write_export
from ..find import FtsQuery, fts_query, plain_words
from ..models import Article, SavedSearch
from ..pairs import Concept, Pair, format_pair_term, pair_name
from ..queries import (
    DEFAULT_SCHEDULE,
    NAME_PATTERN,
    QueryError,
    read_saved_search,
    render_pair_search,
    render_saved_search,
    select_saved_searches,
    validate_crontab,
)
from ..sqlconsole import SqlFailed, SqlRefused, query_readonly
from ..store import queries_read
from ..sync import EFETCH_BATCH, SyncError, fetch_articles, today_utc
from .app import ProgressBar, UserError, cli, emit_json, eutils_client, fail, settings

NOT_CLASSIFIED = (
    "tiers not classified yet: this database has no evidence_tier column "
    "(a newer tracker classifies studies when it runs)"
)
_JSON = click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")


def _wants_json(local: bool) -> bool:
    return local or settings().as_json


def _existing_db() -> Database:
    """The database, which must exist already: reading tools never create an empty one."""
    path = settings().db_path
    if not path.is_file():
        raise UserError(
            f"{path}: no database yet; `tracker search TERM` or `tracker run` fills one "
            "(or set --db)"
        )
    try:
        return store.connect(path, check=False)
    except store.StoreError as exc:
        fail(str(exc))


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, int]]) -> None:
    """Aligned text columns: (key, heading, width); the last column takes the rest."""

    def cell(value: object, width: int) -> str:
        text = "" if value is None else " ".join(str(value).split())
        return text if len(text) <= width else text[: width - 1] + "…"

    widths = [w for _, _, w in columns]
    click.echo("  ".join(h.ljust(w) for (_, h, _), w in zip(columns, widths, strict=True)).rstrip())
    for row in rows:
        click.echo(
            "  ".join(
                cell(row.get(k), w).ljust(w) for (k, _, _), w in zip(columns, widths, strict=True)
            ).rstrip()
        )


_ARTICLE_COLUMNS = (
    ("pmid", "PMID", 9), ("pub_year", "YEAR", 4), ("journal_abbrev", "JOURNAL", 22),
    ("first_author", "FIRST AUTHOR", 16), ("title", "TITLE", 70),
)  # fmt: skip


def _check_new_search_name(name: str) -> Path:
    if not NAME_PATTERN.match(name):
        raise UserError(
            f"--save/--name {name!r}: use lower-case letters, digits, '-' or '_' "
            "(it becomes the file name and the report folder)"
        )
    folder = settings().queries
    path = folder / f"{name}.toml"
    if path.exists():
        raise UserError(f"{path} exists already; choose another name or edit that file")
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder of saved searches (set --queries)")
    return path


# -- search ----------------------------------------------------------------------------------


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
@_JSON
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
    save_path = _check_new_search_name(save_name) if save_name else None
    db = store.connect(settings().db_path)  # writes: create and migrate as a run does
    with eutils_client() as client:
        result = _esearch(client, term, since_day, max_results)
        articles = _fetch_and_store(db, client, list(result.ids))
    rows = _in_esearch_order(db, list(result.ids))
    if as_csv:
        write_export(rows, store.authors_by_pmid(db, [r["pmid"] for r in rows]), "csv", sys.stdout)
    elif _wants_json(as_json):
        authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
        emit_json(
            {
                "term": term,
                "since": since_day,
                "query_translation": result.query_translation,
                "count": result.count,
                "warnings": list(result.warnings),
                "stored": articles,
                "articles": [json_record(r, authors[r["pmid"]]) for r in rows],
            }
        )
    else:
        _print_search(result, since_day, rows, db)
    if save_path is not None:
        _save_search(save_path, term, title, since_day)


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
    try:
        with store.write_transaction(db):

            def save(batch: list[Article]) -> None:
                nonlocal stored
                store.upsert_articles(db, batch, now)
                stored += len(batch)

            fetch_articles(client, pmids, EFETCH_BATCH, save, bar)
    except (EutilsError, SyncError, store.StoreError, sqlite3.Error) as exc:
        fail(f"fetching the records failed, nothing was stored: {exc}")
    finally:
        bar.close()
    return stored


def _in_esearch_order(db: Database, pmids: list[int]) -> list[dict[str, Any]]:
    rows = {r["pmid"]: r for r in queries_read.article_rows(db, pmids=pmids)}
    return [rows[p] for p in pmids if p in rows]


def _print_search(result: Any, since: date | None, rows: list[dict], db: Database) -> None:
    click.echo(f"PubMed read it as: {result.query_translation or '(no translation given)'}")
    for warning in result.warnings:
        click.echo(f"warning: {warning} (PubMed left it out and searched the rest)")
    window = f" added since {since}" if since else ""
    click.echo(f"{result.count} records in PubMed{window}; showing {len(rows)}")
    if rows:
        click.echo()
        _table(_with_first_authors(db, rows), _ARTICLE_COLUMNS)


def _with_first_authors(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    return [
        {**r, "first_author": short_author(authors[r["pmid"]][0]) if authors[r["pmid"]] else ""}
        for r in rows
    ]


def _save_search(path: Path, term: str, title: str | None, since: date | None) -> None:
    search = SavedSearch(name=path.stem, term=term, title=title or path.stem, since=since)
    path.write_text(render_saved_search(search), encoding="utf-8")
    click.echo(f"saved as {path}; `tracker run {path.stem}` tracks it from now on", err=True)


# -- show, add -------------------------------------------------------------------------------


@cli.command()
@click.argument("name")
@_JSON
def show(name: str, as_json: bool) -> None:
    """Print a saved search and the PubMed term it sends (built from drug × condition).

    \b
    Example:
      tracker show baclofen-rls
    """
    try:
        [search] = select_saved_searches(settings().queries, [name])
        _, pair = read_saved_search(Path(str(search.path)))
    except QueryError as exc:
        raise UserError(str(exc)) from None
    if _wants_json(as_json):
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
    drug_mesh: tuple[str, ...],
    condition_mesh: tuple[str, ...],
    since: Any,
    schedule: str,
) -> None:
    """Write a new drug × condition saved search, queries/DRUG-CONDITION.toml.

    \b
    Example:
      tracker add Gabapentin "Burning Mouth Syndrome" --brand Neurontin --drug-synonym gabapentine
      tracker show gabapentin-burning-mouth-syndrome
    """
    path = _check_new_search_name(name or pair_name(drug, condition))
    pair = Pair(
        Concept.named(drug, drug_synonym, brand, drug_mesh or None),
        Concept.named(condition, condition_synonym, (), condition_mesh or None),
    )
    try:
        validate_crontab(schedule, "--schedule")
    except QueryError as exc:
        raise UserError(str(exc)) from None
    text = render_pair_search(
        title or f"{drug} for {condition}",
        pair,
        schedule=schedule,
        since=since.date() if since else None,
    )
    path.write_text(text, encoding="utf-8")
    try:
        search, _ = read_saved_search(path)  # the same checks as every later run
    except QueryError as exc:
        path.unlink()
        raise UserError(str(exc).replace(f"{path}: ", "")) from None
    click.echo(f"wrote {path}")
    click.echo(format_pair_term(pair))
    click.echo(f"track it from now on: tracker run {search.name}")


# -- find, stats -----------------------------------------------------------------------------


def _check_search(db: Database, name: str | None) -> None:
    if name is None or name in queries_read.known_searches(db):
        return
    if (settings().queries / f"{name}.toml").is_file():
        raise UserError(f"saved search {name} has not run yet: `tracker run {name}` first")
    known = ", ".join(queries_read.known_searches(db)) or "none has run yet"
    raise UserError(f"no saved search named {name} in the database (known: {known})")


def _check_tier(db: Database, tier: str | None) -> None:
    if tier is None:
        return
    if not queries_read.tiers_available(db):
        raise UserError(f"--tier: {NOT_CLASSIFIED}")
    tiers = queries_read.stored_tiers(db)
    if tier not in tiers:
        raise UserError(f"--tier {tier}: no stored study has it (stored: {', '.join(tiers)})")


def _find_rows(db: Database, query: FtsQuery, **filters: Any) -> tuple[FtsQuery, list[dict]]:
    try:
        return query, queries_read.find_articles(db, query.expression, **filters)
    except sqlite3.OperationalError:
        # tracker.find writes expressions FTS5 accepts; should one still be refused,
        # search the words rather than fail.
        fallback = plain_words(query.expression)
        return fallback, queries_read.find_articles(db, fallback.expression, **filters)


@cli.command()
@click.argument("text")
@click.option("--search", "search_name", help="Only the articles of this saved search.")
@click.option("--since", "since_year", type=int, help="Only articles published in or after YEAR.")
@click.option("--tier", help="Only articles of this evidence tier.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@_JSON
def find(
    text: str,
    search_name: str | None,
    since_year: int | None,
    tier: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Full-text search of the stored titles and abstracts, best matches first.

    PubMed-like input works: "quoted phrases", AND / OR / NOT, word*, (parentheses),
    [ti] or [ab] for one column. Words are stemmed: leg also finds legs.

    \b
    Example:
      tracker find '"restless legs" AND (baclofen OR gabapentin*)' --since 2010
    """
    db = _existing_db()
    _check_search(db, search_name)
    _check_tier(db, tier)
    query = fts_query(text)
    if not query.expression:
        raise UserError(f"nothing to search for in {text!r}: give a word or a phrase")
    query, rows = _find_rows(
        db, query, search=search_name, since_year=since_year, tier=tier, limit=limit
    )
    if _wants_json(as_json):
        emit_json({"text": text, "fts_query": query.expression, "notes": list(query.notes),
                   "articles": rows})  # fmt: skip
        return
    for note in query.notes:
        click.echo(f"note: {note}", err=True)
    if not rows:
        click.echo(f"no stored article matches {text!r}")
        return
    for number, row in enumerate(rows, 1):
        flags = " [RETRACTED]" if row["retracted"] else ""
        tier_text = f" [{row['evidence_tier']}]" if row.get("evidence_tier") else ""
        click.echo(f"{number:>3}. {row['pmid']}  {row['pub_year'] or '----'}  "
                   f"{row['journal_abbrev'] or ''}{tier_text}{flags}")  # fmt: skip
        click.echo(f"     {row['title']}")
        click.echo(f"     {' '.join(str(row['snippet'] or '').split())}")


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw studies per year into this PNG file.",
)
@_JSON
def stats(name: str | None, plot: Path | None, as_json: bool) -> None:
    """Counts of a saved search's articles (or of everything stored) by year, evidence
    tier and journal.

    \b
    Example:
      tracker stats baclofen-rls --plot baclofen-rls-years.png
    """
    db = _existing_db()
    _check_search(db, name)
    data = queries_read.collection_stats(db, search=name)
    if plot is not None:
        _plot_years(data, plot)
    if _wants_json(as_json):
        emit_json({**data, "tiers": "classified" if data["by_tier"] is not None
                   else NOT_CLASSIFIED, "plot": str(plot) if plot else None})  # fmt: skip
        return
    label = name or "everything stored"
    click.echo(f"{label}: {data['articles']} articles, {data['retracted']} retracted")
    click.echo("\nby year:")
    for item in data["by_year"]:
        click.echo(f"  {item['year'] or 'unknown':>7}  {item['articles']:>5}")
    click.echo("\nby evidence tier:")
    if data["by_tier"] is None:
        click.echo(f"  {NOT_CLASSIFIED}")
    for item in data["by_tier"] or ():
        click.echo(f"  {item['tier'] or 'unclassified':<28}  {item['articles']:>5}")
    click.echo("\nby journal (most first):")
    for item in data["by_journal"]:
        click.echo(f"  {item['articles']:>5}  {item['journal'] or 'unknown'}")
    if plot is not None:
        click.echo(f"\nplot: {plot}")


def _plot_years(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: cron, servers, CI
    from matplotlib import pyplot as plt

    years = [(i["year"], i["articles"]) for i in data["by_year"] if i["year"] is not None]
    fig, ax = plt.subplots(figsize=(8, 3.5), dpi=120)
    try:
        ax.bar([y for y, _ in years], [n for _, n in years], color="#3b6ea5")
        ax.set_xlabel("publication year")
        ax.set_ylabel("studies")
        ax.set_title(f"Studies per year: {data['search'] or 'everything stored'}")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        fig.savefig(path, format="png")
    except OSError as exc:
        raise UserError(f"--plot {path}: cannot write: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)


# -- export, sql, serve ----------------------------------------------------------------------


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="ris", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File [default: stdout]."
)
def export(name: str | None, fmt: str, out: Path | None) -> None:
    """Write a saved search's articles (or everything stored) for a reference manager
    (RIS: Zotero, EndNote, Mendeley; BibTeX), a spreadsheet (CSV) or code (JSON, JSONL).

    \b
    Example:
      tracker export baclofen-rls --format ris --out baclofen-rls.ris
      tracker export --format csv > everything.csv
    """
    db = _existing_db()
    _check_search(db, name)
    rows = queries_read.article_rows(db, search=name)
    authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    if out is None:
        write_export(rows, authors, fmt, sys.stdout)
        return
    try:
        with out.open("w", encoding="utf-8", newline="") as fh:
            write_export(rows, authors, fmt, fh)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"{len(rows)} articles → {out} ({fmt})", err=True)


@cli.command()
@click.argument("query")
@click.option("--max-rows", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds before a query is stopped.")  # fmt: skip
@_JSON
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout.")
def sql(query: str, max_rows: int, timeout: float, as_json: bool, as_csv: bool) -> None:
    """Run one read-only SQL statement on the database. Writes, ATTACH, schema changes
    and PRAGMAs that set something are refused.

    \b
    Example:
      tracker sql "SELECT pub_year, COUNT(*) FROM articles GROUP BY 1 ORDER BY 1"
    """
    try:
        result = query_readonly(settings().db_path, query, max_rows=max_rows, time_limit=timeout)
    except (SqlRefused, SqlFailed) as exc:
        raise UserError(str(exc)) from None
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif _wants_json(as_json):
        emit_json([dict(zip(result.columns, row, strict=True)) for row in result.rows])
    else:
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        width = max(8, min(60, 110 // max(1, len(result.columns))))
        _table(rows, [(c, c, max(len(c), width)) for c in result.columns])
    if result.truncated:
        click.echo(f"tracker: note: only the first {max_rows} rows (see --max-rows)", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--metadata", "metadata_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the Datasette metadata to this file and exit.")  # fmt: skip
def serve(host: str, port: int, metadata_out: Path | None) -> None:
    """Browse the database in Datasette: described tables, facets by year, tier and
    journal, and canned queries (new this month, by tier, retracted). Needs the web
    extra: pip install 'offlabel-tracker[web]'.

    \b
    Example:
      tracker serve              # then open http://127.0.0.1:8001/
    """
    from ..serve import ServeError, build_metadata, run_datasette

    db = _existing_db()
    metadata = build_metadata(db, settings().db_path)
    db.close()
    if metadata_out is not None:
        import json

        metadata_out.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        click.echo(f"metadata → {metadata_out}", err=True)
        return
    try:
        run_datasette(settings().db_path, metadata, host=host, port=port)
    except ServeError as exc:
        raise UserError(str(exc)) from None
