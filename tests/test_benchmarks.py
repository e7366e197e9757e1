"""The benchmarks (benchmarks/, not part of the suite) still import and run: the ingest
benchmark end to end at 200 records, each tool in its own process."""

from __future__ import annotations

from pathlib import Path

from benchmarks import ingest, reading, requests_made, run_all  # noqa: F401 - they import
from benchmarks.common import build_pubmed_file


def test_derived_file_is_renumbered_real_records(tmp_path: Path) -> None:
    derived = build_pubmed_file(200, tmp_path)
    assert derived.records == 200 and derived.sources > 150
    assert derived.path.name.startswith("derived-from-real-samples-")


def test_ingest_benchmark_runs_every_tool_at_200_records(tmp_path: Path) -> None:
    found = ingest.compare(200, tmp_path, repeat=1, tools=("tracker-import", "bare-iterparse"))
    ours = found["results"]["tracker-import"]
    assert ours.records == 200 and ours.peak_rss_mb > 0
    assert "tracker import" in ingest.compare_table(found)


def test_baseline_kind_is_derived_from_the_baseline_samples(tmp_path: Path) -> None:
    derived = build_pubmed_file(120, tmp_path, kind="baseline")
    assert derived.records == 120 and 50 < derived.sources < 120
    assert derived.path.name.startswith("derived-from-real-samples-baseline-")
    found = ingest.compare(120, tmp_path, repeat=1, tools=("tracker-import",), kind="baseline")
    assert found["results"]["tracker-import"].records == 120
