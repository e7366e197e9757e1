"""The shared pieces under the layers: the exception base, the NCBI session, the term
tokenizer and the write-beside-and-rename helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import atomic_files
from tracker.digest.mail import MailConfigError, MailError
from tracker.digest.write import DigestError
from tracker.errors import EXIT_LOCKED, EXIT_RUN_FAILED, EXIT_USAGE, TrackerError
from tracker.ingest.importer import ImportFileError
from tracker.ncbi.client import EutilsConfigError, EutilsError, EutilsQueryError
from tracker.ncbi.collect import SyncError
from tracker.ncbi.errors import REDACTED, Secrets
from tracker.ncbi.ratelimit import LimiterPool
from tracker.ncbi.session import NcbiSession
from tracker.pubmed import PubmedParseError
from tracker.research.sqlconsole import SqlFailed, SqlRefused
from tracker.searches.saved import QueryError
from tracker.searches.terms import Token, tokenize
from tracker.store.db import StoreError
from tracker.unattended.lock import LockHeld

# The README's "Exit codes": what each user-facing error exits with.
EXIT_CODES = {
    QueryError: EXIT_USAGE,
    EutilsConfigError: EXIT_USAGE,
    EutilsQueryError: EXIT_USAGE,
    MailConfigError: EXIT_USAGE,
    SqlRefused: EXIT_USAGE,
    SqlFailed: EXIT_USAGE,
    EutilsError: EXIT_RUN_FAILED,
    StoreError: EXIT_RUN_FAILED,
    DigestError: EXIT_RUN_FAILED,
    MailError: EXIT_RUN_FAILED,
    SyncError: EXIT_RUN_FAILED,
    ImportFileError: EXIT_RUN_FAILED,
    PubmedParseError: EXIT_RUN_FAILED,
    LockHeld: EXIT_LOCKED,
}


@pytest.mark.parametrize("kind", list(EXIT_CODES), ids=lambda k: k.__name__)
def test_user_facing_errors_share_one_base_with_their_exit_code(kind: type[Exception]) -> None:
    error = kind("the line")
    assert isinstance(error, TrackerError)
    assert (error.exit_code, error.line) == (EXIT_CODES[kind], "the line")


def test_one_raise_site_may_choose_its_exit_code() -> None:
    assert TrackerError("x", exit_code=EXIT_USAGE).exit_code == EXIT_USAGE
    assert TrackerError("x").exit_code == EXIT_RUN_FAILED


def test_a_pool_shares_one_limiter_per_host_and_key_and_the_strictest_rate_wins() -> None:
    pool = LimiterPool()
    first = pool.limiter("https://a/", False, 10.0)
    assert pool.limiter("https://a/", False, 3.0) is first
    assert first.interval == pytest.approx(1.1 / 3.0)
    assert pool.limiter("https://a/", True, 10.0) is not first
    assert LimiterPool().limiter("https://a/", False, 10.0) is not first  # nothing global


def test_secrets_belong_to_their_session() -> None:
    session, other = NcbiSession(), NcbiSession()
    session.secrets.add("KEY-abcdef")
    session.secrets.add("abc")  # too short to be worth replacing everywhere
    assert session.secrets.redact("x KEY-abcdef y abc") == f"x {REDACTED} y abc"
    assert other.secrets.redact("x KEY-abcdef") == "x KEY-abcdef"
    error = session.scrub(EutilsError("NCBI said: KEY-abcdef"))
    assert str(error) == f"NCBI said: {REDACTED}"
    assert Secrets().redact("api_key=zzz") == f"api_key={REDACTED}"


def test_tokenize_reports_what_it_saw() -> None:
    assert tokenize('(a OR "b c"*) d[ti] "open [tag') == [
        Token("(", "(", 0, 1),
        Token("word", "a", 1, 2),
        Token("word", "OR", 3, 5),
        Token("quoted", "b c", 6, 12, closed=True, star=True),
        Token(")", ")", 12, 13),
        Token("word", "d", 14, 15),
        Token("tag", "ti", 15, 19),
        Token("quoted", "open [tag", 20, 30, closed=False),
    ]
    assert tokenize("x [tiab") == [Token("word", "x", 0, 1), Token("tag", "tiab", 2, 7, False)]
    assert tokenize("   ") == []


def test_replacing_swaps_the_file_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    atomic_files.write_text(path, "old\n")
    with pytest.raises(RuntimeError), atomic_files.replacing(path) as fh:
        fh.write("half a new")
        raise RuntimeError("the disk filled up")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest.md"]  # no .digest.md.tmp
    atomic_files.write_bytes(path, "neu é\n".encode())
    assert path.read_text(encoding="utf-8") == "neu é\n"
