"""The researcher's own SQL, read-only: `tracker sql "SELECT …"`.

`mode=ro` alone is not a sandbox (NCBI-NOTES E4): a read-only connection can still ATTACH
(creating a file) and write into the attached database, and `VACUUM INTO` writes a
copy anywhere. Four layers, each enough for the common cases:

1. the file is opened `file:…?mode=ro` and `PRAGMA query_only=ON` is set;
2. `SQLITE_LIMIT_ATTACHED` is 0, so ATTACH and VACUUM INTO (which attaches) fail;
3. an authorizer allows only reading: SELECT, reads of columns, functions (extension
   loading stays disabled), recursive CTEs and a list of PRAGMAs that only read;
   everything else (INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, DETACH,
   transactions, ANALYZE, REINDEX, PRAGMAs that set) is denied and named in the error;
4. a progress handler stops a query after a time limit (a runaway recursive CTE), the
   result is capped at a number of rows and at 64 MiB in all, and no single value may
   exceed 100 MB; only the functions a reader needs may be called (READER_FUNCTIONS).
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import UsageError

DEFAULT_MAX_ROWS = 1000
DEFAULT_TIME_LIMIT = 10.0
MAX_VALUE_BYTES = 100_000_000  # randomblob(1e10) must fail, not exhaust memory
# All the values of one answer together: 1,000 rows of whole abstracts (~2 KB each) are
# 2 MB; 64 MiB is far above any answer a terminal or a CSV reader wants, and bounds
# what `SELECT` over large values can cost (without it, 1,000 rows of 100 MB values).
MAX_ANSWER_BYTES = 64 << 20
_PROGRESS_STEPS = 10_000  # VM instructions between time checks

# PRAGMAs that only read, with or without an argument naming a table or index.
READ_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "collation_list", "function_list",
    "module_list", "pragma_list", "database_list", "compile_options", "integrity_check",
    "quick_check",
})  # fmt: skip
# PRAGMAs that read without an argument and set something with one.
READ_ONLY_WITHOUT_ARGUMENT = frozenset({
    "user_version", "schema_version", "application_id", "page_count", "page_size",
    "freelist_count", "encoding", "data_version", "journal_mode", "auto_vacuum",
    "max_page_count", "cache_size",
})  # fmt: skip
READ_KEYWORDS = ("SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA")
# Statements that write or change the connection, refused before SQLite sees them. Any
# other first word ("selct") goes to SQLite, under the authorizer and on a read-only
# connection, so a typo reads as the syntax error it is, not as a refused write.
WRITE_KEYWORDS = frozenset(
    ("INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER", "ATTACH",
     "DETACH", "VACUUM", "REINDEX", "ANALYZE", "BEGIN", "COMMIT", "END", "ROLLBACK",
     "SAVEPOINT", "RELEASE")
)  # fmt: skip
_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ,
                              sqlite3.SQLITE_RECURSIVE})  # fmt: skip
# The functions a reader needs; every other one is refused by name. Left out on purpose:
# fts3_tokenizer() (leaks an address, and with an argument overwrites a pointer),
# load_extension(), and every function an extension or a later SQLite may add.
_READER_FUNCTION_NAMES = """
abs char coalesce concat concat_ws format glob hex ifnull iif instr length like
likelihood likely lower ltrim max min nullif octet_length printf quote random replace
round rtrim sign soundex substr substring trim typeof unhex unicode unlikely upper
randomblob zeroblob
avg count group_concat string_agg sum total
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
nth_value
date time datetime julianday unixepoch strftime timediff current_date current_time
current_timestamp
json json_array json_array_length json_extract json_insert json_object json_patch
json_quote json_remove json_replace json_set json_type json_valid json_group_array
json_group_object json_each json_tree jsonb json_error_position
acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log
log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc
match bm25 highlight snippet offsets matchinfo fts5 sqlite_version
"""
READER_FUNCTIONS = frozenset(_READER_FUNCTION_NAMES.split())  # noqa: SIM905 - a word list
_ACTION_NAMES = {
    getattr(sqlite3, name): name.removeprefix("SQLITE_").replace("_", " ")
    for name in (
        "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_ATTACH", "SQLITE_DETACH",
        "SQLITE_ALTER_TABLE", "SQLITE_ANALYZE", "SQLITE_REINDEX", "SQLITE_TRANSACTION",
        "SQLITE_SAVEPOINT", "SQLITE_PRAGMA", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_INDEX",
        "SQLITE_CREATE_VIEW", "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_TEMP_TABLE",
        "SQLITE_CREATE_TEMP_INDEX", "SQLITE_CREATE_TEMP_VIEW", "SQLITE_CREATE_TEMP_TRIGGER",
        "SQLITE_CREATE_VTABLE", "SQLITE_DROP_TABLE", "SQLITE_DROP_INDEX", "SQLITE_DROP_VIEW",
        "SQLITE_DROP_TRIGGER", "SQLITE_DROP_TEMP_TABLE", "SQLITE_DROP_TEMP_INDEX",
        "SQLITE_DROP_TEMP_VIEW", "SQLITE_DROP_TEMP_TRIGGER", "SQLITE_DROP_VTABLE",
    )
    if hasattr(sqlite3, name)
}  # fmt: skip
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
READ_ONLY_HINT = "tracker sql only reads: SELECT, WITH … SELECT, and PRAGMAs that read"


class SqlRefused(UsageError, ValueError):
    """The statement writes, attaches, changes the schema, or is not SQL we run."""


class SqlFailed(UsageError, ValueError):
    """The statement is allowed but SQLite could not run it (a typo, a time limit)."""


@dataclass(frozen=True)
class SqlResult:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    truncated: bool  # more rows existed than max_rows
    seconds: float


def first_keyword(sql: str) -> str:
    rest = sql[_LEADING_COMMENTS.match(sql).end() :]  # type: ignore[union-attr]
    match = re.match(r"[A-Za-z]+", rest)
    return match.group().upper() if match else ""


def open_readonly(db_path: Path | str) -> sqlite3.Connection:
    path = Path(db_path)
    if not path.is_file():
        raise SqlFailed(f"{path}: no such database file (set --db)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute("PRAGMA query_only = ON")
    try:
        # Read the schema now, before the authorizer: SQLite reads it with internal
        # statements the authorizer would otherwise be asked about.
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SqlFailed(f"{path}: cannot be read as a SQLite database ({exc})") from None
    return conn


class _Guard:
    """The authorizer and progress handler for one statement."""

    def __init__(self, sql: str, time_limit: float) -> None:
        self.denied: str | None = None
        self.reading = first_keyword(sql) in READ_KEYWORDS
        self.deadline = time.monotonic() + time_limit
        self.timed_out = False

    def authorize(
        self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None
    ) -> int:
        if action in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in READER_FUNCTIONS:
                return sqlite3.SQLITE_OK
            if self.denied is None:
                self.denied = f"the function {arg2}()"
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and self._reading_pragma(arg1, arg2):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and self.reading:
            # Table-valued pragmas (SELECT * FROM pragma_table_info('x')) report an
            # internal UPDATE of sqlite_master while they are prepared; the connection is
            # read-only and query_only, so nothing can be written through it.
            return sqlite3.SQLITE_OK
        if self.denied is None:
            what = _ACTION_NAMES.get(action, f"action {action}")
            target = " ".join(str(a) for a in (arg1, arg2) if a)
            self.denied = f"{what} {target}".strip()
        return sqlite3.SQLITE_DENY

    @staticmethod
    def _reading_pragma(name: str | None, argument: str | None) -> bool:
        name = (name or "").lower()
        return name in READ_PRAGMAS or (name in READ_ONLY_WITHOUT_ARGUMENT and argument is None)

    def progress(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1  # non-zero: SQLite interrupts the statement
        return 0


def run_sql(
    conn: sqlite3.Connection,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> SqlResult:
    """Run one read-only statement on a connection from open_readonly()."""
    if not sql.strip():
        raise SqlRefused("no SQL given")
    keyword = first_keyword(sql)
    if keyword in WRITE_KEYWORDS:
        raise SqlRefused(f"{keyword or 'this statement'} is refused: {READ_ONLY_HINT}")
    guard = _Guard(sql, time_limit)
    conn.set_authorizer(guard.authorize)
    conn.set_progress_handler(guard.progress, _PROGRESS_STEPS)
    started = time.monotonic()
    try:
        cursor = conn.execute(sql)
        rows = _bounded_rows(cursor, max_rows + 1)
    except sqlite3.Error as exc:
        raise _explain(exc, guard, time_limit) from None
    finally:
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)
    columns = tuple(d[0] for d in cursor.description or ())
    return SqlResult(columns, rows[:max_rows], len(rows) > max_rows, time.monotonic() - started)


def _bounded_rows(cursor: sqlite3.Cursor, limit: int) -> list[tuple[Any, ...]]:
    """Up to `limit` rows, refusing an answer past MAX_ANSWER_BYTES as it arrives."""
    rows, size = [], 0
    for row in cursor:
        # ~50 bytes of Python per row and per value beside the values themselves
        size += 50 + sum(50 + (len(v) if isinstance(v, str | bytes) else 8) for v in row)
        if size > MAX_ANSWER_BYTES:
            raise SqlFailed(
                f"the answer holds more than {MAX_ANSWER_BYTES >> 20} MiB; select fewer "
                "rows or columns (LIMIT, substr(abstract, 1, 200))"
            )
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def _explain(exc: sqlite3.Error, guard: _Guard, time_limit: float) -> ValueError:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if guard.denied:
        return SqlRefused(f"{guard.denied} is refused: {READ_ONLY_HINT}")
    if guard.timed_out or message == "interrupted":
        return SqlFailed(f"stopped after {time_limit:g} s (the time limit; see --timeout)")
    if "one statement at a time" in message:
        return SqlRefused("one statement at a time: remove everything after the first ';'")
    if "not authorized" in message or "may not be modified" in message:
        return SqlRefused(f"refused ({message}): {READ_ONLY_HINT}")
    if "attached databases" in message:
        return SqlRefused(f"ATTACH is refused: {READ_ONLY_HINT}")
    if "readonly" in message or "read-only" in message:
        return SqlRefused(f"writing is refused: {READ_ONLY_HINT}")
    if "syntax error" in message:
        return SqlFailed(f"syntax error: {message} (tracker sql reads SELECT, WITH … SELECT)")
    return SqlFailed(f"SQLite: {message}")


def query_readonly(
    db_path: Path | str,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> SqlResult:
    """Open the database read-only, run one statement, close."""
    conn = open_readonly(db_path)
    try:
        return run_sql(conn, sql, max_rows=max_rows, time_limit=time_limit)
    finally:
        conn.close()
