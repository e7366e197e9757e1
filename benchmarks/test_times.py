"""How long each test file takes: wall time and CPU time (pytest and every process it
starts), one file at a time, never the whole suite in one go.

On a shared machine the wall time measures the neighbours too; the CPU time much less
so, and its sum is what a suite run on an idle machine costs (a session pays pytest's
own start-up, ~1.5 s here, once instead of once per file).

    .venv/bin/python benchmarks/test_times.py                      # every tests/test_*.py
    .venv/bin/python benchmarks/test_times.py tests/test_cli.py tests/test_sync.py
"""

# ruff: noqa: S603  (runs only pytest on the project's own test files)

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_file(path: Path) -> tuple[float, float, str]:
    """(wall s, CPU s, pytest's last line) for one test file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    lines = done.stdout.strip().splitlines()
    return wall, cpu, re.sub(r"=+", "", lines[-1]).strip() if lines else f"exit {done.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "tests").glob("test_*.py"))
    print(f"load average at start: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    print("| file | wall s | CPU s | result |\n|---|---:|---:|---|")
    walls = cpus = 0.0
    for path in files:
        wall, cpu, result = time_file(path)
        walls, cpus = walls + wall, cpus + cpu
        print(f"| {path.name} | {wall:.1f} | {cpu:.1f} | {result} |", flush=True)
    print(f"| all {len(files)} | {walls:.1f} | {cpus:.1f} | |")


if __name__ == "__main__":
    main()
