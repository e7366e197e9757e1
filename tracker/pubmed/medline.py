"""MEDLINE text (PubMed "Send to: MEDLINE" .txt / .nbib exports) -> models.Article.

The format is "TAG - value" lines, a wrapped value continued on lines indented by six
spaces, records separated by blank lines. Continuation lines are joined to their tag
line first (a wrapped "CIN - Lancet. 2001;…\\n      PMID: 123" is one link, not two),
then the values are gathered per tag, in order (`_tags`); authors are read from the
ordered lines, since a dict of tags would lose which AD/AUID line belongs to which
author. (Bio.Medline did the gathering until it was the only reason to install
Biopython, and numpy with it.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any, TextIO

from tracker.models import AbstractSection, Article, Author, CommentCorrection, MeshHeading
from tracker.pubmed.databanks import medline_registered_trials
from tracker.pubmed.limits import MAX_RECORD_BYTES, MAX_RECORD_TAGS, bounded_int
from tracker.pubmed.stream import PubmedParseError

__all__ = ["iter_medline", "open_medline_file"]

# MEDLINE tag -> CommentsCorrections RefType (NLM "MEDLINE/PubMed Data Element
# Descriptions"; the XML RefType names are the ones in pubmed_250101.dtd).
_LINK_TAGS = {
    "CIN": "CommentIn",
    "CON": "CommentOn",
    "EIN": "ErratumIn",
    "EFR": "ErratumFor",
    "RIN": "RetractionIn",
    "ROF": "RetractionOf",
    "UIN": "UpdateIn",
    "UOF": "UpdateOf",
    "CRI": "CorrectedandRepublishedIn",
    "CRF": "CorrectedandRepublishedFrom",
    "RRI": "RetractedandRepublishedIn",
    "RRF": "RetractedandRepublishedFrom",
    "ECI": "ExpressionOfConcernIn",
    "ECF": "ExpressionOfConcernFor",
    "RPI": "RepublishedIn",
    "RPF": "RepublishedFrom",
    "PRIN": "PartialRetractionIn",
    "PROF": "PartialRetractionOf",
    "SPIN": "SummaryForPatientsIn",
    "ORI": "OriginalReportIn",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")


def open_medline_file(path: str | os.PathLike[str]) -> Iterator[Article]:
    """Parse a MEDLINE text file; utf-8-sig drops the BOM some exports start with."""
    with open(path, encoding="utf-8-sig", newline=None) as stream:
        yield from iter_medline(stream, os.fspath(path))


def iter_medline(stream: TextIO, label: str = "MEDLINE text") -> Iterator[Article]:
    """Yield one Article per record; records are separated by blank lines."""
    for lines in _records(stream, label):
        record = _tags(lines)
        pmid = _get(record, "PMID")
        if pmid:
            try:
                article = _article(record, lines)
            except ValueError as exc:  # a number out of range: refuse the file, naming it
                raise PubmedParseError(f"MEDLINE record PMID {pmid[:30]}: {exc}") from None
            yield article


def _records(stream: TextIO, label: str) -> Iterator[list[str]]:
    """Records as lists of 'TAG - value' lines, wrapped lines joined to their tag line.

    PubMed wraps at ~80 columns with a 6-space indent: "AD  - Department of …, San \\n
    Diego, CA" (PMID 33020656), so the join keeps exactly one space. A value's pieces
    are joined once, at the end of its record (joining line by line copied the value
    again for each of its lines: a crafted record of 3 MB took 4 s, 16 MB would take
    minutes). A record is refused past the bounds an XML record has (limits.py), and
    no line is read whole past them: a file without blank lines or newlines cannot
    fill the memory.
    """
    lines: list[list[str]] = []  # each tag line, then its continuation lines
    size = count = 0
    while raw := stream.readline(MAX_RECORD_BYTES + 1):
        size, count = size + len(raw), count + 1
        if size > MAX_RECORD_BYTES or count > MAX_RECORD_TAGS:
            raise PubmedParseError(
                f"{label}: a MEDLINE record of more than {MAX_RECORD_BYTES >> 20} MiB or "
                f"{MAX_RECORD_TAGS:,} lines, larger than any PubMed record; refused"
            )
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip():
            if lines:
                yield [" ".join(parts) for parts in lines]
                lines = []
            size = count = 0
        elif line.startswith("      ") and lines:
            lines[-1].append(line.strip())
        else:
            lines.append([line.rstrip()])
    if lines:
        yield [" ".join(parts) for parts in lines]


def _tags(lines: list[str]) -> dict[str, list[str]]:
    """Every value of each tag, in order: {"AU": ["Smith J", "Lee K"], "TI": […]}."""
    record: dict[str, list[str]] = {}
    for line in lines:
        record.setdefault(line[:4].rstrip(), []).append(line[6:])
    return record


def _values(lines: list[str]) -> Iterator[tuple[str, str]]:
    for line in lines:
        yield line[:4].rstrip(), line[6:].strip()


def _article(record: dict[str, list[str]], lines: list[str]) -> Article:
    year, iso, printed = _pub_date(_get(record, "DP"))
    dep = _get(record, "DEP") or ""  # the electronic publication date
    if year is None and dep[:4].isdigit():
        year, iso = int(dep[:4]), dep[:4]
    abstract = " ".join((_get(record, "AB") or "").split()) or None
    return Article(
        pmid=bounded_int(_get(record, "PMID"), "PMID"),
        title=" ".join((_get(record, "TI") or _get(record, "BTI") or "").split()),
        record_type="book" if "BTI" in record else "article",
        vernacular_title=" ".join((_get(record, "TT") or "").split()) or None,
        abstract=abstract,
        abstract_sections=(AbstractSection(abstract),) if abstract else (),
        authors=_authors(lines),
        journal=_get(record, "JT") or _get(record, "BTI"),
        journal_abbrev=_get(record, "TA") or None,
        issn=_issn(lines),
        volume=_get(record, "VI") or None,
        issue=_get(record, "IP") or None,
        pages=_get(record, "PG") or None,
        pub_year=year,
        pub_date=iso,
        pub_date_text=printed,
        create_date=_day(_get(record, "CRDT")) or _day(_get(record, "DA")),
        entry_date=_day(_get(record, "EDAT")),
        revised_date=_day(_get(record, "LR")),
        completed_date=_day(_get(record, "DCOM")),
        **_ids(record, lines),
        languages=tuple(record.get("LA", ())),
        publication_types=tuple(record.get("PT", ())),
        mesh_headings=tuple(_mesh(term) for term in record.get("MH", ())),
        keywords=tuple(record.get("OT", ())),
        chemicals=tuple(c for c in map(_chemical, record.get("RN", ())) if c),
        comments_corrections=_links(lines),
        publication_status=_get(record, "PST") or None,
        citation_status=_get(record, "STAT") or None,
        history_statuses=tuple(_phst(v) for v in record.get("PHST", ())),
        registered_trials=medline_registered_trials(record.get("SI", ())),
    )


def _get(record: dict[str, list[str]], key: str) -> str | None:
    """One value: a tag given on several lines is joined with spaces."""
    value = " ".join(record.get(key, ()))
    return value.strip() or None


def _authors(lines: list[str]) -> tuple[Author, ...]:
    """FAU/AU pairs in order; AD and AUID lines belong to the author above them; CN
    (a group author) sits in the author sequence where PubMed lists it. Records from
    before 2002 have AU ("Smith JA") without FAU."""
    authors: list[dict] = []
    awaiting_au = False
    for tag, value in _values(lines):
        if tag == "FAU":
            last, _, fore = value.partition(", ")
            authors.append({"last_name": last or None, "fore_name": fore or None})
            awaiting_au = True
        elif tag == "AU" and awaiting_au:
            last = authors[-1]["last_name"] or ""
            initials = value[len(last) :].strip() if value.startswith(last) else ""
            authors[-1]["initials"] = initials or None
            awaiting_au = False
        elif tag == "AU":
            last, _, initials = value.rpartition(" ")
            authors.append({"last_name": last or initials, "initials": initials if last else None})
        elif tag == "CN":
            authors.append({"collective_name": value})
            awaiting_au = False
        elif tag == "AD" and authors:
            authors[-1].setdefault("affiliations", []).append(value)
        elif tag == "AUID" and authors and value.upper().startswith("ORCID"):
            match = _ORCID.search(value.replace(" ", "").upper())
            authors[-1]["orcid"] = "-".join(match.groups()) if match else None
    return tuple(
        Author(position=i, **{**a, "affiliations": tuple(a.get("affiliations", ()))})
        for i, a in enumerate(authors, 1)
    )


def _pub_date(dp: str | None) -> tuple[int | None, str | None, str | None]:
    """DP "2016 Jan 15", "2013 Mar-Apr", "2020 Spring", "1998 Dec-1999 Jan"."""
    if not dp:
        return None, None, None
    found = re.search(r"\d{4}", dp)
    if not found:
        return None, None, dp
    year = found.group()
    match = re.fullmatch(r"(\d{4})(?: ([A-Z][a-z]{2}))?(?: (\d{1,2}))?", dp)
    if not match or not match.group(2) or match.group(2) not in _MONTHS:
        return int(year), year, dp
    iso = f"{year}-{_MONTHS[match.group(2)]:02d}"
    if match.group(3):
        iso += f"-{int(match.group(3)):02d}"
    return int(year), iso, dp


def _day(value: str | None) -> str | None:
    """CRDT/EDAT "2020/10/06 05:32" and LR/DCOM/DA "20210211" -> "2021-02-11"."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value)[:8]
    if len(digits) < 8:
        return None
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"


