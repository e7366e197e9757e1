"""Which commands may create the database, and the one line for a wrong --db.

Only the commands that fill a database create one (`run`, `sync`, `import`, `schedule`,
`demo`; `search` without one shows what it found and keeps nothing), and never its
folder: a mistyped
--db must not leave an empty database behind for the next run to backfill into. Every
other command reads an existing one and says so, with exit 2, when it is missing, empty
or not SQLite at all. These checks run before the lock file is taken, so a wrong --db
never leaves a lock file beside the file it names either.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tracker.cli.app import UserError

SQLITE_HEADER = b"SQLite format 3\x00"


def no_database(path: Path) -> str:
    return f"no database at {path}; run `tracker run` first, or set --db"


def check_db_path(path: Path, *, create: bool) -> None:
    """Raise UserError unless `path` is a usable database (or, with `create`, may become one)."""
    if path.is_dir():
        raise UserError(f"--db {path} is a folder, not a database file")
    if not path.exists():
        if not create:
            raise UserError(no_database(path))
        if not path.parent.is_dir():
            raise UserError(
                f"--db {path}: folder {path.parent} does not exist "
                "(the tracker creates a database file, never its folder)"
            )
        return
    if not _is_sqlite(path):
        raise UserError(f"--db {path} is not a SQLite database; check --db (or TRACKER_DB)")
    if not create and _is_empty(path):
        raise UserError(f"the database at {path} is empty; run `tracker run` first, or set --db")


def _is_sqlite(path: Path) -> bool:
    """A zero-byte file is one too: SQLite makes it a database on first write."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise UserError(f"--db {path}: cannot read it: {exc.strerror or exc}") from None
    return head in (b"", SQLITE_HEADER)


def _is_empty(path: Path) -> bool:
    """No tables, or the tracker's tables with no run and no article in them: what a
    command run from the wrong folder used to leave behind."""
    if path.stat().st_size == 0:
        return True
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False  # let the store say what is wrong with it
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"articles", "runs"} <= tables:
            return True
        return not (
            conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone()
            or conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone()
        )
    except sqlite3.Error:
        return False
    finally:
        conn.close()
