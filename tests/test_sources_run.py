"""`tracker run` over all three sources of a drug × condition pair, as a real process
against the three local look-alikes: what is stored, the requests each source makes,
the digest JSON, and what one failing source does to the others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sources_kit import EUROPEPMC, ctgov_files

from tracker.lookalikes.ctgov.server import LocalCtgov
from tracker.lookalikes.europepmc.server import LocalEuropePmc
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.lookalikes.jsonserver import bad_request

# Real recorded trials and preprints fit this pair: NCT03590054, NCT04114136 and
# NCT04318717 (pembrolizumab, melanoma); no recorded preprint is about it, so the
# Europe PMC part of the pair asks about what the recorded preprints hold instead.
PAIR_TOML = """title = "Pembrolizumab for melanoma (sample records)"
[drug]
name = "pembrolizumab"
brands = ["Keytruda"]
[condition]
name = "melanoma"
"""


@pytest.fixture
def servers():
    with LocalEutils() as eutils, LocalCtgov() as ctgov, LocalEuropePmc() as epmc:
        ctgov.load_files(ctgov_files())
        epmc.load_files(sorted(EUROPEPMC.glob("*.json")))
        yield eutils, ctgov, epmc


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "pembro-melanoma.toml").write_text(PAIR_TOML, encoding="utf-8")
    return tmp_path


def tracker(args: list[str], cwd: Path, servers) -> subprocess.CompletedProcess[str]:
    eutils, ctgov, epmc = servers
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "TRACKER_"))}
    env.update(
        NCBI_EUTILS_URL=eutils.base_url,
        CTGOV_API_URL=ctgov.base_url,
        EUROPEPMC_URL=epmc.base_url,
    )
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def line(output: str, prefix: str) -> str:
    return next(x for x in output.splitlines() if x.startswith(prefix))


def digest_json(workdir: Path) -> dict:
    """The newest digest's JSON (DATE.json, then DATE-2.json… on the same day)."""
    files = (workdir / "reports" / "pembro-melanoma").glob("*.json")
    newest = max((f for f in files if ".trials." not in f.name), key=lambda f: f.stat().st_mtime_ns)
    return json.loads(newest.read_text(encoding="utf-8"))


def test_a_run_syncs_every_source_and_a_quiet_week_costs_one_request_each(workdir, servers):
    eutils, ctgov, epmc = servers
    first = tracker(["run"], workdir, servers)
    assert first.returncode == 0, first.stderr
    assert line(first.stdout, "  ClinicalTrials.gov") == (
        "  ClinicalTrials.gov: ok, since the beginning, 3 found, 3 new, 1 request"
    )
    assert line(first.stdout, "  Europe PMC") == (
        "  Europe PMC: ok, since the beginning, 0 found, 0 new, 1 request"
    )
    doc = digest_json(workdir)
    assert [(t["nct_id"], t["status"], t["change"]) for t in doc["trials"]] == [
        ("NCT03590054", "COMPLETED", "new"),
        ("NCT04114136", "RECRUITING", "new"),
        ("NCT04318717", "RECRUITING", "new"),
    ]
    assert doc["preprints"] == [] and doc["failed_sources"] == []
    eutils_before, ctgov_before, epmc_before = (
        len(eutils.requests), ctgov.count(), epmc.count(),
    )  # fmt: skip
    quiet = tracker(["run"], workdir, servers)
    assert quiet.returncode == 0, quiet.stderr
    assert (ctgov.count() - ctgov_before, epmc.count() - epmc_before) == (1, 1)
    assert len(eutils.requests) - eutils_before == 1  # one esearch: nothing new to fetch
    doc = digest_json(workdir)
    assert doc["trials"] == [] and doc["preprints"] == []


def test_one_failing_source_is_named_and_does_not_stop_the_others(workdir, servers):
    eutils, ctgov, epmc = servers
    ctgov.fail_next(bad_request("crafted: Invalid search expression"))
    run = tracker(["run"], workdir, servers)
    assert run.returncode == 1  # a source failed
    assert line(run.stdout, "  ClinicalTrials.gov") == (
        "  ClinicalTrials.gov: FAILED (since the beginning): ClinicalTrials.gov refused the "
        "request (HTTP 400): crafted: Invalid search expression (will retry next run)"
    )
    assert line(run.stdout, "  Europe PMC").startswith("  Europe PMC: ok")
    doc = digest_json(workdir)
    assert doc["failed_sources"] == [
        {
            "source": "ctgov",
            "label": "ClinicalTrials.gov",
            "error": "ClinicalTrials.gov refused the request (HTTP 400): crafted: Invalid "
            "search expression",
        }
    ]
    md = next((workdir / "reports" / "pembro-melanoma").glob("*.md")).read_text()
    assert "**ClinicalTrials.gov could not be searched this week**" in md
    status = tracker(["status"], workdir, servers)
    assert "ClinicalTrials.gov: last good run never" in status.stdout
    assert "1 failed runs since" in status.stdout
    again = tracker(["run"], workdir, servers)  # retried next time, from the beginning
    assert again.returncode == 0, again.stderr
    assert "ClinicalTrials.gov: ok, since the beginning, 3 found, 3 new" in again.stdout
    assert [t["nct_id"] for t in digest_json(workdir)["trials"]] == [
        "NCT03590054", "NCT04114136", "NCT04318717",
    ]  # fmt: skip


def test_the_demo_shows_all_three_sources(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "TRACKER_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", "demo", "--out", str(tmp_path / "demo")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[3:7] == [
        "  ClinicalTrials.gov (last week): 4 found, 4 new, 0 changed",
        "  Europe PMC (last week): 2 found, 2 new, 0 changed",
        "  ClinicalTrials.gov (this week): 4 found, 0 new, 1 changed",
        "  Europe PMC (this week): 2 found, 0 new, 1 changed",
    ]
    week2 = max((tmp_path / "demo" / "reports" / "demo-treatments").glob("*.json"),
                key=lambda p: (".trials." not in p.name, p.name))  # fmt: skip
    doc = json.loads(week2.read_text(encoding="utf-8"))
    assert [(t["nct_id"], t["status"], t["change"]) for t in doc["trials"]] == [
        ("NCT00184067", "TERMINATED", "status_changed"),
    ]
    assert [(p["id"], p["published_pmid"]) for p in doc["preprints"]] == [
        ("PPR838108", 38605817),
    ]


def test_pubmed_failing_still_syncs_the_others_and_the_digest_names_it(workdir, servers):
    eutils, ctgov, epmc = servers
    eutils.faults.push("status", times=None, code=400)
    run = tracker(["run"], workdir, servers)
    assert run.returncode == 1
    assert run.stdout.splitlines()[0].startswith("pembro-melanoma: FAILED")
    assert line(run.stdout, "  ClinicalTrials.gov") == (
        "  ClinicalTrials.gov: ok, since the beginning, 3 found, 3 new, 1 request"
    )
    doc = digest_json(workdir)
    assert [f["source"] for f in doc["failed_sources"]] == ["pubmed"]
    assert [t["nct_id"] for t in doc["trials"]] == ["NCT03590054", "NCT04114136", "NCT04318717"]
