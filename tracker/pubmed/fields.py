"""One PubMed record element -> models.Article (or DeletedCitations): field extraction.

Pure functions over an lxml element that tracker/pubmed/stream.py streamed; no I/O.
Comments quote the XML shape or the PMID that forced each rule.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from lxml import etree

from tracker.models import (
    AbstractSection,
    Article,
    Author,
    CommentCorrection,
    DeletedCitations,
    MeshHeading,
)
from tracker.pubmed.authors import parse_authors
from tracker.pubmed.databanks import registered_trials
from tracker.pubmed.elements import (
    MONTH_NAMES,
    Index,
    child_text,
    first,
    flat_first,
    flat_text,
    flat_texts,
    grandchildren,
    index_children,
    iso_date,
    month_number,
    plain_first,
    stripped,
)
from tracker.pubmed.limits import MAX_SQLITE_INT, bounded_int
from tracker.pubmed.limits import year as parse_year
from tracker.pubmed.stream import PubmedParseError

__all__ = ["record"]


def record(elem: etree._Element, label: str, line_offset: int = 0) -> Article | DeletedCitations:
    """The record an element holds; PubmedParseError names the element when unreadable.

    `line_offset` turns the element's line in a piece of a file (tracker/pubmed/split.py)
    back into its line in the file.
    """
    try:
        if elem.tag == "DeleteCitation":
            pmids = tuple(bounded_int(p.text, "<PMID>") for p in elem.iterfind("PMID"))
            return DeletedCitations(pmids=pmids)
        if elem.tag == "PubmedBookArticle":
            return _book(elem)
        return _article(elem)
    except (AttributeError, TypeError, ValueError) as exc:  # e.g. a missing or non-numeric <PMID>
        where = f"<{elem.tag}> near line {elem.sourceline + line_offset}"
        raise PubmedParseError(f"{label}: unreadable {where}: {exc}") from None


# ---------------------------------------------------------------- article parts


def _abstract(
    abstract: etree._Element | None,
) -> tuple[str | None, tuple[AbstractSection, ...]]:
    """AbstractText sections; <CopyrightInformation> and <OtherAbstract> are not the abstract."""
    if abstract is None:
        return None, ()
    sections = []
    for part in abstract.iterfind("AbstractText"):
        text = flat_text(part)
        label = part.get("Label") or None
        if text or label:
            sections.append(AbstractSection(text or "", label, part.get("NlmCategory") or None))
    if not sections:
        return None, ()
    joined = "\n\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
    return joined, tuple(sections)


def _pub_date(pub: etree._Element | None) -> tuple[int | None, str | None, str | None]:
    """(pub_year, pub_date, pub_date_text) from a <PubDate>.

    <MedlineDate>2013 Mar-Apr</MedlineDate> (PMID 23388678) and <Season>Spring</Season>
    carry no day or month we could trust, so pub_date is then just the year.
    """
    if pub is None:
        return None, None, None
    parts = {child.tag: stripped(child.text) for child in pub}
    year_text = parts.get("Year")
    if not year_text:
        medline = parts.get("MedlineDate")
        found = re.search(r"\d{4}", medline or "")
        return (int(found.group()), found.group(), medline) if found else (None, None, medline)
    pub_year = parse_year(year_text, "PubDate <Year>")
    if parts.get("Season"):
        return pub_year, year_text, f"{year_text} {parts['Season']}"
    month_raw, day = parts.get("Month"), parts.get("Day")
    month = month_number(month_raw)
    printed = [year_text]
    if month_raw:
        printed.append(MONTH_NAMES[month - 1] if month else month_raw)
        if day:
            printed.append(day.lstrip("0") or day)
    return pub_year, iso_date(pub), " ".join(printed)


def _history(history: etree._Element | None) -> tuple[dict[str, str], tuple[str, ...]]:
    """Entrez ("entrez") and PubMed ("pubmed") dates, and every PubStatus ("retracted"…)."""
    if history is None:
        return {}, ()
    dates: dict[str, str] = {}
    statuses = []
    for item in history:
        status = item.get("PubStatus")
        if status is None:
            continue
        statuses.append(status)
        if status in _HISTORY_DATES and status not in dates:
            iso = iso_date(item)
            if iso:
                dates[status] = iso
    return dates, tuple(statuses)


_HISTORY_DATES = frozenset({"entrez", "pubmed"})
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _doi(value: str | None) -> str | None:
    if not value:
        return None
    return _DOI_PREFIX.sub("", value.strip()).strip() or None


def _ids(*lists: etree._Element | None) -> dict[str, str]:
    """First ArticleId of each IdType ("doi", "pmc", "pii", "bookaccession"…)."""
    ids: dict[str, str] = {}
    for id_list in lists:
        if id_list is None:
            continue
        for item in id_list.iterfind("ArticleId"):
            kind, value = item.get("IdType"), (item.text or "").strip()
            if kind and value and kind not in ids:
                ids[kind] = value
    return ids


def _elocations(locations: list[etree._Element]) -> dict[str, str]:
    """ELocationID by EIdType, skipping ValidYN="N" (a DOI the publisher got wrong)."""
    found: dict[str, str] = {}
    for loc in locations:
        kind, value = loc.get("EIdType"), (loc.text or "").strip()
        if kind and value and loc.get("ValidYN") != "N" and kind not in found:
            found[kind] = value
    return found


def _mesh(mesh_list: etree._Element | None) -> tuple[MeshHeading, ...]:
    """<MeshHeading><DescriptorName UI=".." MajorTopicYN="N">..</DescriptorName>
    <QualifierName MajorTopicYN="Y">..</QualifierName>*</MeshHeading>, walked flat:
    ~10 headings per record make this the hottest loop of the parser."""
    if mesh_list is None:
        return ()
    headings: list[MeshHeading] = []
    descriptor: etree._Element | None = None
    major = False
    qualifiers: list[str] = []
    for node in mesh_list.iter("DescriptorName", "QualifierName"):
        if node.tag == "DescriptorName":
            if descriptor is not None:
                headings.append(_heading(descriptor, major, qualifiers))
            descriptor, major, qualifiers = node, False, []
        elif node.text:
            qualifiers.append(node.text.strip())
        if node.get("MajorTopicYN") == "Y":
            major = True
    if descriptor is not None:
        headings.append(_heading(descriptor, major, qualifiers))
    return tuple(headings)


def _heading(descriptor: etree._Element, major: bool, qualifiers: list[str]) -> MeshHeading:
    text = descriptor.text
    return MeshHeading(
        descriptor=text.strip() if text else "",
        ui=descriptor.get("UI"),
        major=major,
        qualifiers=tuple(qualifiers),
    )


def _comments(link_list: etree._Element | None) -> tuple[CommentCorrection, ...]:
    if link_list is None:
        return ()
    links = []
    for item in link_list.iterfind("CommentsCorrections"):
        pmid = child_text(item, "PMID")
        links.append(
            CommentCorrection(
                ref_type=item.get("RefType") or "",
                pmid=int(pmid) if pmid and pmid.isdigit() and len(pmid) < 19 else None,
                source=flat_text(item.find("RefSource")),
            )
        )
    return tuple(links)


def _pmid(pmid: etree._Element | None) -> tuple[int, int]:
    """(pmid, version); <PMID Version="2"> marks a revised record (pubmed_sample.xml)."""
    if pmid is None:
        raise ValueError("no <PMID>")
    version = bounded_int(pmid.get("Version") or "1", "PMID Version", high=MAX_SQLITE_INT)
    return bounded_int(pmid.text, "<PMID>"), version


# ---------------------------------------------------------------- records


def _article(elem: etree._Element) -> Article:
    top = index_children(elem)
    citation = first(top, "MedlineCitation")
    if citation is None:
        raise ValueError("no <MedlineCitation>")
    cit = index_children(citation)
    art = index_children(first(cit, "Article"))
    data = index_children(first(top, "PubmedData"))
    pmid, version = _pmid(first(cit, "PMID"))
    abstract, sections = _abstract(first(art, "Abstract"))
    dates, statuses = _history(first(data, "History"))
    ids = _ids(first(data, "ArticleIdList"))
    locations = _elocations(art.get("ELocationID", []))
    return Article(
        pmid=pmid,
        version=version,
        title=flat_first(art, "ArticleTitle") or "",
        vernacular_title=flat_first(art, "VernacularTitle"),
        abstract=abstract,
        abstract_sections=sections,
        authors=_first_affiliation(
            parse_authors(first(art, "AuthorList")), first(art, "Affiliation")
        ),
        **_journal(art, cit),
        # pubmed_130101/150101 records have <DateCreated> and may lack an "entrez" date
        create_date=dates.get("entrez") or iso_date(first(cit, "DateCreated")),
        entry_date=dates.get("pubmed"),
        revised_date=iso_date(first(cit, "DateRevised")),
        completed_date=iso_date(first(cit, "DateCompleted")),
        doi=_doi(locations.get("doi") or ids.get("doi")),
        pmcid=ids.get("pmc"),
        pii=locations.get("pii") or ids.get("pii"),
        languages=flat_texts(art.get("Language", ())),
        publication_types=flat_texts(
            grandchildren(art.get("PublicationTypeList"), "PublicationType")
        ),
        mesh_headings=_mesh(first(cit, "MeshHeadingList")),
        keywords=flat_texts(grandchildren(cit.get("KeywordList"), "Keyword")),
        chemicals=flat_texts(grandchildren(cit.get("ChemicalList"), "Chemical/NameOfSubstance")),
        comments_corrections=_comments(first(cit, "CommentsCorrectionsList")),
        publication_status=plain_first(data, "PublicationStatus"),
        citation_status=citation.get("Status"),
        history_statuses=statuses,
        registered_trials=registered_trials(first(art, "DataBankList")),
    )


def _first_affiliation(
    authors: tuple[Author, ...], affiliation: etree._Element | None
) -> tuple[Author, ...]:
    """Pre-2014 DTDs have one <Article><Affiliation> for the whole article (PMID 20412080);
    PubMed shows it, and its MEDLINE export writes it (AD), under the first author."""
    text = flat_text(affiliation)
    if not text or not authors or authors[0].affiliations:
        return authors
    return (replace(authors[0], affiliations=(text,)), *authors[1:])


def _journal(art: Index, cit: Index) -> dict[str, Any]:
    """Journal, issue, pages and publication date of a MedlineCitation/Article."""
    journal = index_children(first(art, "Journal"))
    issue = index_children(first(journal, "JournalIssue"))
    pub_year, pub_date, pub_date_text = _pub_date(first(issue, "PubDate"))
    if pub_year is None:  # no print date at all: fall back to the electronic one
        pub_date = iso_date(first(art, "ArticleDate"))
        pub_year = int(pub_date[:4]) if pub_date else None
    medline_info = index_children(first(cit, "MedlineJournalInfo"))
    return {
        "journal": flat_first(journal, "Title"),
        "journal_abbrev": plain_first(journal, "ISOAbbreviation")
        or plain_first(medline_info, "MedlineTA"),
        "issn": plain_first(journal, "ISSN"),
        "volume": plain_first(issue, "Volume"),
        "issue": plain_first(issue, "Issue"),
        "pages": _pages(first(art, "Pagination")),
        "pub_year": pub_year,
        "pub_date": pub_date,
        "pub_date_text": pub_date_text,
    }


def _pages(pagination: etree._Element | None) -> str | None:
    """<MedlinePgn>102-7</MedlinePgn>, else <StartPage>/<EndPage> (newer records)."""
    if pagination is None:
        return None
    parts = {child.tag: stripped(child.text) for child in pagination}
    if parts.get("MedlinePgn"):
        return parts["MedlinePgn"]
    start, end = parts.get("StartPage"), parts.get("EndPage")
    if start and end:
        return f"{start}-{end}"
    return start


def _book(elem: etree._Element) -> Article:
    """A GeneReviews-style <PubmedBookArticle><BookDocument>; its editors are not authors.

    A chapter has its own <ArticleTitle> (PMID 20301577); a whole book (PMID 20301295)
    has none, so the book title is the title.
    """
    doc = index_children(elem.find("BookDocument"))
    book = index_children(first(doc, "Book"))
    data = index_children(elem.find("PubmedBookData"))
    pmid, version = _pmid(first(doc, "PMID"))
    book_title = flat_first(book, "BookTitle")
    pub_year, pub_date, pub_date_text = _pub_date(first(book, "PubDate"))
    abstract, sections = _abstract(first(doc, "Abstract"))
    dates, statuses = _history(first(data, "History"))
    ids = _ids(first(doc, "ArticleIdList"), first(data, "ArticleIdList"))
    author_lists = [a for a in doc.get("AuthorList", ()) if a.get("Type") != "editors"]
    return Article(
        pmid=pmid,
        version=version,
        record_type="book",
        title=flat_first(doc, "ArticleTitle") or book_title or "",
        vernacular_title=flat_first(doc, "VernacularTitle"),
        abstract=abstract,
        abstract_sections=sections,
        authors=parse_authors(author_lists[0] if author_lists else None),
        journal=book_title,
        pub_year=pub_year,
        pub_date=pub_date,
        pub_date_text=pub_date_text,
        create_date=dates.get("entrez"),
        entry_date=dates.get("pubmed"),
        revised_date=iso_date(first(doc, "DateRevised")),
        doi=_doi(ids.get("doi")),
        pmcid=ids.get("pmc"),
        pii=ids.get("pii"),
        languages=flat_texts(doc.get("Language", ())),
        publication_types=flat_texts(doc.get("PublicationType", ())),
        keywords=flat_texts(grandchildren(doc.get("KeywordList"), "Keyword")),
        publication_status=plain_first(data, "PublicationStatus"),
        history_statuses=statuses,
    )
