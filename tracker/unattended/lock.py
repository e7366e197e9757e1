"""One writer per database: a lock file beside it (`tracker.db.lock`).

cron, `tracker schedule` and a manual run may start at the same time; the lock makes
the second one wait a bounded time, or give up with a clear message, instead of
processing the same saved search twice. flock-style locks vanish with their process,
so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import BusyError


class LockHeld(BusyError, RuntimeError):
    """Another tracker process is writing to this database."""


class LockUnavailable(OSError):
    """The lock file cannot be created at all (the folder is read-only)."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def database_lock(db_path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the database's lock; wait at most `wait` seconds for it."""
    from filelock import FileLock, Timeout  # 14 ms: only commands that write need it

    path = lock_path(db_path)
    if not path.exists() and not os.access(path.parent, os.W_OK):  # read-only: say so
        raise LockUnavailable(
            f"cannot create the lock file {path} (the folder is read-only): run from a "
            "folder you can write to, or set --db to a database in one"
        )
    lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(
            f"another tracker run is using {db_path} (lock {lock_path(db_path)} held"
            + (f" for more than {wait:g}s)" if wait else ")")
        ) from None
    except OSError as exc:  # after Timeout (an OSError too): a read-only folder, say
        raise LockUnavailable(
            f"cannot create the lock file {lock_path(db_path)} ({exc.strerror or exc}): "
            "run from a folder you can write to, or set --db to a database in one"
        ) from None
    try:
        yield
    finally:
        lock.release()
