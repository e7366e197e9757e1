"""Step 3 of a digest: its files' contents, from the template context. Pure: the
result is text keyed like the files it goes into."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from tracker.digest.chart import chart_svg_document
from tracker.digest.context import json_document
from tracker.digest.export import write_export
from tracker.digest.render import environment
from tracker.digest.select import Selection
from tracker.digest.view import strongest_first


def render_digest(
    context: dict[str, Any], selection: Selection, template_dir: Path | None
) -> dict[str, str | bytes]:
    """md, html, text and json always; svg with a chart; ris and bib with new studies."""
    env = environment(template_dir)
    md_context = {**context, "chart_svg": None}
    out: dict[str, str | bytes] = {
        "md": env.get_template("digest.md.j2").render(md_context),
        "html": env.get_template("digest.html.j2").render(context),
        "text": env.get_template("digest.txt.j2").render(md_context),
    }
    if context["years"]:
        out["svg"] = chart_svg_document(context["years"])
    if selection.rows:
        for fmt, key in (("ris", "ris"), ("bibtex", "bib")):
            buf = io.StringIO()
            write_export(strongest_first(selection.rows), selection.authors, fmt, buf)
            out[key] = buf.getvalue()
    out["json"] = json_document(context, selection)
    return out
