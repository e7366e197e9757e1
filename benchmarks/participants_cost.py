"""What the participants rule costs per record, and whether a faster version answers the same.

Every real sample record (benchmarks/classify_split.sample_records: tests/data/pubmed-samples)
is classified as stored and with its indexing stripped. Timed in CPU time (the machine is
shared), best of --repeat passes:
`tracker.classify.participants` alone on each abstract, and the whole `classify_article`
(tier, participants, conclusion). `--save FILE` writes every field of every answer;
`--compare FILE` checks the current rules give the same answers, field by field, and
prints each difference (exit status 1 if any).

    .venv/bin/python benchmarks/participants_cost.py --save /tmp/before.json
    # ... change the code ...
    .venv/bin/python benchmarks/participants_cost.py --compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from classify_agreement import stripped  # noqa: E402
from classify_split import sample_records  # noqa: E402

from tracker.classify import classify_article, participants  # noqa: E402
from tracker.models import Article  # noqa: E402


def answers(articles: list[Article]) -> dict[str, dict]:
    out = {}
    for article in articles:
        for name, record in (("stored", article), ("stripped", stripped(article))):
            result = asdict(classify_article(record))
            result["participants_as_case_report"] = participants(record.abstract, True)
            out[f"{article.pmid}/{name}"] = result
    return out


def best_ms(work: Callable[[], None], count: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()  # CPU time: on a shared machine, less of the others' load
        work()
        best = min(best, time.process_time() - start)
    return best * 1000 / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--save", type=Path, help="write every answer to this JSON file")
    parser.add_argument("--compare", type=Path, help="compare every answer with this file")
    args = parser.parse_args()
    articles = [a for _f, a in sample_records()]
    bare = [stripped(a) for a in articles]
    abstracts = [a.abstract for a in articles]

    def rule() -> None:
        for text in abstracts:
            participants(text)

    def whole() -> None:
        for article in bare:
            classify_article(article)

    n = len(articles)
    print(f"{n} records; best of {args.repeat} passes")
    print(f"participants() alone: {best_ms(rule, n, args.repeat):.3f} ms per record")
    print(
        f"classify_article, indexing stripped: {best_ms(whole, n, args.repeat):.3f} ms per record"
    )
    now = answers(articles)
    if args.save:
        args.save.write_text(json.dumps(now, indent=0, sort_keys=True), encoding="utf-8")
        print(f"wrote {len(now)} answers to {args.save}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        diffs = [
            f"{key} {field}: {before.get(key, {}).get(field)!r} -> {value!r}"
            for key, result in now.items()
            for field, value in result.items()
            if before.get(key, {}).get(field) != value
        ]
        diffs += [f"{key}: missing now" for key in before.keys() - now.keys()]
        print("\n".join(diffs) or f"identical: {len(now)} answers, every field")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