def _issn(lines: list[str]) -> str | None:
    """First IS line that is not the linking ISSN: "1548-7105 (Electronic)"."""
    for tag, value in _values(lines):
        if tag == "IS" and "(Linking)" not in value:
            return value.split(" ")[0] or None
    return None


def _ids(record: dict[str, list[str]], lines: list[str]) -> dict[str, Any]:
    """LID/AID "10.1038/s41592-020-00971-x [doi]", "S0378-1119(15)01297-4 [pii]"; a bare
    LID ("18", an article number in nbib__pmc_medlars.txt) is not an identifier."""
    found: dict[str, str] = {}
    for tag, value in _values(lines):
        if tag in ("LID", "AID") and value.endswith("]") and " [" in value:
            ident, _, kind = value.rpartition(" [")
            found.setdefault(kind[:-1], ident.strip())
    return {
        "doi": found.get("doi"),
        "pmcid": (_get(record, "PMC") or "").split(" ")[0] or None,
        "pii": found.get("pii"),
    }


def _mesh(term: str) -> MeshHeading:
    """ "Genome, Bacterial/*genetics": "*" marks a major topic, "/" starts a qualifier."""
    parts = [p.strip() for p in term.split("/")]
    return MeshHeading(
        descriptor=parts[0].lstrip("*"),
        major=any(p.startswith("*") for p in parts),
        qualifiers=tuple(p.lstrip("*") for p in parts[1:]),
    )


