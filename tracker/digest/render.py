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
from typing import TYPE_CHECKING, Any

# The conclusion rules live with the other evidence rules; re-exported for view and feed.
from tracker.classify.conclusions import conclusion_excerpt

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["conclusion_excerpt", "environment", "md", "short_authors", "yaml_str"]

# What CommonMark, kramdown (Jekyll) and goldmark (Hugo) would read as syntax inside one
# line of text, and nothing more: a full stop, a hyphen or a parenthesis stays as typed.
_MD_INLINE = re.compile(
    r"[`*\[\]|]"  # code, emphasis, link/image brackets, table cells
    r"|(?<=\])\("  # and the parenthesis of `](`, so no link can form even unescaped
    r"|\\(?=[!-/:-@\[-`{-~]|$)"  # a backslash that would escape what follows
    r"|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])"  # emphasis underscores (not inside a word)
    r"|~~|\$\$"  # strikethrough (goldmark), math (kramdown)
)
# At the start of a line: a heading, a quote, a list item, a thematic break.
_MD_LEADING = re.compile(r"^(?:[#>]|[-+:](?=\s|$)|(\d+)(?=[.)](?:\s|$)))")
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def md(value: object) -> str:
    """Plain text → Markdown that shows exactly that text, and that a person can edit.

    Only what would change the rendering is escaped: the start of an HTML tag and an
    entity (kramdown and goldmark pass raw HTML through), emphasis, code, link
    brackets and table pipes, and a leading `#`, `>`, `- `, `+ ` or `1. ` (templates put
    some values at the start of a line). Line breaks fold into spaces so a title cannot
    start a heading or a list. Braces become entities: Jekyll runs Liquid (`{{ }}`,
    `{% %}`) and Hugo runs shortcodes (`{{< >}}`) over the page before Markdown, and
    neither reads a backslash as an escape.
    """
    text = " ".join(str(value or "").split())
    text = _ENTITY.sub("&amp;", text)
    text = _HTML_START.sub("&lt;", text)
    text = _MD_INLINE.sub(lambda m: "".join("\\" + c for c in m.group(0)), text)
    text = _MD_LEADING.sub(lambda m: f"{m.group(1)}\\" if m.group(1) else "\\" + m.group(0), text)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value or ""), ensure_ascii=False)


# A record's page on PubMed, for links in digests, feeds and exports.
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def short_author(author: dict[str, Any]) -> str:
    """ "Smith JA", as PubMed lists authors; a group author's name as it is."""
    if author.get("collective_name"):
        return str(author["collective_name"])
    return " ".join(p for p in (author.get("last_name"), author.get("initials")) if p)


def short_authors(authors: list[dict[str, Any]], limit: int = 3) -> str:
    """'Smith JA, Doe B, Roe C, et al.' as PubMed's summary lines print them."""
    names = [short_author(a) for a in authors]
    names = [n for n in names if n]
    if not names:
        return "No authors listed"
    if len(names) > limit:
        return ", ".join(names[:limit]) + ", et al."
    return ", ".join(names)


def environment(template_dir: Path | None = None) -> Environment:
    """The digest templates; a user's folder, when given, overrides the bundled ones."""
    # Imported here: `tracker sync` and `import` load this module (for the alert mail)
    # but render nothing, and Jinja is a noticeable part of a process start.
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PackageLoader,
        StrictUndefined,
        select_autoescape,
    )

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
