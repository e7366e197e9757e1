"""Opening the SQLite file, and the one write transaction a run gets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from tracker import __version__
from tracker.errors import RunFailure
from tracker.store.schema import apply_migrations, migrations

BUSY_TIMEOUT_SECONDS = 30.0


class StoreError(RunFailure, RuntimeError):
    """The database cannot be used; the message says what to do."""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(
    path: Path | str, *, check: bool = True, busy_timeout: float = BUSY_TIMEOUT_SECONDS
) -> Database:
    """Open (creating if needed) and migrate the database at `path`.

    WAL lets researchers read while a run writes; the busy timeout lets a second
    writer wait for the first (`busy_timeout` seconds) instead of failing at once.
    `check` runs SQLite's quick_check, so a damaged file is refused before anything
    is written into it.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise StoreError(f"{path}: folder {path.parent} does not exist")
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout)
        # SQLite only reads the header lazily: touch it now so a non-database
        # file fails here with our message, not later inside a run.
        conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        if check:
            _quick_check(conn, path)
        db = Database(conn)
        refuse_newer_schema(db, path)
        apply_migrations(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(_damaged_message(path, exc, busy_timeout)) from None
    return db


def refuse_newer_schema(db: Database, path: Path) -> None:
    """A database a newer tracker migrated holds migrations this one does not know:
    writing into it could break what the newer version relies on, so nothing is."""
    known = [m.name for m in migrations._migrations]
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise StoreError(
            f"{path} was written by a newer tracker (schema {unknown[-1]}; this tracker "
            f"{__version__} knows up to {known[-1]}); nothing was written: upgrade the "
            "tracker (pip install -U offlabel-tracker)"
        )


def _db_file(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else "the database"


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        problem = rows[0][0] if rows else "no answer"
        raise StoreError(_damaged_message(path, problem))


def _damaged_message(
    path: Path, problem: object, busy_timeout: float = BUSY_TIMEOUT_SECONDS
) -> str:
    text = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
    if "locked" in text or "busy" in text:
        return _locked_message(path, busy_timeout)
    return (
        f"{path}: the database is damaged ({text}); nothing was written. Restore it from a "
        "backup (sqlite3 tracker.db '.backup' or VACUUM INTO), or try "
        "`sqlite3 damaged.db .recover | sqlite3 repaired.db`"
    )


def _locked_message(path: Path | str, busy_timeout: float) -> str:
    return (
        f"{path}: database is locked by another process for longer than the busy timeout "
        f"({busy_timeout:g}s); nothing was written"
    )


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (or signal).

    IMMEDIATE takes the write lock up front: a deferred transaction that reads first
    and writes later can fail with SQLITE_BUSY regardless of the busy timeout in WAL.
    sqlite-utils methods called inside nest as savepoints, so the whole run commits
    or nothing does.
    """
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            busy_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
            raise StoreError(_locked_message(_db_file(conn), busy_ms / 1000)) from None
        raise StoreError(f"cannot start writing: {exc}") from None
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"could not commit, nothing was written: {exc}") from None
