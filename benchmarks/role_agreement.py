"""How often the text-only drug-role rules agree with MEDLINE's MeSH qualifiers, on the
real sample records.

For every real record in tests/data/pubmed-samples (efetch/, baseline/, the cassettes'
efetch bodies), every pair of its MeSH headings that indexing gives a role
(tracker.classify.role.indexed_role: a drug heading qualified "therapeutic use",
"adverse effects", "poisoning" or "toxicity" with a condition heading qualified "drug
therapy", "prevention & control" or "chemically induced") becomes a drug × condition
search, built as tracker.searches.pairs builds it (the heading as [Mesh] and as a
[tiab] phrase). The record's role is then read again from its title and abstract
alone (tracker.classify.role.text_role), as a brand-new record would be.

Printed: agreement overall, how many text answers say "uncertain", the confusion table,
and the precision of each text role (of the records the text calls harm, how many
indexing calls harm). There is no held-out part: two rules were changed after the first
run looked at the misses (an indexed trial reporting adverse effects is treatment, PMID
29768149; a hyphenated combination "budesonide-formoterol … in asthma"), so these records
are not an unseen test of the rules. Results: benchmarks/ROLE.md.

    .venv/bin/python benchmarks/role_agreement.py [--markdown] [--timing]

`--timing` also times tracker.classify.role.drug_role for the shipped baclofen × restless
legs search over every sample record (what a run pays per new study of a pair search).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.classify_agreement import sample_articles  # noqa: E402
from tracker.classify.relation import drug_and_condition, relation  # noqa: E402
from tracker.classify.role import ROLES, indexed_role, text_role  # noqa: E402
from tracker.models import Article  # noqa: E402

_DRUG_QUALIFIERS = {"therapeutic use", "adverse effects", "poisoning", "toxicity"}
_CONDITION_QUALIFIERS = {"drug therapy", "prevention & control", "chemically induced"}


def _term(drug: str, condition: str) -> str:
    return (
        f'("{drug}"[Mesh] OR "{drug.lower()}"[tiab]) '
        f'AND ("{condition}"[Mesh] OR "{condition.lower()}"[tiab])'
    )


Case = tuple[int, str, str, str, str, bool, bool]


def cases(articles: list[Article]) -> list[Case]:
    """(pmid, drug, condition, indexed role, text role, text certain, both named in the
    title or abstract) per pair."""
    out = []
    for a in articles:
        drugs = [h.descriptor for h in a.mesh_headings if _DRUG_QUALIFIERS & set(h.qualifiers)]
        conditions = [
            h.descriptor for h in a.mesh_headings if _CONDITION_QUALIFIERS & set(h.qualifiers)
        ]
        for drug in drugs:
            for condition in conditions:
                if drug == condition:
                    continue
                pair = drug_and_condition(_term(drug, condition))
                assert pair is not None
                truth = indexed_role(*pair, a.mesh_headings)
                if truth is None:
                    continue
                guess = text_role(*pair, a.title, a.abstract)
                named = relation([list(b.words) for b in pair], a.title, a.abstract) != "indexing"
                out.append((a.pmid, drug, condition, truth.role, guess.role, guess.certain, named))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="a table for ROLE.md")
    parser.add_argument("--timing", action="store_true", help="time drug_role per record")
    args = parser.parse_args()
    articles = sample_articles()
    if args.timing:
        timing(articles)
    found = cases(articles)
    records = len({c[0] for c in found})
    print(f"{len(found)} drug × condition pairs from {records} indexed real records")
    report("every pair", found, args.markdown)
    report("pairs whose drug and condition are both named in title or abstract",
           [c for c in found if c[6]], args.markdown)  # fmt: skip


def timing(articles: list[Article], rounds: int = 5) -> None:
    from tracker.classify.role import drug_role
    from tracker.searches.saved import read_saved_search

    term = read_saved_search(ROOT / "queries" / "baclofen-rls.toml")[0].term
    pair = drug_and_condition(term)
    assert pair is not None
    drug_role(pair, "warm-up", None, [])
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for a in articles:
            drug_role(pair, a.title, a.abstract, a.mesh_headings)
        best = min(best, time.perf_counter() - start)
    print(f"drug_role, baclofen-rls: {best / len(articles) * 1000:.3f} ms a record "
          f"(best of {rounds} rounds over {len(articles)} records)\n")  # fmt: skip


def report(title: str, found: list[Case], markdown: bool) -> None:
    agree = sum(1 for c in found if c[3] == c[4])
    uncertain = sum(1 for c in found if not c[5])
    confusion = Counter((c[3], c[4]) for c in found)
    print(f"\n{'### ' if markdown else ''}{title}: {len(found)}\n")
    print(f"text agrees with indexing: {agree}/{len(found)} = {agree / len(found):.0%}")
    print(f"text answers marked uncertain (always 'other'): {uncertain}")
    bar = "|" if markdown else " "
    print(f"\n{bar} indexing \\ text {bar} " + f" {bar} ".join(ROLES) + f" {bar}")
    if markdown:
        print("|---|" + "---:|" * len(ROLES))
    for truth in ROLES:
        cells = f" {bar} ".join(str(confusion[(truth, g)]) for g in ROLES)
        print(f"{bar} {truth} {bar} {cells} {bar}")
    print()
    for role in ROLES:
        called = sum(n for (t, g), n in confusion.items() if g == role)
        right = confusion[(role, role)]
        share = f"{right / called:.0%}" if called else "n/a"
        print(f"precision of text '{role}': {right}/{called} = {share}")


if __name__ == "__main__":
    main()
