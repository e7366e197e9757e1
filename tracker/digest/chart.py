"""The "studies per year" bar chart as SVG, drawn with plain string code.

One drawing serves every place the chart appears: inline in the HTML digest, as DATE.svg
beside the Markdown digest (a blog shows it as an image), as the mail's inline image, and
`tracker stats --plot FILE.svg`. A bar chart of integers needs no plotting library: the
geometry below is a few lines, and the output is byte-for-byte deterministic, so golden
files stay stable.

Only numbers we computed (years, counts) and the caller's title go into the chart; the
title is escaped all the same.
"""

from __future__ import annotations

import math
import os
from html import escape
from pathlib import Path

WIDTH, HEIGHT = 640, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 12, 14, 30  # plot margins: room for the axis labels
_BAR = "#3b6ea5"
_INK = "#333333"
_FONT = 'font-family="sans-serif"'
_SMALL = f'{_FONT} font-size="11"'


def _y_step(peak: int) -> int:
    """An integer tick step (1, 2, 5, 10, 20, 50…) giving at most five ticks."""
    for magnitude in (10**k for k in range(10)):
        for factor in (1, 2, 5):
            if peak / (factor * magnitude) <= 5:
                return factor * magnitude
    return 10**10


def _x_step(span: int) -> int:
    """Label every year up to 16 of them, then every 2nd, 5th, 10th… (no overlap)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 16:
            return step
    return math.ceil(span / 16)


def chart_svg(years: dict[int, int], title: str | None = None) -> str:
    """The chart as one <svg> element (no XML prolog: it is inlined in HTML too); ''
    without data. `title`, when given, is drawn above the bars."""
    if not years:
        return ""
    first, last = min(years), max(years)
    top = _TOP + (18 if title else 0)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - top - _BOTTOM
    step = _y_step(max(max(years.values()), 1))
    y_max = step * math.ceil(max(max(years.values()), 1) / step)
    slot = plot_w / (last - first + 1)
    base = top + plot_h

    def y_of(value: float) -> float:
        return base - plot_h * value / y_max

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
           f"<title>Studies per publication year, {first}–{last}</title>"]  # fmt: skip
    if title:
        out.append(f'<text x="{WIDTH / 2:g}" y="{_TOP + 4}" text-anchor="middle" {_FONT} '
                   f'font-size="13" fill="{_INK}">{escape(title)}</text>')  # fmt: skip
    for tick in range(0, y_max + 1, step):
        y = f"{y_of(tick):.1f}"
        out.append(f'<line x1="{_LEFT}" y1="{y}" x2="{WIDTH - _RIGHT}" y2="{y}" '
                   f'stroke="#dddddd" stroke-width="1"/>')  # fmt: skip
        out.append(f'<text x="{_LEFT - 6}" y="{y}" dy="0.35em" text-anchor="end" {_SMALL} '
                   f'fill="{_INK}">{tick}</text>')  # fmt: skip
    for year in range(first, last + 1):
        count = years.get(year, 0)
        x = _LEFT + slot * (year - first)
        if count:
            out.append(f'<rect x="{x + slot * 0.1:.1f}" y="{y_of(count):.1f}" '
                       f'width="{slot * 0.8:.1f}" height="{base - y_of(count):.1f}" '
                       f'fill="{_BAR}"><title>{year}: {count}</title></rect>')  # fmt: skip
        if (year - first) % _x_step(last - first + 1) == 0:
            out.append(f'<text x="{x + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                       f'{_SMALL} fill="{_INK}">{year}</text>')  # fmt: skip
    out.append(f'<line x1="{_LEFT}" y1="{base}" x2="{WIDTH - _RIGHT}" y2="{base}" '
               f'stroke="{_INK}" stroke-width="1"/>')  # fmt: skip
    out.append(f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle" {_SMALL} fill="{_INK}">studies</text>')  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)


def chart_svg_document(years: dict[int, int], title: str | None = None) -> str:
    """The chart as a standalone SVG file's text (XML prolog first); '' without data."""
    if not years:
        return ""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + chart_svg(years, title) + "\n"


def write_chart_svg(years: dict[int, int], path: Path, title: str | None = None) -> bool:
    """Write the chart as a standalone SVG file (temp file and rename: a reader never sees
    half of it); False (and no file) without data. OSError is the caller's to report."""
    if not years:
        return False
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(chart_svg_document(years, title), encoding="utf-8")
    os.replace(tmp, path)
    return True
