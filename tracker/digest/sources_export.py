"""Files beside the digest for the sources beside PubMed:
DATE.trials.csv and DATE.trials.json (every trial the digest lists), and
DATE.preprints.ris and DATE.preprints.bib (every preprint it lists, as unpublished work:
RIS type UNPB, BibTeX @unpublished with a not-peer-reviewed note)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from tracker.digest.export import latex_escape

TRIAL_CSV_COLUMNS = (
    "nct_id", "title", "status", "change", "why_stopped", "phases", "study_type",
    "enrollment", "enrollment_type", "start_date", "completion_date",
    "last_update_posted", "has_results", "sponsor", "url", "results_pmids",
)  # fmt: skip


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def inverted(name: str) -> str:
    """Europe PMC's "Kalanjati VP" → "Kalanjati, VP", the form RIS and BibTeX read as
    last name and initials; a name without trailing initials is kept whole."""
    last, _, initials = name.rpartition(" ")
    if last and initials.isupper() and initials.isalpha():
        return f"{last}, {initials}"
    return name


def trials_csv(trials: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRIAL_CSV_COLUMNS)
    for t in trials:
        row = dict(t, results_pmids=" ".join(
            str(p["pmid"]) for p in t["publications"] if p["results_paper"]))  # fmt: skip
        writer.writerow(["" if row.get(c) is None else row[c] for c in TRIAL_CSV_COLUMNS])
    return out.getvalue()


def preprints_ris(preprints: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for p in preprints:
        lines.append("TY  - UNPB")
        lines.append(f"ID  - {p['id']}")
        lines.append(f"TI  - {' '.join(str(p['title']).split())}")
        lines += [f"AU  - {inverted(a)}" for a in p.get("author_list") or []]
        if p.get("date"):
            lines.append(f"PY  - {p['date'][:4]}")
            lines.append(f"DA  - {p['date'].replace('-', '/')}")
        lines.append(f"PB  - {p['server']}")
        if p.get("doi"):
            lines.append(f"DO  - {p['doi']}")
        lines.append(f"UR  - {p['url']}")
        note = "Preprint, not peer reviewed"
        if p.get("published_pmid"):
            note += f"; published version PMID {p['published_pmid']}"
        lines.append(f"N1  - {note}")
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)


def preprints_bibtex(preprints: list[dict[str, Any]]) -> str:
    entries = []
    for p in preprints:
        fields = [("title", "{" + latex_escape(str(p["title"])) + "}")]
        names = p.get("author_list") or []
        if names:
            fields.append(("author", " and ".join(latex_escape(inverted(n)) for n in names)))
        if p.get("date"):
            fields.append(("year", p["date"][:4]))
        note = f"Preprint ({p['server']}), not peer reviewed"
        if p.get("published_pmid"):
            note += f"; published version PMID {p['published_pmid']}"
        fields.append(("note", latex_escape(note)))
        if p.get("doi"):
            fields.append(("doi", latex_escape(p["doi"])))
        fields.append(("url", p["url"]))
        key = re.sub(r"[^A-Za-z0-9]", "", p["id"])
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        entries.append(f"@unpublished{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def source_file_paths(context: dict[str, Any], md_path: Path) -> dict[str, Path]:
    """Where the files for what the digest lists go, by kind (beside its Markdown)."""
    stem = md_path.with_suffix("")
    files: dict[str, Path] = {}
    if context["trials"]:
        files["trials_csv"] = Path(f"{stem}.trials.csv")
        files["trials_json"] = Path(f"{stem}.trials.json")
    if context["preprints"]:
        files["preprints_ris"] = Path(f"{stem}.preprints.ris")
        files["preprints_bib"] = Path(f"{stem}.preprints.bib")
    return files


def write_source_files(context: dict[str, Any], paths: dict[str, Path]) -> None:
    """Write the files source_file_paths named, at `paths` (by kind)."""
    if context["trials"]:
        _write(paths["trials_csv"], trials_csv(context["trials"]))
        _write(paths["trials_json"], json.dumps(context["trials"], ensure_ascii=False, indent=1))
    if context["preprints"]:
        _write(paths["preprints_ris"], preprints_ris(context["preprints"]))
        _write(paths["preprints_bib"], preprints_bibtex(context["preprints"]))
