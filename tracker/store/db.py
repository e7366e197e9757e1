"""Opening the SQLite file, and the one write transaction a run gets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from .schema import apply_migrations

BUSY_TIMEOUT_SECONDS = 30.0


class StoreError(RuntimeError):
    """The database cannot be used; the message says what to do."""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(path: Path | str, *, check: bool = True) -> Database:
    """Open (creating if needed) and migrate the database at `path`.

    WAL lets researchers read while a run writes; the busy timeout lets a second
    writer wait for the first instead of failing at once. `check` runs SQLite's
    quick_check, so a damaged file is refused before anything is written into it.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise StoreError(f"{path}: folder {path.parent} does not exist")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        # SQLite only reads the header lazily: touch it now so a non-database
        # file fails here with our message, not later inside a run.
        conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        if check:
            _quick_check(conn, path)
        db = Database(conn)
        apply_migrations(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(_damaged_message(path, exc)) from None
    return db


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        problem = rows[0][0] if rows else "no answer"
        raise StoreError(_damaged_message(path, problem))


def _damaged_message(path: Path, problem: object) -> str:
    text = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
    if "locked" in text:
        return (
            f"{path}: database is locked by another process for longer than "
            f"{BUSY_TIMEOUT_SECONDS:.0f}s"
        )
    return (
        f"{path}: the database is damaged ({text}); nothing was written. Restore it from a "
        "backup (sqlite3 tracker.db '.backup' or VACUUM INTO), or try "
        "`sqlite3 damaged.db .recover | sqlite3 repaired.db`"
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
