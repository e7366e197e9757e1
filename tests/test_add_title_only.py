"""`tracker add` writes a pair's title-only words (`title_only`, searched as [ti]), the
abbreviations too ambiguous in abstracts (RLS also means "recursive least squares")."""

from __future__ import annotations

import tomllib

from helpers import tracker

from tracker.searches.saved import load_saved_search


def test_add_writes_title_only_words_for_the_drug_and_the_condition(tmp_path):
    (tmp_path / "queries").mkdir()
    proc = tracker("add", "Baclofen", "Restless Legs Syndrome", "--name", "bac-rls",
                   "--condition-title-only", "RLS", "--condition-title-only", "PLMD",
                   "--drug-title-only", "XP19986", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "queries" / "bac-rls.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["drug"] == {"name": "Baclofen", "mesh": ["Baclofen"], "synonyms": [],
                            "brands": [], "title_only": ["XP19986"]}  # fmt: skip
    assert data["condition"] == {"name": "Restless Legs Syndrome",
                                 "mesh": ["Restless Legs Syndrome"], "synonyms": [],
                                 "title_only": ["RLS", "PLMD"]}  # fmt: skip
    term = (
        '("Baclofen"[Mesh] OR Baclofen[tiab] OR XP19986[ti]) AND ("Restless Legs Syndrome"'
        '[Mesh] OR "Restless Legs Syndrome"[tiab] OR RLS[ti] OR PLMD[ti])'
    )
    assert load_saved_search(path).term == term
    assert proc.stdout.splitlines()[0] == f"wrote {path.relative_to(tmp_path)}"
