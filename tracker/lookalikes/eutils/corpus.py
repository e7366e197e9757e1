"""The record store behind the local E-utilities server (tracker/lookalikes/eutils/server.py).

Holds real PubMed record XML, split per record with the bytes exactly as recorded, plus
the dates and normalised text that esearch needs. Clones made by ``clone_renumbered`` are
*derived data*: real records re-served under new PMIDs and Create Dates, for >9,999 and
benchmark tests. They share the original's bytes and text, so 25,000 clones cost little.
"""

from __future__ import annotations

import calendar
import gzip
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from lxml import etree

# One record: PubmedArticle or PubmedBookArticle (the latter is what parsers that look
# only for PubmedArticle silently drop, NCBI-NOTES A5). The tags never nest, so a lazy
# match keeps each record's bytes exactly as NCBI sent them.
_RECORD_RE = re.compile(rb"<(PubmedArticle|PubmedBookArticle)\b[^>]*>.*?</\1>", re.DOTALL)
_WORDS_RE = re.compile(r"[\W_]+")
_XML_SUFFIXES = (".xml", ".xml.gz")
_CASSETTE_SUFFIXES = (".yaml", ".yml")
# Never fetch a DTD or expand an external entity while reading fixtures (NCBI-NOTES E1/A10).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)

TEXT_FIELDS = ("ti", "ab", "mh", "majr", "pt", "ta", "au", "ot", "nm", "la")


def normalise(text: str) -> str:
    """Casefold and turn every run of punctuation into one space, padded with spaces.

    Matching a phrase is then a plain substring test of ``" phrase "``: whole words only.
    """
    return " " + _WORDS_RE.sub(" ", text.casefold()).strip() + " "


@dataclass(frozen=True)
class RecordText:
    """Normalised searchable text of one record, one string per field group."""

    fields: dict[str, str]

    def get(self, field: str) -> str:
        if field == "tiab":
            return self.fields["ti"] + "|" + self.fields["ab"]
        if field == "all":
            return "|".join(self.fields.values())
        return self.fields.get(field, "")


@dataclass(frozen=True)
class Entry:
    """One servable record. ``source_pmid`` differs from ``pmid`` for derived clones."""

    pmid: int
    source_pmid: int
    xml: bytes  # the source record's bytes; clones are patched on output
    text: RecordText
    crdt: date | None
    edat: date | None
    mdat: date | None
    pdat: date | None

    def dates(self, field: str) -> date | None:
        return {"crdt": self.crdt, "edat": self.edat, "mdat": self.mdat, "pdat": self.pdat}[field]

    def render(self) -> bytes:
        if self.pmid == self.source_pmid:
            return self.xml
        return _renumber(self.xml, self.source_pmid, self.pmid)


def _renumber(xml: bytes, old: int, new: int) -> bytes:
    """Patch the record's own PMID (MedlineCitation/PMID and the IdType="pubmed" ArticleId)."""
    xml = re.sub(rb"(<PMID\b[^>]*>)%d(</PMID>)" % old, rb"\g<1>%d\g<2>" % new, xml, count=1)
    pattern = rb'(<ArticleId IdType="pubmed">)%d(</ArticleId>)' % old
    return re.sub(pattern, rb"\g<1>%d\g<2>" % new, xml, count=1)


def _text_of(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext()).strip()


def _texts(root: etree._Element, path: str) -> list[str]:
    return [t for t in (_text_of(el) for el in root.iterfind(path)) if t]


def _date_of(el: etree._Element | None) -> date | None:
    """A <Year><Month><Day> block (Month may be "Jan"); None when absent or unreadable."""
    if el is None:
        return None
    year = el.findtext("Year")
    if not year or not year.strip().isdigit():
        medline = el.findtext("MedlineDate") or ""  # "1998 Dec-1999 Jan": first year counts
        match = re.match(r"\s*(\d{4})", medline)
        return date(int(match.group(1)), 1, 1) if match else None
    month_text = (el.findtext("Month") or "1").strip()
    month = int(month_text) if month_text.isdigit() else _month_number(month_text)
    day_text = (el.findtext("Day") or "1").strip()
    day = int(day_text) if day_text.isdigit() else 1
    try:
        return date(int(year), month, day)
    except ValueError:
        return date(int(year), month, 1)


