"""Researchers' commands over the collection: find, stats, export, sql, serve."""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from tracker import store
from tracker.classify import tier_label, tier_rank
from tracker.classify.role import ROLES
from tracker.cli.app import UserError, cli, emit_json, settings
from tracker.cli.database import check_db_path
from tracker.cli.research_common import (
    JSON_OPTION,
    NOT_CLASSIFIED,
    existing_db,
    print_table,
    wants_json,
)
from tracker.digest.chart import write_chart_svg
from tracker.digest.export import EXPORT_FORMATS, csv_safe, write_export
from tracker.research.find import FtsQuery, fts_query, plain_words
from tracker.research.sqlconsole import query_readonly
from tracker.store import reads


def _check_search(db: Database, name: str | None) -> None:
    if name is None or name in reads.known_searches(db):
        return
    if (settings().queries / f"{name}.toml").is_file():
        raise UserError(f"saved search {name} has not run yet: `tracker run {name}` first")
    known = ", ".join(reads.known_searches(db)) or "none has run yet"
    raise UserError(f"no saved search named {name} in the database (known: {known})")


def _check_tier(db: Database, tier: str | None) -> None:
    if tier is None:
        return
    if not reads.tiers_available(db):
        raise UserError(f"--tier: {NOT_CLASSIFIED}")
    tiers = reads.stored_tiers(db)
    if tier not in tiers:
        raise UserError(f"--tier {tier}: no stored study has it (stored: {', '.join(tiers)})")


def _find_rows(db: Database, query: FtsQuery, **filters: Any) -> tuple[FtsQuery, list[dict]]:
    read = reads.articles_without if query.excluded else reads.find_articles
    try:
        return query, read(db, query.expression, **filters)
    except sqlite3.OperationalError:
        # tracker.research.find writes expressions FTS5 accepts; should one still be refused,
        # search the words rather than fail.
        fallback = plain_words(query.expression)
        return fallback, reads.find_articles(db, fallback.expression, **filters)


@cli.command()
@click.argument("text")
@click.option("--search", "search_name", help="Only the articles of this saved search.")
@click.option("--since", "since_year", type=int, help="Only articles published in or after YEAR.")
@click.option("--tier", help="Only articles of this evidence tier.")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    help="Only studies with this drug role (in the --search, or in any saved search).",
)
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@JSON_OPTION
def find(
    text: str,
    search_name: str | None,
    since_year: int | None,
    tier: str | None,
    role: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Full-text search of the stored titles and abstracts, best matches first.

    PubMed-like input works: "quoted phrases", AND / OR / NOT, word*, (parentheses),
    [ti] or [ab] for one column. Words are stemmed: leg also finds legs.

    \b
    Example:
      tracker find '"restless legs" AND (baclofen OR gabapentin*)' --since 2010
      tracker find baclofen --search baclofen-rls --role harm
    """
    db = existing_db()
    _check_search(db, search_name)
    _check_tier(db, tier)
    query = fts_query(text)
    if not query.expression:
        raise UserError(f"nothing to search for in {text!r}: give a word or a phrase")
    query, rows = _find_rows(
        db, query, search=search_name, since_year=since_year, tier=tier, limit=limit, role=role
    )
    if wants_json(as_json):
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
        if row.get("drug_role"):
            tier_text += f" [drug role: {row['drug_role']}: {row['drug_role_reason']}]"
        click.echo(f"{number:>3}. {row['pmid']}  {row['pub_year'] or '----'}  "
                   f"{row['journal_abbrev'] or ''}{tier_text}{flags}")  # fmt: skip
        click.echo(f"     {row['title']}")
        if row["snippet"]:
            click.echo(f"     {' '.join(str(row['snippet']).split())}")


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw studies per year into this SVG file.",
)
@JSON_OPTION
def stats(name: str | None, plot: Path | None, as_json: bool) -> None:
    """Counts of a saved search's articles (or of everything stored) by year, evidence
    tier and journal.

    \b
    Example:
      tracker stats baclofen-rls --plot baclofen-rls-years.svg
    """
    db = existing_db()
    _check_search(db, name)
    data = reads.collection_stats(db, search=name)
    if plot is not None:
        _plot_years(data, plot)
    if wants_json(as_json):
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
    for item in sorted(data["by_tier"] or (), key=lambda i: tier_rank(i["tier"])):
        label = tier_label(item["tier"]) if item["tier"] else "unclassified"
        click.echo(f"  {label:<40}  {item['articles']:>5}")
    click.echo("\nby journal (most first):")
    for item in data["by_journal"]:
        click.echo(f"  {item['articles']:>5}  {item['journal'] or 'unknown'}")
    if plot is not None:
        click.echo(f"\nplot: {plot}")


def _plot_years(data: dict[str, Any], path: Path) -> None:
    """The digest's chart (tracker/digest/chart.py), with the search's name as its title."""
    years = {i["year"]: i["articles"] for i in data["by_year"] if i["year"] is not None}
    title = f"Studies per year: {data['search'] or 'everything stored'}"
    try:
        if not write_chart_svg(years, path, title=title):
            path.write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
                ' width="0" height="0"/>\n', encoding="utf-8")  # fmt: skip
    except OSError as exc:
        raise UserError(f"--plot {path}: cannot write: {exc.strerror or exc}") from None


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
    db = existing_db()
    _check_search(db, name)
    rows = reads.article_rows(db, search=name)
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
@JSON_OPTION
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout.")
def sql(query: str, max_rows: int, timeout: float, as_json: bool, as_csv: bool) -> None:
    """Run one read-only SQL statement on the database. Writes, ATTACH, schema changes
    and PRAGMAs that set something are refused.

    \b
    Example:
      tracker sql "SELECT pub_year, COUNT(*) FROM articles GROUP BY 1 ORDER BY 1"
    """
    check_db_path(settings().db_path, create=False)
    result = query_readonly(settings().db_path, query, max_rows=max_rows, time_limit=timeout)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([csv_safe(v) for v in row] for row in result.rows)  # as export does
    elif wants_json(as_json):
        emit_json([dict(zip(result.columns, row, strict=True)) for row in result.rows])
    else:
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        print_table(rows, [(c, c, _sql_width(c, rows)) for c in result.columns])
    if result.truncated:
        click.echo(f"tracker: note: only the first {max_rows} rows (see --max-rows)", err=True)


def _sql_width(column: str, rows: list[dict[str, Any]]) -> int:
    """As wide as the column's widest value (at most 60), not a fixed share of the line."""
    values = (len(" ".join(str(r[column]).split())) for r in rows if r[column] is not None)
    return max(len(column), min(60, max(values, default=0)))


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
    from tracker.research.serve import build_metadata, run_datasette

    db = existing_db()
    metadata = build_metadata(db, settings().db_path)
    db.close()
    if metadata_out is not None:
        import json

        metadata_out.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        click.echo(f"metadata → {metadata_out}", err=True)
        return
    run_datasette(settings().db_path, metadata, host=host, port=port)
