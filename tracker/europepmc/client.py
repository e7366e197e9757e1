"""The Europe PMC REST search client for preprints, paged with cursorMark.

    GET {base}search?query=…&resultType=core&format=json&pageSize=1000&cursorMark=*
* `format=json` is required: without it (and without an Accept header) the answer is
  XML (EPMC-6.6);
* cursorMark starts at `*`; each next page sends the previous nextCursorMark; a page
  without one is the last (EPMC-6.6). nextPageUrl holds unencoded spaces, so the URL is
  rebuilt rather than followed;
* pageSize 1000 is the maximum: a quiet week is one request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tracker.europepmc.parse import EuropePmcShapeError, PreprintPage, parse_page
from tracker.jsonapi.client import ApiConfig, ApiUnavailable, JsonClient

DEFAULT_BASE_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest/"
PAGE_SIZE = 1000
MAX_PAGES = 100


def europepmc_config(environ: Mapping[str, str], **overrides: object) -> ApiConfig:
    """EUROPEPMC_URL (blank means the public API). DOAJ agreed ≤5 requests/s with
    Europe PMC staff; 2/s leaves room for others behind the same address."""
    values: dict[str, object] = {
        "name": "Europe PMC",
        "base_url": environ.get("EUROPEPMC_URL", "").strip() or DEFAULT_BASE_URL,
        "requests_per_second": 2.0,
    }
    values.update(overrides)
    return ApiConfig(**values)  # type: ignore[arg-type]


def search_params(query: str, cursor: str) -> dict[str, str]:
    return {
        "query": query,
        "resultType": "core",
        "format": "json",
        "pageSize": str(PAGE_SIZE),
        "cursorMark": cursor,
        "synonym": "false",
    }


def iter_pages(client: JsonClient, query: str) -> Iterator[PreprintPage]:
    cursor = "*"
    seen = {cursor}
    for _ in range(MAX_PAGES):
        try:
            page = parse_page(client.get_json("search", search_params(query, cursor)), cursor)
        except EuropePmcShapeError as exc:
            raise ApiUnavailable(f"Europe PMC: {exc}") from None
        yield page
        if page.next_cursor is None:
            return
        if page.next_cursor in seen:
            raise ApiUnavailable("Europe PMC repeated a cursorMark; paging stopped")
        seen.add(cursor := page.next_cursor)
    raise ApiUnavailable(f"Europe PMC: more than {MAX_PAGES} pages; narrow the search")
