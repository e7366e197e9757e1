"""`tracker import` with worker processes stores exactly what one process stores.

Inputs are real NCBI files from tests/data/pubmed-samples, or files derived from
them (real records under new PMIDs, as the benchmarks build them). The few crafted
inputs (a file cut short, a record with a broken tag) say so in their names.
"""

from __future__ import annotations

import gzip
import io
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from helpers import efetch_file, start, tracker, tracker_env, wait_for

from benchmarks.common import build_pubmed_file
from tracker import store
from tracker.ingest import import_worker
from tracker.ingest.import_pool import WorkerFailed, _Worker
from tracker.ingest.importer import ImportFileError, import_file
from tracker.pubmed import PubmedParseError, iter_pubmed_xml, open_pubmed_pieces
from tracker.pubmed.split import Piece, iter_pieces
from tracker.store.rows import EncodedArticles, encode_articles

SAMPLES = Path(__file__).parent / "data" / "pubmed-samples"
BASELINE = SAMPLES / "baseline"
# Files where each path matters: baseline subsets, an update file with DeleteCitation
# and one PMID in two versions, a gzip update file, books.
REAL_FILES = [
    BASELINE / "net-synergy__pubmed21n0001.xml",
    BASELINE / "net-synergy__pubmed21n1001.xml",
    BASELINE / "tipplerow__pubmed_sample.xml",
    BASELINE / "tipplerow__pubmed20n1203.xml.gz",
    SAMPLES / "efetch" / "eutils-json__efetch.pubmedbook.xml",
]
PARALLEL = {"workers": 2, "parallel_from_bytes": 0}
# Set by the import itself; everything else must match column for column.
IMPORT_TIME_COLUMNS = {"first_seen", "updated", "deleted"}


def derived_file(folder: Path, records: int, *, gz: bool = True) -> Path:
    """Real efetch records repeated under new PMIDs, as the benchmarks build them."""
    path = build_pubmed_file(records, folder).path
    if gz:
        return path
    plain = path.with_suffix("")  # derived-….xml
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    return plain


def snapshot(db_path: Path) -> dict[str, object]:
    """Every stored value that an import decides, plus the full-text index's answers."""
    conn = sqlite3.connect(db_path)
    try:
        conn.row_factory = sqlite3.Row
        articles = [
            {k: (bool(row[k]) if k in IMPORT_TIME_COLUMNS else row[k]) for k in row.keys()}  # noqa: SIM118
            for row in conn.execute("SELECT * FROM articles ORDER BY pmid")
        ]
        authors = [tuple(r) for r in conn.execute("SELECT * FROM authors ORDER BY pmid, position")]
        words = ["patients", "cancer", "trial", "protein", "review", "cell*"]
        matches = {
            w: [r[0] for r in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid", (w,)
            )]
            for w in words
        }  # fmt: skip
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        triggers = sorted(
            r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
        )
    finally:
        conn.close()
    return {"articles": articles, "authors": authors, "fts": matches, "triggers": triggers}


def imported(db_path: Path, *files: Path, **options: object) -> dict[str, object]:
    db = store.connect(db_path)
    try:
        for path in files:
            import_file(db, path, **options)  # type: ignore[arg-type]
    finally:
        db.conn.close()
    return snapshot(db_path)


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_workers_store_what_one_process_stores(tmp_path: Path, path: Path) -> None:
    one = imported(tmp_path / "one.db", path)
    many = imported(tmp_path / "many.db", path, **PARALLEL)
    assert one["articles"], "the file holds records"
    assert many == one


def test_derived_gzip_file_in_many_pieces(tmp_path: Path) -> None:
    path = derived_file(tmp_path, 230)  # 12 pieces of 20 records, the last one short
    one = imported(tmp_path / "one.db", path)
    many = imported(tmp_path / "many.db", path, **PARALLEL)
    assert len(many["articles"]) == 230  # type: ignore[arg-type]
    assert many == one


