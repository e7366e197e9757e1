"""Benchmarks 1 and 2: `tracker import` against other PubMed XML readers, and its memory.

    python benchmarks/ingest.py --records 10000             # 1: all tools, one file
    python benchmarks/ingest.py --memory 1000 10000 50000   # 2: tracker import at each size

Every tool runs in its own process on the same derived .xml.gz file (see common.py);
records/s counts the work after the tool's imports (`wall` adds interpreter start-up),
peak memory is that process's maximum RSS, and beside it the peak of the RSS summed over
it and its children (`tracker import` parses large files in worker processes). With
--repeat N each tool runs N times and the fastest run is kept (the machine may be
shared; the slowest runs measure the others).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import Measured, build_pubmed_file, run_measured, table, workdir_for

TOOLS = ("tracker-import", "tracker-parse", "pubmed_parser", "biopython", "bare-iterparse")
LABELS = {
    "tracker-import": "`tracker import` (parse + store, one transaction)",
    "tracker-parse": "tracker.pubmed.open_pubmed_file (parse only)",
    "pubmed_parser": "pubmed_parser.parse_medline_xml",
    "biopython": "Bio.Entrez.read",
    "bare-iterparse": "bare lxml iterparse walk (ceiling)",
}
TARGETS = {"pubmed_parser": 2.0, "biopython": 5.0, "bare-iterparse": 0.5}


def measure(tool: str, path: Path, workdir: Path, repeat: int) -> Measured:
    runs = []
    for i in range(repeat):
        args = [str(path)]
        if tool == "tracker-import":
            db = workdir / f"import-{path.stem}-{i}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            args.append(str(db))
        runs.append(run_measured(tool, args, workdir))
    return min(runs, key=lambda m: m.work_seconds)


def compare(
    records: int, workdir: Path, repeat: int, tools: tuple[str, ...] = TOOLS, kind: str = "efetch"
) -> dict:
    derived = build_pubmed_file(records, workdir, kind)
    results = {tool: measure(tool, derived.path, workdir, repeat) for tool in tools}
    return {"file": derived, "results": results}


def compare_table(found: dict) -> str:
    results: dict[str, Measured] = found["results"]
    ours = results.get("tracker-import")
    rows = []
    for tool, m in results.items():
        ratio = ""
        if ours is not None and tool != "tracker-import":
            ratio = f"{ours.records_per_second / m.records_per_second:.2f}×"
            if tool in TARGETS:
                ok = ours.records_per_second / m.records_per_second >= TARGETS[tool]
                ratio += f" (target ≥ {TARGETS[tool]:g}×: {'met' if ok else 'NOT met'})"
        rows.append([
            LABELS[tool], f"{m.records:,}", f"{m.work_seconds:.2f}", f"{m.wall_seconds:.2f}",
            f"{m.records_per_second:,.0f}", f"{m.peak_rss_mb:.0f}", f"{m.peak_tree_mb:.0f}", ratio,
        ])  # fmt: skip
    headers = ["tool", "records", "work s", "wall s", "records/s", "peak RSS MB",
               "with its workers MB"]  # fmt: skip
    return table([*headers, "tracker import ÷ tool"], rows)


def memory(sizes: list[int], workdir: Path, repeat: int) -> list[tuple[int, Measured, float]]:
    out = []
    for size in sizes:
        derived = build_pubmed_file(size, workdir)
        measured = measure("tracker-import", derived.path, workdir, repeat)
        out.append((size, measured, derived.mean_record_kb))
    return out


def memory_table(found: list[tuple[int, Measured, float]]) -> str:
    smallest = found[0][1].peak_tree_mb
    rows = [
        [f"{size:,}", f"{kb:.1f}", f"{m.records_per_second:,.0f}", f"{m.peak_rss_mb:.0f}",
         f"{m.peak_tree_mb:.0f}", f"{(m.peak_tree_mb / smallest - 1) * 100:+.1f} %"]
        for size, m, kb in found
    ]  # fmt: skip
    headers = ["records", "mean KB/record", "records/s", "peak RSS MB (main process)",
               "with its workers MB", "vs smallest (with workers)"]  # fmt: skip
    return table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--memory", type=int, nargs="+", metavar="N", help="sizes for benchmark 2")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest is kept")
    parser.add_argument("--workdir", help="where derived files go (default: a new temp dir)")
    parser.add_argument("--kind", choices=("efetch", "baseline"), default="efetch",
                        help="records derived from the efetch samples (default) or the "
                        "baseline-file samples")  # fmt: skip
    args = parser.parse_args(argv)
    workdir = workdir_for(args.workdir)
    if args.memory:
        print(memory_table(memory(args.memory, workdir, args.repeat)))
        return 0
    found = compare(args.records, workdir, args.repeat, tuple(args.tools), args.kind)
    derived = found["file"]
    print(f"{derived.path.name}: {derived.records:,} records from {derived.sources} real ones, "
          f"{derived.mean_record_kb:.1f} KB each on average")  # fmt: skip
    print(compare_table(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