def _month_number(name: str) -> int:
    abbrs = [m.casefold() for m in calendar.month_abbr]
    return abbrs.index(name[:3].casefold()) if name[:3].casefold() in abbrs else 1


def _history_date(root: etree._Element, status: str) -> date | None:
    return _date_of(root.find(f".//History/PubMedPubDate[@PubStatus='{status}']"))


def _record_text(root: etree._Element) -> RecordText:
    major = [
        _text_of(h.find("DescriptorName"))
        for h in root.iterfind(".//MeshHeading")
        if h.find(".//*[@MajorTopicYN='Y']") is not None
    ]
    authors = [
        " ".join(filter(None, (a.findtext("LastName"), a.findtext(part))))
        for a in root.iterfind(".//AuthorList/Author")
        for part in ("Initials", "ForeName")
    ] + _texts(root, ".//AuthorList/Author/CollectiveName")
    raw = {
        "ti": _texts(root, ".//ArticleTitle") + _texts(root, ".//BookTitle"),
        "ab": _texts(root, ".//Abstract/AbstractText"),
        "mh": _texts(root, ".//MeshHeading/DescriptorName")
        + _texts(root, ".//MeshHeading/QualifierName"),
        "majr": major,
        "pt": _texts(root, ".//PublicationType"),
        "ta": _texts(root, ".//Journal/Title")
        + _texts(root, ".//Journal/ISOAbbreviation")
        + _texts(root, ".//MedlineJournalInfo/MedlineTA"),
        "au": authors,
        "ot": _texts(root, ".//KeywordList/Keyword"),
        "nm": _texts(root, ".//ChemicalList/Chemical/NameOfSubstance"),
        "la": _texts(root, ".//Language"),
    }
    return RecordText({key: "|".join(normalise(v) for v in values) for key, values in raw.items()})


def parse_record(xml: bytes, *, crdt: date | None = None, mdat: date | None = None) -> Entry:
    """Index one PubmedArticle / PubmedBookArticle element given as bytes."""
    root = etree.fromstring(xml, _PARSER)
    pmid_text = root.findtext("MedlineCitation/PMID") or root.findtext("BookDocument/PMID")
    if not pmid_text or not pmid_text.strip().isdigit():
        raise ValueError("record has no PMID")
    pmid = int(pmid_text)
    # CRDT = History "entrez", or DateCreated in pre-2018 DTDs; EDAT = History "pubmed"
    # (NCBI-NOTES A6); MDAT = DateRevised ([lr]).
    created = crdt or _history_date(root, "entrez") or _date_of(root.find(".//DateCreated"))
    return Entry(
        pmid=pmid,
        source_pmid=pmid,
        xml=xml,
        text=_record_text(root),
        crdt=created,
        edat=_history_date(root, "pubmed") or created,
        mdat=mdat or _date_of(root.find(".//DateRevised")) or created,
        pdat=_date_of(root.find(".//PubDate")),
    )


def split_records(body: bytes) -> Iterator[bytes]:
    """Each record of a PubmedArticleSet (or a bare fragment file), bytes untouched."""
    for match in _RECORD_RE.finditer(body):
        yield match.group(0)


