"""`tracker demo`: the whole weekly job, offline, on bundled real PubMed records.

A local E-utilities server on 127.0.0.1 serves the sample records. The first run
backfills the saved search (as a new user's first week would) and writes a digest;
then a handful of records "arrive" (they are added with today's Create Date), and the
second run finds exactly those and writes the second week's digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from tracker import store
from tracker.digest.write import DigestResult, write_digest
from tracker.ingest.source_run import SourceResult
from tracker.ingest.sync import run_search
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.models import RunResult, SavedSearch
from tracker.ncbi.client import EutilsClient, EutilsConfig
from tracker.unattended.demo_sources import DemoSources

ARRIVING_LATER = 12  # sample files held back to play this week's new records
DEMO_SEARCH = SavedSearch(
    name="demo-treatments",
    title="Treatment studies (sample data)",
    # The bundled records are about many things, none of them baclofen or RLS;
    # this term fits them so the demo has something to show.
    term="treatment[tiab] OR therapy[tiab] OR therapeutic[tiab]",
)


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    runs: tuple[RunResult, ...]
    digests: tuple[DigestResult, ...]
    sources: tuple[tuple[SourceResult, ...], ...] = ()  # per week: ClinicalTrials.gov, Europe PMC


def sample_files() -> list[Path]:
    folder = resources.files("tracker.lookalikes.eutils") / "demo_data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".xml"))


def write_demo_query(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{DEMO_SEARCH.name}.toml").write_text(
        "# Demo saved search over the bundled sample records (not baclofen/RLS).\n"
        f'title = "{DEMO_SEARCH.title}"\nterm = "{DEMO_SEARCH.term}"\n',
        encoding="utf-8",
    )


def run_demo(out: Path, today: date) -> DemoResult:
    files = sample_files()
    earlier, arriving = files[:-ARRIVING_LATER], files[-ARRIVING_LATER:]
    out.mkdir(parents=True, exist_ok=True)
    write_demo_query(out / "queries")
    db = store.connect(out / "tracker.db")
    runs: list[RunResult] = []
    digests: list[DigestResult] = []
    sources: list[tuple[SourceResult, ...]] = []
    with LocalEutils() as server, DemoSources() as others:
        server.load_files(earlier)
        config = EutilsConfig(base_url=server.base_url, api_key=None, email=None)
        with EutilsClient(config) as client:
            last_week = today - timedelta(days=7)
            runs.append(run_search(db, client, DEMO_SEARCH, today=last_week))
            sources.append(others.run(db, DEMO_SEARCH.name, last_week))
            digests.append(_digest(db, out, last_week))
            others.this_week()
            for path in arriving:
                server.add_record(path.read_bytes(), crdt=today)
            runs.append(run_search(db, client, DEMO_SEARCH, today=today))
            sources.append(others.run(db, DEMO_SEARCH.name, today))
            digests.append(_digest(db, out, today))
    db.close()
    return DemoResult(out, tuple(runs), tuple(digests), tuple(sources))


def _digest(db: object, out: Path, day: date) -> DigestResult:
    return write_digest(db, DEMO_SEARCH, out / "reports", today=day, sample_data=True)  # type: ignore[arg-type]
