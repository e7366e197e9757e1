"""Shared fixtures (shared functions and paths are in tests/helpers.py).

Reusable from any test file:
* ``eutils_server`` – a started LocalEutils on 127.0.0.1 (port 0) with every real record
  under tests/data/pubmed-samples (efetch/, baseline/, and the cassettes' efetch bodies)
  and the demo's records; stopped after the test. Add faults with
  ``eutils_server.faults.push(...)``.
* ``eutils_config`` – factory: EutilsConfig pointed at the server, with test-fast back-off.
* ``eutils_client`` – factory: EutilsClient(eutils_config(**overrides)), closed after the test.
* ``max_in_window`` (from tracker.lookalikes.eutils.faults) – most request starts in any
  rolling second.
* ``workdir`` – a fresh folder with queries/treatments.toml (helpers.TREATMENTS).
* ``_other_sources_offline`` (autouse, once per session) – CTGOV_API_URL and
  EUROPEPMC_URL in os.environ point at empty local ClinicalTrials.gov and Europe PMC
  look-alikes, whatever the caller's environment says. Every process a test starts
  inherits them (the env helpers copy os.environ), so a `tracker run` on a drug ×
  condition pair finds no trials and no preprints instead of asking the real services;
  a test about those sources starts its own look-alikes and sets the two itself.
No test touches the network: everything goes to 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the package is not installed in the venv
    sys.path.insert(0, str(ROOT))

from helpers import (  # noqa: E402
    DEMO_DATA,
    SAMPLES,
    TREATMENTS,
    Inbox,
    free_port,
    write_search,
)

from tracker.lookalikes.ctgov.server import LocalCtgov  # noqa: E402
from tracker.lookalikes.europepmc.server import LocalEuropePmc  # noqa: E402
from tracker.lookalikes.eutils.corpus import Corpus  # noqa: E402
from tracker.lookalikes.eutils.server import LocalEutils  # noqa: E402
from tracker.ncbi.client import EutilsClient, EutilsConfig, NcbiSession  # noqa: E402

SAMPLE_RECORD_SOURCES = (
    SAMPLES / "efetch",
    DEMO_DATA,
    SAMPLES / "baseline",
    SAMPLES / "http-cassettes",
)
TEST_EMAIL = "dev@example.org"


def pytest_configure(config: pytest.Config) -> None:
    """Under `-n`, hand a worker one test at a time once its first two are running
    (xdist's --maxschedchunk=1), unless the caller chose otherwise. By default a worker
    is handed a quarter of its share at once and keeps it: a worker held up by a long
    test ended the run half a minute after the others (benchmarks/TESTS.md)."""
    if getattr(config.option, "maxschedchunk", False) is None:  # xdist present, not set
        config.option.maxschedchunk = 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked long_running(seconds) first, longest first; the rest keep their order.

    Under `pytest -n 3` each worker is first handed two items in turn (see
    pytest_configure), so the long tests start at once, spread over the workers. Left
    in file order, the longest (SIGKILL at random moments, most of a minute of real
    processes) started two minutes in, and the run waited on it with the other workers
    idle."""

    def seconds(item: pytest.Item) -> float:
        marker = item.get_closest_marker("long_running")
        return float(marker.args[0]) if marker else 0.0

    items.sort(key=seconds, reverse=True)  # sort is stable: unmarked tests keep file order


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd): (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A work folder with one saved search, queries/treatments.toml."""
    write_search(tmp_path, "treatments", TREATMENTS)
    return tmp_path


@pytest.fixture(scope="session", autouse=True)
def _other_sources_offline() -> Iterator[None]:
    """The public ClinicalTrials.gov and Europe PMC APIs are the defaults when these are
    blank; no machine running the tests may reach them, so they are never blank here."""
    names = ("CTGOV_API_URL", "EUROPEPMC_URL")
    saved = {name: os.environ.get(name) for name in names}
    with LocalCtgov() as ctgov, LocalEuropePmc() as epmc:
        os.environ.update(CTGOV_API_URL=ctgov.base_url, EUROPEPMC_URL=epmc.base_url)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.fixture(scope="session")
def sample_corpus() -> Corpus:
    """Every real sample record, loaded once per session (copied per server)."""
    corpus = Corpus()
    corpus.load_files(SAMPLE_RECORD_SOURCES)
    return corpus


@pytest.fixture
def eutils_server(sample_corpus: Corpus) -> Iterator[LocalEutils]:
    server = LocalEutils(corpus=sample_corpus.copy())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def eutils_config(eutils_server: LocalEutils) -> Callable[..., EutilsConfig]:
    """Factory for configs aimed at the local server. Defaults keep tests fast: tiny
    back-off, 5 s timeout and 50 requests/s (pass requests_per_second=None for NCBI's)."""

    def make(**overrides: object) -> EutilsConfig:
        values: dict[str, object] = {
            "base_url": eutils_server.base_url,
            "email": TEST_EMAIL,
            "timeout": 5.0,
            "max_attempts": 4,
            "backoff_base": 0.01,
            "backoff_cap": 0.05,
            "requests_per_second": 50.0,
        }
        values.update(overrides)
        return EutilsConfig(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def eutils_client(
    eutils_config: Callable[..., EutilsConfig],
) -> Iterator[Callable[..., EutilsClient]]:
    clients: list[EutilsClient] = []
    session = NcbiSession()  # one test's clients pace together, as one process's do

    def make(**overrides: object) -> EutilsClient:
        client = EutilsClient(eutils_config(**overrides), session=session)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
