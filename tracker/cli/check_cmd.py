"""`tracker check`: validate saved searches, locally and against PubMed, without storing.

The TOML is validated when it is loaded (unknown key, wrong type, empty term, bad
crontab). Then each term is sent to esearch with retmax=0: PubMed answers an unknown
field tag with `FieldNotFound` and silently ignores that part of the query (NCBI-NOTES
A9), so a typo such as `[tiabb]` would quietly broaden the search for ever. Such a
saved search is refused; a `PhraseNotFound` is shown as a warning.
"""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.app import UserError, cli, emit_json, eutils_client, fail, settings
from tracker.cli.run_cmd import _searches
from tracker.ncbi.client import EutilsQueryError, EutilsUnavailable


@cli.command()
@click.argument("names", nargs=-1)
def check(names: tuple[str, ...]) -> None:
    """Validate saved searches (all by default): the file, then the term at PubMed.

    Nothing is stored. Exit 2 when a saved search is refused (a bad key, an empty term,
    a bad crontab, a field tag PubMed does not know), 1 when PubMed cannot be reached.

    \b
    Example:
      tracker check baclofen-rls
    """
    searches = _searches(names)
    rows: list[dict[str, Any]] = []
    refused: list[str] = []
    with eutils_client() as client:
        for search in searches:
            try:
                result = client.esearch(search.term, retmax=0)
            except EutilsQueryError as exc:
                refused.append(f"{search.path or search.name}: PubMed refuses the term: {exc}")
                rows.append({"search": search.name, "ok": False, "error": str(exc)})
                continue
            except EutilsUnavailable as exc:
                fail(f"{search.name}: cannot check the term: {exc}")
            rows.append(
                {
                    "search": search.name,
                    "ok": True,
                    "count": result.count,
                    "query_translation": result.query_translation,
                    "warnings": list(result.warnings),
                }
            )
    if settings().as_json:
        emit_json(rows)
    else:
        for row in rows:
            if row["ok"]:
                click.echo(f"{row['search']}: ok, {row['count']} records in PubMed")
                click.echo(f"  PubMed reads it as: {row['query_translation']}")
                for warning in row["warnings"]:
                    click.echo(f"  warning: {warning}")
    if refused:
        raise UserError("; ".join(refused))