def test_importing_again_refreshes_rows_and_their_index(tmp_path: Path) -> None:
    """Stored rows are rewritten: the bulk path removes their old index entries first."""
    path = BASELINE / "net-synergy__pubmed21n0001.xml"
    once = imported(tmp_path / "once.db", path, **PARALLEL)
    twice = imported(tmp_path / "twice.db", path, path, **PARALLEL)
    serial_twice = imported(tmp_path / "serial.db", path, path)
    assert twice == once == serial_twice


def test_a_row_never_goes_back_to_an_older_version(tmp_path: Path) -> None:
    """pubmed_sample.xml holds PMID 31383287 as Version 1 and Version 2 (real records)."""
    both = [
        a for a in iter_pubmed_xml((BASELINE / "tipplerow__pubmed_sample.xml").read_bytes())
        if getattr(a, "pmid", None) == 31383287
    ]  # fmt: skip
    v1, v2 = sorted(both, key=lambda a: a.version)
    assert (v1.version, v2.version) == (1, 2)
    db = store.connect(tmp_path / "t.db")
    with store.write_transaction(db):
        store.write_articles(db, encode_articles([v2], "2025-01-06T06:00:00Z"))
        written = store.write_articles(db, encode_articles([v1], "2025-01-07T06:00:00Z"))
    assert written == []
    row = db.conn.execute("SELECT version, title FROM articles WHERE pmid = 31383287").fetchone()
    assert row == (2, v2.title)
    authors = db.conn.execute("SELECT count(*) FROM authors WHERE pmid = 31383287").fetchone()
    assert authors == (len(v2.authors),)


