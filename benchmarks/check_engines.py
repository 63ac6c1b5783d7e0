"""Check that both validation engines give the same report on a corpus (run by hand, not in CI):

    python benchmarks/check_engines.py --sources DIR      # e.g. a generated 100k-triple corpus

``engine="fast"`` (jakkg/shacl_core.py + jakkg/shacl_sparql.py) against ``engine="pyshacl"``
(the reference): the same (shape, severity, focus, path, value, message, constraint, source,
quote, graph) results. Prints both times and CPU times; exit status 1 if they differ.
tests/test_validate_engines.py asserts the same on the real graph and on a graph that
breaks every shape.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from jakkg import validate as v
from jakkg.lexicon import load_lexicon
from jakkg.pipeline import SOURCES_DIR, graph_quads, read_sources


def results(report) -> Counter:
    return Counter((r.shape, r.severity, r.focus, r.path or "", r.value or "", r.message,
                    r.constraint, r.source or "", r.quote or "", r.graph or "")
                   for r in report.results)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, default=SOURCES_DIR)
    args = ap.parse_args()
    lexicon = load_lexicon()
    quads = list(graph_quads(read_sources(args.sources, lexicon), lexicon))
    print(f"{args.sources}: {len(quads)} quads")
    reports = {}
    for engine in ("fast", "pyshacl"):
        wall, cpu = time.perf_counter(), time.process_time()
        reports[engine] = v.validate_quads(quads, engine=engine)
        print(f"  {engine:8s} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU "
              f"{len(reports[engine].results)} results ({len(reports[engine].violations)} violations)")
    fast, reference = results(reports["fast"]), results(reports["pyshacl"])
    if fast == reference:
        print(f"same report from both engines ({sum(reference.values())} results, "
              f"{len({k[0] for k in reference})} shapes)")
        return 0
    for label, diff in (("only fast", fast - reference), ("only pyshacl", reference - fast)):
        for key in sorted(diff)[:20]:
            print(f"  {label}: {key}")
    print(f"DIFFERENT: {sum((fast - reference).values())} results only from fast, "
          f"{sum((reference - fast).values())} only from pyshacl")
    return 1


if __name__ == "__main__":
    sys.exit(main())
