"""Classify E-utilities responses: success, transient failure, or a final error.

NCBI delivers many failures with HTTP 200 – ``<ERROR>``, JSON ``ERROR``, HTML maintenance
pages, plain text, empty bodies – and none of them may ever be read as "no results"
(NCBI-NOTES A9, B1, top-10 fact 1). Parsing uses lxml with DTD loading, entity expansion
and network access off, so no parse ever reaches the network (NCBI-NOTES A10, B3.10).
"""

from __future__ import annotations

import io
import json
import re

from lxml import etree

from tracker.models import SearchResult
from tracker.ncbi.errors import (
    EutilsCapError,
    EutilsConfigError,
    EutilsQueryError,
    EutilsResponseError,
    TransientFailure,
    one_line,
)

PUBMED_CAP = 9999
# SQLite stores integers in 64 bits; a larger id would raise OverflowError at the insert.
# PMIDs are below 10^9 today, so anything above this is a broken or hostile answer.
MAX_ID = 2**63 - 1
_STREAM_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False}
# What check_efetch looks at: the records of a PubmedArticleSet, and NCBI's error element.
_CHECKED = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation", "ERROR")
_PARSER = etree.XMLParser(**_STREAM_OPTIONS, huge_tree=True, recover=False)
# "'retstart' cannot be larger than 9998" / "Position 15000 is out of acceptable range"
# (NCBI-NOTES A5): the cap, not an outage.
_CAP_ERROR = re.compile(
    r"cannot be larger than 9998|out of acceptable range|first 9,?999", re.IGNORECASE
)


def check_http(status: int, headers: dict[str, str], body: bytes) -> None:
    """Raise for any non-200 answer: TransientFailure to retry, or a final EutilsError."""
    if status == 200:
        return
    if status == 429:
        # The body echoes the caller's key or IP (NCBI-NOTES A1): never quoted.
        raise TransientFailure(
            "HTTP 429 rate limited", retry_after=_retry_after(headers), rate_limited=True
        )
    text = body[:2000].decode("utf-8", "replace")
    if "api key invalid" in text.casefold():
        # One key per account; a new key kills the old one (NCBI-NOTES A2): stop at once.
        raise EutilsConfigError(
            "NCBI rejected the API key (HTTP 400 'API key invalid'); check NCBI_API_KEY"
        )
    if 300 <= status < 400:
        # Never followed: the POST body holds the API key and the term (NCBI-NOTES E3).
        where = one_line(headers.get("location", "?"), 120)
        raise EutilsQueryError(
            f"HTTP {status}: NCBI redirected to {where}; not followed (check NCBI_EUTILS_URL)"
        )
    if status >= 500 or status == 408:
        raise TransientFailure(f"HTTP {status} ({headers.get('content-type', '?')})")
    raise EutilsQueryError(f"HTTP {status}: {_snippet(body)}")


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP-date: rare enough to fall back to our own back-off
        return None


def _snippet(body: bytes) -> str:
    return one_line(body[:300].decode("utf-8", "replace"), limit=200)


