"""Trials: upserts, membership per saved search, changes, and the digest's selects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from tracker.models import Trial
from tracker.store.source_runs import Span
from tracker.store.sources_schema import TRIAL_COLUMNS

_JSON_COLUMNS = ("phases", "conditions", "interventions")


def encode_trial(trial: Trial, now: str) -> dict[str, Any]:
    return {
        "nct_id": trial.nct_id,
        "brief_title": trial.brief_title,
        "official_title": trial.official_title,
        "overall_status": trial.overall_status,
        "last_known_status": trial.last_known_status,
        "why_stopped": trial.why_stopped,
        "phases": json.dumps(list(trial.phases)),
        "study_type": trial.study_type,
        "enrollment": trial.enrollment,
        "enrollment_type": trial.enrollment_type,
        "start_date": trial.start_date,
        "primary_completion_date": trial.primary_completion_date,
        "completion_date": trial.completion_date,
        "first_posted": trial.first_posted,
        "last_update_posted": trial.last_update_posted,
        "results_first_posted": trial.results_first_posted,
        "has_results": int(trial.has_results),
        "conditions": json.dumps(list(trial.conditions), ensure_ascii=False),
        "interventions": json.dumps(
            [
                {"name": i.name, "type": i.type, "other_names": list(i.other_names)}
                for i in trial.interventions
            ],
            ensure_ascii=False,
        ),  # fmt: skip
        "lead_sponsor": trial.lead_sponsor,
        "url": trial.url,
        "first_seen": now,
        "updated": now,
    }


def decode_trial_row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in _JSON_COLUMNS:
        out[column] = json.loads(out.get(column) or "[]")
    out["has_results"] = bool(out.get("has_results"))
    return out


def trial_rows(db: Database, nct_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Stored trials by NCT id (decoded)."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(nct_ids), 500):
        chunk = list(nct_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT * FROM trials WHERE nct_id IN ({marks})", chunk):
            out[row["nct_id"]] = decode_trial_row(row)
    return out


_COLUMNS = list(TRIAL_COLUMNS)
_UPSERT = (
    f"INSERT INTO trials ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(nct_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("nct_id", "first_seen"))
)


def upsert_trials(db: Database, trials: Iterable[Trial], now: str) -> None:
    rows = [encode_trial(t, now) for t in trials]
    db.conn.executemany(_UPSERT, [tuple(r[c] for c in _COLUMNS) for r in rows])


def member_trials(db: Database, search: str) -> set[str]:
    rows = db.conn.execute("SELECT nct_id FROM search_trials WHERE search = ?", (search,))
    return {r[0] for r in rows}


def add_trial_members(db: Database, search: str, ids: Iterable[str], run: int, now: str) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO search_trials (search, nct_id, first_run, first_seen) "
        "VALUES (?, ?, ?, ?)",
        [(search, i, run, now) for i in ids],
    )


def insert_trial_changes(db: Database, run: int, now: str, changes: Iterable[Any]) -> int:
    """tracker.ingest.trial_changes.TrialChange items noticed by source run `run`."""
    cur = db.conn.executemany(
        "INSERT INTO trial_changes (nct_id, source_run, detected, kind, field, old, new) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(c.nct_id, run, now, c.kind, c.field, c.old, c.new) for c in changes],
    )
    return cur.rowcount


def new_trial_rows(db: Database, search: str, span: Span) -> list[dict[str, Any]]:
    """Trials this saved search first held in the span's source runs."""
    rows = db.query(
        "SELECT t.*, s.first_seen AS search_first_seen FROM search_trials s "
        "JOIN trials t ON t.nct_id = s.nct_id WHERE s.search = ? "
        "AND s.first_run > ? AND s.first_run <= ? AND (? IS NULL OR s.first_seen >= ?) "
        "ORDER BY t.last_update_posted DESC, t.nct_id",
        (search, span.after, span.through, span.since, span.since),
    )
    return [decode_trial_row(r) for r in rows]


def trial_change_rows(db: Database, search: str, span: Span) -> list[dict[str, Any]]:
    """Changes, noticed by the span's source runs, to trials this saved search holds."""
    return list(
        db.query(
            "SELECT c.* FROM trial_changes c JOIN search_trials s ON s.nct_id = c.nct_id "
            "WHERE s.search = ? AND c.source_run > ? AND c.source_run <= ? "
            "AND (? IS NULL OR c.detected >= ?) ORDER BY c.id",
            (search, span.after, span.through, span.since, span.since),
        )
    )


def feed_trials(db: Database, search: str, limit: int) -> list[dict[str, Any]]:
    """The trials a saved search holds, the ones it found most recently first (its feed)."""
    rows = db.query(
        "SELECT t.*, s.first_seen AS search_first_seen FROM search_trials s "
        "JOIN trials t ON t.nct_id = s.nct_id WHERE s.search = ? "
        "ORDER BY s.first_seen DESC, t.nct_id LIMIT ?",
        (search, limit),
    )
    return [decode_trial_row(r) for r in rows]
