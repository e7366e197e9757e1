"""All four benchmarks, written to benchmarks/RESULTS.md with the machine they ran on.

python benchmarks/run_all.py                  # ~10 minutes on 2 cores
python benchmarks/run_all.py --out /tmp/RESULTS.md --quick   # small sizes, ~1 minute
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import ingest, reading, requests_made
from benchmarks.common import machine, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    q = args.quick
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="offlabel-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    facts = machine()
    parts = ["# Benchmark results", "", table(["machine", ""], [[k, v] for k, v in facts.items()])]

    records = 300 if q else 10_000
    found = ingest.compare(records, workdir, repeat=1 if q else 2)
    derived = found["file"]
    parts += ["", f"## 1. Ingest: {derived.records:,} records", "",
              f"`{derived.path.name}`: {derived.records:,} records derived from "
              f"{derived.sources} real efetch records served under pubmed_250101 "
              f"({derived.mean_record_kb:.1f} KB each on average, reference lists included). "
              "Each tool in its own process; best of the runs.", "",
              ingest.compare_table(found)]  # fmt: skip
    print(parts[-1], flush=True)

    found = ingest.compare(300 if q else 20_000, workdir, repeat=1 if q else 2,
                           tools=("tracker-import", "pubmed_parser", "bare-iterparse"),
                           kind="baseline")  # fmt: skip
    derived = found["file"]
    parts += ["", f"### The same on records from NLM baseline files: {derived.records:,} records",
              "", f"`{derived.path.name}`: derived from the {derived.sources} real records "
              "in tests/data/pubmed-samples/baseline/net-synergy__* (1970s and 2020 records, "
              f"{derived.mean_record_kb:.1f} KB each on average, few reference lists).", "",
              ingest.compare_table(found)]  # fmt: skip
    print(parts[-1], flush=True)

    sizes = [200, 300] if q else [1_000, 10_000, 50_000]
    parts += ["", "## 2. Memory: `tracker import` by file size", "",
              ingest.memory_table(ingest.memory(sizes, workdir, repeat=1))]  # fmt: skip
    print(parts[-1], flush=True)

    counted = requests_made.run(300 if q else 25_000, 3 if q else 10)
    parts += ["", "## 3. Requests to NCBI (local E-utilities server, 429 above 3/s)", "",
              requests_made.requests_table(counted)]  # fmt: skip
    print(parts[-1], flush=True)

    digest_rows = reading.digest(200 if q else 10_000, workdir)
    find_rows, summary = reading.find(2_000 if q else 100_000, workdir)
    parts += ["", "## 4. Reading", "",
              table(["tracker digest", "seconds (whole process)"], digest_rows), "",
              table(["tracker find query", "hits (limit 20)", "median ms"], find_rows), "",
              summary]  # fmt: skip
    print("\n".join(parts[-5:]), flush=True)
    parts += ["", f"All benchmarks: {time.perf_counter() - started:.0f} s.", ""]
    Path(args.out).write_text("\n".join(parts), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
