"""Which module defines each `tracker` command, and the line `tracker --help` lists it by.

A command's module is imported when the command is named, so `tracker sql`, `find` or
`list` load neither the E-utilities client, Jinja nor the look-alike servers (run, sync,
import and status share run_cmd, which loads the job and the digest). `tracker --help`
lists every command from the lines below instead of importing all of them: 57 ms
instead of 252 ms of CPU (benchmarks/INSTALL.md). tests/test_help.py checks that each
module defines its commands and that each line is the short help click makes from the
command's docstring, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple


class CommandEntry(NamedTuple):
    module: str  # under tracker.cli
    summary: str  # the first sentence of the command's docstring


COMMANDS: dict[str, CommandEntry] = {
    "add": CommandEntry(
        "pubmed_cmd", "Write a new drug × condition saved search, queries/DRUG-CONDITION.toml."
    ),
    "check": CommandEntry(
        "check_cmd",
        "Validate saved searches (all by default): the file, then the term at PubMed.",
    ),
    "demo": CommandEntry(
        "demo_cmd", "Run the weekly job offline on bundled sample PubMed records."
    ),
    "digest": CommandEntry(
        "digest_cmd",
        "Write the digest of studies first seen since each saved search's last digest"
        " (or since DATE), and mail it when mail is configured.",
    ),
    "export": CommandEntry(
        "collection_cmd",
        "Write a saved search's articles (or everything stored) for a reference manager"
        " (RIS: Zotero, EndNote, Mendeley; BibTeX), a spreadsheet (CSV) or code"
        " (JSON, JSONL).",
    ),
    "find": CommandEntry(
        "collection_cmd",
        "Full-text search of the stored titles and abstracts, best matches first.",
    ),
    "import": CommandEntry(
        "run_cmd",
        "Load PubMed XML (.xml, .xml.gz: efetch, baseline, update files) or MEDLINE text"
        " (.txt, .nbib) into the database.",
    ),
    "list": CommandEntry(
        "list_cmd",
        "The saved searches in the queries folder: name, title, schedule, last good run.",
    ),
    "publish": CommandEntry(
        "publish_cmd",
        "Put the latest digest of NAME (or the one of --date) into a Hugo or Jekyll site:"
        " a Hugo page bundle, or a Jekyll post with its files under assets/.",
    ),
    "run": CommandEntry(
        "run_cmd",
        "Sync each saved search (all by default) and write its digest: the main job.",
    ),
    "schedule": CommandEntry(
        "schedule_cmd",
        "Run each saved search on its own `schedule` until stopped (SIGTERM or Ctrl-C).",
    ),
    "search": CommandEntry(
        "pubmed_cmd",
        "Search PubMed now: how PubMed read TERM, its count, and the newest records.",
    ),
    "serve": CommandEntry(
        "collection_cmd",
        "Browse the database in Datasette: described tables, facets by year, tier and"
        " journal, and canned queries (new this month, by tier, retracted).",
    ),
    "show": CommandEntry(
        "pubmed_cmd",
        "Print a saved search and the PubMed term it sends (built from drug × condition).",
    ),
    "sql": CommandEntry("collection_cmd", "Run one read-only SQL statement on the database."),
    "stats": CommandEntry(
        "collection_cmd",
        "Counts of a saved search's articles (or of everything stored) by year, evidence"
        " tier and journal.",
    ),
    "status": CommandEntry(
        "run_cmd",
        "Per saved search: last good run, next due time, articles, consecutive failures;"
        " a warning when the last good run is older than two scheduled times.",
    ),
    "sync": CommandEntry(
        "run_cmd",
        "Fetch what is new in PubMed for each saved search, without writing a digest.",
    ),
}
