"""Exports: every real sample record (and one crafted hostile one) written as RIS, BibTeX,
CSV, JSON and JSONL, then read back by the parsers reference managers use (rispy,
bibtexparser) and compared field by field with what went in."""

from __future__ import annotations

import csv
import io
import json
import re

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from collection_fixture import CRAFTED_PMID, build_collection
from pylatexenc.latex2text import LatexNodes2Text

from tracker import store
from tracker.digest.export import (
    CSV_COLUMNS,
    EXPORT_FORMATS,
    citation_key,
    expand_pages,
    write_export,
)

LATEX = LatexNodes2Text()
# What LaTeX reads as more than plain text: control characters, braces, math, ties,
# comments, and the ligatures of dashes and quotes. A value with none of these decodes
# to itself (test_plain_values_decode_to_themselves), so only the others are decoded:
# pylatexenc takes ~50 ms per abstract, and there are 300 of them.
LATEX_SYNTAX = re.compile(r"[\\{}$~%^&#_]|--|``|''|!`|\?`")


class _LatexDecoding(LatexDecodingMiddleware):
    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        if not LATEX_SYNTAX.search(python_string):
            return python_string, ""
        return super()._transform_python_value_string(python_string)


def latex_text(value: str) -> str:
    return LATEX.latex_to_text(value) if LATEX_SYNTAX.search(value) else value


def norm(value: object) -> str:
    return " ".join(str(value).split())


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    db = build_collection(tmp_path_factory.mktemp("export") / "tracker.db")
    rows = [store.decode_article_row(r) for r in db.query("SELECT * FROM articles ORDER BY pmid")]
    authors = store.authors_by_pmid(db, [r["pmid"] for r in rows])
    assert len(rows) > 300 and any(r["record_type"] == "book" for r in rows)
    return rows, authors


def export(rows, authors, fmt: str) -> str:
    out = io.StringIO()
    write_export(rows, authors, fmt, out)
    return out.getvalue()


def name(author: dict) -> str:
    if author["collective_name"]:
        return author["collective_name"]
    fore = author["fore_name"] or author["initials"]
    text = f"{author['last_name']}, {fore}" if fore else author["last_name"]
    return text + (f", {author['suffix']}" if author["suffix"] else "")


def keywords(row: dict) -> list[str]:
    return list(dict.fromkeys([*row["keywords"], *row["mesh_terms"]]))


def notes(row: dict) -> list[str]:
    out = []
    if row["retracted"]:
        out.append("RETRACTED: PubMed marks this article as retracted.")
    if row.get("evidence_tier"):  # stored since migration m003 (tracker.classify)
        out.append(f"Evidence tier: {row['evidence_tier']}")
    if row["publication_types"]:
        out.append("Publication types: " + "; ".join(row["publication_types"]))
    return out


def expected_ris(row: dict, people: list[dict]) -> dict:
    start, end = expand_pages(row["pages"])
    date = None
    if row["pub_date"]:
        parts = row["pub_date"].split("-") + ["", ""]
        date = f"{parts[0]}/{parts[1]}/{parts[2]}/"
    entry = {
        "type_of_reference": "CHAP" if row["record_type"] == "book" else "JOUR",
        "title": row["title"],
        "secondary_title": row["journal"],
        "alternate_title1": row["journal_abbrev"],
        "authors": [norm(name(a)) for a in people] or None,
        "year": row["pub_year"],
        "date": date,
        "volume": row["volume"],
        "number": row["issue"],
        "start_page": start,
        "end_page": end,
        "abstract": row["abstract"],
        "doi": row["doi"],
        "issn": row["issn"],
        "language": row["language"],
        "keywords": keywords(row) or None,
        "accession_number": row["pmid"],
        "custom2": row["pmcid"],
        "name_of_database": "PubMed",
        "urls": [f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/"],
        "notes": notes(row) or None,
    }
    return {
        k: v if isinstance(v, list) else norm(v)
        for k, v in entry.items()
        if v is not None and (isinstance(v, list) or norm(v))
    }


def test_ris_reads_back_with_rispy_field_for_field(collection):
    rows, authors = collection
    entries = rispy.loads(export(rows, authors, "ris"))
    assert len(entries) == len(rows)
    for row, entry in zip(rows, entries, strict=True):
        assert entry == expected_ris(row, authors[row["pmid"]]), row["pmid"]


def test_ris_of_the_crafted_record_keeps_hostile_text_inside_its_fields(collection):
    rows, authors = collection
    crafted = [r for r in rows if r["pmid"] == CRAFTED_PMID]
    [entry] = rispy.loads(export(crafted, authors, "ris"))
    assert entry["title"] == '=HYPERLINK("x") 100% of {braced} R&D_costs $5 #1 ~ ^ \\ baclofen'
    # The abstract's "ER  - " line is text, not the end of the record.
    assert entry["abstract"] == (
        "BACKGROUND: first. ER - not a tag CONCLUSIONS: restless legs improved."
    )
    assert entry["authors"] == [
        "Ørsted, Hans Christian",
        "Baclofen and RLS Study Group",
        "Smith, Jo, Jr",
    ]
    assert (entry["start_page"], entry["end_page"]) == ("123", "145")
    assert entry["notes"][0].startswith("RETRACTED")


def decoded_bibtex(text: str) -> list:
    """Entries with LaTeX decoded; authors split at "and" first (braced groups kept whole),
    then decoded one by one, since the decoding middleware leaves list values alone."""
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), _LatexDecoding()]
    )
    assert library.failed_blocks == []
    for entry in library.entries:
        if "author" in entry.fields_dict:
            field = entry.fields_dict["author"]
            field.value = [latex_text(n) for n in field.value]
    return library.entries


