"""Drug roles on search memberships, and the rules version of stored answers.

What tracker/ingest/rules.py reads to find stale answers (made by other rules, or
before the record was revised) and writes once it has recomputed them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from tracker.classify.relation import SearchBlock, drug_and_condition
from tracker.classify.role import drug_role_of_row

RoleValues = tuple[str | None, str | None, str | None, int | None]


@lru_cache(maxsize=64)
def _pair(term: str) -> tuple[SearchBlock, SearchBlock] | None:
    return drug_and_condition(term)


def role_values(term: str, row: Mapping[str, Any]) -> RoleValues:
    """(drug_role, reason, source, certain) for a study of the search with `term`;
    all None when the search is not a drug × condition pair."""
    pair = _pair(term)
    if pair is None:
        return (None, None, None, None)
    role = drug_role_of_row(pair, row)
    return (role.role, role.reason, role.source, int(role.certain))


def stale_tiers(db: Database, version: str) -> list[dict[str, Any]]:
    """Articles whose tier, participants and conclusion another version of the rules
    made (abstract_sections stays JSON text: tracker.classify.classify_row reads it)."""
    sql = (
        "SELECT pmid, title, abstract, abstract_sections, publication_types, mesh_terms, "
        "citation_status, evidence_tier, tier_provisional, participants, conclusion "
        "FROM articles "
        "WHERE rules_version IS NOT ? AND deleted IS NULL"
    )
    rows = [dict(r) for r in db.query(sql, [version])]
    for row in rows:
        for column in ("publication_types", "mesh_terms"):
            row[column] = json.loads(row[column] or "[]")
    return rows


def set_tiers(
    db: Database, updates: Iterable[tuple[str, int, int | None, str | None, str, int]]
) -> None:
    """(tier, provisional, participants, conclusion, rules_version, pmid) rows."""
    db.conn.executemany(
        "UPDATE articles SET evidence_tier = ?, tier_provisional = ?, participants = ?, "
        "conclusion = ?, rules_version = ? WHERE pmid = ?",
        list(updates),
    )


def stale_roles(db: Database, version: str) -> list[dict[str, Any]]:
    """Memberships whose role is missing, was made by other rules, or was set aside when
    PubMed revised the record (store.articles clears role_checked: MeSH may have arrived)."""
    sql = (
        "SELECT q.search, q.pmid, q.drug_role, q.drug_role_reason, q.drug_role_certain, "
        "s.term, a.title, a.abstract, a.mesh_headings FROM query_articles q "
        "JOIN articles a ON a.pmid = q.pmid JOIN searches s ON s.name = q.search "
        "WHERE a.deleted IS NULL AND (q.rules_version IS NOT ? OR q.role_checked IS NULL)"
    )
    rows = [dict(r) for r in db.query(sql, [version])]
    for row in rows:
        row["mesh_headings"] = json.loads(row["mesh_headings"] or "[]")
    return rows


def set_roles(db: Database, updates: Iterable[tuple[Any, ...]], checked: str, version: str) -> None:
    """(drug_role, reason, source, certain, search, pmid) rows, decided at `checked`."""
    db.conn.executemany(
        "UPDATE query_articles SET drug_role = ?, drug_role_reason = ?, drug_role_source = ?, "
        "drug_role_certain = ?, role_checked = ?, rules_version = ? "
        "WHERE search = ? AND pmid = ?",
        [(*u[:4], checked, version, *u[4:]) for u in updates],
    )


def reported_members(db: Database) -> set[tuple[str, int]]:
    """(search, pmid) of every study an earlier digest of its search listed."""
    rows = db.conn.execute(
        "SELECT q.search, q.pmid FROM query_articles q WHERE EXISTS (SELECT 1 FROM digests d "
        "WHERE d.search = q.search AND d.through_run >= q.first_run)"
    )
    return {(s, p) for s, p in rows}


def roles_by_pmid(db: Database, search: str) -> dict[int, dict[str, Any]]:
    """The drug role columns of a saved search's studies, by PMID."""
    rows = db.query(
        "SELECT pmid, drug_role, drug_role_reason, drug_role_source, drug_role_certain "
        "FROM query_articles WHERE search = ?",
        [search],
    )
    return {r["pmid"]: {k: v for k, v in r.items() if k != "pmid"} for r in rows}
