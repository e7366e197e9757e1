"""Links between PubMed records and trials, both directions, in `trial_publications`.

origin "pubmed_databank": the record's DataBankList names the trial;
origin "pubmed_abstract": an NCT id is written in its abstract;
origin "ctgov_reference": the trial's referencesModule names the PMID (ref_type RESULT,
BACKGROUND or DERIVED as the registry gives it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database


def add_links(db: Database, links: Iterable[tuple[str, int, str, str | None]], now: str) -> None:
    """(nct_id, pmid, origin, ref_type) rows; an existing link is kept as it is."""
    write_link_rows(db, [(n, p, o, r, now) for n, p, o, r in links])


def write_link_rows(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """(nct_id, pmid, origin, ref_type, first_seen) rows, as store.rows.trial_link_values
    makes them for PubMed records; an existing link is kept as it is."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO trial_publications (nct_id, pmid, origin, ref_type, first_seen) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def publications_of_trials(db: Database, nct_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Per trial, the PubMed records linked to it that the database holds, results first."""
    out: dict[str, list[dict[str, Any]]] = {n: [] for n in nct_ids}
    if not nct_ids:
        return out
    marks = ",".join("?" * len(nct_ids))
    rows = db.query(
        "SELECT l.nct_id, l.pmid, GROUP_CONCAT(DISTINCT l.origin) AS origins, "
        "MAX(l.ref_type = 'RESULT') AS is_result, a.title, a.journal_abbrev, a.pub_year "
        f"FROM trial_publications l JOIN articles a ON a.pmid = l.pmid "
        f"WHERE l.nct_id IN ({marks}) GROUP BY l.nct_id, l.pmid "
        "ORDER BY is_result DESC, a.pub_year DESC, l.pmid",
        nct_ids,
    )
    for row in rows:
        out[row["nct_id"]].append(
            {
                "pmid": row["pmid"],
                "title": row["title"],
                "journal": row["journal_abbrev"],
                "year": row["pub_year"],
                "results_paper": bool(row["is_result"]),
                "origins": sorted((row["origins"] or "").split(",")),
            }
        )
    return out


def trials_of_articles(db: Database, pmids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {p: [] for p in pmids}
    if not pmids:
        return out
    marks = ",".join("?" * len(pmids))
    for pmid, nct in db.conn.execute(
        f"SELECT DISTINCT pmid, nct_id FROM trial_publications WHERE pmid IN ({marks}) "
        "ORDER BY nct_id",
        pmids,
    ):
        out[pmid].append(nct)
    return out
