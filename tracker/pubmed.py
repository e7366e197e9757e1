"""PubMed XML (efetch bodies, NLM baseline/update files) -> models.Article.

Pure functions: no network, no database. Parsing streams through lxml.iterparse and
frees every record after use, so a multi-GB baseline file parses in flat memory.
No DTD is ever loaded: PubMed has shipped a new DTD almost every January
(pubmed_130101 ... pubmed_250101) and the element names we read have not changed.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO

from lxml import etree

from .models import (
    AbstractSection,
    Article,
    Author,
    CommentCorrection,
    DeletedCitations,
    MeshHeading,
)

__all__ = [
    "PubmedParseError",
    "iter_pubmed_xml",
    "open_pubmed_file",
    "parse_pubmed_xml",
]


class PubmedParseError(ValueError):
    """The input is not PubMed XML we can read; the message is one line for the user."""


_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
# efetch and baseline files wrap records in <PubmedArticleSet>; sul_pub's saved
# records (efetch/sul_pub__pubmed_record_*.xml) are a bare <PubmedArticle>.
_ROOTS = frozenset(
    {"PubmedArticleSet", "PubmedBookArticleSet", "PubmedArticle", "PubmedBookArticle"}
)
_MAX_PROLOG = 1 << 20  # real prologs are ~200 bytes: XML declaration + one DOCTYPE line
_CHUNK = 1 << 16
_ENCODINGS = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1"})

# ---------------------------------------------------------------- prolog check


def _prolog_end(buf: bytes, label: str) -> int | None:
    """Offset of the root start tag, or None when more bytes are needed.

    Runs on raw bytes *before* libxml2 sees anything, so a hostile DOCTYPE is refused
    without a single entity or external file being looked at.
    """
    pos = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(buf) and buf[pos] in b" \t\r\n":
            pos += 1
        rest = buf[pos : pos + 9]
        if rest.startswith(b"<?"):
            end = buf.find(b"?>", pos)
            end = end + 1 if end >= 0 else end
        elif rest.startswith(b"<!--"):
            end = buf.find(b"-->", pos)
            end = end + 2 if end >= 0 else end
        elif rest.startswith(b"<!DOCTYPE"):
            end = _doctype_end(buf, pos, label)
        elif len(rest) >= 2 and rest[:1] == b"<" and (rest[1:2].isalpha() or rest[1:2] == b"_"):
            return pos
        elif len(rest) < 9 and any(t.startswith(rest) for t in (b"<?", b"<!--", b"<!DOCTYPE")):
            return None  # a token cut by the chunk boundary (or nothing read yet)
        else:
            raise PubmedParseError(f"{label}: not XML (no root element found)")
        if end < 0:
            return None
        pos = end + 1


def _doctype_end(buf: bytes, pos: int, label: str) -> int:
    """Index of the DOCTYPE's closing '>' (-1: read more); refuse an internal subset.

    PubMed's DOCTYPE is always external-only, e.g.
    <!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"
    "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">. An internal subset
    "[...]" is where XXE (<!ENTITY x SYSTEM "file:///etc/passwd">) and billion-laughs
    entity declarations live, so any internal subset is refused outright.
    """
    quote = 0
    for i in range(pos + 9, len(buf)):
        c = buf[i]
        if quote:
            quote = 0 if c == quote else quote
        elif c in b"\"'":
            quote = c
        elif c == 0x5B:  # "["
            raise PubmedParseError(
                f"{label}: refusing a DOCTYPE with an internal subset "
                "(entity declarations are never part of PubMed XML)"
            )
        elif c == 0x3E:  # ">"
            return i
    return -1


def _read_prolog(stream: BinaryIO, label: str) -> tuple[bytes, str]:
    """Read up to the root start tag; return the bytes read and the root name."""
    buf = b""
    while (start := _prolog_end(buf, label)) is None or not re.match(
        rb"<[^\s/>]+[\s/>]", buf[start:]
    ):
        chunk = stream.read(_CHUNK)
        if not chunk:
            if not buf.strip():
                raise PubmedParseError(f"{label}: empty input, no PubMed XML")
            raise PubmedParseError(f"{label}: truncated before the first element")
        buf += chunk
        if len(buf) > _MAX_PROLOG:
            raise PubmedParseError(f"{label}: no root element in the first 1 MiB")
        if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in buf[:4]:
            raise PubmedParseError(f"{label}: not UTF-8 (PubMed XML is always UTF-8)")
    declared = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"']([^\"']+)", buf)
    if declared and declared.group(1).lower() not in _ENCODINGS:
        # an exotic encoding (UTF-7, EBCDIC) could hide a DOCTYPE from the byte check
        raise PubmedParseError(f"{label}: unsupported encoding {declared.group(1)!r}")
    name = re.match(rb"<([^\s/>]+)", buf[start:]).group(1).decode("utf-8", "replace")
    if name not in _ROOTS:
        raise PubmedParseError(f"{label}: not PubMed XML (root element <{name}>)")
    return buf, name


class _Prefixed(io.RawIOBase):
    """The bytes already read by the prolog check, then the rest of the stream."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            out, self._prefix = self._prefix, b""
            return out
        return self._stream.read(size)


