"""The HTML digest in a real browser: headless Chromium loads it, and nothing from the
data runs.

The digest carries a CRAFTED hostile title (tests/digest_scenario.py) whose script, if it
ran, would set document.title to 'PWNED' or put data-pwned on <body>. The page is loaded
twice: as written (with its Content-Security-Policy), and with the CSP removed and a
script of the test's own added, which proves JavaScript was on and that escaping alone
keeps the data inert.

Chromium is Debian's `chromium` package (.ci/run installs it). In CI (CI set) a missing
browser fails the test; locally it is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from digest_scenario import HOSTILE_PMID, build

SCREENSHOT_DIR = (
    Path(os.environ.get("TRACKER_SCREENSHOTS", ""))
    if os.environ.get("TRACKER_SCREENSHOTS")
    else None
)
CONTROL = "<script>document.body.setAttribute('data-js', 'on')</script>"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (CI must install it: see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=3000",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def digest_html(tmp_path_factory) -> Path:
    scenario = build(tmp_path_factory.mktemp("browser"))
    return scenario.digests[0].html_path


def body_attributes(dom: str) -> str:
    match = re.search(r"<body([^>]*)>", dom)
    assert match, dom[:500]
    return match.group(1)


def test_nothing_from_the_data_runs_in_the_digest_as_written(digest_html, tmp_path):
    proc = run_chromium(digest_html, tmp_path / "profile", "--dump-dom")
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom, proc.stderr[-2000:]
    assert re.search(r"<title>Treatments · 2026-11-23</title>", dom)
    assert "data-pwned" not in body_attributes(dom)
    assert "PWNED" not in dom.split("<body", 1)[0]
    assert f"https://pubmed.ncbi.nlm.nih.gov/{HOSTILE_PMID}/" in dom


def test_escaping_alone_keeps_the_data_inert_with_javascript_on(digest_html, tmp_path):
    page = tmp_path / "no-csp.html"
    html = digest_html.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    page.write_text(html.replace("</body>", CONTROL + "</body>"), encoding="utf-8")
    proc = run_chromium(page, tmp_path / "profile", "--dump-dom")
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom, proc.stderr[-2000:]
    attrs = body_attributes(dom)
    assert 'data-js="on"' in attrs  # the test's own script ran: JavaScript was on
    assert "data-pwned" not in attrs
    assert re.search(r"<title>Treatments · 2026-11-23</title>", dom)
    # The hostile markup is still text: no element was made from it.
    heading = dom[dom.index(f'<h4><a href="https://pubmed.ncbi.nlm.nih.gov/{HOSTILE_PMID}/">') :]
    heading = heading.split("</h4>")[0]
    assert "&lt;script&gt;" in heading and "<script" not in heading and "<img" not in heading


def test_a_screenshot_of_the_digest(digest_html, tmp_path):
    shot = (SCREENSHOT_DIR or tmp_path) / "digest.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    proc = run_chromium(
        digest_html, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,4200"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
