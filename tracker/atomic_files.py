"""Files a reader never sees half-written: write beside the target, then rename over it.

A digest, its feed and its exports are read by mail clients, feed readers and reference
managers, possibly while the next run writes them. os.replace() is atomic on POSIX and
Windows, and the fsync before it means a crash leaves the old file or the new, never a
truncated one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def replacing(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Open ``.NAME.tmp`` beside ``path`` for writing (``open_args`` as for open(); text
    modes default to UTF-8); on a clean exit it is synced and renamed over ``path``, on
    an error removed."""
    if "b" not in mode:
        open_args.setdefault("encoding", "utf-8")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, mode, **open_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    with replacing(path, "w") as fh:
        fh.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    with replacing(path, "wb") as fh:
        fh.write(data)
