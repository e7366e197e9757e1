"""Stored articles as files other tools read: RIS, BibTeX, CSV, JSON, JSON Lines.

Input is what the store hands out: `articles` rows with their JSON columns decoded
(tracker.store.decode_article_row) and `authors` rows by PMID (tracker.store.authors_by_pmid).
Pure functions over a text handle: no database, no network.

Choices, and why:
* RIS: the tags Zotero, EndNote and Mendeley all read (TY, TI, T2 journal, J2 abbreviation,
  AU "Last, Fore", PY, DA, VL, IS, SP/EP, AB, DO, SN, LA, KW, UR). AN holds the PMID with
  DB "PubMed"; C2 holds the PMCID, as EndNote's own PubMed import does. RIS values are one
  line each: a continuation line that happened to start "XX  - " would be read as a tag.
* BibTeX: UTF-8 text with LaTeX's special characters escaped; the title is braced whole so
  styles do not lower-case drug names and acronyms (PubMed titles are sentence case already).
  MEDLINE's abbreviated page ranges ("123-45") are expanded ("123--145").
* CSV: one row per article, multi-valued fields joined with "; " (a spreadsheet has no
  lists). A text cell starting with = + - @ gets a leading ' so a hostile title cannot run
  as a spreadsheet formula (OWASP "CSV injection").
* JSON / JSONL: every stored column, with the authors embedded: nothing is lost.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TextIO

from tracker.digest.render import PUBMED_URL, short_author

EXPORT_FORMATS = ("csv", "ris", "bibtex", "json", "jsonl")

Row = dict[str, Any]
Authors = dict[int, list[dict[str, Any]]]


def write_export(rows: list[Row], authors: Authors, fmt: str, fh: TextIO) -> None:
    """Write `rows` (decoded `articles` rows) with their `authors` to `fh` as `fmt`."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    writer(rows, authors, fh)


def article_url(pmid: int) -> str:
    return PUBMED_URL.format(pmid=pmid)


def expand_pages(pages: str | None) -> tuple[str | None, str | None]:
    """MEDLINE page ranges as (start, end): "123-45" → ("123", "145"); "e1234" → ("e1234", None)."""
    if not pages:
        return None, None
    match = re.fullmatch(r"\s*([A-Za-z]*)(\d+)\s*-\s*([A-Za-z]*)(\d+)\s*", pages)
    if not match:
        return pages.strip(), None
    prefix, start, end_prefix, end = match.groups()
    if len(end) < len(start):  # MEDLINE drops the leading digits the ends share
        end = start[: len(start) - len(end)] + end
    return prefix + start, (end_prefix or prefix) + end


def author_name(author: dict[str, Any]) -> str:
    """ "Last, Fore" (", Suffix" when there is one); a group author's name as it is."""
    if author.get("collective_name"):
        return str(author["collective_name"])
    last = author.get("last_name") or ""
    fore = author.get("fore_name") or author.get("initials") or ""
    name = f"{last}, {fore}" if fore else last
    if author.get("suffix"):
        name += f", {author['suffix']}"
    return name


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _list(value: object) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return list(value) if isinstance(value, list | tuple) else []


# -- RIS -------------------------------------------------------------------------------------


def _ris_record(row: Row, people: list[dict[str, Any]]) -> list[tuple[str, object]]:
    start, end = expand_pages(row.get("pages"))
    book = row.get("record_type") == "book"
    fields: list[tuple[str, object]] = [
        ("TY", "CHAP" if book else "JOUR"),
        ("TI", row.get("title")),
        ("T2", row.get("journal")),
        ("J2", row.get("journal_abbrev")),
    ]
    fields += [("AU", author_name(a)) for a in people]
    fields += [
        ("PY", row.get("pub_year")),
        ("DA", _ris_date(row.get("pub_date"))),
        ("VL", row.get("volume")),
        ("IS", row.get("issue")),
        ("SP", start),
        ("EP", end),
        ("AB", row.get("abstract")),
        ("DO", row.get("doi")),
        ("SN", row.get("issn")),
        ("LA", row.get("language")),
    ]
    fields += [("KW", k) for k in _keywords(row)]
    fields += [
        ("AN", row["pmid"]),
        ("C2", row.get("pmcid")),
        ("DB", "PubMed"),
        ("UR", article_url(row["pmid"])),
    ]
    fields += [("N1", note) for note in _notes(row)]
    return fields


