"""Choosing what a digest reports, and writing it to reports/NAME/DATE.{md,html}.

A digest covers the studies a saved search first found in the runs after the one the
previous digest went up to, through the latest good run. Recording `through_run` in
`digests` is what makes "never report one twice" hold across crashes and re-runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from . import store
from .models import SavedSearch
from .render import conclusion_excerpt, environment, short_authors

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


class DigestError(RuntimeError):
    """A digest that cannot be written; the message says why in one line."""


@dataclass(frozen=True)
class DigestResult:
    search: str
    digest_id: int
    studies: int
    markdown_path: Path
    html_path: Path


def study_view(row: dict[str, Any], authors: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything a template shows of one study, from its stored row."""
    row = store.decode_article_row(row)
    doi = row.get("doi")
    return {
        "pmid": row["pmid"],
        "title": row["title"],
        "authors": short_authors(authors),
        "journal": row.get("journal_abbrev") or row.get("journal") or "",
        "date": row.get("pub_date_text") or row.get("pub_date") or "",
        "publication_types": [t for t in row["publication_types"] if t != "Journal Article"],
        "pubmed_url": PUBMED_URL.format(pmid=row["pmid"]),
        "doi": doi,
        "doi_url": "https://doi.org/" + quote(doi, safe="/:;") if doi else None,
        "conclusion": conclusion_excerpt(row["abstract_sections"], row.get("abstract")),
        "retracted": bool(row.get("retracted")),
    }


def write_digest(
    db: Database,
    search: SavedSearch,
    reports: Path,
    *,
    today: date,
    sample_data: bool = False,
    template_dir: Path | None = None,
) -> DigestResult:
    """Write the digest of what is new for `search` and record it in `digests`."""
    after = store.last_digest_through(db, search.name)
    through = max(store.last_good_run_id(db, search.name), after)
    rows = store.new_article_rows(db, search.name, after, through)
    authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    previous = store.last_digest_date(db, search.name)
    context = {
        "title": search.title,
        "search": search.name,
        "term": search.term,
        "date": today.isoformat(),
        "previous": previous,
        "studies": [study_view(r, authors[r["pmid"]]) for r in rows],
        "sample_data": sample_data,
    }
    env = environment(template_dir)
    folder = reports / search.name
    md_path, html_path = _free_paths(folder, today)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(md_path, env.get_template("digest.md.j2").render(context))
        _write_atomically(html_path, env.get_template("digest.html.j2").render(context))
    except OSError as exc:
        raise DigestError(f"cannot write the digest into {folder}: {exc.strerror or exc}") from None
    with store.write_transaction(db):
        digest_id = store.insert_digest(
            db,
            {
                "search": search.name,
                "created": store.utc_now(),
                "after_run": after,
                "through_run": through,
                "articles": len(rows),
                "markdown_path": str(md_path),
                "html_path": str(html_path),
            },
        )
    return DigestResult(search.name, digest_id, len(rows), md_path, html_path)


def _free_paths(folder: Path, today: date) -> tuple[Path, Path]:
    """DATE.md, or DATE-2.md, DATE-3.md… when a digest was already written that day."""
    stem = today.isoformat()
    n = 1
    while (folder / f"{stem}.md").exists() or (folder / f"{stem}.html").exists():
        n += 1
        stem = f"{today.isoformat()}-{n}"
    return folder / f"{stem}.md", folder / f"{stem}.html"


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a digest."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
