"""Preprints: upserts, membership per saved search, changes, and the digest's selects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from tracker.models import Preprint
from tracker.store.source_runs import Span
from tracker.store.sources_schema import PREPRINT_COLUMNS

_COLUMNS = list(PREPRINT_COLUMNS)
_UPSERT = (
    f"INSERT INTO preprints ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("id", "first_seen"))
)


def encode_preprint(p: Preprint, now: str) -> dict[str, Any]:
    link = p.published
    return {
        "id": p.id,
        "doi": p.doi,
        "server": p.server,
        "title": p.title,
        "authors": json.dumps(list(p.authors), ensure_ascii=False),
        "abstract": p.abstract,
        "first_publication_date": p.first_publication_date,
        "first_index_date": p.first_index_date,
        "date_of_creation": p.date_of_creation,
        "date_of_revision": p.date_of_revision,
        "version": p.version,
        "published_pmid": link.pmid if link else None,
        "link_reference": link.reference if link else None,
        "link_note": link.note if link else None,
        "link_confidence": link.confidence if link else None,
        "first_seen": now,
        "updated": now,
    }


def decode_preprint_row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["authors"] = json.loads(out.get("authors") or "[]")
    return out


def preprint_rows(db: Database, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT * FROM preprints WHERE id IN ({marks})", chunk):
            out[row["id"]] = decode_preprint_row(row)
    return out


def upsert_preprints(db: Database, preprints: Iterable[Preprint], now: str) -> None:
    rows = [encode_preprint(p, now) for p in preprints]
    db.conn.executemany(_UPSERT, [tuple(r[c] for c in _COLUMNS) for r in rows])


def member_preprints(db: Database, search: str) -> set[str]:
    rows = db.conn.execute("SELECT preprint_id FROM search_preprints WHERE search = ?", (search,))
    return {r[0] for r in rows}


def add_preprint_members(db: Database, search: str, ids: Iterable[str], run: int, now: str) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO search_preprints (search, preprint_id, first_run, first_seen) "
        "VALUES (?, ?, ?, ?)",
        [(search, i, run, now) for i in ids],
    )


def insert_preprint_change(
    db: Database, run: int, now: str, preprint_id: str, kind: str, old: object, new: object
) -> None:
    db.conn.execute(
        "INSERT INTO preprint_changes (preprint_id, source_run, detected, kind, old, new) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (preprint_id, run, now, kind, None if old is None else str(old),
         None if new is None else str(new)),
    )  # fmt: skip


def new_preprint_rows(db: Database, search: str, span: Span) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT p.*, s.first_seen AS search_first_seen, a.journal_abbrev AS published_journal, "
        "a.journal AS published_journal_title, a.title AS published_title "
        "FROM search_preprints s JOIN preprints p ON p.id = s.preprint_id "
        "LEFT JOIN articles a ON a.pmid = p.published_pmid "
        "WHERE s.search = ? AND s.first_run > ? AND s.first_run <= ? "
        "AND (? IS NULL OR s.first_seen >= ?) "
        "ORDER BY p.first_publication_date DESC, p.id",
        (search, span.after, span.through, span.since, span.since),
    )
    return [decode_preprint_row(r) for r in rows]


def preprint_change_rows(db: Database, search: str, span: Span) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT c.*, p.title, p.server, p.published_pmid, p.link_confidence, "
            "a.journal_abbrev AS published_journal FROM preprint_changes c "
            "JOIN search_preprints s ON s.preprint_id = c.preprint_id "
            "JOIN preprints p ON p.id = c.preprint_id "
            "LEFT JOIN articles a ON a.pmid = p.published_pmid "
            "WHERE s.search = ? AND c.source_run > ? AND c.source_run <= ? "
            "AND (? IS NULL OR c.detected >= ?) ORDER BY c.id",
            (search, span.after, span.through, span.since, span.since),
        )
    )


def feed_preprints(db: Database, search: str, limit: int) -> list[dict[str, Any]]:
    """The preprints a saved search holds, the ones it found most recently first (its feed)."""
    rows = db.query(
        "SELECT p.*, s.first_seen AS search_first_seen FROM search_preprints s "
        "JOIN preprints p ON p.id = s.preprint_id WHERE s.search = ? "
        "ORDER BY s.first_seen DESC, p.id LIMIT ?",
        (search, limit),
    )
    return [decode_preprint_row(r) for r in rows]
