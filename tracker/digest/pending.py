"""A digest's files and its database row, kept together across a crash.

The files are written first and recorded after (a digest must not be recorded whose
files never came). Between the two a SIGKILL would leave an unrecorded DATE.md that
a blog publishes, and the next digest would list its studies again. So before the
first file is written, the row-to-be is put beside them as `.DATE.pending.json`;
after the row is committed the marker goes. The next digest of the search first
settles any marker left behind: a complete set of files is adopted (recorded as it
would have been), a partial one is removed, so its studies are reported exactly once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker import store
from tracker.store import digests as stored

_COMPLETE = ("markdown_path", "html_path", "json_path")  # the JSON file is written last


def marker_path(paths: dict[str, Path]) -> Path:
    md = paths["md"]
    return md.with_name(f".{md.stem}.pending.json")


def mark_pending(paths: dict[str, Path], row: dict[str, Any]) -> None:
    marker = marker_path(paths)
    data = {**row, "files": [str(p) for p in paths.values()]}
    tmp = marker.with_name(marker.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)


def clear_pending(paths: dict[str, Path]) -> None:
    marker_path(paths).unlink(missing_ok=True)


def settle_pending(db: Database, folder: Path) -> list[str]:
    """Adopt or remove each digest a crash left unrecorded in `folder`; the
    Markdown paths adopted."""
    adopted = []
    for marker in sorted(folder.glob(".*.pending.json")) if folder.is_dir() else ():
        try:
            row = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker.unlink(missing_ok=True)  # cut short before its rename: nothing followed
            continue
        if not stored.digest_recorded(db, row["search"], row["markdown_path"]):
            if all(Path(row[key]).is_file() for key in _COMPLETE):
                with store.write_transaction(db):
                    stored.record_digest(db, row)
                adopted.append(row["markdown_path"])
            else:
                for name in row.get("files", ()):
                    Path(name).unlink(missing_ok=True)
        marker.unlink(missing_ok=True)
    return adopted
