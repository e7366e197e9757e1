"""The studies-per-year chart (tracker/digest/chart.py): plain SVG, one drawing for the HTML
digest, the file beside the Markdown, the mail and `tracker stats --plot`."""

from __future__ import annotations

from lxml import etree

from tracker.digest.chart import HEIGHT, chart_svg, write_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> dict[int, float]:
    """year -> drawn bar height, read back from the SVG."""
    root = etree.fromstring(svg.encode())
    out = {}
    for rect in root.iter(f"{SVG}rect"):
        year, count = rect.findtext(f"{SVG}title").split(": ")
        assert int(count) > 0
        out[int(year)] = float(rect.get("height"))
    return out


def test_one_bar_per_year_with_studies_and_heights_proportional_to_counts():
    years = {2001: 2, 2003: 8, 2004: 4}
    svg = chart_svg(years)
    bars = _bars(svg)
    assert sorted(bars) == [2001, 2003, 2004]  # 2002 had none: a gap, no bar
    assert abs(bars[2003] - 2 * bars[2004]) < 0.2 and abs(bars[2004] - 2 * bars[2001]) < 0.2
    root = etree.fromstring(svg.encode())
    assert (root.get("width"), root.get("height")) == ("640", str(HEIGHT))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[:3] == ["0", "2", "4"] and "8" in labels  # integer ticks up to the peak
    assert [t for t in labels if len(t) == 4] == ["2001", "2002", "2003", "2004"]
    assert labels[-1] == "studies"


def test_the_drawing_is_deterministic_and_empty_without_data(tmp_path):
    assert chart_svg({2020: 1, 2021: 3}) == chart_svg({2021: 3, 2020: 1})
    assert chart_svg({}) == ""
    assert write_chart_svg({}, tmp_path / "none.svg") is False
    assert not (tmp_path / "none.svg").exists()


def test_many_years_get_thinned_labels_and_integer_ticks_for_large_counts():
    years = {y: (y % 7) * 130 for y in range(1950, 2026)}
    root = etree.fromstring(chart_svg(years).encode())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    year_labels = [int(t) for t in texts if len(t) == 4 and t.startswith(("19", "20"))]
    assert len(year_labels) <= 16 and year_labels[0] == 1950
    ticks = [int(t) for t in texts if t.isdigit() and int(t) not in year_labels]
    assert ticks == sorted(ticks) and len(ticks) <= 6 and ticks[-1] >= max(years.values())


def test_the_title_is_escaped_and_the_file_is_a_standalone_svg(tmp_path):
    path = tmp_path / "years.svg"
    assert write_chart_svg({2020: 1}, path, title="<script>x</script> & co") is True
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    root = etree.fromstring(data)
    assert root.findtext(f"{SVG}text") == "<script>x</script> & co"
    assert b"<script>" not in data
    assert [p.name for p in tmp_path.iterdir()] == ["years.svg"]  # no temp file left behind