def expected_bibtex(row: dict, people: list[dict]) -> dict:
    start, end = expand_pages(row["pages"])
    entry = {
        "author": [norm(name(a)) for a in people] or None,
        "title": row["title"],
        "booktitle" if row["record_type"] == "book" else "journal": row["journal"],
        "shortjournal": row["journal_abbrev"],
        "year": row["pub_year"],
        "date": row["pub_date"],
        "volume": row["volume"],
        "number": row["issue"],
        "pages": f"{start}–{end}" if end else start,  # "--" decodes to an en dash
        "doi": row["doi"],
        "issn": row["issn"],
        "pmid": row["pmid"],
        "pmcid": row["pmcid"],
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/",
        "language": row["language"],
        "keywords": ", ".join(keywords(row)),
        "abstract": row["abstract"],
        "note": " ".join(notes(row)),
    }
    return {
        k: v if isinstance(v, list) else norm(v)
        for k, v in entry.items()
        if v is not None and (isinstance(v, list) or norm(v))
    }


def bibtex_value(value: object) -> object:
    # pylatexenc renders \textasciicircum as U+02C6 (modifier circumflex), not "^".
    return [norm(v) for v in value] if isinstance(value, list) else norm(value).replace("ˆ", "^")


def test_bibtex_reads_back_with_bibtexparser_field_for_field(collection):
    rows, authors = collection
    entries = decoded_bibtex(export(rows, authors, "bibtex"))
    assert len(entries) == len(rows)
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)
    for row, entry in zip(rows, entries, strict=True):
        people = authors[row["pmid"]]
        assert entry.key == citation_key(row, people)
        assert entry.entry_type == ("incollection" if row["record_type"] == "book" else "article")
        got = {f.key: bibtex_value(f.value) for f in entry.fields}
        assert got == expected_bibtex(row, people), row["pmid"]


def test_plain_values_decode_to_themselves(collection):
    """The shortcut in decoded_bibtex, checked on every 7th plain value of the export."""
    rows, authors = collection
    library = bibtexparser.parse_string(export(rows, authors, "bibtex"))
    values = [f.value for e in library.entries for f in e.fields]
    plain = [v for v in values if not LATEX_SYNTAX.search(v)]
    assert len(plain) > 4000
    for value in plain[::7]:
        assert LATEX.latex_to_text(value) == value


def test_bibtex_of_the_crafted_record_escapes_latex_and_keeps_group_authors_whole(collection):
    rows, authors = collection
    crafted = [r for r in rows if r["pmid"] == CRAFTED_PMID]
    text = export(crafted, authors, "bibtex")
    assert text.startswith("@article{Orsted2021_99000001,\n")
    assert r"100\% of \{braced\} R\&D\_costs \$5 \#1" in text
    assert "doi = {10.1000/crafted_1}" in text  # verbatim field: no escapes
    [entry] = decoded_bibtex(text)
    assert entry.fields_dict["author"].value == [
        "Ørsted, Hans Christian",
        "Baclofen and RLS Study Group",
        "Smith, Jo, Jr",
    ]


def test_csv_has_one_row_per_article_and_defuses_formula_cells(collection):
    rows, authors = collection
    records = list(csv.DictReader(io.StringIO(export(rows, authors, "csv"))))
    assert len(records) == len(rows)
    # Stored rows carry evidence_tier since migration m003: the column the next test adds.
    assert tuple(c for c in records[0] if c != "evidence_tier") == CSV_COLUMNS
    by_pmid = {int(r["pmid"]): r for r in records}
    crafted = by_pmid[CRAFTED_PMID]
    assert crafted["title"].startswith("'=HYPERLINK(")
    assert crafted["authors"] == "Ørsted HC; Baclofen and RLS Study Group; Smith J"
    assert crafted["abstract"].split("\n\n")[1] == "ER  - not a tag"  # kept whole, quoted
    for row in rows:
        record = by_pmid[row["pmid"]]
        assert record["publication_types"] == "; ".join(row["publication_types"])
        assert record["doi"] == (row["doi"] or "")
        if not row["title"].startswith(("=", "+", "-", "@")):
            assert record["title"] == row["title"]


def test_csv_adds_the_evidence_tier_column_when_rows_carry_it(collection):
    rows, authors = collection
    tiered = [{**r, "evidence_tier": "rct"} for r in rows[:2]]
    header = export(tiered, authors, "csv").splitlines()[0].split(",")
    assert header[header.index("retracted") - 1] == "evidence_tier"


def test_json_and_jsonl_keep_every_column_with_authors_embedded(collection):
    rows, authors = collection
    as_json = json.loads(export(rows, authors, "json"))
    as_jsonl = [json.loads(line) for line in export(rows, authors, "jsonl").splitlines()]
    assert as_json == as_jsonl
    for row, record in zip(rows, as_json, strict=True):
        people = record.pop("authors")
        assert record.pop("url") == f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/"
        assert record == row
        assert [p["position"] for p in people] == [a["position"] for a in authors[row["pmid"]]]
        for person, stored in zip(people, authors[row["pmid"]], strict=True):
            assert person["affiliations"] == json.loads(stored["affiliations"])
            assert person["last_name"] == stored["last_name"]


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("123-45", ("123", "145")),
        ("1019-1024", ("1019", "1024")),
        ("e1234", ("e1234", None)),
        ("S12-9", ("S12", "S19")),
        ("123-45; discussion 146", ("123-45; discussion 146", None)),
        (None, (None, None)),
    ],
)
def test_medline_page_ranges_are_expanded(pages, expected):
    assert expand_pages(pages) == expected


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown export format 'docx'"):
        write_export([], {}, "docx", io.StringIO())
    assert EXPORT_FORMATS == ("csv", "ris", "bibtex", "json", "jsonl")
