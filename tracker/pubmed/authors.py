"""<AuthorList> -> models.Author: names, affiliations, ORCID identifiers."""

from __future__ import annotations

import re

from lxml import etree

from tracker.models import Author
from tracker.pubmed.elements import flat_text, stripped

_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")


def orcid_id(value: str | None) -> str | None:
    """ "https://orcid.org/0000-0002-1825-0097", "0000 0002 1825 0097" -> bare id."""
    if not value:
        return None
    match = _ORCID.search(re.sub(r"\s+", "", value).upper())
    return "-".join(match.groups()) if match else None


def parse_authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    """One AuthorList (never InvestigatorList or a book's editors); ValidYN="N" skipped."""
    if author_list is None:
        return ()
    authors: list[Author] = []
    for elem in author_list.iterfind("Author"):
        if elem.get("ValidYN") != "N":
            authors.append(one_author(elem, len(authors) + 1))
    return tuple(authors)


_AUTHOR_FIELDS = {
    "LastName": "last_name",
    "ForeName": "fore_name",
    "Initials": "initials",
    "Suffix": "suffix",
}


def one_author(elem: etree._Element, position: int) -> Author:
    """One pass over <Author>'s children; long lists (>200 authors) make this hot."""
    fields: dict[str, str | None] = {}
    affiliations: list[str] = []
    orcid = collective = None
    for child in elem:
        tag = child.tag
        if tag in _AUTHOR_FIELDS:
            fields[_AUTHOR_FIELDS[tag]] = stripped(child.text)
        elif tag == "AffiliationInfo":
            text = flat_text(child.find("Affiliation"))
            if text:
                affiliations.append(text)
        elif tag == "Identifier" and orcid is None and child.get("Source", "").upper() == "ORCID":
            orcid = orcid_id(child.text)
        elif tag == "CollectiveName":
            collective = flat_text(child)
    return Author(
        position=position,
        collective_name=collective,
        affiliations=tuple(affiliations),
        orcid=orcid,
        equal_contrib=elem.get("EqualContrib") == "Y",
        **fields,
    )
