"""One writer per database: a lock file beside it (`tracker.db.lock`).

cron, `tracker schedule` and a manual run may start at the same time; the lock makes
the second one wait a bounded time, or give up with a clear message, instead of
processing the same saved search twice. flock-style locks vanish with their process,
so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from tracker.errors import BusyError


class LockHeld(BusyError, RuntimeError):
    """Another tracker process is writing to this database."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def database_lock(db_path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the database's lock; wait at most `wait` seconds for it."""
    lock = FileLock(str(lock_path(db_path)), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(
            f"another tracker run is using {db_path} (lock {lock_path(db_path)} held"
            + (f" for more than {wait:g}s)" if wait else ")")
        ) from None
    try:
        yield
    finally:
        lock.release()
