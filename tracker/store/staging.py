"""A run's checkpoints: efetch batches staged between fetching and the final commit.

No network is used inside a write transaction: each batch is committed here, in its own
short transaction, as soon as it is parsed; the run's final transaction then moves the
staged rows into `articles` with the membership, the run record and the watermark, so
the data a reader sees still changes all at once. A run that fails or is killed
leaves its staged batches, and the next run of the search fetches only the PMIDs not
staged yet: it resumes exactly where the last checkpoint ended.

Batches are the encoded rows store.write_articles writes (plain str/int/None), as
zlib-compressed JSON: about 4 KB per record.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from tracker.models import Article
from tracker.store.bulk import bulk_articles
from tracker.store.rows import EncodedArticles, encode_articles


def stage_articles(db: Database, search: str, articles: list[Article], now: str) -> None:
    """Stage one parsed batch (inside the caller's short write transaction)."""
    encoded = encode_articles(articles, now)
    data = json.dumps(
        {"rows": encoded.rows, "authors": encoded.authors, "links": encoded.trial_links}
    ).encode()
    db.conn.execute(
        "INSERT INTO sync_staging (search, pmids, batch) VALUES (?, ?, ?)",
        (search, json.dumps([row[0] for row in encoded.rows]), zlib.compress(data, 1)),
    )


def staged_pmids(db: Database, search: str) -> set[int]:
    found: set[int] = set()
    for (pmids,) in db.conn.execute("SELECT pmids FROM sync_staging WHERE search = ?", (search,)):
        found.update(json.loads(pmids))
    return found


def _batches(db: Database, search: str) -> Iterator[EncodedArticles]:
    ids = [i for (i,) in db.conn.execute(
        "SELECT id FROM sync_staging WHERE search = ? ORDER BY id", (search,))]  # fmt: skip
    for staged_id in ids:  # one batch in memory at a time
        (blob,) = db.conn.execute(
            "SELECT batch FROM sync_staging WHERE id = ?", (staged_id,)
        ).fetchone()
        data = json.loads(zlib.decompress(blob))
        rows = [tuple(r) for r in data["rows"]]
        authors = [tuple(a) for a in data["authors"]]
        # A batch staged by a tracker before trial links were staged has none: its
        # records are linked when PubMed next revises them.
        links = [tuple(link) for link in data.get("links", [])]
        yield EncodedArticles(rows, authors, len(rows), links)


def commit_staged(db: Database, search: str, wanted: Iterable[int]) -> set[int]:
    """Write the staged rows of `wanted` PMIDs into `articles` (inside the run's final
    transaction); the PMIDs written or already current."""
    wanted = set(wanted)
    done: set[int] = set()
    # The full-text index in bulk, as `tracker import` builds it: about half the time
    # of the row triggers, and this is the time another writer waits.
    with bulk_articles(db) as writer:
        for batch in _batches(db, search):
            keep = [r for r in batch.rows if r[0] in wanted and r[0] not in done]
            pmids = {r[0] for r in keep}
            authors = [a for a in batch.authors if a[0] in pmids]
            links = [link for link in batch.trial_links if link[1] in pmids]
            writer.write(EncodedArticles(keep, authors, len(keep), links))
            done |= pmids
    return done


def clear_staged(db: Database, search: str) -> None:
    db.conn.execute("DELETE FROM sync_staging WHERE search = ?", (search,))
