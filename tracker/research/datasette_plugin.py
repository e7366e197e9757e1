"""A Datasette plugin `tracker serve` loads: the articles page opens without the whole
abstracts and the JSON columns (they make every row a screen tall). Datasette has no
setting for columns hidden by default, so a visit to the bare table page is redirected
to the same page with `_nocol=` for each; the column menu and any `_col`/`_nocol` in
the address still show whatever the reader asks for, and the .json API is untouched.

Only Datasette imports this module (through the file tracker serve puts in its
--plugins-dir); the paths and columns come from the metadata `plugins` section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from datasette import hookimpl

PLUGIN = "offlabel-tracker"
Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def redirect_for(path: str, query: str, hidden: dict[str, list[str]]) -> str | None:
    """Where a request for `path`?`query` goes instead, or None."""
    columns = hidden.get(path)
    if not columns or "_col=" in query or "_nocol=" in query:
        return None
    extra = "&".join(f"_nocol={quote(c)}" for c in columns)
    return f"{path}?{query + '&' if query else ''}{extra}"


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Asgi], Asgi]:
    hidden = (datasette.plugin_config(PLUGIN) or {}).get("hidden_columns", {})

    def wrap(app: Asgi) -> Asgi:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                query = scope.get("query_string", b"").decode("latin-1")
                location = redirect_for(scope.get("path", ""), query, hidden)
                if location is not None:
                    headers = [[b"location", location.encode("latin-1")]]
                    await send({"type": "http.response.start", "status": 302, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return wrapped

    return wrap
