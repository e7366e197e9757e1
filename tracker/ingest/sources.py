"""Every source beside PubMed for one saved search: ClinicalTrials.gov, then Europe PMC.

Only a drug × condition pair names a drug and a condition the other registries can be
asked about, so a saved search with a plain PubMed `term` syncs PubMed alone. Each
source runs on its own: one failing is recorded and never stops the next.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType

from sqlite_utils import Database

from tracker.ctgov.client import ctgov_config
from tracker.europepmc.client import europepmc_config
from tracker.ingest.preprints_sync import run_preprints
from tracker.ingest.source_run import SourceResult
from tracker.ingest.trials_sync import run_trials
from tracker.jsonapi.client import JsonClient
from tracker.models import SavedSearch
from tracker.searches.pairs import Pair
from tracker.searches.saved import QueryError, read_saved_search


@dataclass
class SourceClients:
    """One client per source, shared by every saved search of a run."""

    ctgov: JsonClient | None = None
    europepmc: JsonClient | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], cancel: threading.Event | None = None, **overrides: object
    ) -> SourceClients:
        """CTGOV_API_URL, EUROPEPMC_URL; TRACKER_HTTP_TIMEOUT and TRACKER_RUN_DEADLINE apply
        as for E-utilities (the CLI has already refused values that are not seconds)."""
        for name, key in (
            ("TRACKER_HTTP_TIMEOUT", "timeout"),
            ("TRACKER_RUN_DEADLINE", "deadline"),
        ):
            value = _seconds(environ.get(name, ""))
            if value is not None:
                overrides.setdefault(key, value)
        return cls(
            JsonClient(ctgov_config(environ, **overrides), cancel=cancel),
            JsonClient(europepmc_config(environ, **overrides), cancel=cancel),
        )

    def restart_deadlines(self) -> None:
        for client in (self.ctgov, self.europepmc):
            if client is not None:
                client.restart_deadline()

    def close(self) -> None:
        for client in (self.ctgov, self.europepmc):
            if client is not None:
                client.close()

    def __enter__(self) -> SourceClients:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _seconds(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if 0 < value < float("inf") else None


def pair_of(search: SavedSearch) -> Pair | None:
    """The saved search's drug × condition pair, read again from its file."""
    if not search.path:
        return None
    try:
        return read_saved_search(Path(search.path))[1]
    except (QueryError, OSError):
        return None


def sync_sources(
    db: Database,
    clients: SourceClients,
    search: SavedSearch,
    today: date,
    *,
    pair: Pair | None = None,
    full: bool = False,
) -> tuple[SourceResult, ...]:
    pair = pair or pair_of(search)
    if pair is None:
        return ()
    results = []
    if clients.ctgov is not None:
        results.append(run_trials(db, clients.ctgov, search.name, pair, today, full))
    if clients.europepmc is not None:
        results.append(run_preprints(db, clients.europepmc, search.name, pair, today, full))
    return tuple(results)
