"""One measured tool per process: `python -m benchmarks.tools TOOL REPORT.json FILE [DB]`.

The parent (benchmarks.common.run_measured) reads the child's peak RSS with os.wait4;
the child writes {"records", "seconds"} to REPORT.json, timing only the work after
its imports. The network is switched off first: nothing here may fetch a DTD.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path


def _no_network(*_args: object, **_kwargs: object) -> None:
    raise OSError("benchmarks run offline: no network access")


def tracker_import(path: str, db: str) -> dict[str, object]:
    """`tracker --db DB import FILE`, through the real click command."""
    from tracker.cli import cli

    started = time.perf_counter()
    try:
        cli.main(["--db", db, "import", path], prog_name="tracker", standalone_mode=False)
    except SystemExit as exc:  # click's ctx.exit()
        if exc.code:
            raise
    seconds = time.perf_counter() - started
    import sqlite3

    conn = sqlite3.connect(db)
    records = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    authors = conn.execute("SELECT count(*) FROM authors").fetchone()[0]
    conn.close()
    return {"records": records, "seconds": seconds, "authors": authors}


def tracker_parse(path: str) -> dict[str, object]:
    """tracker.pubmed.open_pubmed_file alone: every Article built, nothing stored."""
    from tracker.pubmed import open_pubmed_file

    started = time.perf_counter()
    records = sum(1 for _ in open_pubmed_file(path))
    return {"records": records, "seconds": time.perf_counter() - started}


def pubmed_parser(path: str) -> dict[str, object]:
    """pubmed_parser.parse_medline_xml with its defaults (a generator of dicts)."""
    import pubmed_parser as pp

    started = time.perf_counter()
    records = sum(1 for _ in pp.parse_medline_xml(path))
    return {"records": records, "seconds": time.perf_counter() - started}


def biopython(path: str) -> dict[str, object]:
    """Bio.Entrez.read on the whole file; the DTDs come from Biopython's bundled copies."""
    from Bio import Entrez

    Entrez.local_cache = tempfile.mkdtemp(prefix="entrez-dtd-")
    started = time.perf_counter()
    with gzip.open(path, "rb") as handle:
        result = Entrez.read(handle)
    records = len(result["PubmedArticle"]) + len(result["PubmedBookArticle"])
    return {"records": records, "seconds": time.perf_counter() - started}


def bare_iterparse(path: str) -> dict[str, object]:
    """The practical ceiling: lxml iterparse over the records, clearing each; no fields read."""
    from lxml import etree

    started = time.perf_counter()
    records = 0
    with gzip.open(path, "rb") as handle:
        for _event, elem in etree.iterparse(
            handle, events=("end",), tag=("PubmedArticle", "PubmedBookArticle")
        ):
            records += 1
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            while elem.getprevious() is not None:
                del parent[0]
    return {"records": records, "seconds": time.perf_counter() - started}


TOOLS: dict[str, Callable[..., dict[str, object]]] = {
    "tracker-import": tracker_import,
    "tracker-parse": tracker_parse,
    "pubmed_parser": pubmed_parser,
    "biopython": biopython,
    "bare-iterparse": bare_iterparse,
}


def _own_peak_rss_kb() -> int:
    """VmHWM: the peak resident set of this process's own address space.

    Not ru_maxrss: Linux carries the parent's high-water mark into a child's ru_maxrss
    across fork/vfork + exec, so a large benchmark parent would set every tool's floor.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class TreeMemory:
    """The peak of the summed RSS of this process and its descendants (`tracker
    import`'s parse workers), sampled every 20 ms: a worker's own peak is gone with it."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kb

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(os.getpid())))


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids.extend(_tree(int(child)))
    return pids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str]) -> int:
    tool, report, *args = argv
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    socket.create_connection = _no_network  # type: ignore[assignment]
    tree = TreeMemory()
    result = TOOLS[tool](*args)
    result["peak_tree_kb"] = tree.stop()
    result["peak_rss_kb"] = _own_peak_rss_kb()
    Path(report).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