def test_pieces_survive_end_tags_cut_by_read_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads of 7 bytes cut nearly every end tag in two; the pieces still hold every record."""
    data = (BASELINE / "tipplerow__pubmed_sample.xml").read_bytes()
    monkeypatch.setattr("tracker.pubmed.split._BLOCK", 7)
    pieces = list(iter_pieces(io.BytesIO(data), "sample", 3))
    from_pieces = [r for p in pieces for r in iter_pubmed_xml(p.data)]
    assert len(pieces) >= 3
    assert from_pieces == list(iter_pubmed_xml(data))


def _cut_short(folder: Path) -> tuple[Path, int]:
    """Crafted: a real baseline file cut off in the middle of a record, and the line where
    the damage is."""
    data = (BASELINE / "net-synergy__pubmed21n0001.xml").read_bytes()
    cut = data.index(b"</PubmedArticle>", len(data) * 2 // 3) - 40
    path = folder / "crafted-cut-short-pubmed21n0001.xml"
    path.write_bytes(data[:cut])
    return path, data[:cut].count(b"\n") + 1


@pytest.mark.parametrize("options", [{}, PARALLEL], ids=["one process", "workers"])
def test_a_file_cut_short_stores_nothing_and_names_the_line(
    tmp_path: Path, options: dict[str, object]
) -> None:
    path, last_line = _cut_short(tmp_path)
    db = store.connect(tmp_path / "t.db")
    with pytest.raises(PubmedParseError) as failure:
        import_file(db, path, **options)  # type: ignore[arg-type]
    message = str(failure.value)
    assert message.startswith(f"{path}: malformed or truncated XML")
    assert f"line {last_line}" in message
    assert "\n" not in message
    db.conn.close()
    after = snapshot(tmp_path / "t.db")
    assert after["articles"] == [] and len(after["triggers"]) == 3  # type: ignore[arg-type]


def test_a_broken_record_is_named_by_its_line_in_the_file(tmp_path: Path) -> None:
    """Crafted: one real record's <PMID> emptied; workers report the same line as one process."""
    data = (BASELINE / "net-synergy__pubmed21n1001.xml").read_bytes()
    at = data.index(b"<PubmedArticle>", len(data) // 2)
    pmid = data.index(b"<PMID", at)
    end = data.index(b"</PMID>", pmid)
    broken = data[:pmid] + b'<PMID Version="1">' + data[end:]
    path = tmp_path / "crafted-empty-pmid-pubmed21n1001.xml"
    path.write_bytes(broken)
    messages = []
    for options in ({}, PARALLEL):
        db = store.connect(tmp_path / f"t{len(messages)}.db")
        with pytest.raises(PubmedParseError) as failure:
            import_file(db, path, **options)  # type: ignore[arg-type]
        messages.append(str(failure.value))
        db.conn.close()
    line = broken[:at].count(b"\n") + 1
    assert messages[0] == messages[1]
    assert f"<PubmedArticle> near line {line}" in messages[0]


def test_small_files_and_other_roots_are_parsed_here(tmp_path: Path) -> None:
    """A bare <PubmedArticle> (a saved single record) cannot be cut; it imports anyway."""
    bare = SAMPLES / "efetch" / "sul_pub__pubmed_record_1.xml"
    if not bare.exists():
        bare = next((SAMPLES / "efetch").glob("sul_pub__pubmed_record_*.xml"))
    db = store.connect(tmp_path / "t.db")
    result = import_file(db, bare, **PARALLEL)  # type: ignore[arg-type]
    assert result.articles == 1


def test_open_pubmed_pieces_reads_gzip(tmp_path: Path) -> None:
    path = derived_file(tmp_path, 45)
    pieces = list(open_pubmed_pieces(path, 20))
    assert [sum(1 for _ in iter_pubmed_xml(p.data)) for p in pieces] == [20, 20, 5]


def test_jobs_option_is_checked(tmp_path: Path) -> None:
    path = BASELINE / "tipplerow__pubmed_sample.xml"
    proc = tracker("--db", str(tmp_path / "t.db"), "import", "--jobs", "0", str(path),
                   cwd=tmp_path, env=tracker_env())  # fmt: skip
    assert proc.returncode == 2 and "--jobs" in proc.stderr
    proc = tracker("--db", str(tmp_path / "t.db"), "import", "-j", "1", str(path),
                   cwd=tmp_path, env=tracker_env())  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Over the CLI's 4 MiB threshold, and long enough (~1 s) to be stopped midway."""
    return derived_file(tmp_path_factory.mktemp("large"), 2000, gz=False)  # ~52 MB of XML


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_workers_never_outlive_an_import_that_was_stopped(
    tmp_path: Path, large_file: Path, sig: signal.Signals
) -> None:
    """A real `tracker import -j 2` with the CLI's own threshold, stopped once its
    workers run: nothing is stored and no worker is left behind."""
    db = tmp_path / "t.db"
    # Default SIGINT handling even if the test process ignores it: a child inherits SIG_IGN.
    proc = start("--db", str(db), "import", "-j", "2", str(large_file), cwd=tmp_path,
                 env=tracker_env(),
                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    wait_for(lambda: len(_children(proc.pid)) >= 2, 60)
    workers = _children(proc.pid)
    # Running, not just forked: each worker has spent 50 ms of CPU (its imports, then work).
    wait_for(lambda: all(_cpu_ticks(p) >= 5 for p in workers), 60)
    os.kill(proc.pid, sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0, err
    wait_for(lambda: not any(_alive(p) for p in workers), 20)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    finally:
        conn.close()


def test_unknown_file_kind_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text("pmid\n1\n")
    db = store.connect(tmp_path / "t.db")
    with pytest.raises(ImportFileError, match="unknown kind of file"):
        import_file(db, path, **PARALLEL)  # type: ignore[arg-type]


def test_a_worker_that_dies_fails_the_import_loudly() -> None:
    piece = next(iter_pieces(io.BytesIO((BASELINE / "tipplerow__pubmed_sample.xml").read_bytes()),
                             "sample", 3))  # fmt: skip
    worker = _Worker("sample", "2025-01-06T06:00:00Z")
    try:
        assert [b.records for b in _encoded(worker, piece)] == [3]
        worker.proc.kill()
        worker.proc.wait()
        worker.submit(piece)
        with pytest.raises(WorkerFailed, match=r"stopped unexpectedly \(exit code -9\)"):
            worker.result()
    finally:
        worker.stop()


def test_a_bug_in_a_worker_is_reported_not_swallowed() -> None:
    worker = _Worker("sample", "2025-01-06T06:00:00Z")
    try:
        worker.submit(Piece(data=None, first_line=1, head_lines=0))  # type: ignore[arg-type]
        with pytest.raises(WorkerFailed, match="a parse worker failed: TypeError"):
            worker.result()
    finally:
        worker.stop()
    assert worker.proc.returncode == 0


def _encoded(worker: _Worker, piece: Piece) -> list[EncodedArticles]:
    worker.submit(piece)
    return [b for b in worker.result() if isinstance(b, EncodedArticles)]


WITH_REFERENCES = efetch_file("metapub__32051057.xml")


def test_pieces_leave_reference_lists_out_but_keep_their_lines() -> None:
    data = WITH_REFERENCES.read_bytes()
    assert b"<ReferenceList>" in data
    (piece,) = iter_pieces(io.BytesIO(data), "refs", 20)
    assert b"<Reference>" not in piece.data and b"ReferenceList" not in piece.data
    assert piece.data.count(b"\n") == data.count(b"\n")
    assert list(iter_pubmed_xml(piece.data)) == list(iter_pubmed_xml(data))


def test_nested_and_unclosed_reference_lists() -> None:
    """Crafted from a real record: a list nested in the list (the DTD allows it), then the
    same record cut short inside its reference list."""
    data = WITH_REFERENCES.read_bytes()
    inner = b"<ReferenceList><Reference><Citation>x</Citation></Reference></ReferenceList>"
    nested = data.replace(b"</ReferenceList>", inner + b"</ReferenceList>", 1)
    (piece,) = iter_pieces(io.BytesIO(nested), "nested", 20)
    assert b"ReferenceList" not in piece.data
    cut = data[: data.index(b"</ReferenceList>")]
    (piece,) = iter_pieces(io.BytesIO(cut), "cut", 20)
    assert piece.data.endswith(cut[cut.index(b"<PubmedArticleSet>") + 18 :])
    with pytest.raises(PubmedParseError, match="malformed or truncated"):
        import_worker.encode_piece(piece, "cut", "2025-01-06T06:00:00Z")


@pytest.mark.parametrize("options", [{}, PARALLEL], ids=["one process", "workers"])
def test_an_older_version_read_later_leaves_the_row_and_its_index_alone(
    tmp_path: Path, options: dict[str, object]
) -> None:
    """Crafted: pubmed_sample.xml without its Version 2 record of PMID 31383287, imported
    after the whole (real) file stored Version 2."""
    data = (BASELINE / "tipplerow__pubmed_sample.xml").read_bytes()
    v2 = data.index(b'<PMID Version="2">31383287</PMID>')
    start = data.rindex(b"<PubmedArticle>", 0, v2)
    end = data.index(b"</PubmedArticle>", v2) + len(b"</PubmedArticle>")
    only_v1 = tmp_path / "crafted-without-version-2-pubmed_sample.xml"
    only_v1.write_bytes(data[:start] + data[end:])
    db_path = tmp_path / "t.db"
    db = store.connect(db_path)
    import_file(db, BASELINE / "tipplerow__pubmed_sample.xml")
    before = db.conn.execute("SELECT version, title FROM articles WHERE pmid = 31383287").fetchone()
    import_file(db, only_v1, **options)  # type: ignore[arg-type]
    after = db.conn.execute("SELECT version, title FROM articles WHERE pmid = 31383287").fetchone()
    db.conn.close()
    assert before[0] == 2 and after == before
    word = max(before[1].split(), key=len).strip(".,:;()")
    snap = snapshot(db_path)  # runs FTS5's integrity-check
    conn = sqlite3.connect(db_path)
    hits = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (f'"{word}"',)
    ).fetchall()
    conn.close()
    assert (31383287,) in hits and len(snap["triggers"]) == 3  # type: ignore[arg-type]