def _ris_date(pub_date: str | None) -> str | None:
    """RIS DA is YYYY/MM/DD/other, empty parts kept: "2020-03" → "2020/03//"."""
    if not pub_date:
        return None
    parts = pub_date.split("-") + ["", ""]
    return f"{parts[0]}/{parts[1]}/{parts[2]}/"


def _keywords(row: Row) -> list[str]:
    """Author keywords, then MeSH headings not already among them."""
    seen: dict[str, None] = {}
    for word in _list(row.get("keywords")) + _list(row.get("mesh_terms")):
        seen.setdefault(str(word), None)
    return list(seen)


def _notes(row: Row) -> list[str]:
    notes = []
    if row.get("retracted"):
        notes.append("RETRACTED: PubMed marks this article as retracted.")
    if row.get("evidence_tier"):
        notes.append(f"Evidence tier: {row['evidence_tier']}")
    if row.get("drug_role"):  # rows of one saved search (m004)
        notes.append(f"Drug role: {row['drug_role']} ({row.get('drug_role_reason') or ''})")
    types = _list(row.get("publication_types"))
    if types:
        notes.append("Publication types: " + "; ".join(types))
    return notes


def _write_ris(rows: list[Row], authors: Authors, fh: TextIO) -> None:
    for row in rows:
        for tag, value in _ris_record(row, authors.get(row["pmid"], [])):
            line = _one_line(value) if value is not None else ""
            if line:
                fh.write(f"{tag}  - {line}\n")
        fh.write("ER  - \n\n")


# -- BibTeX ----------------------------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("[" + re.escape("".join(_LATEX_SPECIALS)) + "]")
# TeX ligatures: "--" prints as an en dash, "``" and "''" as curly quotes, "?`" as "¿"
# (PMID 7: "adrenal medulla--IV"); an empty group between the two characters stops them.
_LIGATURE_RE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)")
_LIGATURES = ("--", "``", "''", "?`", "!`")


def latex_escape(text: str) -> str:
    """Most fields hold no special character: a scan in C decides, and only those that
    do are rewritten (a first digest exports every one of up to 10,000 studies)."""
    escaped = _one_line(text)
    if _LATEX_RE.search(escaped):
        escaped = _LATEX_RE.sub(_latex_special, escaped)
    if any(pair in escaped for pair in _LIGATURES):
        escaped = _LIGATURE_RE.sub("{}", escaped)
    return escaped


def _latex_special(match: re.Match[str]) -> str:
    return _LATEX_SPECIALS[match.group()]


# Letters NFKD does not decompose into ASCII.
_TRANSLITERATE = str.maketrans(
    {"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "ß": "ss", "Ł": "L", "ł": "l", "Đ": "D",
     "đ": "d", "Þ": "Th", "þ": "th", "Œ": "OE", "œ": "oe", "ı": "i"}
)  # fmt: skip


def verbatim(text: str) -> str:
    """DOIs and URLs are verbatim fields in biblatex: no escapes, only unbalanced braces out."""
    return _one_line(text).replace("{", "").replace("}", "")


def bibtex_doi(doi: str) -> str | None:
    """A DOI as a verbatim field that cannot carry LaTeX: no DOI holds a backslash, a
    brace, '%' or a space, so a stored "10.1/x}\\input{/etc/passwd" loses them."""
    kept = re.sub(r"[\\{}%\s]", "", _one_line(doi))
    return kept or None


def citation_key(row: Row, people: list[dict[str, Any]]) -> str:
    """ "Smith2020_31234567": readable, and unique because it ends with the PMID."""
    first = people[0] if people else {}
    name = str(first.get("last_name") or first.get("collective_name") or "pmid")
    name = name.translate(_TRANSLITERATE)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Za-z]", "", ascii_name)[:20] or "pmid"
    return f"{letters}{row.get('pub_year') or ''}_{row['pmid']}"


def _bibtex_name(author: dict[str, Any]) -> str:
    if author.get("collective_name"):  # braced: BibTeX must not split it at "and"
        return "{" + latex_escape(author["collective_name"]) + "}"
    return latex_escape(author_name(author))


