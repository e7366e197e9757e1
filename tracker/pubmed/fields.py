"""One PubMed record element -> models.Article (or DeletedCitations): field extraction.

Pure functions over an lxml element that tracker/pubmed/stream.py streamed; no I/O.
Comments quote the XML shape or the PMID that forced each rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from lxml import etree

from tracker.models import (
    AbstractSection,
    Article,
    Author,
    CommentCorrection,
    DeletedCitations,
    MeshHeading,
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


# ---------------------------------------------------------------- text helpers


def _flat(elem: etree._Element | None) -> str | None:
    """Plain text of an element: inline <i>/<sub>/<sup>/MathML flattened, spaces normalised.

    Entity-decoded text stays text: "&lt;script&gt;" becomes the literal "<script>".
    """
    if elem is None:
        return None
    # most fields have no inline markup; skip the itertext() walk for them (hot path)
    raw = "".join(elem.itertext()) if len(elem) else elem.text
    if not raw:
        return None
    return " ".join(raw.split()) or None


def _text(parent: etree._Element, path: str) -> str | None:
    value = parent.findtext(path)
    if value is None:
        return None
    return value.strip() or None


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


def _month(value: str | None) -> int | None:
    """ "Mar", "03" and "3" all occur in <Month> (PubDate uses names, History numbers)."""
    if not value:
        return None
    if value.isdigit():
        return int(value) if len(value) <= 2 and 1 <= int(value) <= 12 else None
    return _MONTHS.get(value[:3].title())


def _ymd(elem: etree._Element | None) -> str | None:
    """<Year>/<Month>/<Day> as ISO text, as precise as the element allows."""
    if elem is None:
        return None
    year = month_raw = day = None
    for child in elem:  # one pass over the children: this runs ~8 times per record
        tag = child.tag
        if tag == "Year":
            year = _strip(child.text)
        elif tag == "Month":
            month_raw = _strip(child.text)
        elif tag == "Day":
            day = _strip(child.text)
    if not year or not year.isdigit() or len(year) > 4:
        return None
    month = _month(month_raw)
    if month is None:
        return year
    if not day or not day.isdigit() or len(day) > 2:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{int(day):02d}"


# ---------------------------------------------------------------- article parts


def _abstract(
    abstract: etree._Element | None,
) -> tuple[str | None, tuple[AbstractSection, ...]]:
    """AbstractText sections; <CopyrightInformation> and <OtherAbstract> are not the abstract."""
    if abstract is None:
        return None, ()
    sections = []
    for part in abstract.iterfind("AbstractText"):
        text = _flat(part)
        label = part.get("Label") or None
        if text or label:
            sections.append(AbstractSection(text or "", label, part.get("NlmCategory") or None))
    if not sections:
        return None, ()
    joined = "\n\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
    return joined, tuple(sections)


_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")


def _orcid(value: str | None) -> str | None:
    """ "https://orcid.org/0000-0002-1825-0097", "0000 0002 1825 0097" -> bare id."""
    if not value:
        return None
    match = _ORCID.search(re.sub(r"\s+", "", value).upper())
    return "-".join(match.groups()) if match else None


def _authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    """One AuthorList (never InvestigatorList or a book's editors); ValidYN="N" skipped."""
    if author_list is None:
        return ()
    authors: list[Author] = []
    for elem in author_list.iterfind("Author"):
        if elem.get("ValidYN") != "N":
            authors.append(_author(elem, len(authors) + 1))
    return tuple(authors)


_AUTHOR_FIELDS = {
    "LastName": "last_name",
    "ForeName": "fore_name",
    "Initials": "initials",
    "Suffix": "suffix",
}


def _author(elem: etree._Element, position: int) -> Author:
    """One pass over <Author>'s children; long lists (>200 authors) make this hot."""
    fields: dict[str, str | None] = {}
    affiliations: list[str] = []
    orcid = collective = None
    for child in elem:
        tag = child.tag
        if tag in _AUTHOR_FIELDS:
            fields[_AUTHOR_FIELDS[tag]] = _strip(child.text)
        elif tag == "AffiliationInfo":
            text = _flat(child.find("Affiliation"))
            if text:
                affiliations.append(text)
        elif tag == "Identifier" and orcid is None and child.get("Source", "").upper() == "ORCID":
            orcid = _orcid(child.text)
        elif tag == "CollectiveName":
            collective = _flat(child)
    return Author(
        position=position,
        collective_name=collective,
        affiliations=tuple(affiliations),
        orcid=orcid,
        equal_contrib=elem.get("EqualContrib") == "Y",
        **fields,
    )


def _pub_date(pub: etree._Element | None) -> tuple[int | None, str | None, str | None]:
    """(pub_year, pub_date, pub_date_text) from a <PubDate>.

    <MedlineDate>2013 Mar-Apr</MedlineDate> (PMID 23388678) and <Season>Spring</Season>
    carry no day or month we could trust, so pub_date is then just the year.
    """
    if pub is None:
        return None, None, None
    parts = {child.tag: _strip(child.text) for child in pub}
    year_text = parts.get("Year")
    if not year_text:
        medline = parts.get("MedlineDate")
        found = re.search(r"\d{4}", medline or "")
        return (int(found.group()), found.group(), medline) if found else (None, None, medline)
    pub_year = parse_year(year_text, "PubDate <Year>")
    if parts.get("Season"):
        return pub_year, year_text, f"{year_text} {parts['Season']}"
    month_raw, day = parts.get("Month"), parts.get("Day")
    month = _month(month_raw)
    printed = [year_text]
    if month_raw:
        printed.append(_MONTH_NAMES[month - 1] if month else month_raw)
        if day:
            printed.append(day.lstrip("0") or day)
    return pub_year, _ymd(pub), " ".join(printed)


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
            iso = _ymd(item)
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
    major, qualifiers = False, []
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
        pmid = _text(item, "PMID")
        links.append(
            CommentCorrection(
                ref_type=item.get("RefType") or "",
                pmid=int(pmid) if pmid and pmid.isdigit() and len(pmid) < 19 else None,
                source=_flat(item.find("RefSource")),
            )
        )
    return tuple(links)


def _texts(elems: Iterable[etree._Element]) -> tuple[str, ...]:
    return tuple(t for t in map(_flat, elems) if t)


def _pmid(pmid: etree._Element | None) -> tuple[int, int]:
    """(pmid, version); <PMID Version="2"> marks a revised record (pubmed_sample.xml)."""
    if pmid is None:
        raise ValueError("no <PMID>")
    version = bounded_int(pmid.get("Version") or "1", "PMID Version", high=MAX_SQLITE_INT)
    return bounded_int(pmid.text, "<PMID>"), version


_Index = dict[str, list[etree._Element]]


def _index(elem: etree._Element | None) -> _Index:
    """Children by tag, in order. One pass over the children is much cheaper than a
    find() per field, and field extraction dominates once libxml2 has parsed."""
    index: _Index = {}
    if elem is not None:
        for child in elem:
            tag = child.tag
            if tag in index:
                index[tag].append(child)
            else:
                index[tag] = [child]
    return index


def _one(index: _Index, tag: str) -> etree._Element | None:
    found = index.get(tag)
    return found[0] if found else None


def _flat_one(index: _Index, tag: str) -> str | None:
    found = index.get(tag)
    return _flat(found[0]) if found else None


def _plain_one(index: _Index, tag: str) -> str | None:
    """Text of a field that never carries markup (ISSN, Volume, PublicationStatus…)."""
    found = index.get(tag)
    return _strip(found[0].text) if found else None


def _grandchildren(parents: list[etree._Element] | None, path: str) -> list[etree._Element]:
    """All <KeywordList>/<Keyword>…: PubMed may repeat the list (Owner="NOTNLM", "NLM")."""
    if "/" in path:
        return [e for parent in parents or () for e in parent.iterfind(path)]
    return [e for parent in parents or () for e in parent.iterchildren(path)]


# ---------------------------------------------------------------- records


def _article(elem: etree._Element) -> Article:
    top = _index(elem)
    citation = _one(top, "MedlineCitation")
    if citation is None:
        raise ValueError("no <MedlineCitation>")
    cit = _index(citation)
    art = _index(_one(cit, "Article"))
    data = _index(_one(top, "PubmedData"))
    pmid, version = _pmid(_one(cit, "PMID"))
    abstract, sections = _abstract(_one(art, "Abstract"))
    dates, statuses = _history(_one(data, "History"))
    ids = _ids(_one(data, "ArticleIdList"))
    locations = _elocations(art.get("ELocationID", []))
    return Article(
        pmid=pmid,
        version=version,
        title=_flat_one(art, "ArticleTitle") or "",
        vernacular_title=_flat_one(art, "VernacularTitle"),
        abstract=abstract,
        abstract_sections=sections,
        authors=_first_affiliation(_authors(_one(art, "AuthorList")), _one(art, "Affiliation")),
        **_journal(art, cit),
        # pubmed_130101/150101 records have <DateCreated> and may lack an "entrez" date
        create_date=dates.get("entrez") or _ymd(_one(cit, "DateCreated")),
        entry_date=dates.get("pubmed"),
        revised_date=_ymd(_one(cit, "DateRevised")),
        completed_date=_ymd(_one(cit, "DateCompleted")),
        doi=_doi(locations.get("doi") or ids.get("doi")),
        pmcid=ids.get("pmc"),
        pii=locations.get("pii") or ids.get("pii"),
        languages=_texts(art.get("Language", ())),
        publication_types=_texts(_grandchildren(art.get("PublicationTypeList"), "PublicationType")),
        mesh_headings=_mesh(_one(cit, "MeshHeadingList")),
        keywords=_texts(_grandchildren(cit.get("KeywordList"), "Keyword")),
        chemicals=_texts(_grandchildren(cit.get("ChemicalList"), "Chemical/NameOfSubstance")),
        comments_corrections=_comments(_one(cit, "CommentsCorrectionsList")),
        publication_status=_plain_one(data, "PublicationStatus"),
        citation_status=citation.get("Status"),
        history_statuses=statuses,
    )


def _first_affiliation(
    authors: tuple[Author, ...], affiliation: etree._Element | None
) -> tuple[Author, ...]:
    """Pre-2014 DTDs have one <Article><Affiliation> for the whole article (PMID 20412080);
    PubMed shows it, and its MEDLINE export writes it (AD), under the first author."""
    text = _flat(affiliation)
    if not text or not authors or authors[0].affiliations:
        return authors
    return (replace(authors[0], affiliations=(text,)), *authors[1:])


def _journal(art: _Index, cit: _Index) -> dict[str, str | int | None]:
    """Journal, issue, pages and publication date of a MedlineCitation/Article."""
    journal = _index(_one(art, "Journal"))
    issue = _index(_one(journal, "JournalIssue"))
    pub_year, pub_date, pub_date_text = _pub_date(_one(issue, "PubDate"))
    if pub_year is None:  # no print date at all: fall back to the electronic one
        pub_date = _ymd(_one(art, "ArticleDate"))
        pub_year = int(pub_date[:4]) if pub_date else None
    medline_info = _index(_one(cit, "MedlineJournalInfo"))
    return {
        "journal": _flat_one(journal, "Title"),
        "journal_abbrev": _plain_one(journal, "ISOAbbreviation")
        or _plain_one(medline_info, "MedlineTA"),
        "issn": _plain_one(journal, "ISSN"),
        "volume": _plain_one(issue, "Volume"),
        "issue": _plain_one(issue, "Issue"),
        "pages": _pages(_one(art, "Pagination")),
        "pub_year": pub_year,
        "pub_date": pub_date,
        "pub_date_text": pub_date_text,
    }


def _pages(pagination: etree._Element | None) -> str | None:
    """<MedlinePgn>102-7</MedlinePgn>, else <StartPage>/<EndPage> (newer records)."""
    if pagination is None:
        return None
    parts = {child.tag: _strip(child.text) for child in pagination}
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
    doc = _index(elem.find("BookDocument"))
    book = _index(_one(doc, "Book"))
    data = _index(elem.find("PubmedBookData"))
    pmid, version = _pmid(_one(doc, "PMID"))
    book_title = _flat_one(book, "BookTitle")
    pub_year, pub_date, pub_date_text = _pub_date(_one(book, "PubDate"))
    abstract, sections = _abstract(_one(doc, "Abstract"))
    dates, statuses = _history(_one(data, "History"))
    ids = _ids(_one(doc, "ArticleIdList"), _one(data, "ArticleIdList"))
    author_lists = [a for a in doc.get("AuthorList", ()) if a.get("Type") != "editors"]
    return Article(
        pmid=pmid,
        version=version,
        record_type="book",
        title=_flat_one(doc, "ArticleTitle") or book_title or "",
        vernacular_title=_flat_one(doc, "VernacularTitle"),
        abstract=abstract,
        abstract_sections=sections,
        authors=_authors(author_lists[0] if author_lists else None),
        journal=book_title,
        pub_year=pub_year,
        pub_date=pub_date,
        pub_date_text=pub_date_text,
        create_date=dates.get("entrez"),
        entry_date=dates.get("pubmed"),
        revised_date=_ymd(_one(doc, "DateRevised")),
        doi=_doi(ids.get("doi")),
        pmcid=ids.get("pmc"),
        pii=ids.get("pii"),
        languages=_texts(doc.get("Language", ())),
        publication_types=_texts(doc.get("PublicationType", ())),
        keywords=_texts(_grandchildren(doc.get("KeywordList"), "Keyword")),
        publication_status=_plain_one(data, "PublicationStatus"),
        history_statuses=statuses,
    )