# ---------------------------------------------------------------- streaming


def iter_pubmed_xml(
    source: BinaryIO | bytes, *, name: str | None = None
) -> Iterator[Article | DeletedCitations]:
    """Yield each PubmedArticle / PubmedBookArticle / DeleteCitation in document order.

    A truncated or malformed document raises PubmedParseError after yielding the
    complete records that came before the damage.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    label = name or str(getattr(stream, "name", "") or "PubMed XML")
    prefix, _root = _read_prolog(stream, label)
    context = etree.iterparse(
        _Prefixed(prefix, stream),
        events=("end",),
        tag=_RECORD_TAGS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    checked = False
    try:
        for _event, elem in context:
            if not checked:  # defence in depth: the byte check already refused these
                _refuse_internal_dtd(elem, label)
                checked = True
            record = _record(elem, label)
            _release(elem)
            yield record
    except etree.XMLSyntaxError as exc:
        raise PubmedParseError(f"{label}: malformed or truncated XML: {exc}") from None


def _refuse_internal_dtd(elem: etree._Element, label: str) -> None:
    dtd = elem.getroottree().docinfo.internalDTD  # set for any DOCTYPE, even external-only
    if dtd is not None and next(dtd.iterentities(), None) is not None:
        raise PubmedParseError(f"{label}: refusing a DOCTYPE that declares entities")


def _release(elem: etree._Element) -> None:
    """Free a finished record and the already-processed siblings before it."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _record(elem: etree._Element, label: str) -> Article | DeletedCitations:
    try:
        if elem.tag == "DeleteCitation":
            return DeletedCitations(pmids=tuple(int(p.text) for p in elem.iterfind("PMID")))
        if elem.tag == "PubmedBookArticle":
            return _book(elem)
        return _article(elem)
    except (AttributeError, TypeError, ValueError) as exc:  # e.g. a missing or non-numeric <PMID>
        where = f"<{elem.tag}> near line {elem.sourceline}"
        raise PubmedParseError(f"{label}: unreadable {where}: {exc}") from None


def open_pubmed_file(path: str | os.PathLike[str]) -> Iterator[Article | DeletedCitations]:
    """Parse a .xml or .xml.gz file (gzip is recognised by its magic bytes)."""
    label = os.fspath(path)
    with open(label, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        try:
            yield from iter_pubmed_xml(stream, name=label)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise PubmedParseError(f"{label}: corrupt gzip data: {exc}") from None


def parse_pubmed_xml(data: bytes) -> list[Article]:
    """All articles of a small document, e.g. one efetch body (DeleteCitation skipped)."""
    return [r for r in iter_pubmed_xml(data) if isinstance(r, Article)]


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
    """"Mar", "03" and "3" all occur in <Month> (PubDate uses names, History numbers)."""
    if not value:
        return None
    if value.isdigit():
        return int(value) if 1 <= int(value) <= 12 else None
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
    if not year or not year.isdigit():
        return None
    month = _month(month_raw)
    if month is None:
        return year
    if not day or not day.isdigit():
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
    """"https://orcid.org/0000-0002-1825-0097", "0000 0002 1825 0097" -> bare id."""
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
    year = parts.get("Year")
    if not year:
        medline = parts.get("MedlineDate")
        found = re.search(r"\d{4}", medline or "")
        return (int(found.group()), found.group(), medline) if found else (None, None, medline)
    if parts.get("Season"):
        return int(year), year, f"{year} {parts['Season']}"
    month_raw, day = parts.get("Month"), parts.get("Day")
    month = _month(month_raw)
    printed = [year]
    if month_raw:
        printed.append(_MONTH_NAMES[month - 1] if month else month_raw)
        if day:
            printed.append(day.lstrip("0") or day)
    return int(year), _ymd(pub), " ".join(printed)


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
        links.append(CommentCorrection(
            ref_type=item.get("RefType") or "",
            pmid=int(pmid) if pmid and pmid.isdigit() else None,
            source=_flat(item.find("RefSource")),
        ))
    return tuple(links)


def _texts(elems: Iterable[etree._Element]) -> tuple[str, ...]:
    return tuple(t for t in map(_flat, elems) if t)


def _pmid(pmid: etree._Element | None) -> tuple[int, int]:
    """(pmid, version); <PMID Version="2"> marks a revised record (pubmed_sample.xml)."""
    if pmid is None:
        raise ValueError("no <PMID>")
    return int(pmid.text), int(pmid.get("Version") or 1)


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