def _chemical(value: str) -> str | None:
    """RN "0 (Antineoplastic Agents)", "EC 3.6.3.- (ATP-Binding Cassette Transporters)"."""
    _, sep, name = value.partition(" (")
    return name[:-1] if sep and name.endswith(")") else None


def _links(lines: list[str]) -> tuple[CommentCorrection, ...]:
    """CIN/EIN/RIN… "Lancet. 2001 Jan 6;357(9249):1-2. PMID: 11197371"."""
    links = []
    for tag, value in _values(lines):
        if tag in _LINK_TAGS:
            source, _, pmid = value.partition("PMID:")
            links.append(
                CommentCorrection(
                    ref_type=_LINK_TAGS[tag],
                    pmid=int(pmid.strip())
                    if pmid.strip().isdigit() and len(pmid.strip()) < 19
                    else None,
                    source=source.strip() or None,
                )
            )
    return tuple(links)


def _phst(value: str) -> str:
    """PHST "2020/10/06 05:32 [entrez]" -> "entrez"."""
    return value.rpartition("[")[2].rstrip("]").strip()


def _link_pmid(text: str) -> int | None:
    """A linked PMID, or None for one no PubMed record can have (above 18 digits)."""
    value = text.strip()
    return int(value) if value.isdigit() and len(value) < 19 else None
