"""tracker/store/rows.py: the fast row encoder writes exactly what the plain one did."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from helpers import efetch_files

from tracker.models import AbstractSection, Article, Author, CommentCorrection, MeshHeading
from tracker.pubmed import open_pubmed_file
from tracker.store.articles import article_row
from tracker.store.rows import author_values
from tracker.store.schema import ARTICLE_COLUMNS

SAMPLES = Path(__file__).parent / "data" / "pubmed-samples"
NOW = "2025-01-06T06:00:00Z"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def reference_row(article: Article, now: str) -> dict[str, object]:
    """The row as the store wrote it before the fast encoder (json.dumps of asdict)."""
    return {
        "pmid": article.pmid, "version": article.version, "record_type": article.record_type,
        "title": article.title, "vernacular_title": article.vernacular_title,
        "abstract": article.abstract,
        "abstract_sections": _json([asdict(s) for s in article.abstract_sections]),
        "journal": article.journal, "journal_abbrev": article.journal_abbrev,
        "issn": article.issn, "volume": article.volume, "issue": article.issue,
        "pages": article.pages, "pub_year": article.pub_year, "pub_date": article.pub_date,
        "pub_date_text": article.pub_date_text, "create_date": article.create_date,
        "entry_date": article.entry_date, "revised_date": article.revised_date,
        "completed_date": article.completed_date, "doi": article.doi,
        "pmcid": article.pmcid, "pii": article.pii,
        "language": article.languages[0] if article.languages else None,
        "languages": _json(list(article.languages)),
        "publication_types": _json(list(article.publication_types)),
        "mesh_terms": _json(list(article.mesh_terms)),
        "mesh_headings": _json([asdict(h) for h in article.mesh_headings]),
        "keywords": _json(list(article.keywords)),
        "chemicals": _json(list(article.chemicals)),
        "comments_corrections": _json([asdict(c) for c in article.comments_corrections]),
        "publication_status": article.publication_status,
        "citation_status": article.citation_status,
        "history_statuses": _json(list(article.history_statuses)),
        "retracted": int(article.retracted), "first_seen": now, "updated": now, "deleted": None,
    }  # fmt: skip


def reference_author(pmid: int, author: Author) -> tuple[object, ...]:
    return (
        pmid, author.position, author.last_name, author.fore_name, author.initials,
        author.suffix, author.collective_name,
        author.affiliations[0] if author.affiliations else None,
        _json(list(author.affiliations)), author.orcid, int(author.equal_contrib),
    )  # fmt: skip


def _sample_articles() -> list[Article]:
    files = efetch_files() + sorted((SAMPLES / "baseline").glob("*"))
    return [a for f in files for a in open_pubmed_file(f) if isinstance(a, Article)]


SAMPLE_ARTICLES = _sample_articles()


def test_every_real_sample_record_encodes_as_before() -> None:
    assert len(SAMPLE_ARTICLES) > 300
    for article in SAMPLE_ARTICLES:
        assert article_row(article, NOW) == reference_row(article, NOW), article.pmid
        for author in article.authors:
            assert author_values(article.pmid, author) == reference_author(article.pmid, author)


def test_row_follows_the_schema_column_order() -> None:
    assert list(article_row(SAMPLE_ARTICLES[0], NOW)) == list(ARTICLE_COLUMNS)


@pytest.mark.parametrize(
    "article",
    [
        # Crafted: every JSON column filled, with non-ASCII text, None and quotes.
        Article(
            pmid=1,
            title='Ça "marche" — 漢字',
            abstract_sections=(AbstractSection("résumé", "BACKGROUND", None),),
            languages=("fre", "eng"),
            publication_types=("Retracted Publication",),
            mesh_headings=(MeshHeading("Baclofen", "D001418", True, ("therapeutic use",)),),
            keywords=("ü",),
            chemicals=("x",),
            comments_corrections=(CommentCorrection("RetractionIn", None, "J. ‘x’"),),
            history_statuses=("retracted",),
            authors=(Author(1, "Ø", affiliations=("a", "b"), equal_contrib=True),),
        ),
        Article(pmid=2, title=""),  # crafted: every optional field empty
    ],
)
def test_crafted_edge_values_encode_as_before(article: Article) -> None:
    assert article_row(article, NOW) == reference_row(article, NOW)
    assert [author_values(article.pmid, a) for a in article.authors] == [
        reference_author(article.pmid, a) for a in article.authors
    ]
