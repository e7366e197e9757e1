"""A digest is decided and recorded before anyone can see its files.

Its files are written under hidden names (`.pending-DATE.md`…), beside a marker
`.DATE.pending.json` holding the row-to-be; then the row is committed, and only then
are the files renamed into place and the marker removed. A crash (SIGKILL) before the
commit leaves nothing a blog would publish: the next digest of the search removes the
hidden files and reports the same studies, once. A crash after the commit leaves a
recorded digest whose files are still hidden: the next digest renames them into
place. Either way no `.md` is ever visible unrecorded, and no study is reported twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker.store import digests as stored

_PREFIX = ".pending-"  # keeps the suffix: the chart's format is read from it


def hidden(paths: dict[str, Path]) -> dict[str, Path]:
    """Where each file is written until its digest is recorded."""
    return {k: p if p.name.startswith(".") else p.with_name(_PREFIX + p.name)
            for k, p in paths.items()}  # fmt: skip


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


def publish_pending(paths: dict[str, Path]) -> None:
    """After the row committed: the files into place, then the marker away."""
    _publish([str(p) for p in paths.values()])
    marker_path(paths).unlink(missing_ok=True)


def _publish(files: list[str]) -> None:
    for name in files:
        final = Path(name)
        staged = final if final.name.startswith(".") else final.with_name(_PREFIX + final.name)
        if staged != final and staged.exists():
            os.replace(staged, final)


def settle_pending(db: Database, folder: Path) -> None:
    """Finish (recorded) or remove (not recorded) each digest a crash left in `folder`."""
    for marker in sorted(folder.glob(".*.pending.json")) if folder.is_dir() else ():
        try:
            row = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker.unlink(missing_ok=True)  # cut short before its rename: nothing followed
            continue
        files = [str(f) for f in row.get("files", ())]
        if stored.digest_recorded(db, row["search"], row["markdown_path"]):
            _publish(files)
        else:
            for name in hidden({str(i): Path(f) for i, f in enumerate(files)}).values():
                if name.name.startswith("."):  # never a published file
                    name.unlink(missing_ok=True)
        marker.unlink(missing_ok=True)
