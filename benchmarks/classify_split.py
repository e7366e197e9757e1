"""The tuning / held-out split of the real sample records used by the classify benchmark.

Every real PubMed record in tests/data/pubmed-samples (efetch/, baseline/, the
http-cassettes' efetch bodies, medline/) with MEDLINE indexing (a publication type other
than "Journal Article", or MeSH headings) is assigned by its PMID alone:
sha256(str(pmid)) read as a number, modulo 5; remainders 0 and 1 are HELD-OUT (about
40%), the rest TUNING. The rule never looks at a record's content, so it cannot be bent
toward the rules; the text rules are written while looking at TUNING records only.

    .venv/bin/python benchmarks/classify_split.py   # rewrites tests/data/classify/split.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.lookalikes.eutils.corpus import Corpus  # noqa: E402
from tracker.models import Article  # noqa: E402
from tracker.pubmed import parse_pubmed_xml  # noqa: E402
from tracker.pubmed.medline import open_medline_file  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "pubmed-samples"
# The demo's 60 real efetch files are kept once, in the package; they are named here as
# "efetch/NAME", as tests/helpers.py sample_file() resolves them.
DEMO_DATA = ROOT / "tracker" / "lookalikes" / "eutils" / "demo_data"
XML_SOURCES = (SAMPLES / "efetch", SAMPLES / "baseline", SAMPLES / "http-cassettes")
SPLIT_FILE = ROOT / "tests" / "data" / "classify" / "split.json"


def part(pmid: int) -> str:
    """'heldout' or 'tuning', from the PMID alone."""
    digest = hashlib.sha256(str(pmid).encode()).hexdigest()
    return "heldout" if int(digest, 16) % 5 < 2 else "tuning"


def has_indexing(article: Article) -> bool:
    return bool(set(article.publication_types) - {"Journal Article"} or article.mesh_headings)


def sample_records() -> Iterator[tuple[str, Article]]:
    """(file relative to the samples folder, record) for every real record, XML first.

    A PMID served by several files is yielded once, from the first file in sorted order.
    """
    seen: set[int] = set()
    for label, path in _xml_files():
        corpus = Corpus()
        corpus.load_files([path])
        for entry in corpus.entries():
            for article in parse_pubmed_xml(entry.render()):
                if article.pmid not in seen:
                    seen.add(article.pmid)
                    yield label, article
    for path in sorted((SAMPLES / "medline").iterdir()):
        for article in open_medline_file(path):
            if article.pmid not in seen:
                seen.add(article.pmid)
                yield str(path.relative_to(SAMPLES)), article


def _xml_files() -> Iterator[tuple[str, Path]]:
    """(label, path) of every XML sample, each folder in sorted order of file name."""
    for folder in XML_SOURCES:
        paths = list(folder.iterdir())
        if folder.name == "efetch":
            paths += DEMO_DATA.glob("*.xml")
        for path in sorted(paths, key=lambda p: p.name):
            yield f"{folder.name}/{path.name}", path


def main() -> None:
    split: dict[str, list[dict[str, object]]] = {"tuning": [], "heldout": []}
    for source, article in sample_records():
        if has_indexing(article):
            split[part(article.pmid)].append({"pmid": article.pmid, "file": source})
    for rows in split.values():
        rows.sort(key=lambda r: (str(r["file"]), int(str(r["pmid"]))))
    doc = {
        "how": "sha256(str(pmid)) mod 5 < 2 -> heldout, else tuning "
        "(benchmarks/classify_split.py); records with MEDLINE indexing only",
        **split,
    }
    SPLIT_FILE.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"tuning {len(split['tuning'])}, heldout {len(split['heldout'])} -> {SPLIT_FILE}")


if __name__ == "__main__":
    main()
