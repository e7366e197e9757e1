"""tracker/pubmed/stream.py and the split of tracker.pubmed: the same front door, and the
gzip read-ahead thread reading every shape of .gz the way gzip.GzipFile does."""

from __future__ import annotations

import gzip
import io
import threading
import zlib
from pathlib import Path

import pytest

import tracker.pubmed
from tracker.models import Article
from tracker.pubmed import PubmedParseError, iter_pubmed_xml, open_pubmed_file
from tracker.pubmed.stream import GzipReadAhead
from tracker.pubmed.stream import PubmedParseError as StreamError

SAMPLES = Path(__file__).parent / "data" / "pubmed-samples"
SAMPLE = SAMPLES / "baseline" / "tipplerow__pubmed_sample.xml"


def test_tracker_pubmed_keeps_exporting_the_same_names() -> None:
    assert tracker.pubmed.__all__ == [
        "Piece",
        "PubmedParseError",
        "can_cut",
        "iter_pubmed_xml",
        "open_pubmed_file",
        "open_pubmed_pieces",
        "parse_pubmed_xml",
    ]
    assert tracker.pubmed.PubmedParseError is StreamError


def _read_all(data: bytes, size: int = 7_000) -> bytes:
    with GzipReadAhead(io.BytesIO(data)) as stream:
        return b"".join(iter(lambda: stream.read(size), b""))


def test_read_ahead_gives_the_bytes_gzip_gives() -> None:
    plain = SAMPLE.read_bytes()
    assert _read_all(gzip.compress(plain)) == plain
    assert _read_all(gzip.compress(plain[:3000]), size=1) == plain[:3000]


def test_read_ahead_reads_every_member_of_a_multi_member_file() -> None:
    # pigz/bgzip and `cat a.gz b.gz` write several members; gzip reads them all.
    plain = SAMPLE.read_bytes()
    data = gzip.compress(plain[:5000]) + gzip.compress(plain[5000:])
    assert _read_all(data) == gzip.decompress(data) == plain


def test_read_ahead_ignores_zero_padding_after_the_last_member() -> None:
    plain = SAMPLE.read_bytes()
    assert _read_all(gzip.compress(plain) + b"\x00" * 1024) == plain


def _gzip_error(data: bytes) -> type[BaseException]:
    with pytest.raises((OSError, EOFError, zlib.error)) as failure:
        gzip.decompress(data)
    return failure.type


def test_read_ahead_reports_a_stream_cut_short_and_garbage() -> None:
    """Crafted damage to a compressed real record: the error gzip itself raises."""
    packed = gzip.compress(SAMPLE.read_bytes())
    damaged = [
        packed[: len(packed) // 2],  # cut short
        b"\x1f\x8b" + b"\x00" * 64,  # no compression method
        packed[:-8] + b"\x00\x00\x00\x00" + packed[-4:],  # bad CRC-32
        packed[:10] + b"\xff" * 60,  # not deflate data
    ]
    expected = [EOFError, gzip.BadGzipFile, gzip.BadGzipFile, zlib.error]
    assert [_gzip_error(d) for d in damaged] == expected
    for data, error in zip(damaged, expected, strict=True):
        with pytest.raises(error):
            _read_all(data)


def test_read_ahead_thread_stops_when_parsing_stops_early() -> None:
    before = threading.active_count()
    with GzipReadAhead(io.BytesIO(gzip.compress(b"x" * (40 << 20), compresslevel=1))) as s:
        assert s.read(10) == b"x" * 10  # the helper is now blocked on a full queue
    assert threading.active_count() == before


def test_gzipped_file_parses_to_the_same_articles_as_plain(tmp_path: Path) -> None:
    packed = tmp_path / "pubmed_sample.xml.gz"
    packed.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    plain = list(open_pubmed_file(SAMPLE))
    assert list(open_pubmed_file(packed)) == plain
    assert sum(isinstance(r, Article) for r in plain) == 7


def test_corrupt_gzip_in_the_middle_names_the_file_after_the_good_records(tmp_path: Path) -> None:
    packed = gzip.compress(SAMPLE.read_bytes())
    crafted = tmp_path / "crafted-cut.xml.gz"
    crafted.write_bytes(packed[: len(packed) * 3 // 4])
    seen = []
    with pytest.raises(PubmedParseError, match="crafted-cut.xml.gz"):
        for record in open_pubmed_file(crafted):
            seen.append(record)
    assert seen == list(open_pubmed_file(SAMPLE))[: len(seen)]


@pytest.mark.parametrize(
    "location",
    [
        b"http://127.0.0.1/pubmed.dtd",
        b"file:///etc/passwd",
        b"https://evil.example/nlm.nih.gov.dtd",
    ],
)
def test_crafted_doctype_naming_a_foreign_dtd_is_refused(location):
    # Crafted: PubMed's DOCTYPE always names NLM's DTD (or, in baseline files, a bare
    # pubmed_YYMMDD.dtd name); nothing is fetched either way.
    body = b'<!DOCTYPE PubmedArticleSet SYSTEM "' + location + b'"><PubmedArticleSet/>'
    with pytest.raises(PubmedParseError, match="DTD is not NLM's"):
        list(iter_pubmed_xml(body))
