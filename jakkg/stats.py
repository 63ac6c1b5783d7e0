"""Counts over the store: instances per jakkg class, triples per named graph."""
from __future__ import annotations

from pyoxigraph import Store

from .namespaces import JAKKG
from .query import run, shorten


def class_counts(store: Store) -> list[tuple[str, int]]:
    result = run(store, f"""
        SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
          ?s a ?class . FILTER(STRSTARTS(STR(?class), "{JAKKG}"))
        }} GROUP BY ?class ORDER BY ?class""")
    return [(shorten(r["class"].value), int(r["n"].value)) for r in result.rows]


def graph_sizes(store: Store) -> list[tuple[str, int]]:
    sizes: dict[str, int] = {}
    for quad in store:
        key = getattr(quad.graph_name, "value", "(default graph)")
        sizes[key] = sizes.get(key, 0) + 1
    return sorted(sizes.items())
