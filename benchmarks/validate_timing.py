"""Time SHACL validation of the real graph (run by hand, not in CI):

    python benchmarks/validate_timing.py [--repeat N]

Prints the time per named graph and in total, after one warm-up run (the first run also
parses shapes, ontology and the SPARQL constraints)."""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from jakkg import validate as v
from jakkg.lexicon import load_lexicon
from jakkg.pipeline import SOURCES_DIR, graph_quads, read_sources


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sources", type=Path, default=SOURCES_DIR)
    args = ap.parse_args()
    lexicon = load_lexicon()
    quads = graph_quads(read_sources(args.sources, lexicon), lexicon)
    per_graph: dict[str, list[float]] = {}
    original = v.validate_graph

    def timed(data, name="data"):
        t = time.perf_counter()
        out = original(data, name)
        per_graph.setdefault(f"{name.rsplit('/', 1)[-1]} ({len(data)} triples with lexicon)", []).append(
            time.perf_counter() - t)
        return out

    v.validate_graph = timed
    v.validate_quads(quads)                       # warm-up
    per_graph.clear()
    totals = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        report = v.validate_quads(quads)
        totals.append(time.perf_counter() - t)
    for name, times in per_graph.items():
        print(f"{name}: median {statistics.median(times):.2f} s")
    print(f"total ({len(quads)} quads, conforms={report.conforms}): median {statistics.median(totals):.2f} s, "
          f"min {min(totals):.2f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
