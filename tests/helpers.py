"""What many test files share: where the real sample records are, the tracker as a real
process, a local E-utilities server over real records, a fast client, saved searches in a
work folder, waiting on a condition, and golden files.

Import from here (``from helpers import ...``), never from another test module.

The tracker runs as a child process the way a user's base install runs it:
* ``TRACKER_RETRY_BACKOFF`` is small, so a retried request waits milliseconds, not the
  real one-second-and-doubling back-off (tests that measure back-off pass their own);
* pandas, numpy, rich and pygments are hidden from it (tests/base_install/ shadows them
  on PYTHONPATH): the test and dev extras install them, and sqlite-utils would otherwise
  import pandas into every tracker process (~0.3 s and ~45 MB each), httpx its
  command-line client with rich and pygments, which a base install never does.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tracker.digest.mail import MailSettings
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import Article, SavedSearch
from tracker.ncbi.client import EutilsClient, EutilsConfig

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "pubmed-samples"
EFETCH = SAMPLES / "efetch"
GOLDEN = ROOT / "tests" / "golden"
BASE_INSTALL_PATH = ROOT / "tests" / "base_install"
# The demo's 60 real records ship inside the package (tracker demo needs them in a user's
# install); they are the tests' too, not copied into tests/data.
DEMO_DATA = ROOT / "tracker" / "lookalikes" / "eutils" / "demo_data"
DEMO_FILES = sorted(DEMO_DATA.glob("metapub__*.xml"))
# Every real efetch record file: tests/data/pubmed-samples/efetch/ and the demo data.
EFETCH_SOURCES = (EFETCH, DEMO_DATA)
TEST_EMAIL = "tracker-tests@example.org"
FAST_BACKOFF = "0.01"  # TRACKER_RETRY_BACKOFF for child processes, seconds


def efetch_files(pattern: str = "*.xml") -> list[Path]:
    """Real efetch files matching ``pattern`` in both folders, sorted by file name."""
    return sorted((p for d in EFETCH_SOURCES for p in d.glob(pattern)), key=lambda p: p.name)


def efetch_file(name: str) -> Path:
    """One real efetch file by name, wherever it is kept."""
    for folder in EFETCH_SOURCES:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(name)


def sample_file(rel: str) -> Path:
    """tests/data/pubmed-samples/REL; an efetch/ file may be one of the demo's."""
    path = SAMPLES / rel
    if not path.exists() and rel.startswith("efetch/"):
        return efetch_file(rel.removeprefix("efetch/"))
    return path


# The real metapub records, sorted by name; the first 60 are the demo's.
METAPUB_FILES = efetch_files("metapub__[0-9]*.xml")


# -- the tracker as a process ---------------------------------------------------------------


def tracker_env(server: LocalEutils | str | None = None, **extra: str) -> dict[str, str]:
    """The caller's environment without NCBI_*/TRACKER_* settings, aimed at ``server``,
    with the fast back-off and pandas hidden (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "TRACKER_"))}
    if server is not None:
        env["NCBI_EUTILS_URL"] = server if isinstance(server, str) else server.base_url
    env["NCBI_EMAIL"] = TEST_EMAIL
    env["TRACKER_RETRY_BACKOFF"] = FAST_BACKOFF
    path = [str(BASE_INSTALL_PATH), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def tracker(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    **kwargs: Any,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tracker ARGS`` to completion (``env`` defaults to tracker_env())."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env=tracker_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def start(
    *args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.Popen[str]:
    """Start ``python -m tracker ARGS`` with its output piped; the caller waits."""
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env=tracker_env() if env is None else env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def one_error_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """Assert exit ``code``, no traceback, exactly one ``tracker:`` line; return it."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.startswith("tracker:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    line = one_error_line(proc, code)
    for needle in needles:
        assert needle in line, line


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Poll ``condition`` (every 20 ms) until it holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


# -- saved searches in a work folder --------------------------------------------------------

TREATMENTS = 'title = "Treatments"\nterm = "treatment[tiab] OR therapy[tiab]"\n'
TREATMENTS_SEARCH = SavedSearch(
    name="treatments", title="Treatments", term="treatment[tiab] OR therapy[tiab]"
)


def write_search(workdir: Path, name: str, text: str) -> Path:
    """queries/NAME.toml in ``workdir`` holding ``text`` (TOML)."""
    folder = workdir / "queries"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the local E-utilities server and a fast client ------------------------------------------

# metapub__11618220.xml: "Eroticism in late Ming, early Qing fiction…" (PMID 11618220).
# Renumbered copies of it are derived data: only the copies match CLONE_TERM.
CLONE_SOURCE = efetch_file("metapub__11618220.xml")
CLONE_SOURCE_PMID = 11618220
CLONE_TERM = "eroticism"


@contextmanager
def local_eutils(records: list[Path] | tuple[Path, ...] | None = None) -> Iterator[LocalEutils]:
    """LocalEutils over real records (default: the demo's 60)."""
    with LocalEutils(DEMO_FILES if records is None else records) as srv:
        yield srv


