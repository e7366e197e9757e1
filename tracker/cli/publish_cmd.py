"""`tracker publish`: put a written digest into a Hugo or Jekyll site."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from tracker.cli.app import UserError, cli, emit_json, settings
from tracker.publish.hugo import HugoOptions, publish_hugo
from tracker.publish.jekyll import JekyllOptions, publish_jekyll
from tracker.publish.source import PublishError, WrittenDigest, find_digest


@cli.command()
@click.argument("name")
@click.option(
    "--to",
    "site",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The site's folder (where config.toml or _config.yml is).",
)
@click.option("--site", "kind", required=True, type=click.Choice(["hugo", "jekyll"]))
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publish the digest of this day (YYYY-MM-DD) instead of the latest.",
)
@click.option(
    "--section",
    help="Hugo: the content section (default: posts). Jekyll: the post's category.",
)
@click.option("--layout", help="Front matter layout (Jekyll default: post).")
@click.option(
    "--follow-up",
    is_flag=True,
    help="Also write a draft starter post: the new evidence in a few cited sentences.",
)
def publish(
    name: str,
    site: Path,
    kind: str,
    day: datetime | None,
    section: str | None,
    layout: str | None,
    follow_up: bool,
) -> None:
    """Put the latest digest of NAME (or the one of --date) into a Hugo or Jekyll site:
    a Hugo page bundle, or a Jekyll post with its files under assets/.

    \b
    Example:
      tracker publish baclofen-rls --to ~/blog --site hugo
      tracker publish baclofen-rls --to ~/blog --site jekyll --date 2026-11-23 --follow-up
    """
    if not site.is_dir():
        raise UserError(f"--to {site}: no such folder (the site must exist already)")
    if section is not None and ("/" in section or section in ("", ".", "..")):
        raise UserError(f"--section {section!r}: a single name (a folder under content/)")
    digest = _find_digest(name, day)
    written = _write_post(digest, site, kind, section, layout, follow_up)
    _report(name, digest, written)


def _find_digest(name: str, day: datetime | None) -> WrittenDigest:
    try:
        return find_digest(settings().reports, name, day.date() if day else None)
    except PublishError as exc:
        raise UserError(str(exc)) from None


def _write_post(
    digest: WrittenDigest,
    site: Path,
    kind: str,
    section: str | None,
    layout: str | None,
    follow_up: bool,
) -> list[Path]:
    try:
        if kind == "hugo":
            hugo = HugoOptions(section=section or "posts", layout=layout, follow_up=follow_up)
            return publish_hugo(digest, site, hugo)
        jekyll = JekyllOptions(layout=layout or "post", category=section, follow_up=follow_up)
        return publish_jekyll(digest, site, jekyll)
    except PublishError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write into {site}: {exc.strerror or exc}") from None


def _report(name: str, digest: WrittenDigest, written: list[Path]) -> None:
    if settings().as_json:
        emit_json(
            {
                "search": name,
                "digest": str(digest.markdown),
                "draft": digest.draft,
                "files": [str(p) for p in written],
            }
        )
        return
    state = " (a draft: nothing new, the site will not build it)" if digest.draft else ""
    click.echo(f"{name}: {digest.markdown} → {written[0]}{state}")
    for path in written[1:]:
        click.echo(f"  {path}")
