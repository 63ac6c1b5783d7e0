"""Check that rewritten shipped queries give exactly the rows of the originals, and time both.

    python benchmarks/query_rewrites.py STORE [QUERY ...] [--ref REF] [--reps 3] [--memory]

STORE is a built store directory (e.g. a 1M-triple store from benchmarks/generate.py +
``jakkg build``); it is opened read-only. The original text of each query is read from git
(``git show REF:queries/NAME``; REF defaults to f11febc, the last commit before issue 8's
query rewrites), the rewritten one from the working tree. For each query the script runs both
versions through ``jakkg.query.run`` (warm-up, then --reps runs of each, alternating, reading
every row), compares the row lists term by term (the same rows in the same order, or an order
that differs only among rows the ORDER BY ranks equal), and prints the before/after medians. With --memory it also copies the store into memory
and repeats there. Exit status 1 when any rewritten query gives different rows. Run by hand; not part of CI.
"""
from __future__ import annotations

import argparse
import importlib
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parents[1]
query = importlib.import_module("jakkg.query")   # `jakkg.query` the attribute is a function


def original(ref: str, name: str) -> str | None:
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:queries/{name}"],
                         capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else None


def rows(store: Store, sparql: str) -> list[tuple]:
    result = query.run(store, sparql)
    return [tuple(r[v] for v in result.variables) for r in result.rows]


def order_keys(sparql: str, variables: list[str]) -> list[int] | None:
    """Column indexes of the variables of the final ORDER BY (None when it sorts on an
    expression that is not a projected variable)."""
    m = re.search(r"ORDER\s+BY\s+([^{}]*?)\s*(?:LIMIT|OFFSET|$)", sparql.strip(), re.I | re.S)
    if not m:
        return []
    names = re.findall(r"(?:DESC|ASC)?\(?\s*\?(\w+)\s*\)?", m.group(1))
    if any(n not in variables for n in names):
        return None
    return [variables.index(n) for n in names]


LIST_SEPARATOR = re.compile(r", |; | \+ | \| |,")


def as_sets(rows_: list[tuple]) -> list[tuple]:
    """Rows with each text that lists items (a GROUP_CONCAT) as its sorted items: SPARQL
    leaves the order inside GROUP_CONCAT to the engine, and a new join order changes it."""
    return sorted(tuple(str(sorted(LIST_SEPARATOR.split(t.value))) if hasattr(t, "language")
                        else str(t) for t in r) for r in rows_)


def without_kind(sparql: str) -> str:
    return "\n".join(line for line in sparql.splitlines() if not line.startswith("# kind:"))


def timed_pair(store: Store, old: str, new: str | None, reps: int):
    """Warm-up, then old and new run alternately (so load from other processes hits both
    alike); median seconds of each and the rows of each."""
    r_old = rows(store, old)
    r_new = rows(store, new) if new is not None else r_old
    t_old, t_new = [], []
    for _ in range(reps):
        for sparql, samples in ((old, t_old), (new, t_new)):
            if sparql is None:
                continue
            t = time.perf_counter()
            rows(store, sparql)
            samples.append(time.perf_counter() - t)
    m_old = statistics.median(t_old)
    return m_old, statistics.median(t_new) if t_new else m_old, r_old, r_new


def compare(store: Store, label: str, names: list[str], ref: str, reps: int) -> bool:
    ok = True
    print(f"\n{label}: p50 ms before -> after (rows)")
    for name in names:
        new = (ROOT / "queries" / name).read_text(encoding="utf-8")
        old = original(ref, name)
        if old is None:
            print(f"  {name:45s} new query, {len(rows(store, new))} rows")
            continue
        unchanged = without_kind(new) == without_kind(old)
        t_old, t_new, r_old, r_new = timed_pair(store, old, None if unchanged else new, reps)
        same = r_old == r_new
        verdict = "same rows"
        if not same:
            # the same rows, in an order that differs only among rows the query's ORDER BY
            # ranks equal (the engine may return those in any order)
            keys = order_keys(new, query.run(store, new).variables)
            same = (sorted(map(str, r_old)) == sorted(map(str, r_new)) and keys is not None
                    and [[r[k] for k in keys] for r in r_old] == [[r[k] for k in keys] for r in r_new])
            verdict = "same rows (ties of ORDER BY in another order)"
            if not same and as_sets(r_old) == as_sets(r_new):
                same, verdict = True, "same rows (items of a GROUP_CONCAT in another order)"
            if not same:
                verdict = "DIFFERENT ROWS OR ORDER"
        ok &= same
        mark = "  (unchanged)" if unchanged else ""
        print(f"  {name:45s} {t_old * 1000:9.1f} -> {t_new * 1000:9.1f}  "
              f"({len(r_new)} rows) {verdict}{mark}", flush=True)
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("queries", nargs="*", help="query file names (default: all shipped)")
    ap.add_argument("--ref", default="f11febc",
                    help="git ref holding the original queries (default: before the rewrites)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--memory", action="store_true", help="also time an in-memory copy")
    ap.add_argument("--no-disk", action="store_true", help="only the in-memory copy")
    args = ap.parse_args(argv)
    names = args.queries or sorted(p.name for p in (ROOT / "queries").glob("*.rq"))
    names = [Path(n).name for n in names]
    disk = Store.read_only(str(args.store))
    ok = True
    if not args.no_disk:
        ok &= compare(disk, f"on disk ({args.store})", names, args.ref, args.reps)
    if args.memory or args.no_disk:
        mem = Store()
        mem.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        ok &= compare(mem, "in memory", names, args.ref, args.reps)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
