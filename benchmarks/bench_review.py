"""Timing of the review pipeline (run by hand: `python benchmarks/bench_review.py`).

Prints the median of N runs for: extracting the review, building both sources into a
fresh store, and ingesting the mini review into that store.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import jakkg
from jakkg.document import Document
from jakkg.extract.review import extract_review
from jakkg.ingest import ingest
from jakkg.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parent.parent
REVIEW = ROOT / "data" / "sources" / "nussbaum-offlabel-jaki-review.txt"
MINI = ROOT / "tests" / "fixtures" / "mini-review.txt"


def median(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(n: int = 5) -> None:
    lexicon = load_lexicon()
    doc = Document.from_path(REVIEW)
    print(f"extract review      {median(lambda: extract_review(doc, lexicon), n):.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        print(f"build both sources  {median(lambda: jakkg.build(store=store), n):.3f} s")
        print(f"ingest mini review  {median(lambda: ingest(MINI, store), n):.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
