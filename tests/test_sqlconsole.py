"""tracker.research.sqlconsole: the researcher's SQL is read-only (NCBI-NOTES E4 and checklist 55):
writes, ATTACH, VACUUM INTO, schema changes and setting PRAGMAs are refused, runaway
queries stop, and the database file is byte-for-byte unchanged afterwards."""

from __future__ import annotations

import hashlib

import pytest
from collection_fixture import build_collection

from tracker.research.sqlconsole import SqlFailed, SqlRefused, query_readonly


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("sql") / "tracker.db"
    db = build_collection(path)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_select_returns_columns_and_rows(db_path):
    result = query_readonly(db_path, "SELECT pmid, title FROM articles WHERE pmid = 23121403")
    assert result.columns == ("pmid", "title")
    assert result.rows == [
        (23121403, "Low-dose aspirin for preventing recurrent venous thromboembolism.")
    ]
    assert not result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'aspirin'",
        "WITH y AS (SELECT pub_year FROM articles) SELECT COUNT(*) FROM y",
        "SELECT * FROM pragma_table_info('articles')",
        "PRAGMA table_info(articles)",
        "PRAGMA user_version",
        "-- a comment first\nSELECT json_extract(publication_types, '$[0]') FROM articles",
        "VALUES (1, 2)",
    ],
)
def test_reading_statements_run(db_path, sql):
    assert query_readonly(db_path, sql).rows


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("INSERT INTO articles (pmid, title) VALUES (1, 'x')", "INSERT is refused"),
        ("UPDATE articles SET title = 'x'", "UPDATE is refused"),
        ("DELETE FROM articles", "DELETE is refused"),
        ("REPLACE INTO searches (name) VALUES ('x')", "REPLACE is refused"),
        ("WITH x AS (SELECT 1) INSERT INTO searches (name) SELECT * FROM x", "INSERT searches"),
        ("DROP TABLE articles", "DROP is refused"),
        ("CREATE TABLE z (a)", "CREATE is refused"),
        ("CREATE TEMP TABLE z (a)", "CREATE is refused"),
        ("ALTER TABLE articles ADD COLUMN z", "ALTER is refused"),
        ("ATTACH DATABASE 'evil.db' AS evil", "ATTACH is refused"),
        ("DETACH DATABASE main", "DETACH is refused"),
        ("VACUUM INTO 'copy.db'", "VACUUM is refused"),
        ("VACUUM", "VACUUM is refused"),
        ("PRAGMA writable_schema = ON", "PRAGMA writable_schema"),
        ("PRAGMA query_only = OFF", "PRAGMA query_only"),
        ("PRAGMA user_version = 7", "PRAGMA user_version"),
        ("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode"),
        ("BEGIN", "BEGIN is refused"),
        ("SELECT 1; DROP TABLE articles", "one statement at a time"),
        ("SELECT load_extension('/tmp/evil')", "refused"),
        ("EXPLAIN DELETE FROM articles", "DELETE articles is refused"),
        ("ANALYZE", "ANALYZE is refused"),
        ("REINDEX", "REINDEX is refused"),
        ("   ", "no SQL given"),
    ],
)
def test_writes_attach_and_schema_changes_are_refused_and_nothing_changes(
    db_path, tmp_path, monkeypatch, sql, message
):
    monkeypatch.chdir(tmp_path)  # where a relative ATTACH or VACUUM INTO would create a file
    before = digest(db_path)
    with pytest.raises(SqlRefused, match=message) as err:
        query_readonly(db_path, sql)
    assert "\n" not in str(err.value)
    assert digest(db_path) == before
    assert list(tmp_path.iterdir()) == []


def test_a_runaway_query_is_stopped_by_the_time_limit(db_path):
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c"
    with pytest.raises(SqlFailed, match="stopped after 0.3 s"):
        query_readonly(db_path, sql, time_limit=0.3)


def test_results_are_capped(db_path):
    result = query_readonly(db_path, "SELECT pmid FROM articles", max_rows=5)
    assert len(result.rows) == 5 and result.truncated


def test_a_huge_value_fails_instead_of_exhausting_memory(db_path):
    with pytest.raises(SqlFailed, match="too big"):
        query_readonly(db_path, "SELECT randomblob(500000000)")


def test_mistakes_are_one_line(db_path, tmp_path):
    with pytest.raises(SqlFailed, match="no such table: nope"):
        query_readonly(db_path, "SELECT * FROM nope")
    with pytest.raises(SqlFailed, match="no such database file"):
        query_readonly(tmp_path / "missing.db", "SELECT 1")
    assert not (tmp_path / "missing.db").exists()
