"""Serialising the store: Turtle, JSON-LD (with ontology/context.jsonld), N-Triples,
N-Quads (one named graph per source), TriG and RDF/XML."""
from __future__ import annotations

import json
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Store, serialize

from .errors import JakkgError
from .namespaces import PREFIXES
from .store import CONTEXT_FILE, atomic_file

FORMATS = {
    "turtle": RdfFormat.TURTLE, "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES, "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS, "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "xml": RdfFormat.RDF_XML, "rdfxml": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD, "json-ld": RdfFormat.JSON_LD,
}
DATASET_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}


def _key(term) -> str:
    return str(term)


def sorted_quads(store: Store) -> list[Quad]:
    return sorted(store, key=lambda q: (_key(q.graph_name), _key(q.subject),
                                        _key(q.predicate), _key(q.object)))


def union_triples(store: Store) -> list:
    """All triples of all graphs, once each, in a stable order."""
    triples = {q.triple for q in store}
    return sorted(triples, key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))


def jsonld_context() -> dict:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def serialise(store: Store, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise JakkgError(f"unknown format '{fmt}' (choose from {', '.join(sorted(set(FORMATS)))})")
    rdf_format = FORMATS[fmt]
    if rdf_format in DATASET_FORMATS:
        kwargs = {"prefixes": PREFIXES} if rdf_format == RdfFormat.TRIG else {}
        return serialize(sorted_quads(store), format=rdf_format, **kwargs)
    triples = union_triples(store)
    if rdf_format == RdfFormat.JSON_LD:
        import rdflib
        g = rdflib.Graph()
        g.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
        return g.serialize(format="json-ld", context=jsonld_context(), auto_compact=True,
                           encoding="utf-8")
    kwargs = {"prefixes": PREFIXES} if rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else {}
    return serialize(triples, format=rdf_format, **kwargs)


def export(store: Store, fmt: str, output: str | Path | None = None) -> bytes | None:
    """Serialise the store; write atomically to ``output`` or return the bytes."""
    data = serialise(store, fmt)
    if output is None:
        return data
    with atomic_file(Path(output)) as f:
        f.write(data)
    return None
