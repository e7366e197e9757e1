"""Europe PMC REST search JSON (resultType=core) → Preprint: pure functions, no I/O.

Shapes from the recorded responses in tests/data/europepmc-samples/ (SOURCES-NOTES):
* a page is `{"hitCount", "nextCursorMark"?, "resultList": {"result": [...]}}`; the end of
  results is a page with no nextCursorMark (even when hitCount > 0);
* a preprint has source "PPR", an id like "PPR838108", the server in
  `bookOrReportDetails.publisher`, the server DOI, no pmid;
* its journal version: `commentCorrectionList.commentCorrection[]` with type "Preprint of",
  source "MED", id = the PMID, and a note saying how the link was made ("Link created
  based on a title-first author match" or "CrossRef Pre-print loader"). Lite results carry
  no link, hence resultType=core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tracker.models import Preprint, PreprintLink

_TAGS = re.compile(r"<[^>]+>")


class EuropePmcShapeError(ValueError):
    """Not a Europe PMC search page; the message says what is wrong."""


@dataclass(frozen=True)
class PreprintPage:
    preprints: tuple[Preprint, ...]
    next_cursor: str | None
    hit_count: int
    other_records: int  # non-PPR records the query also matched (ignored)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return None


def parse_page(data: Any, cursor: str) -> PreprintPage:
    if not isinstance(data, dict) or not isinstance(data.get("hitCount"), int):
        raise EuropePmcShapeError("not a Europe PMC search page (no hitCount)")
    results = (data.get("resultList") or {}).get("result")
    if not isinstance(results, list):
        raise EuropePmcShapeError("Europe PMC page without resultList.result")
    preprints = tuple(parse_record(r) for r in results if _is_preprint(r))
    token = _text(data.get("nextCursorMark"))
    # The last page may still echo the cursor it was asked for: that is the end too.
    if token == cursor or not results:
        token = None
    return PreprintPage(preprints, token, data["hitCount"], len(results) - len(preprints))


def _is_preprint(record: Any) -> bool:
    return isinstance(record, dict) and record.get("source") == "PPR" and bool(record.get("id"))


def parse_record(record: dict[str, Any]) -> Preprint:
    authors = tuple(
        name
        for a in ((record.get("authorList") or {}).get("author") or [])
        if isinstance(a, dict) and (name := _text(a.get("fullName") or a.get("collectiveName")))
    )
    abstract = _text(_TAGS.sub(" ", record.get("abstractText") or ""))
    version = record.get("versionNumber")
    return Preprint(
        id=str(record["id"]),
        title=_text(record.get("title")) or str(record["id"]),
        doi=_text(record.get("doi")),
        server=_text((record.get("bookOrReportDetails") or {}).get("publisher")),
        authors=authors,
        abstract=abstract,
        first_publication_date=_text(record.get("firstPublicationDate")),
        first_index_date=_text(record.get("firstIndexDate")),
        date_of_creation=_text(record.get("dateOfCreation")),
        date_of_revision=_text(record.get("dateOfRevision")),
        version=version if isinstance(version, int) else None,
        published=journal_link(record),
    )


def journal_link(record: dict[str, Any]) -> PreprintLink | None:
    """The "Preprint of" link to a PubMed record; a CrossRef-deposited link wins over a
    title-first-author match when there are several."""
    items = (record.get("commentCorrectionList") or {}).get("commentCorrection") or []
    links = [
        PreprintLink(int(c["id"]), _text(c.get("reference")), _text(c.get("note")))
        for c in items
        if isinstance(c, dict)
        and c.get("type") == "Preprint of"
        and c.get("source") == "MED"
        and str(c.get("id", "")).isdigit()
    ]
    links.sort(key=lambda link: link.confidence != "crossref")
    return links[0] if links else None