def _bibtex_fields(row: Row, people: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    start, end = expand_pages(row.get("pages"))
    pages = f"{latex_escape(start)}--{latex_escape(end)}" if start and end else start
    book = row.get("record_type") == "book"
    esc: Callable[[object], str | None] = lambda v: latex_escape(str(v)) if v else None  # noqa: E731
    return [
        ("author", " and ".join(_bibtex_name(a) for a in people) or None),
        ("title", "{" + latex_escape(row["title"]) + "}" if row.get("title") else None),
        ("booktitle" if book else "journal", esc(row.get("journal"))),
        ("shortjournal", esc(row.get("journal_abbrev"))),
        ("year", esc(row.get("pub_year"))),
        ("date", esc(row.get("pub_date"))),
        ("volume", esc(row.get("volume"))),
        ("number", esc(row.get("issue"))),
        ("pages", pages if end else esc(pages)),
        ("doi", bibtex_doi(row["doi"]) if row.get("doi") else None),
        ("issn", esc(row.get("issn"))),
        ("pmid", str(row["pmid"])),
        ("pmcid", esc(row.get("pmcid"))),
        ("url", article_url(row["pmid"])),
        ("language", esc(row.get("language"))),
        ("keywords", esc(", ".join(_keywords(row)))),
        ("abstract", esc(row.get("abstract"))),
        ("note", esc(" ".join(_notes(row)))),
    ]


def _write_bibtex(rows: list[Row], authors: Authors, fh: TextIO) -> None:
    for row in rows:
        people = authors.get(row["pmid"], [])
        kind = "incollection" if row.get("record_type") == "book" else "article"
        fh.write(f"@{kind}{{{citation_key(row, people)},\n")
        for name, value in _bibtex_fields(row, people):
            if value:
                fh.write(f"  {name} = {{{value}}},\n")
        fh.write("}\n\n")


# -- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "pmid", "title", "authors", "journal", "journal_abbrev", "pub_year", "pub_date",
    "volume", "issue", "pages", "doi", "pmcid", "publication_types", "mesh_terms",
    "keywords", "language", "retracted", "abstract", "url", "first_seen",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROLE_CSV_COLUMNS = ("drug_role", "drug_role_reason", "drug_role_source")


def csv_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_record(row: Row, people: list[dict[str, Any]]) -> dict[str, object]:
    record: dict[str, object] = {c: row.get(c) for c in CSV_COLUMNS}
    record.update(
        authors="; ".join(short_author(a) for a in people),
        publication_types="; ".join(_list(row.get("publication_types"))),
        mesh_terms="; ".join(_list(row.get("mesh_terms"))),
        keywords="; ".join(_list(row.get("keywords"))),
        url=article_url(row["pmid"]),
    )
    for column in ("evidence_tier", *ROLE_CSV_COLUMNS):
        if column in row:
            record[column] = row[column]
    return {k: csv_safe(v) for k, v in record.items()}


def _write_csv(rows: list[Row], authors: Authors, fh: TextIO) -> None:
    columns = list(CSV_COLUMNS)
    if any("evidence_tier" in r for r in rows):
        columns.insert(columns.index("retracted"), "evidence_tier")
    if any("drug_role" in r for r in rows):  # a saved search's rows: its drug roles
        at = columns.index("retracted")
        columns[at:at] = list(ROLE_CSV_COLUMNS)
    writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(csv_record(row, authors.get(row["pmid"], [])))


# -- JSON ------------------------------------------------------------------------------------


def json_record(row: Row, people: list[dict[str, Any]]) -> Row:
    """Every column, the authors embedded (their JSON `affiliations` decoded)."""
    record = dict(row)
    record["authors"] = [
        {
            **{k: v for k, v in a.items() if k != "pmid"},
            "affiliations": _list(a.get("affiliations")),
            "equal_contrib": bool(a.get("equal_contrib")),
        }
        for a in people
    ]
    record["url"] = article_url(row["pmid"])
    return record


def _write_json(rows: list[Row], authors: Authors, fh: TextIO) -> None:
    records = [json_record(r, authors.get(r["pmid"], [])) for r in rows]
    json.dump(records, fh, indent=2, ensure_ascii=False, default=str)
    fh.write("\n")


def _write_jsonl(rows: list[Row], authors: Authors, fh: TextIO) -> None:
    for row in rows:
        record = json_record(row, authors.get(row["pmid"], []))
        fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


_WRITERS: dict[str, Callable[[list[Row], Authors, TextIO], None]] = {
    "csv": _write_csv,
    "ris": _write_ris,
    "bibtex": _write_bibtex,
    "json": _write_json,
    "jsonl": _write_jsonl,
}

__all__ = [
    "CSV_COLUMNS", "EXPORT_FORMATS", "article_url", "author_name", "citation_key",
    "expand_pages", "latex_escape", "verbatim", "write_export",
]  # fmt: skip
