"""What Hugo and Jekyll posts share: the front matter, the body without a second title,
the slug, and the follow-up starter."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from tracker.digest.render import md
from tracker.publish.source import WrittenDigest

_H1 = re.compile(r"\A# [^\n]*\n+")
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")
FOLLOW_UP_STUDIES = 5


def slug(digest: WrittenDigest) -> str:
    """`treatments-2026-11-23`, or `treatments-2026-11-23-2` for a second digest that day."""
    return f"{digest.search}-{digest.markdown.stem}"


def front_matter(fields: dict[str, Any]) -> str:
    """YAML both generators read as is: one `key: value` a line, strings JSON-quoted
    (valid YAML), dates bare (so both read them as dates), lists as flow sequences."""
    lines = ["---"]
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif key == "date" or isinstance(value, int):
            text = str(value)
        else:
            text = json.dumps(value, ensure_ascii=False)
        lines.append(f"{key}: {text}")
    return "\n".join(lines + ["---", ""]) + "\n"


def base_fields(digest: WrittenDigest) -> dict[str, Any]:
    front = digest.front
    return {
        "title": front.get("title") or f"{digest.search}: literature digest",
        "date": digest.day.isoformat(),
        "tags": front.get("tags") or ["pubmed", "literature-digest", digest.search],
    }


def body_without_title(body: str) -> str:
    """The theme prints the front matter title; a digest written before titles moved
    there still starts with its own `# heading`, dropped here so it shows once."""
    return _H1.sub("", body, count=1)


def relink(body: str, names: dict[str, str]) -> str:
    """Point the Markdown links to the digest's files (`](2026-11-23.svg)`) elsewhere."""
    for old, new in names.items():
        body = body.replace(f"]({old})", f"]({new})")
    return body


def follow_up_text(digest: WrittenDigest) -> str:
    """A few plain sentences on the strongest new studies, each with its citation, for
    the author to rewrite into a follow-up post."""
    studies = digest.study_views()[:FOLLOW_UP_STUDIES]
    if not studies:
        return "No new studies in this digest; nothing to follow up yet.\n"
    lines = [
        f"New evidence since the previous digest: {md(digest.front.get('summary') or '')}",
        "",
        "*Edit these sentences into your own words, and check each study before you publish.*",
        "",
    ]
    for s in studies:
        lines.append(f"- {_sentence(s)}")
    return "\n".join(lines) + "\n"


def _sentence(s: dict[str, Any]) -> str:
    who = (s.get("authors") or "").split(",")[0].strip() or "Unnamed authors"
    if "," in (s.get("authors") or ""):
        who += " et al."
    where = ", ".join(str(p) for p in (s.get("journal"), s.get("year")) if p)
    claim = _FIRST_SENTENCE.match(s.get("conclusion") or "")
    said = f" conclude: “{md(claim.group(1))}”" if claim else " (no abstract in PubMed)"
    cite = f"[PubMed {s['pmid']}]({s['pubmed_url']})"
    if s.get("doi_url"):
        cite += f", [doi:{md(s['doi'])}]({s['doi_url']})"
    tier = md(s.get("tier_label") or "Study")
    return f"{tier}: {md(who)} ({md(where)}){said} ({cite})."


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def copy_file(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_bytes(src.read_bytes())
    os.replace(tmp, dest)