def parse_xml_body(body: bytes, content_type: str) -> etree._Element:
    """The XML root of a 200 answer, or TransientFailure for any non-XML failure body."""
    stripped = _check_failure_body(body, content_type)
    try:
        return etree.fromstring(stripped, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise TransientFailure(f"incomplete or malformed XML ({len(body)} bytes): {exc}") from exc


def _check_failure_body(body: bytes, content_type: str) -> bytes:
    """The stripped body; TransientFailure for the non-XML failure bodies NCBI sends."""
    stripped = body.strip()
    if not stripped:
        raise TransientFailure("empty body with HTTP 200")
    head = stripped[:200].lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
        hint = " (NCBI maintenance page)" if b"down_bethesda" in stripped else ""
        raise TransientFailure(f"HTML page instead of XML{hint}")
    if stripped.startswith((b"{", b"[")):
        raise TransientFailure(_json_failure(stripped))
    if not stripped.startswith(b"<"):
        raise TransientFailure(f"plain-text body: {_snippet(stripped)}")
    return stripped


def _json_failure(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return f"malformed JSON body: {_snippet(body)}"
    if isinstance(data, dict):
        error = data.get("error") or (data.get("esearchresult") or {}).get("ERROR")
        if error:
            if "api key invalid" in str(error).casefold():
                raise EutilsConfigError("NCBI rejected the API key ('API key invalid')")
            return f"NCBI error (JSON): {one_line(error, 200)}"
    return "unexpected JSON body instead of XML"


def _error_text(root: etree._Element) -> str | None:
    error = root if root.tag == "ERROR" else root.find("ERROR")
    return None if error is None else "".join(error.itertext()).strip()


def parse_esearch(body: bytes, content_type: str, retstart: int, retmax: int) -> SearchResult:
    """An eSearchResult checked for every in-band failure (NCBI-NOTES A5, A9)."""
    root = parse_xml_body(body, content_type)
    if root.tag != "eSearchResult":
        raise TransientFailure(f"unexpected XML root <{root.tag}> from esearch")
    error = _error_text(root)
    if error is not None:
        if _CAP_ERROR.search(error):
            raise EutilsCapError(f"PubMed's 9,999-record cap: {error}")
        raise TransientFailure(f"NCBI error: {error}")
    fields = root.findall("ErrorList/FieldNotFound") + root.findall("WarningList/FieldNotFound")
    if fields:
        tags = ", ".join(f"[{f.text}]" for f in fields)
        raise EutilsQueryError(f"unknown field tag {tags} in the query; PubMed ignored it")
    count_text = (root.findtext("Count") or "").strip()
    if not (count_text.isascii() and count_text.isdigit()):
        raise TransientFailure(f"esearch Count is not an integer: {count_text!r}")
    count = int(count_text)
    ids = _ids(root)
    if count > MAX_ID:
        raise EutilsResponseError(f"esearch Count {count_text[:30]} is out of range")
    warnings = tuple(
        f"{el.tag}: {''.join(el.itertext()).strip()}"
        for path in ("ErrorList/*", "WarningList/*")
        for el in root.iterfind(path)
    )
    if count > PUBMED_CAP and any("Restrictions achieved" in w for w in warnings):
        raise EutilsCapError(
            f"PubMed's 9,999-record cap: Count {count} cannot be paged past 9,999", count=count
        )
    expected = max(0, min(min(count, PUBMED_CAP) - retstart, retmax))
    if len(ids) != expected:
        raise TransientFailure(
            f"esearch returned {len(ids)} ids, expected {expected} "
            f"(Count {count}, retstart {retstart}, retmax {retmax})"
        )
    translation = root.findtext("QueryTranslation")
    return SearchResult(count=count, ids=ids, query_translation=translation, warnings=warnings)


def _ids(root: etree._Element) -> tuple[int, ...]:
    texts = [(i.text or "").strip() for i in root.iterfind("IdList/Id")]
    ids = tuple(int(t) for t in texts if t.isascii() and t.isdigit())
    bad = next((i for i in ids if not 0 < i <= MAX_ID), None)
    if bad is not None:
        raise EutilsResponseError(
            f"esearch returned the id {str(bad)[:30]}, outside the range of a PMID "
            f"(1..{MAX_ID}); refusing the answer"
        )
    return ids


def check_efetch(body: bytes, content_type: str) -> bytes:
    """The raw efetch body, verified complete: XML, PubmedArticleSet root, no <ERROR>.

    Checked as a stream that frees each record once seen: the whole tree of a large
    answer would cost ten times its size, on top of the parse that reads the records.
    Only records and <ERROR> elements come back to Python (lxml filters the rest in C):
    walking every element here cost a third as much as reading the records."""
    _check_failure_body(body, content_type)
    error = None
    events = etree.iterparse(io.BytesIO(body), events=("end",), tag=_CHECKED, **_STREAM_OPTIONS)
    try:
        for _event, elem in events:
            if elem.tag == "ERROR":
                if error is None:
                    error = "".join(elem.itertext()).strip()
            elif (parent := elem.getparent()) is not None and parent.getparent() is None:
                elem.clear(keep_tail=False)  # a record of the set: seen whole, freed
    except etree.XMLSyntaxError as exc:
        raise TransientFailure(f"incomplete or malformed XML ({len(body)} bytes): {exc}") from exc
    root_tag = events.root.tag if events.root is not None else None
    if root_tag == "ERROR" or error is not None:
        raise TransientFailure(f"NCBI error: {error or ''}")
    if root_tag != "PubmedArticleSet":
        raise TransientFailure(f"unexpected XML root <{root_tag}> from efetch")
    if not body.rstrip().endswith(b"</PubmedArticleSet>"):
        raise TransientFailure("efetch body does not end with </PubmedArticleSet>")
    return body
