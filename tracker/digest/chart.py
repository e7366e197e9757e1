"""The "studies per year" chart: an SVG string for the HTML digest, a PNG file for the
Markdown one. matplotlib with the Agg backend (no display needed under cron).

Only numbers we computed go into the chart (years and counts): no text from PubMed,
so nothing in it needs escaping. The SVG is deterministic (no date in its metadata,
a fixed id salt) so golden files stay stable.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_SVG_START = re.compile(r"<svg\b")


def _pyplot() -> Any:
    """matplotlib, imported on first use: it is most of a command's start-up time, and
    only digests draw."""
    import matplotlib

    matplotlib.use("Agg")  # no display under cron
    from matplotlib import pyplot

    return pyplot


def _figure(years: dict[int, int]) -> Figure:
    plt = _pyplot()
    first, last = min(years), max(years)
    xs = list(range(first, last + 1))
    ys = [years.get(x, 0) for x in xs]
    fig, ax = plt.subplots(figsize=(6.4, 2.4), dpi=100)
    ax.bar(xs, ys, color="#3b6ea5", width=0.8)
    ax.set_ylabel("studies")
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def chart_svg(years: dict[int, int]) -> str:
    """The chart as an inline <svg> element (no XML prolog or DOCTYPE); '' without data."""
    if not years:
        return ""
    fig = _figure(years)
    buf = io.StringIO()
    plt = _pyplot()
    with plt.rc_context({"svg.hashsalt": "offlabel-tracker", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    match = _SVG_START.search(text)
    return text[match.start() :] if match else ""


def chart_png_bytes(years: dict[int, int]) -> bytes:
    """The chart as PNG bytes; b'' without data."""
    if not years:
        return b""
    fig = _figure(years)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    _pyplot().close(fig)
    return buf.getvalue()


def chart_png(years: dict[int, int], path: Path) -> bool:
    """Write the chart as a PNG; False (and no file) without data."""
    data = chart_png_bytes(years)
    if data:
        path.write_bytes(data)
    return bool(data)
