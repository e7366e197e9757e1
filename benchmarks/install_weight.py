"""What a base install weighs: installed size and `tracker --help` start-up time.

Builds a fresh virtualenv in a temp folder, runs `pip install .` there (the base install,
no extras, exactly as the README tells users), then reports:

- the size of the venv's site-packages (MB, pip and setuptools excluded: every venv has
  them) and the largest installed distributions;
- the median wall time of `tracker --help` over N runs (after one warm-up run, so the
  page cache is warm as it is for a user's second command), and its median CPU time
  (user + system), which other work on a shared machine disturbs much less;
- with --importtime, the modules `python -X importtime -m tracker --help` spends most
  time importing (cumulative, microseconds).

    python benchmarks/install_weight.py                # 15 runs
    python benchmarks/install_weight.py --runs 31 --importtime --keep /tmp/venv-base
    python benchmarks/install_weight.py --rev 7f36712      # an earlier commit, for before/after

Nothing here is timed inside the test suite; figures go into benchmarks/INSTALL.md by hand.
"""

# ruff: noqa: S603, S607  (runs only fixed commands: venv, pip, git, the installed tracker)

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ALWAYS_THERE = {"pip", "setuptools", "_distutils_hack", "distutils-precedence.pth"}


def _site_packages(venv: Path) -> Path:
    [site] = (venv / "lib").glob("python3*/site-packages")
    return site


def _tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _distribution_sizes(site: Path) -> dict[str, int]:
    """Bytes per installed distribution, from each one's RECORD (files it installed)."""
    sizes: dict[str, int] = {}
    for record in site.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0]
        total = 0
        for line in record.read_text(encoding="utf-8").splitlines():
            rel = line.split(",", 1)[0]
            target = (site / rel).resolve()
            if target.is_file():
                total += target.stat().st_size
        sizes[name] = total
    return sizes


def build_venv(venv: Path, source: Path, rev: str | None) -> None:
    """`pip install .` of the working tree, or of commit `rev` (git archive), into a new
    venv. Either way from a copy, so pip's build leaves nothing in the checkout."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        if rev:
            copy.mkdir()
            archive = subprocess.run(["git", "-C", str(source), "archive", rev],
                                     capture_output=True, check=True).stdout  # fmt: skip
            subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
        else:
            skip = (".git", ".venv", "build", "*.egg-info", "__pycache__", "tests", "benchmarks")
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns(*skip))
        subprocess.run([*pip, str(copy)], check=True)


def help_times(venv: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system) of each `tracker --help` run. On a shared
    machine the wall time measures the neighbours too; the CPU time much less so."""
    exe = str(venv / "bin" / "tracker")
    subprocess.run([exe, "--help"], check=True, capture_output=True)  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def _in_turns(venv: Path, other: Path, runs: int) -> tuple[list[float], list[float], tuple]:
    """help_times of two venvs, one run of each in turn."""
    mine: tuple[list[float], list[float]] = ([], [])
    theirs: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for target, into in ((venv, mine), (other, theirs)):
            wall, cpu = help_times(target, 1)
            into[0].extend(wall)
            into[1].extend(cpu)
    return mine[0], mine[1], theirs


def import_offenders(venv: Path, top: int) -> list[tuple[int, str]]:
    python = str(venv / "bin" / "python")
    done = subprocess.run([python, "-X", "importtime", "-m", "tracker", "--help"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|", 2)
        # package roots at any depth (pandas imported by sqlite_utils counts as pandas)
        if "." not in name.strip():
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def _commit(rev: str | None) -> str:
    if rev:
        done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev],
                              capture_output=True, text=True, check=True)  # fmt: skip
        return done.stdout.strip()
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "tracker",
                                "pyproject.toml"], capture_output=True, text=True)  # fmt: skip
        return done.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=12, help="distributions / imports to list")
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    parser.add_argument("--rev", help="install this commit instead of the working tree")
    parser.add_argument("--against", type=Path, metavar="VENV",
                        help="a venv kept from another run (--keep): time its tracker --help "
                        "in turns with this one's, so both see the same machine load")  # fmt: skip
    args = parser.parse_args()

    tmp = None if args.keep else tempfile.TemporaryDirectory()
    venv = args.keep or Path(tmp.name) / "venv"  # type: ignore[union-attr]
    try:
        commit = _commit(args.rev)
        build_venv(venv, ROOT, args.rev)
        site = _site_packages(venv)
        total = sum(_tree_bytes(p) for p in site.iterdir() if p.name not in _ALWAYS_THERE
                    and not p.name.startswith(("pip-", "setuptools-")))  # fmt: skip
        sizes = _distribution_sizes(site)
        for name in ("pip", "setuptools"):
            sizes.pop(name, None)
        if args.against:
            times, cpus, other = _in_turns(venv, args.against, args.runs)
        else:
            times, cpus = help_times(venv, args.runs)
        print(f"commit: {commit}")
        print(f"python: {platform.python_version()}  machine: {platform.machine()}, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")  # fmt: skip
        print(f"site-packages (without pip, setuptools): {total / 1e6:.1f} MB, "
              f"{len(sizes)} distributions")  # fmt: skip
        print(
            f"tracker --help: median {statistics.median(times) * 1000:.0f} ms over "
            f"{args.runs} runs (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); "
            f"CPU (user + system) median {statistics.median(cpus) * 1000:.0f} ms"
        )
        if args.against:
            wall, cpu = (statistics.median(x) * 1000 for x in other)
            print(f"  against {args.against}, in turns: median {wall:.0f} ms, "
                  f"CPU median {cpu:.0f} ms")  # fmt: skip
        print("largest distributions:")
        for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"  {size / 1e6:7.1f} MB  {name}")
        if args.importtime:
            print("slowest package imports of `tracker --help` (cumulative, any depth):")
            for micros, name in import_offenders(venv, args.top):
                print(f"  {micros / 1000:7.1f} ms  {name}")
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
