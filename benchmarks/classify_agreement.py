"""How often the text-only tier rules agree with indexing, on the real sample records.

Every PubMed record in tests/data/pubmed-samples (efetch/, baseline/, the cassettes'
efetch bodies) whose publication types or MeSH give an indexed tier
(tracker.classify.indexed_tier) is classified again from its title and abstract alone
(tracker.classify.text_tier), as a brand-new record would be. Prints per-tier
agreement (recall of the text rules against the indexed tier), the precision of each
text tier, and the confusion pairs; `--markdown` prints the table for CLASSIFY.md.

    .venv/bin/python benchmarks/classify_agreement.py [--markdown] [--misses TIER]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.classify import TIERS, indexed_tier, participants, text_tier  # noqa: E402
from tracker.lookalikes.eutils.corpus import Corpus  # noqa: E402
from tracker.models import Article  # noqa: E402
from tracker.pubmed import parse_pubmed_xml  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "pubmed-samples"
DEMO_DATA = ROOT / "tracker" / "lookalikes" / "eutils" / "demo_data"  # the demo's 60 efetch files
SOURCES = (SAMPLES / "efetch", DEMO_DATA, SAMPLES / "baseline", SAMPLES / "http-cassettes")


def sample_articles() -> list[Article]:
    corpus = Corpus()
    corpus.load_files(SOURCES)
    return [a for entry in corpus.entries() for a in parse_pubmed_xml(entry.render())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--misses", metavar="TIER", help="list the records of TIER text missed")
    args = parser.parse_args()
    articles = sample_articles()
    total: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for a in articles:
        indexed = indexed_tier(a.publication_types, a.mesh_terms)
        if indexed is None:
            continue
        guess = text_tier(a.title, a.abstract)
        total[indexed] += 1
        predicted[guess] += 1
        agree[indexed] += guess == indexed
        if guess != indexed:
            pairs[(indexed, guess)] += 1
            if args.misses == indexed:
                print(f"{a.pmid}\ttext says {guess}\t{a.title[:100]}")
    with_count = sum(1 for a in articles if participants(a.abstract) is not None)
    n, ok = sum(total.values()), sum(agree.values())
    if args.markdown:
        print("| indexed tier | records | text agrees | agreement | text precision |")
        print("|---|---:|---:|---:|---:|")
    for tier in TIERS:
        if not total[tier] and not predicted[tier]:
            continue
        rate = f"{agree[tier] / total[tier]:.0%}" if total[tier] else "–"
        precision = f"{agree[tier] / predicted[tier]:.0%}" if predicted[tier] else "–"
        if args.markdown:
            print(f"| {tier} | {total[tier]} | {agree[tier]} | {rate} | {precision} |")
        else:
            print(f"{tier:18} {agree[tier]:4}/{total[tier]:<4} {rate:>5}  precision {precision}")
    line = f"all: {ok}/{n} = {ok / n:.1%} of {len(articles)} sample records with an indexed tier"
    print(f"| **all** | {n} | {ok} | {ok / n:.0%} | |" if args.markdown else line)
    if not args.markdown:
        print(f"participants stated in {with_count} of {len(articles)} abstracts")
        print("most common disagreements (indexed → text):")
        for (indexed, guess), count in pairs.most_common(8):
            print(f"  {indexed} → {guess}: {count}")


if __name__ == "__main__":
    main()
