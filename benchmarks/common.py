"""Shared pieces of the benchmarks: derived input files, measured child processes, machine facts.

Derived data, never committed: the benchmark files are the real efetch records served
under a current DTD (tests/data/pubmed-samples/efetch, pubmed_250101 / pubmed_240101),
repeated under new PMIDs with `Corpus.clone_renumbered` (the same derivation the local
E-utilities server uses), written into a work directory at benchmark time.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python benchmarks/ingest.py` puts benchmarks/ first instead
    sys.path.insert(0, str(ROOT))

from tracker.lookalikes.eutils.corpus import Corpus  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "pubmed-samples"
# The demo's 60 real efetch records are kept once, in the package (tests read them there too).
DEMO_DATA = ROOT / "tracker" / "lookalikes" / "eutils" / "demo_data"


def efetch_sample_files() -> list[Path]:
    """Every real efetch sample file (tests/data/pubmed-samples/efetch and the demo's),
    sorted by file name as when they were one folder."""
    found = [*(SAMPLES / "efetch").glob("*.xml"), *DEMO_DATA.glob("*.xml")]
    return sorted(found, key=lambda p: p.name)


CURRENT_DTDS = (b"pubmed_250101.dtd", b"pubmed_240101.dtd")
DERIVED_START_PMID = 90_000_000  # far above any real PMID: derived records are never real ones
DOCTYPE = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def current_dtd_files() -> list[Path]:
    """The real efetch samples whose DOCTYPE is a current PubMed DTD."""
    return [
        path
        for path in efetch_sample_files()
        if any(dtd in path.read_bytes()[:600] for dtd in CURRENT_DTDS)
    ]


def baseline_files() -> list[Path]:
    """Real records from NLM annual baseline files (1970s and 2020 records: short, most
    without reference lists), the other kind of file a researcher imports."""
    return sorted((SAMPLES / "baseline").glob("net-synergy__pubmed21n*.xml"))


def current_corpus() -> Corpus:
    """The current-DTD sample records, as the local E-utilities server holds them."""
    corpus = Corpus()
    corpus.load_files(current_dtd_files())
    return corpus


@dataclass(frozen=True)
class DerivedFile:
    path: Path
    records: int
    sources: int  # distinct real records it was derived from
    xml_bytes: int  # uncompressed size

    @property
    def mean_record_kb(self) -> float:
        return self.xml_bytes / self.records / 1024


def build_pubmed_file(records: int, workdir: Path, kind: str = "efetch") -> DerivedFile:
    """A gzipped PubmedArticleSet of `records` renumbered real records (cached per size).

    kind "efetch": the current-DTD efetch samples; "baseline": the baseline samples.
    """
    prefix = "pubmed250101" if kind == "efetch" else "baseline"
    path = workdir / f"derived-from-real-samples-{prefix}-{records}.xml.gz"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return DerivedFile(path=path, **json.loads(meta.read_text()))
    if kind == "efetch":
        corpus = current_corpus()
    else:
        corpus = Corpus()
        corpus.load_files(baseline_files())
    sources = len(corpus)
    pmids = corpus.clone_renumbered(
        records, DERIVED_START_PMID, date(2020, 1, 1), date(2024, 12, 31)
    )
    size = 0
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write(DOCTYPE + b"<PubmedArticleSet>\n")
        for pmid in pmids:
            entry = corpus.get(pmid)
            assert entry is not None
            xml = entry.render()
            size += len(xml) + 1
            out.write(xml + b"\n")
        out.write(b"</PubmedArticleSet>\n")
    info = {"records": records, "sources": sources, "xml_bytes": size}
    meta.write_text(json.dumps(info))
    return DerivedFile(path=path, **info)


@dataclass(frozen=True)
class Measured:
    """One tool run in its own process: what it reported, its wall time and peak RSS."""

    tool: str
    records: int
    work_seconds: float  # measured inside the child, after its imports
    wall_seconds: float  # the whole child process, interpreter start-up included
    peak_rss_mb: float  # VmHWM of that child alone
    peak_tree_mb: float  # peak of the summed RSS of the child and its own children
    extra: dict[str, Any]

    @property
    def records_per_second(self) -> float:
        return self.records / self.work_seconds if self.work_seconds else 0.0


def run_measured(tool: str, args: list[str], workdir: Path) -> Measured:
    """Run `python -m benchmarks.tools TOOL ARGS…` and measure it alone.

    Peak memory is the child's own VmHWM, which it reports itself (its ru_maxrss, from
    os.wait4, would start at this parent's size: Linux carries it across exec).
    """
    report = workdir / f"report-{tool}-{os.getpid()}-{time.monotonic_ns()}.json"
    log = report.with_suffix(".log")
    cmd = [sys.executable, "-m", "benchmarks.tools", tool, str(report), *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=err, stderr=err, env=env)  # noqa: S603
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
    data = json.loads(report.read_text())
    own_peak_kb = data.pop("peak_rss_kb", 0) or usage.ru_maxrss  # Linux reports KiB
    return Measured(
        tool=tool,
        records=data.pop("records"),
        work_seconds=data.pop("seconds"),
        wall_seconds=wall,
        peak_rss_mb=own_peak_kb / 1024,
        peak_tree_mb=max(own_peak_kb, data.pop("peak_tree_kb", 0)) / 1024,
        extra=data,
    )


def workdir_for(arg: str | None) -> Path:
    if arg:
        path = Path(arg)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix="offlabel-bench-"))


def machine() -> dict[str, str]:
    """What the results ran on: CPU model, cores, RAM, Python, lxml, libxml2, SQLite."""
    from lxml import etree

    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        mem_kb = int(info.readline().split()[1])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "sqlite": sqlite3.sqlite_version,
        # other work on the machine slows every tool; the ratios suffer least
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table (also readable on a terminal)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