@contextmanager
def clone_server(
    count: int,
    first: date,
    last: date,
    start_pmid: int = 90_000_000,
    later: tuple[int, date] | None = None,
) -> Iterator[tuple[LocalEutils, list[int]]]:
    """``count`` renumbered copies of one real record, Create Dates spread first..last,
    and ``later`` = (n, day): n more copies created that day (PMIDs from 95,000,000),
    appended to the list."""
    with LocalEutils([CLONE_SOURCE]) as srv:
        clones = srv.clone_renumbered(count, start_pmid, first, last)
        if later:
            clones += srv.clone_renumbered(later[0], 95_000_000, later[1], later[1])
        srv.corpus.remove(CLONE_SOURCE_PMID)
        yield srv, clones


def fast_config(server: LocalEutils | str, **overrides: object) -> EutilsConfig:
    """The real client's config; pacing and back-off loosened so the suite stays quick."""
    base = server if isinstance(server, str) else server.base_url
    options: dict[str, object] = {
        "base_url": base,
        "email": TEST_EMAIL,
        "requests_per_second": 50.0,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "max_attempts": 3,
        "timeout": 5.0,
    }
    options.update(overrides)
    return EutilsConfig(**options)  # type: ignore[arg-type]


def fast_client(server: LocalEutils | str, **overrides: object) -> EutilsClient:
    return EutilsClient(fast_config(server, **overrides))


# -- crafted records -----------------------------------------------------------------------


def crafted_retraction(xml: bytes, notice_pmid: int) -> bytes:
    """Crafted revision of a real record: PubMed's three retraction marks added to it
    (publication type, RetractionIn link; NCBI-NOTES A11). No real retracted record
    exists in the samples (INDEX.md, Gaps)."""
    text = xml.decode("utf-8")
    link = (
        '<CommentsCorrections RefType="RetractionIn"><RefSource>Crafted notice. '
        f'2026;1:1</RefSource><PMID Version="1">{notice_pmid}</PMID></CommentsCorrections>'
    )
    text = text.replace(
        "</PublicationTypeList>",
        '<PublicationType UI="D016441">Retracted Publication</PublicationType>'
        "</PublicationTypeList>",
        1,
    )
    if "<CommentsCorrectionsList>" in text:
        text = text.replace("<CommentsCorrectionsList>", "<CommentsCorrectionsList>" + link, 1)
    else:
        text = text.replace(
            "</MedlineCitation>",
            f"<CommentsCorrectionsList>{link}</CommentsCorrectionsList></MedlineCitation>",
            1,
        )
    return text.encode("utf-8")


# -- a real SMTP server on 127.0.0.1 (aiosmtpd; the fixture is smtp_server in conftest) ------


class Inbox:
    """What the local SMTP server received: (recipients, message) per mail."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mail_settings(port: int, **overrides: Any) -> MailSettings:
    """Plain SMTP to 127.0.0.1:PORT, two recipients."""
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "tracker@example.org",
        "recipients": ("author@example.org", "editor@example.org"),
        "starttls": False,
        "timeout": 10.0,
    }
    values.update(overrides)
    return MailSettings(**values)


# -- parsed records as JSON ----------------------------------------------------------------


def article_json(article: Article) -> dict[str, Any]:
    """Every field of an Article (nested dataclasses too) as JSON-ready values."""
    return json.loads(json.dumps(dataclasses.asdict(article)))


def article_from_json(data: dict[str, Any]) -> Article:
    """The Article a JSON golden file describes, with the model's own types (tuples,
    nested dataclasses), so that comparing it with a parsed Article is as strict as
    comparing two Articles written out in code."""
    return _typed(Article, data)


def _typed(cls: type, data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            raise KeyError(f"{cls.__name__}.{f.name} missing from the golden file")
        value, hint = data[f.name], hints[f.name]
        if typing.get_origin(hint) is tuple:
            (item, _ellipsis) = typing.get_args(hint)
            value = tuple(_typed(item, v) if dataclasses.is_dataclass(item) else v for v in value)
        values[f.name] = value
    extra = set(data) - {f.name for f in dataclasses.fields(cls)}
    assert not extra, f"{cls.__name__}: unknown fields {sorted(extra)} in the golden file"
    return cls(**values)


# -- golden files ---------------------------------------------------------------------------


def updating_golden() -> bool:
    """UPDATE_GOLDEN=1 rewrites golden files instead of comparing: only on purpose, and
    the diff is reviewed before it is committed."""
    return os.environ.get("UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    """``text`` equals tests/golden/NAME (or becomes it under UPDATE_GOLDEN=1)."""
    golden = GOLDEN / name
    if updating_golden():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def check_golden_json(name: str, value: Any) -> None:
    """``value`` (JSON-able) equals the JSON in tests/golden/NAME, compared as data."""
    text = json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    golden = GOLDEN / name
    if updating_golden():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {name}: run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(text) == json.loads(golden.read_text(encoding="utf-8")), f"{name} differs"
