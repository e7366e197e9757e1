"""Turning digest data into text: the Jinja environment, escaping and excerpts.

Titles and abstracts are written by strangers and sometimes contain markup or text
that looks like markup. The stored values are plain text; every template escapes
them for its own format (HTML by autoescape, Markdown by `md`), and nothing from
PubMed is ever marked safe.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

# The conclusion rules live with the other evidence rules; re-exported for view and feed.
from tracker.classify.conclusions import conclusion_excerpt

__all__ = ["conclusion_excerpt", "environment", "md", "short_authors", "yaml_str"]

# Characters Markdown (CommonMark, kramdown, goldmark) would read as syntax.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-.!|~])")


def md(value: object) -> str:
    """Plain text → Markdown that shows exactly that text and nothing more.

    HTML-significant characters become entities (kramdown and Jekyll pass raw HTML
    through), Markdown punctuation is backslash-escaped, and line breaks fold into
    spaces so a title cannot start a heading or a list. Braces become entities too:
    Jekyll runs Liquid (`{{ }}`, `{% %}`) and Hugo runs shortcodes (`{{< >}}`) over the
    page before Markdown, and neither reads a backslash as an escape.
    """
    text = " ".join(str(value or "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value or ""), ensure_ascii=False)


def short_authors(authors: list[dict[str, Any]], limit: int = 3) -> str:
    """'Smith JA, Doe B, Roe C, et al.' as PubMed's summary lines print them."""
    names = [_author_name(a) for a in authors]
    names = [n for n in names if n]
    if not names:
        return "No authors listed"
    if len(names) > limit:
        return ", ".join(names[:limit]) + ", et al."
    return ", ".join(names)


def _author_name(author: dict[str, Any]) -> str:
    if author.get("collective_name"):
        return str(author["collective_name"])
    return " ".join(p for p in (author.get("last_name"), author.get("initials")) if p)


def environment(template_dir: Path | None = None) -> Environment:
    """The digest templates; a user's folder, when given, overrides the bundled ones."""
    loaders: list[Any] = []
    if template_dir is not None:
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(PackageLoader("tracker.digest.write", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        # HTML and XML templates escape every value; Markdown ones escape with `md`.
        autoescape=select_autoescape(["html", "html.j2", "xml", "xml.j2"], default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["yaml_str"] = yaml_str
    return env
