"""`tracker publish` into REAL Hugo and Jekyll sites, built by the real generators.

The site skeletons in tests/data/sites/ are the smallest that print a post as a theme
does (front matter title, then the content). Each test builds the site with the
generator's own command and reads the built HTML: the chart and every "Cite these"
link resolve to a built file, a draft is not built, the title shows once, and the
crafted hostile title stays text.

Hugo and Jekyll are Debian packages (hugo, jekyll); .ci/run installs them. In CI (CI
set) a missing generator fails the test; locally it is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from digest_scenario import HOSTILE_PMID, build

from tracker.cli import cli
from tracker.digest.write import DigestOptions

SITES = Path(__file__).parent / "data" / "sites"
WEEK1, WEEK2, WEEK3 = "2026-11-23", "2026-11-30", "2026-12-07"  # WEEK3 has nothing new


def generator(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed (CI must install it: see .ci/run)")
    pytest.skip(f"{name} is not installed (apt-get install {name})")


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_h1 = tag == "h1"
        self.links += [v for k, v in attrs if k in ("href", "src") and v]

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_h1:
            self.h1.append(data)


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def local_targets(page: Page, html: Path, root: Path, base: str = "") -> list[Path]:
    """Every link and image of the page that points into the site, as built files."""
    targets = []
    for link in page.links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith("#"):
            continue
        path = unquote(parts.path)
        inside = path[len(base) :].lstrip("/")
        target = root / inside if path.startswith("/") else html.parent / path
        targets.append(target / "index.html" if path.endswith("/") else target)
    return targets


def publish(reports: Path, site: Path, kind: str, day: str, *extra: str) -> str:
    args = ["--reports", str(reports), "publish", "treatments", "--to", str(site)]
    result = CliRunner().invoke(cli, [*args, "--site", kind, "--date", day, *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return build(tmp_path_factory.mktemp("publish"), DigestOptions(limit=5))


@pytest.fixture(scope="module")
def hugo_site(scenario, tmp_path_factory) -> Path:
    hugo = generator("hugo")
    site = tmp_path_factory.mktemp("hugo") / "site"
    shutil.copytree(SITES / "hugo", site)
    publish(scenario.reports, site, "hugo", WEEK1, "--follow-up")
    publish(scenario.reports, site, "hugo", WEEK2)
    publish(scenario.reports, site, "hugo", WEEK3)
    build_hugo(hugo, site)
    return site


def build_hugo(hugo: str, site: Path) -> None:
    # --buildFuture: WEEK3 lies ahead of the clock; only its draft flag may keep it out.
    done = subprocess.run(
        [hugo, "--buildFuture", "--quiet", "--source", str(site)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def jekyll_site(scenario, tmp_path_factory) -> Path:
    jekyll = generator("jekyll")
    site = tmp_path_factory.mktemp("jekyll") / "site"
    shutil.copytree(SITES / "jekyll", site)
    publish(scenario.reports, site, "jekyll", WEEK1, "--follow-up")
    publish(scenario.reports, site, "jekyll", WEEK2)
    publish(scenario.reports, site, "jekyll", WEEK3)
    build_jekyll(jekyll, site)
    return site


def build_jekyll(jekyll: str, site: Path) -> None:
    done = subprocess.run(
        [jekyll, "build", "--future", "--quiet", "--source", str(site), "--destination",
         str(site / "_site")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def check_built_page(html: Path, root: Path, base: str = "") -> Page:
    page = read_page(html)
    targets = local_targets(page, html, root, base)
    missing = [str(t.relative_to(root)) for t in targets if not t.is_file()]
    assert not missing, f"dead links in {html}: {missing}"
    names = {t.name for t in targets}
    assert {f"{WEEK1}.svg", f"{WEEK1}.ris", f"{WEEK1}.bib", f"{WEEK1}.json"} <= names
    chart = next(t for t in targets if t.suffix == ".svg")
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n<svg '
    assert chart.read_text(encoding="utf-8").startswith(prolog)
    assert "img" in page.tags
    # The title once (the theme's), and the summary sentence once.
    assert page.h1 == ["Treatments: literature digest, 2026-11-23"]
    text = "".join(page.text)
    assert text.count("9 new studies: 2 systematic reviews") == 1
    # The crafted hostile title stays text: no script, Liquid/shortcode braces unevaluated.
    assert "script" not in page.tags and "iframe" not in page.tags
    assert "{{ 7*7 }}" in text and "# not a heading" in text
    assert f"/{HOSTILE_PMID}/" in " ".join(page.links)
    return page


def test_hugo_page_bundle_shows_its_chart_and_cite_files(hugo_site):
    bundle = hugo_site / "content" / "posts" / f"treatments-{WEEK1}"
    assert sorted(p.name for p in bundle.iterdir()) == sorted(
        ["index.md", f"{WEEK1}.svg", f"{WEEK1}.ris", f"{WEEK1}.bib", f"{WEEK1}.json"]
    )
    html = hugo_site / "public" / "posts" / f"treatments-{WEEK1}" / "index.html"
    check_built_page(html, hugo_site / "public")


def test_hugo_builds_no_draft(hugo_site):
    posts = hugo_site / "public" / "posts"
    built = sorted(p.name for p in posts.iterdir() if p.is_dir())
    assert built == [f"treatments-{WEEK1}", f"treatments-{WEEK2}"]  # not WEEK3, not follow-up
    index = (posts / "index.html").read_text(encoding="utf-8")
    assert WEEK3 not in index and "Follow-up" not in index
    draft = (hugo_site / "content" / "posts" / f"treatments-{WEEK3}" / "index.md").read_text()
    assert "\ndraft: true\n" in draft


def test_jekyll_post_is_named_as_jekyll_wants_and_links_its_assets(jekyll_site):
    posts = sorted(p.name for p in (jekyll_site / "_posts").iterdir())
    assert posts == [f"{d}-treatments.md" for d in (WEEK1, WEEK2, WEEK3)]
    html = jekyll_site / "_site" / "2026" / "11" / "23" / "treatments" / "index.html"
    page = check_built_page(html, jekyll_site / "_site", base="/blog")
    assert f"/blog/assets/treatments/{WEEK1}/{WEEK1}.svg" in page.links


def test_jekyll_leaves_drafts_unpublished(jekyll_site):
    built = sorted(str(p.relative_to(jekyll_site / "_site")) for p in
                   (jekyll_site / "_site").rglob("index.html"))  # fmt: skip
    assert built == ["2026/11/23/treatments/index.html", "2026/11/30/treatments/index.html",
                     "index.html"]  # fmt: skip
    week3 = (jekyll_site / "_posts" / f"{WEEK3}-treatments.md").read_text(encoding="utf-8")
    assert "\npublished: false\n" in week3 and '\nlayout: "post"\n' in week3
    assert (jekyll_site / "_drafts" / f"treatments-{WEEK1}-follow-up.md").is_file()


def test_hugo_section_is_the_content_folder(scenario, tmp_path):
    hugo = generator("hugo")
    site = tmp_path / "site"
    shutil.copytree(SITES / "hugo", site)
    publish(scenario.reports, site, "hugo", WEEK1, "--section", "notes")
    build_hugo(hugo, site)
    assert (site / "content" / "notes" / f"treatments-{WEEK1}" / "index.md").is_file()
    html = site / "public" / "notes" / f"treatments-{WEEK1}" / "index.html"
    check_built_page(html, site / "public")
    assert not (site / "content" / "posts").exists()


def test_jekyll_section_is_the_posts_category(scenario, tmp_path):
    """Jekyll has categories, not sections: --section sets the post's `categories`, and
    Jekyll's default permalink (the site's own removed here) starts the URL with it."""
    jekyll = generator("jekyll")
    site = tmp_path / "site"
    shutil.copytree(SITES / "jekyll", site)
    config = site / "_config.yml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    config.write_text("".join(ln for ln in lines if not ln.startswith("permalink:")))
    publish(scenario.reports, site, "jekyll", WEEK1, "--section", "notes", "--follow-up")
    post = (site / "_posts" / f"{WEEK1}-treatments.md").read_text(encoding="utf-8")
    starter = site / "_drafts" / f"treatments-{WEEK1}-follow-up.md"
    assert '\ncategories: ["notes"]\n' in post
    assert '\ncategories: ["notes"]\n' in starter.read_text(encoding="utf-8")
    build_jekyll(jekyll, site)
    html = site / "_site" / "notes" / "2026" / "11" / "23" / "treatments.html"
    check_built_page(html, site / "_site", base="/blog")


def test_front_matter_has_title_once_date_tags_summary(hugo_site, jekyll_site):
    hugo = (hugo_site / "content" / "posts" / f"treatments-{WEEK1}" / "index.md").read_text()
    assert hugo.startswith(
        "---\n"
        'title: "Treatments: literature digest, 2026-11-23"\n'
        "date: 2026-11-23\n"
        'tags: ["pubmed", "literature-digest", "treatments"]\n'
        'summary: "9 new studies: 2 systematic reviews, 1 randomised trial, 3 observational '
        'studies, 1 case report, 2 narrative reviews."\n'
        "draft: false\n"
        "---\n\n"
    )
    jekyll = (jekyll_site / "_posts" / f"{WEEK1}-treatments.md").read_text()
    assert jekyll.startswith('---\nlayout: "post"\ntitle: "Treatments: literature digest, ')
    assert '\ndescription: "9 new studies: ' in jekyll and "\npublished: true\n" in jekyll
    for text in (hugo, jekyll):
        body = text.split("\n---\n", 1)[1]
        assert "\n# " not in body and "Treatments: literature digest" not in body


def test_markdown_is_editable_not_escaped_everywhere(hugo_site):
    text = (hugo_site / "content" / "posts" / f"treatments-{WEEK1}" / "index.md").read_text()
    assert "meta-analysis" in text and "10.1037/prj0000481" in text
    assert "Provisional tier (from title and abstract)" in text
    for over_escaped in ("meta\\-analysis", "10\\.1037", "\\(from title", "reviews\\."):
        assert over_escaped not in text


def test_follow_up_starter_cites_each_study(hugo_site):
    starter = hugo_site / "content" / "posts" / f"treatments-{WEEK1}-follow-up" / "index.md"
    text = starter.read_text(encoding="utf-8")
    assert "\ndraft: true\n" in text
    sentences = [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert len(sentences) == 5
    assert all("](https://pubmed.ncbi.nlm.nih.gov/" in s for s in sentences)


def test_publish_errors_are_one_line(scenario, tmp_path):
    runner = CliRunner()
    base = ["--reports", str(scenario.reports), "publish", "treatments", "--site", "hugo"]
    missing = runner.invoke(cli, [*base, "--to", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert missing.output == f"tracker: error: --to {tmp_path / 'nowhere'}: no such folder " \
        "(the site must exist already)\n"  # fmt: skip
    old = runner.invoke(cli, [*base, "--to", str(tmp_path), "--date", "2020-01-01"])
    assert old.exit_code == 2
    assert old.output == (
        f"tracker: error: no digest of 2020-01-01 in {scenario.reports / 'treatments'}; "
        "write one with `tracker digest treatments` (or set --reports)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_screenshot_of_a_built_page(hugo_site, tmp_path):
    """A real browser draws the built Hugo page (TRACKER_SCREENSHOTS=DIR keeps the PNG)."""
    from test_browser import SCREENSHOT_DIR, run_chromium

    html = hugo_site / "public" / "posts" / f"treatments-{WEEK1}" / "index.html"
    shot = (SCREENSHOT_DIR or tmp_path) / "hugo-post.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    done = run_chromium(
        html, tmp_path / "profile", f"--screenshot={shot}", "--window-size=900,1400"
    )
    assert shot.is_file(), done.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
