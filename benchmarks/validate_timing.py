"""Time SHACL validation of the real graph (run by hand, not in CI):

    python benchmarks/validate_timing.py [--repeat N] [--inference rdfs|owlrl] [--engine fast|pyshacl]

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
    ap.add_argument("--inference", default="rdfs", choices=v.INFERENCE)
    ap.add_argument("--engine", default="fast", choices=v.ENGINES)
    args = ap.parse_args()
    lexicon = load_lexicon()
    quads = list(graph_quads(read_sources(args.sources, lexicon), lexicon))
    per_graph: dict[str, list[float]] = {}
    # one graph: _validate_fast (engine "fast", a list of triples) or _validate_entailed (an rdflib graph)
    original_fast, original = v._validate_fast, v._validate_entailed

    def timing(function):
        def timed(data, name, *args):
            t = time.perf_counter()
            out = function(data, name, *args)
            per_graph.setdefault(f"{name.rsplit('/', 1)[-1]} ({len(data)} triples with lexicon)", []).append(
                time.perf_counter() - t)
            return out
        return timed

    v._validate_fast, v._validate_entailed = timing(original_fast), timing(original)
    v.validate_quads(quads, inference=args.inference, engine=args.engine)   # warm-up
    per_graph.clear()
    totals, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        report = v.validate_quads(quads, inference=args.inference, engine=args.engine)
        totals.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    for name, times in per_graph.items():
        print(f"{name}: median {statistics.median(times):.2f} s")
    print(f"total, inference={args.inference}, engine={args.engine} ({len(quads)} quads, conforms={report.conforms}): "
          f"median {statistics.median(totals):.2f} s wall, {statistics.median(cpu):.2f} s CPU, "
          f"min {min(totals):.2f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
