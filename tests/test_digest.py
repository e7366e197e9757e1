"""The digest a blog author reads, over three weeks of a saved search (digest_scenario):
golden files of the Markdown, HTML and plain text, and the promises behind them.

Golden files live in tests/golden/. They are regenerated only on purpose:
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_digest.py
and the diff is reviewed before it is committed. The inline SVG chart is compared too:
tracker/digest/chart.py draws it byte for byte the same on every machine.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest
import rispy
import yaml
from digest_scenario import (
    HOSTILE_PMID,
    HOSTILE_TITLE,
    RETRACTED_PMID,
    SEARCH,
    WEEK1,
    WEEK3,
    build,
)
from helpers import check_golden
from lxml import etree

from tracker import store
from tracker.digest.write import DigestOptions, write_digest

_RUN_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
_SVG = re.compile(r"<!--chart--><svg\b.*?</svg>\s*<!--/chart-->", re.DOTALL)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return build(tmp_path_factory.mktemp("digest"), DigestOptions(limit=5))


def normalised(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return _RUN_TIME.sub("YYYY-MM-DD HH:MM UTC", text)  # runs finish at the wall-clock time


@pytest.mark.parametrize("week", [1, 2, 3])
@pytest.mark.parametrize("part", ["md", "html", "txt"])
def test_rendered_digest_matches_its_golden_file(scenario, week, part):
    digest = scenario.digests[week - 1]
    path = {"md": digest.markdown_path, "html": digest.html_path}.get(part) or digest.files["text"]
    check_golden(f"week{week}.{part}", normalised(path))


def test_summary_names_what_is_new_by_tier_and_what_changed(scenario):
    first, second, third = scenario.digests
    assert first.summary == (
        "9 new studies: 2 systematic reviews, 1 randomised trial, 3 observational studies, "
        "1 case report, 2 narrative reviews."
    )
    assert second.summary == (
        "3 new studies: 2 narrative reviews, 1 guideline; "
        "1 earlier study retracted, 1 tier correction."
    )
    assert third.summary == "No new studies since the last digest (2026-11-30)."


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_front_matter_is_what_jekyll_and_hugo_read(scenario):
    first, _, empty = scenario.digests
    assert front_matter(first.markdown_path) == {
        "title": "Treatments: literature digest, 2026-11-23",
        "date": WEEK1,
        "draft": False,
        "tags": ["pubmed", "literature-digest", "treatments"],
        "search": "treatments",
        "studies": 9,
        "changes": 0,
        "summary": first.summary,
    }
    assert front_matter(empty.markdown_path)["draft"] is True


def test_too_many_new_lists_the_strongest_and_counts_the_rest(scenario):
    first = scenario.digests[0]
    text = first.markdown_path.read_text(encoding="utf-8")
    listed = re.findall(r"^#### \[.*\]\(https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/\)", text, re.M)
    assert len(listed) == 5
    assert "Listed: the 5 strongest and newest of 9 new studies. The other 4 (" in text
    # Everything is in the files the digest points to.
    doc = json.loads(first.files["json"].read_text(encoding="utf-8"))
    assert len(doc["studies"]) == 9
    assert [s["pmid"] for s in doc["studies"][:5]] == [int(p) for p in listed]
    tiers = [s["tier"] for s in doc["studies"]]
    assert tiers == sorted(tiers, key=["systematic_review", "rct", "clinical_trial",
                                       "observational", "case_report", "narrative_review",
                                       "guideline", "preclinical", "commentary",
                                       "other"].index)  # fmt: skip


def test_cite_these_files_read_back_with_rispy_and_bibtexparser(scenario):
    first = scenario.digests[0]
    entries = rispy.loads(first.files["ris"].read_text(encoding="utf-8"))
    library = bibtexparser.parse_string(first.files["bib"].read_text(encoding="utf-8"))
    doc = json.loads(first.files["json"].read_text(encoding="utf-8"))
    pmids = [s["pmid"] for s in doc["studies"]]
    assert [int(e["accession_number"]) for e in entries] == pmids
    assert len(library.entries) == 9 and not library.failed_blocks
    hostile = next(e for e in entries if int(e["accession_number"]) == HOSTILE_PMID)
    assert hostile["title"] == HOSTILE_TITLE


def test_what_changed_reports_retraction_and_tier_correction_of_earlier_studies(scenario):
    second = scenario.digests[1]
    doc = json.loads(second.files["json"].read_text(encoding="utf-8"))
    assert [(c["pmid"], c["kind"], c["detail"], c["reported"]) for c in doc["changes"]] == [
        (RETRACTED_PMID, "retracted", "PMID 99999999: Crafted notice. 2026;1:1", True),
        (
            36873252,
            "tier_corrected",
            "Observational study (provisional) → Narrative review",
            True,
        ),
    ]


def test_a_retracted_study_is_flagged_wherever_it_appears_later(scenario, tmp_path):
    # Re-render the first week's period after the retraction arrived.
    again = write_digest(
        scenario.db,
        SEARCH,
        scenario.reports,
        today=WEEK3,
        options=DigestOptions(limit=50, since=date(2000, 1, 1)),
    )
    doc = json.loads(again.files["json"].read_text(encoding="utf-8"))
    study = next(s for s in doc["studies"] if s["pmid"] == RETRACTED_PMID)
    assert study["retracted"] and study["cautions"][0]["id"] == "retracted"
    html = again.html_path.read_text(encoding="utf-8")
    block = html[html.index(f'<h4><a href="https://pubmed.ncbi.nlm.nih.gov/{RETRACTED_PMID}/') :]
    block = block.split("</article>")[0]
    assert '<span class="badge retracted">Retracted</span>' in block
    # A period re-render leaves the weekly chain alone.
    assert store.last_digest_through(scenario.db, SEARCH.name) == 3


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_title_is_text_in_html_markdown_and_plain_text(scenario):
    first = scenario.digests[0]
    html = first.html_path.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(html)
    assert not [t for t, _ in parser.tags if t in ("script", "img", "iframe", "object")]
    attrs = [name for _, a in parser.tags for name, _ in a]
    assert not [a for a in attrs if a.startswith("on")]
    assert HOSTILE_TITLE in "".join(parser.text)
    md = first.markdown_path.read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md and "](javascript" not in md
    line = next(ln for ln in md.splitlines() if f"/{HOSTILE_PMID}/" in ln and ln.startswith("#"))
    assert line.startswith("#### [") and line.endswith(
        f"](https://pubmed.ncbi.nlm.nih.gov/{HOSTILE_PMID}/)"
    )
    assert "{{" not in md.replace("\\{\\{", "")  # Jinja never evaluated the title


def test_the_chart_is_inline_svg_in_html_and_the_same_svg_file_beside_the_markdown(scenario):
    first = scenario.digests[0]
    html = first.html_path.read_text(encoding="utf-8")
    inline = _SVG.search(html).group(0)
    svg = first.files["svg"]
    assert "png" not in first.files
    drawn = svg.read_text(encoding="utf-8")
    assert drawn.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert drawn.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n').strip() in inline
    bars = etree.fromstring(svg.read_bytes()).findall("{http://www.w3.org/2000/svg}rect")
    per_year = json.loads(first.files["json"].read_text(encoding="utf-8"))["studies_per_year"]
    assert [b.findtext("{http://www.w3.org/2000/svg}title") for b in bars] == [
        f"{year}: {n}" for year, n in per_year.items() if n
    ]
    assert f"![Studies per year]({svg.name})" in first.markdown_path.read_text(encoding="utf-8")


def test_user_templates_override_the_bundled_ones(scenario, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "digest.md.j2").write_text("{{ summary }} / {{ studies | length }}\n", "utf-8")
    result = write_digest(
        scenario.db,
        SEARCH,
        tmp_path / "reports",
        today=WEEK3,
        options=DigestOptions(since=WEEK1, template_dir=folder),
    )
    assert result.markdown_path.read_text(encoding="utf-8").startswith("12 new studies")
    assert result.html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
