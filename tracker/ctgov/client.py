"""The ClinicalTrials.gov API v2 client: the studies search, paged with pageToken.

Request shape (OAS, SOURCES-NOTES "Searching", "Paging"):
    GET {base}studies?query.intr=…&query.cond=…
        &filter.advanced=AREA[LastUpdatePostDate]RANGE[2024-03-01,MAX]
        &pageSize=1000&format=json[&pageToken=…]
* pageSize is coerced down to 1,000 by the server, so 1,000 it is: a quiet week is one
  request;
* every later page repeats the first page's parameters plus pageToken; countTotal is
  sent on the first page only (it is ignored later);
* no `fields=`: it drops hasResults and derivedSection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from tracker.ctgov.parse import CtgovShapeError, StudyPage, parse_page
from tracker.jsonapi.client import ApiConfig, ApiError, ApiUnavailable, JsonClient

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2/"
PAGE_SIZE = 1000
MAX_PAGES = 200  # 200,000 studies: far beyond any drug × condition pair


@dataclass(frozen=True)
class TrialQuery:
    intr: str  # query.intr: the drug OR its synonyms and brands
    cond: str  # query.cond: the condition OR its synonyms


def ctgov_config(environ: Mapping[str, str], **overrides: object) -> ApiConfig:
    """CTGOV_API_URL (blank means the public API)."""
    values: dict[str, object] = {
        "name": "ClinicalTrials.gov",
        "base_url": environ.get("CTGOV_API_URL", "").strip() or DEFAULT_BASE_URL,
        "requests_per_second": 1.0,  # robots.txt Crawl-delay: 1
    }
    values.update(overrides)
    return ApiConfig(**values)  # type: ignore[arg-type]


def search_params(query: TrialQuery, updated_since: date | None) -> dict[str, str]:
    params = {
        "query.intr": query.intr,
        "query.cond": query.cond,
        "pageSize": str(PAGE_SIZE),
        "format": "json",
        "countTotal": "true",
    }
    if updated_since is not None:
        params["filter.advanced"] = (
            f"AREA[LastUpdatePostDate]RANGE[{updated_since.isoformat()},MAX]"
        )
    return params


def iter_pages(
    client: JsonClient, query: TrialQuery, updated_since: date | None
) -> Iterator[StudyPage]:
    """Every page of the search, first to last. Raises ApiError subclasses."""
    params = search_params(query, updated_since)
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page_params = dict(params)
        if token is not None:
            page_params.pop("countTotal")
            page_params["pageToken"] = token
        try:
            page = parse_page(client.get_json("studies", page_params))
        except CtgovShapeError as exc:
            raise ApiUnavailable(f"ClinicalTrials.gov: {exc}") from None
        yield page
        if page.next_page_token is None:
            return
        if page.next_page_token in seen:
            raise ApiUnavailable("ClinicalTrials.gov repeated a pageToken; paging stopped")
        seen.add(token := page.next_page_token)
    raise ApiUnavailable(f"ClinicalTrials.gov: more than {MAX_PAGES} pages; narrow the search")


__all__ = ["ApiError", "TrialQuery", "ctgov_config", "iter_pages", "search_params"]
