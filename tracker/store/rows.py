"""Article → row values for `articles` and `authors`: the import hot path.

Rows are plain tuples in column order, ready for executemany with one prepared
statement (tracker/store/articles.py). No SQLite here, and nothing that imports
sqlite-utils (which loads pandas, ~55 MB): `tracker import` runs this module in its
parse worker processes (tracker/ingest/import_worker.py), where every megabyte counts.

JSON columns are written by one reused encoder (json.dumps would build a new
JSONEncoder per call for ensure_ascii=False) from dicts built by hand
(dataclasses.asdict deep-copies every field and cost a quarter of an import).
The output is byte-for-byte what json.dumps(asdict(...), ensure_ascii=False) wrote;
tests/test_store_encode.py holds the two side by side.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.classify import classify_article
from tracker.classify.version import RULES_VERSION
from tracker.models import Article, Author

_encode = json.JSONEncoder(ensure_ascii=False).encode
_quote = json.encoder.encode_basestring  # the C string quoter json.dumps uses
_EMPTY = "[]"


def json_list(values: Iterable[Any]) -> str:
    """A JSON array of plain values (str, int, None), as json.dumps writes it.

    Lists of strings (nearly all of them) are joined here: JSONEncoder.encode builds
    a new C encoder on every call, which cost more than the quoting.
    """
    values = list(values)
    if not values:
        return _EMPTY
    if all(type(v) is str for v in values):
        return "[" + ", ".join(map(_quote, values)) + "]"
    return _encode(values)


def article_values(article: Article, now: str) -> tuple[Any, ...]:
    """The `articles` row, in schema.ARTICLE_COLUMNS order (first_seen = updated = now)."""
    a = article
    languages = a.languages
    mesh = a.mesh_headings
    return (
        a.pmid,
        a.version,
        a.record_type,
        a.title,
        a.vernacular_title,
        a.abstract,
        _encode([
            {"text": s.text, "label": s.label, "nlm_category": s.nlm_category}
            for s in a.abstract_sections
        ]) if a.abstract_sections else _EMPTY,
        a.journal,
        a.journal_abbrev,
        a.issn,
        a.volume,
        a.issue,
        a.pages,
        a.pub_year,
        a.pub_date,
        a.pub_date_text,
        a.create_date,
        a.entry_date,
        a.revised_date,
        a.completed_date,
        a.doi,
        a.pmcid,
        a.pii,
        languages[0] if languages else None,
        json_list(languages),
        json_list(a.publication_types),
        json_list(h.descriptor for h in mesh),
        _encode([
            {"descriptor": h.descriptor, "ui": h.ui, "major": h.major,
             "qualifiers": list(h.qualifiers)}
            for h in mesh
        ]) if mesh else _EMPTY,
        json_list(a.keywords),
        json_list(a.chemicals),
        _encode([
            {"ref_type": c.ref_type, "pmid": c.pmid, "source": c.source}
            for c in a.comments_corrections
        ]) if a.comments_corrections else _EMPTY,
        a.publication_status,
        a.citation_status,
        json_list(a.history_statuses),
        int(a.retracted),
        now,  # first_seen: kept on conflict, see articles._UPSERT_ARTICLE
        now,  # updated
        None,  # deleted
    )  # fmt: skip


def author_values(pmid: int, author: Author) -> tuple[Any, ...]:
    """The `authors` row, in store.articles.AUTHOR_COLUMNS order."""
    affiliations = author.affiliations
    return (
        pmid,
        author.position,
        author.last_name,
        author.fore_name,
        author.initials,
        author.suffix,
        author.collective_name,
        affiliations[0] if affiliations else None,
        json_list(affiliations),
        author.orcid,
        int(author.equal_contrib),
    )


def classified_values(article: Article) -> tuple[str, int, int | None, str, str | None]:
    """store.schema.TIER_COLUMNS, RULES_COLUMNS and CONCLUSION_COLUMNS for an Article:
    evidence tier, provisional flag, participants, the rules version, the conclusion."""
    c = classify_article(article)
    return (c.tier, int(c.provisional), c.participants, RULES_VERSION, c.conclusion)


@dataclass(frozen=True)
class EncodedArticles:
    """A batch of articles as rows: what store.write_articles writes in one go.

    Plain tuples of str/int/None, so a batch pickles cheaply from a worker process.
    """

    # ARTICLE_COLUMNS + TIER_COLUMNS + RULES_COLUMNS + CONCLUSION_COLUMNS, one per PMID
    rows: list[tuple[Any, ...]]
    authors: list[tuple[Any, ...]]  # every author of those rows
    records: int  # records read, a PMID seen twice counted twice (as `tracker import` reports)
    # `trial_publications` rows for the trials those records name (trial_link_values)
    trial_links: list[tuple[Any, ...]] = field(default_factory=list)


def encode_articles(articles: Sequence[Article], now: str) -> EncodedArticles:
    """Rows for a batch, one per PMID (the latest version), classified: tier,
    participants and conclusion."""
    latest = latest_versions(articles)
    return EncodedArticles(
        rows=[article_values(a, now) + classified_values(a) for a in latest],
        authors=[author_values(a.pmid, au) for a in latest for au in a.authors],
        records=len(articles),
        trial_links=[link for a in latest for link in trial_link_values(a, now)],
    )


def trial_link_values(article: Article, now: str) -> list[tuple[str, int, str, None, str]]:
    """`trial_publications` rows (nct_id, pmid, origin, ref_type, first_seen) for the
    trials a record names: in its DataBankList ("pubmed_databank") and as NCT ids written
    in its abstract ("pubmed_abstract"). tracker/store/links.py reads them."""
    return [
        (nct, article.pmid, "pubmed_databank", None, now) for nct in article.registered_trials
    ] + [(nct, article.pmid, "pubmed_abstract", None, now) for nct in article.abstract_trial_ids]


def latest_versions(articles: Sequence[Article]) -> list[Article]:
    """One Article per PMID: the highest version, the later one on a tie.

    Update files can carry a PMID twice (pubmed_sample.xml has PMID 31383287 as
    Version 1 and Version 2); the row keeps the newest.
    """
    latest: dict[int, Article] = {}
    for article in articles:
        kept = latest.get(article.pmid)
        if kept is None or article.version >= kept.version:
            latest[article.pmid] = article
    return list(latest.values())
