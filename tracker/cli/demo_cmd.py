"""`tracker demo`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from tracker.cli.app import cli, emit_json, fail, settings
from tracker.ingest.sync import today_utc
from tracker.unattended.demo import run_demo


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo's database, saved search and reports "
    "(default: a new temporary folder).",
)
def demo(out: Path | None) -> None:
    """Run the weekly job offline on bundled sample PubMed records.

    A local E-utilities server on 127.0.0.1 serves real PubMed records (sample data,
    not about baclofen); two weekly runs and their digests are written to --out.

    \b
    Example:
      tracker demo --out /tmp/tracker-demo
    """
    folder = out or Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    result = run_demo(folder, today_utc())
    failed = [r.error for r in result.runs if r.status != "ok"]
    failed += [s.error for week in result.sources for s in week if s.status != "ok"]
    if failed:
        fail(f"demo run failed: {failed[0]}")
    if settings().as_json:
        emit_json(
            {
                "folder": str(folder),
                "runs": [
                    {
                        "new": r.new,
                        "count": r.count,
                        "window": [str(r.window.start), str(r.window.end)] if r.window else None,
                    }
                    for r in result.runs
                ],
                "digests": [str(d.markdown_path) for d in result.digests]
                + [str(d.html_path) for d in result.digests],
            }
        )
        return
    click.echo(
        "SAMPLE DATA: bundled real PubMed, ClinicalTrials.gov and Europe PMC records served "
        "from 127.0.0.1 (not about baclofen/RLS)."
    )
    for label, run, digest in zip(
        ("last week (backfill)", "this week"), result.runs, result.digests, strict=True
    ):
        click.echo(f"{label}: {run.count} in the search, {run.new} new → {digest.markdown_path}")
    for label, week in zip(("last week", "this week"), result.sources, strict=True):
        for source in week:
            click.echo(
                f"  {source.label} ({label}): {source.count} found, {source.new} new, "
                f"{source.updated} changed"
            )
    click.echo(f"HTML digest: {result.digests[-1].html_path}")
    click.echo(f"Database: {folder / 'tracker.db'}")
