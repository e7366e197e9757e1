"""Reading text and dates out of PubMed XML elements: the helpers every field uses.

Pure functions over lxml elements; tracker/pubmed/fields.py and authors.py build
records with them. They run several times per field of every record, so each avoids a
tree walk where one pass over the children will do.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree


def flat_text(elem: etree._Element | None) -> str | None:
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


def child_text(parent: etree._Element, path: str) -> str | None:
    value = parent.findtext(path)
    if value is None:
        return None
    return value.strip() or None


def stripped(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, 1)}


def month_number(value: str | None) -> int | None:
    """ "Mar", "03" and "3" all occur in <Month> (PubDate uses names, History numbers)."""
    if not value:
        return None
    if value.isdigit():
        return int(value) if len(value) <= 2 and 1 <= int(value) <= 12 else None
    return _MONTHS.get(value[:3].title())


def iso_date(elem: etree._Element | None) -> str | None:
    """<Year>/<Month>/<Day> as ISO text, as precise as the element allows."""
    if elem is None:
        return None
    year = month_raw = day = None
    for child in elem:  # one pass over the children: this runs ~8 times per record
        tag = child.tag
        if tag == "Year":
            year = stripped(child.text)
        elif tag == "Month":
            month_raw = stripped(child.text)
        elif tag == "Day":
            day = stripped(child.text)
    if not year or not year.isdigit() or len(year) > 4:
        return None
    month = month_number(month_raw)
    if month is None:
        return year
    if not day or not day.isdigit() or len(day) > 2:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{int(day):02d}"


def flat_texts(elems: Iterable[etree._Element]) -> tuple[str, ...]:
    return tuple(t for t in map(flat_text, elems) if t)


Index = dict[str, list[etree._Element]]


def index_children(elem: etree._Element | None) -> Index:
    """Children by tag, in order. One pass over the children is much cheaper than a
    find() per field, and field extraction dominates once libxml2 has parsed."""
    index: Index = {}
    if elem is not None:
        for child in elem:
            tag = child.tag
            if tag in index:
                index[tag].append(child)
            else:
                index[tag] = [child]
    return index


def first(index: Index, tag: str) -> etree._Element | None:
    found = index.get(tag)
    return found[0] if found else None


def flat_first(index: Index, tag: str) -> str | None:
    found = index.get(tag)
    return flat_text(found[0]) if found else None


def plain_first(index: Index, tag: str) -> str | None:
    """Text of a field that never carries markup (ISSN, Volume, PublicationStatus…)."""
    found = index.get(tag)
    return stripped(found[0].text) if found else None


def grandchildren(parents: list[etree._Element] | None, path: str) -> list[etree._Element]:
    """All <KeywordList>/<Keyword>…: PubMed may repeat the list (Owner="NOTNLM", "NLM")."""
    if "/" in path:
        return [e for parent in parents or () for e in parent.iterfind(path)]
    return [e for parent in parents or () for e in parent.iterchildren(path)]