def _read_bodies(path: Path) -> Iterator[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        yield gzip.decompress(path.read_bytes())
    elif name.endswith(_CASSETTE_SUFFIXES):
        yield from _cassette_efetch_bodies(path)
    else:
        yield path.read_bytes()


def _cassette_efetch_bodies(path: Path) -> Iterator[bytes]:
    """efetch response bodies recorded in a VCR cassette (needs PyYAML; skipped without it)."""
    try:
        import yaml
    except ImportError:  # PyYAML is not a dependency of the package
        return
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
    for item in data.get("interactions") or data.get("http_interactions") or []:
        if "efetch" not in str(item.get("request", {}).get("uri", "")):
            continue
        body = item.get("response", {}).get("body", {}).get("string", "")
        yield body.encode("utf-8") if isinstance(body, str) else bytes(body)


@lru_cache(maxsize=512)
def _file_entries(path: Path, mtime_ns: int, size: int) -> tuple[Entry, ...]:
    """The records of one file, parsed once per process while the file is unchanged
    (mtime and size are part of the key). Entries are frozen, so servers share them;
    the test suite starts a few hundred servers over the same sample files."""
    return tuple(parse_record(xml) for body in _read_bodies(path) for xml in split_records(body))


def record_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into their XML (and cassette) files, sorted for repeatability."""
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found.extend(
                p
                for p in sorted(item.rglob("*"))
                if p.name.lower().endswith(_XML_SUFFIXES + _CASSETTE_SUFFIXES)
            )
        else:
            found.append(item)
    return found


class Corpus:
    """PMID → Entry, safe to read and change from several server threads."""

    def __init__(self, entries: dict[int, Entry] | None = None) -> None:
        self._entries: dict[int, Entry] = dict(entries or {})
        self._lock = threading.Lock()

    def copy(self) -> Corpus:
        """A cheap independent copy (entries are immutable and shared)."""
        with self._lock:
            return Corpus(self._entries)

    def load_files(self, paths: Iterable[str | Path]) -> int:
        """Add every record in the given files/directories; returns how many were read."""
        count = 0
        for path in record_paths(paths):
            stat = path.stat()
            for entry in _file_entries(path.resolve(), stat.st_mtime_ns, stat.st_size):
                self._put(entry)
                count += 1
        return count

    def _put(self, entry: Entry) -> None:
        with self._lock:
            old = self._entries.get(entry.pmid)
            # The same PMID recorded twice (different fetch dates): keep the newer revision.
            if old is None or (entry.mdat or date.min) >= (old.mdat or date.min):
                self._entries[entry.pmid] = entry

    def add_record(self, xml: bytes, *, crdt: date | None = None, mdat: date | None = None) -> int:
        """Add or REPLACE a record (a new arrival or a revision); returns its PMID.

        ``xml`` is one PubmedArticle/PubmedBookArticle, or a whole efetch file; every record
        in it is added with the given dates, and the first one's PMID is returned.
        """
        entries = [parse_record(r, crdt=crdt, mdat=mdat) for r in split_records(xml)]
        if not entries:
            raise ValueError("no PubmedArticle or PubmedBookArticle in the given XML")
        with self._lock:
            for entry in entries:
                self._entries[entry.pmid] = entry
        return entries[0].pmid

    def clone_renumbered(
        self, count: int, start_pmid: int, crdt_from: date, crdt_to: date
    ) -> list[int]:
        """Derived data: ``count`` copies of real records under PMIDs start_pmid…, with
        Create/Entry/Modification dates spread evenly over crdt_from..crdt_to (inclusive)."""
        with self._lock:
            sources = [e for e in self._entries.values() if e.pmid == e.source_pmid]
        if not sources or count <= 0:
            return []
        sources.sort(key=lambda e: e.pmid)
        span = (crdt_to - crdt_from).days + 1
        pmids = []
        with self._lock:
            for i in range(count):
                day = crdt_from + timedelta(days=i * span // count)
                src = sources[i % len(sources)]
                pmid = start_pmid + i
                self._entries[pmid] = replace(src, pmid=pmid, crdt=day, edat=day, mdat=day)
                pmids.append(pmid)
        return pmids

    def remove(self, pmid: int) -> None:
        with self._lock:
            self._entries.pop(pmid, None)

    def get(self, pmid: int) -> Entry | None:
        with self._lock:
            return self._entries.get(pmid)

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    def pmids(self) -> list[int]:
        with self._lock:
            return sorted(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
