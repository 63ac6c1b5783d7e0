"""Validation: the graph against ``ontology/shapes.ttl`` with pyshacl, and a report a
curator can act on.

pyshacl runs with the ontology as ``ont_graph`` and RDFS inference, so subclasses inherit
their superclass's shape and property ranges type the objects they point at. By default the
RDFS entailments are materialised here (``rdfs_entailments``, a few milliseconds) instead
of by pyshacl's owlrl closure, which took two thirds of the validation time;
``inference="owlrl"`` (``jakkg validate --inference owlrl``) uses pyshacl's own.

**One source document at a time.** Each source document's named graph is validated
together with the lexicon graph (the drugs, diseases, routes... it points at); the
ontology comes in as ``ont_graph``. A document's facts only ever point at its own nodes and
at the lexicon, so no constraint needs two documents at once, and memory and inference time
stay bounded by the largest document instead of growing with the whole store. Results on
lexicon nodes, which every document sees, are reported once.

**Two engines, same report.** pyshacl (the reference, ``engine="pyshacl"``) needs each
graph in rdflib and runs a SHACL-SPARQL constraint (``sh:sparql``) once per focus node. The
default ``engine="fast"`` builds no rdflib graph: jakkg/shacl_core.py evaluates the core
constraints (minCount, datatype, class, in, pattern, sh:or...) over the graph's pyoxigraph
terms, following pyshacl's implementation of each, and jakkg/shacl_sparql.py runs each
SPARQL constraint once per validated graph in pyoxigraph (over a scratch store holding the
same triples); a shape neither can take would still go to pyshacl (none of the shipped
ones). tests/test_validate_engines.py asserts both engines report the same results on the
real graph, on a graph that breaks every shape and on edge cases of every component;
benchmarks/check_engines.py does so on a generated corpus.

Every result is traced back to the text: the focus node's ``prov:wasDerivedFrom`` evidence
(or, for a node without its own evidence, that of the node pointing at it) gives the
verbatim quote and ``file:line``.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse, serialize
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .errors import JakkgError, StoreError
from .namespaces import GRAPH, JAKKG, LEXICON_GRAPH, OA, ONTOLOGY_GRAPH, PREFIXES, PROV
from .shacl_core import RDF_TYPE as OX_RDF_TYPE, reachable
from .store import ONTOLOGY_FILE, SHAPES_FILE, memory_store

DERIVED = URIRef(PROV + "wasDerivedFrom")
EXACT, HAS_SOURCE = URIRef(OA + "exact"), URIRef(OA + "hasSource")
LINE, FILE_NAME = URIRef(JAKKG + "line"), URIRef(JAKKG + "fileName")
INFERRED_GRAPH = GRAPH + "inferred"     # written by `jakkg reason` (jakkg/reason.py)
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


class ValidationError(JakkgError):
    """The graph does not conform to the shapes; carries the report."""

    def __init__(self, report: "Report", hint: str = ""):
        first = report.violations[0]
        where = first.source.rsplit(":", 1) if first.source else None
        super().__init__(
            f"the graph does not conform to ontology/shapes.ttl: {len(report.violations)} "
            f"violation(s); first: {first.shape} on {first.label}: {first.message}{hint}",
            where[0] if where else None, int(where[1]) if where else None)
        self.report = report


@dataclass
class Result:
    shape: str                 # the node shape, e.g. "shape:PatientShape"
    severity: str              # violation | warning | info
    focus: str                 # IRI of the offending node
    label: str                 # its rdfs:label, or a short IRI
    path: str | None           # the property, e.g. "jakkg:age"
    value: str | None          # the offending value
    message: str
    constraint: str            # e.g. "sh:MaxInclusiveConstraintComponent"
    quote: str | None = None   # verbatim source text of the offending fact
    source: str | None = None  # "file.txt:44"
    graph: str | None = None   # the named graph validated


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def by_shape(self) -> dict[str, list[Result]]:
        groups: dict[str, list[Result]] = {}
        for r in sorted(self.results, key=lambda r: (r.severity != "violation", r.shape, r.label)):
            groups.setdefault(r.shape, []).append(r)
        return groups

    def to_json(self) -> str:
        return json.dumps({
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": sum(r.severity == "warning" for r in self.results),
            "graphs": self.graphs,
            "shapes": {shape: [asdict(r) for r in results]
                       for shape, results in self.by_shape().items()},
        }, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        warnings = sum(r.severity == "warning" for r in self.results)
        head = (f"{'conforms' if self.conforms else 'does NOT conform'}: "
                f"{len(self.violations)} violation(s), {warnings} warning(s) "
                f"in {len(self.graphs)} graph(s)")
        lines = [head]
        for shape, results in self.by_shape().items():
            lines.append("")
            lines.append(f"{shape} ({len(results)})")
            for r in results:
                lines.append(f"  [{r.severity}] {r.label} <{r.focus}>")
                if r.path:
                    lines.append(f"    path:    {r.path}")
                if r.value is not None:
                    lines.append(f"    value:   {r.value}")
                lines.append(f"    message: {r.message}")
                if r.source or r.quote:
                    lines.append(f"    source:  {r.source or '?'}: \"{r.quote or ''}\"")
        return "\n".join(lines) + "\n"


# --- graphs ------------------------------------------------------------------------------

def _term(t):
    if isinstance(t, NamedNode):
        return URIRef(t.value)
    if isinstance(t, BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value
    return Literal(t.value) if dt == str(XSD.string) else Literal(t.value, datatype=URIRef(dt))


def to_rdflib(quads: Iterable[Quad], graph: Graph | None = None) -> Graph:
    g = graph if graph is not None else Graph()
    for q in quads:
        g.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return g


@lru_cache(maxsize=4)
def _parsed(path: str, mtime: float) -> Graph:
    """A Turtle file as an rdflib graph, parsed by pyoxigraph (twice as fast as rdflib's
    parser: the shapes and the ontology are parsed by every validating process)."""
    g = Graph()
    try:
        with open(path, "rb") as f:
            g.addN((_term(t.subject), _term(t.predicate), _term(t.object), g)
                   for t in parse(f, format=RdfFormat.TURTLE, base_iri=Path(path).resolve().as_uri()))
    except (SyntaxError, ValueError, OSError) as e:   # a broken shapes/ontology file is a user error
        raise JakkgError(f"cannot parse: {e}".splitlines()[0], path) from None
    return g


def shapes_graph(path: Path = SHAPES_FILE) -> Graph:
    return _parsed(str(path), Path(path).stat().st_mtime)


def ontology_graph(path: Path = ONTOLOGY_FILE) -> Graph:
    return _parsed(str(path), Path(path).stat().st_mtime)


SHAPE_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@lru_cache(maxsize=4)
def _flattened(shapes: Graph) -> Graph:
    """The shapes as pyshacl runs them: each property shape of a node shape gets the node
    shape's targets and is validated on its own. Same results (a node shape's sh:property
    constraint holds exactly when each property shape holds on the focus node, and each
    result keeps its property shape as sh:sourceShape), but pyshacl validates a nested
    property shape once per focus node, re-reading its constraints every time (~60% of
    validation), and a top-level one once for all its focus nodes. A node shape that another
    shape refers to (sh:node, sh:not, ...), is deactivated or has no explicit target is left
    as written."""
    out = Graph()
    out += shapes
    referenced = set(shapes.objects())
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if node in referenced or (node, SH.deactivated, None) in shapes:
            continue
        targets = [(p, o) for p in SHAPE_TARGETS for o in shapes.objects(node, p)]
        if not targets or any((node, RDF.type, c) in shapes for c in (RDFS.Class, OWL.Class)):
            continue
        for prop in list(shapes.objects(node, SH.property)):
            if len(set(shapes.subjects(SH.property, prop))) > 1:
                continue   # shared by several node shapes: keep it nested
            out.remove((node, SH.property, prop))
            for p, o in targets:
                out.add((prop, p, o))
    return out


def _short(term) -> str:
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    if text.startswith("https://w3id.org/jakkg/shapes#"):
        return "shape:" + text.split("#", 1)[1]
    return text


def _path_text(shapes: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, BNode):
        items = list(shapes.items(path))
        if items:
            return "/".join(_short(i) for i in items)
    return _short(path)


# --- provenance of a result ----------------------------------------------------------------

def _evidence_of(data: Graph, node) -> tuple[str | None, str | None]:
    """(quote, file:line) of ``node``: its own evidence or, for an IRI that is only used and
    never described (no triple but its types), that of a node pointing at it. Lexicon entries have neither."""
    candidates = [node] if (node, RDF.type, URIRef(JAKKG + "Evidence")) in data else []
    candidates += list(data.objects(node, DERIVED))
    if not candidates and all(p == RDF.type for p in data.predicates(node)):
        # a dangling IRI (e.g. a misspelt drug; only typed, by a range): where the fact
        # using it was read
        for s in data.subjects(None, node):
            candidates += list(data.objects(s, DERIVED))
            if candidates:
                break
    for ev in sorted(candidates, key=str):
        quote = data.value(ev, EXACT)
        line = data.value(ev, LINE)
        doc = data.value(ev, HAS_SOURCE)
        name = data.value(doc, FILE_NAME) if doc is not None else None
        source = f"{name or _short(doc)}:{line}" if line is not None else (str(name) if name else None)
        return (str(quote) if quote is not None else None), source
    return None, None


# --- running pyshacl ----------------------------------------------------------------------

_QUERIES: dict = {}


@contextmanager
def _prepared_sparql():
    """pyshacl runs each SPARQL constraint once per focus node with the same query text, and
    rdflib parses the text every time (~30 ms each, 90% of validation time). While
    validating, parse each distinct text once and reuse the prepared query."""
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = _QUERIES.get(key)
            if prepared is None:
                prepared = _QUERIES[key] = processor.translateQuery(
                    processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


def _ancestors(pairs) -> dict:
    """Reflexive-transitive closure of a subClassOf / subPropertyOf relation."""
    up: dict = {}
    for a, b in pairs:
        up.setdefault(a, set()).add(b)
    return {start: reachable(start, up) for start in set(up) | {b for bs in up.values() for b in bs}}


@lru_cache(maxsize=4)
def _schema(ontology_id: int):
    ont = ontology_graph()
    classes = _ancestors(ont.subject_objects(RDFS.subClassOf))
    props = _ancestors(ont.subject_objects(RDFS.subPropertyOf))
    domain: dict = {}
    range_: dict = {}
    for p, c in ont.subject_objects(RDFS.domain):
        domain.setdefault(p, set()).add(c)
    for p, c in ont.subject_objects(RDFS.range):
        range_.setdefault(p, set()).add(c)
    return classes, props, domain, range_


def rdfs_entailments(data: Graph) -> Graph:
    """``data`` plus its RDFS entailments under the ontology that a shape can observe: types
    from rdfs:domain (rdfs2) and rdfs:range (rdfs3, not for literals), super-properties
    (rdfs7) and super-classes (rdfs9). The axiomatic triples and "everything is an
    rdfs:Resource" (rdfs1, 4, 6, 8, 10, 12, 13) are left out: no shape targets them. Same
    results as pyshacl's owlrl RDFS closure for these shapes (tests/test_validate.py), in
    a fraction of the time."""
    out = Graph()
    out += data
    for triple in _entailed(data, _schema(id(ontology_graph())), RDF.type, Literal):
        out.add(triple)
    return out


def _entailed(triples, schema, rdf_type, literal_class):
    """The entailed triples of ``rdfs_entailments``, in the terms of ``triples`` (rdflib or
    pyoxigraph: ``schema``, ``rdf_type`` and ``literal_class`` in the same terms)."""
    classes, props, domain, range_ = schema
    types = set()
    for s, p, o in triples:
        for q in props.get(p, (p,)):
            if q != p:
                yield s, q, o
            if q == rdf_type:
                types.add((s, o))
            for c in domain.get(q, ()):
                types.add((s, c))
            if not isinstance(o, literal_class):
                for c in range_.get(q, ()):
                    types.add((o, c))
    for s, c in types:
        for sup in classes.get(c, (c,)):
            yield s, rdf_type, sup


INFERENCE = ("rdfs", "owlrl")
ENGINES = ("fast", "pyshacl")
SPARQL_COMPONENT = "sh:SPARQLConstraintComponent"


def _check_options(inference: str, engine: str) -> str:
    if inference not in INFERENCE:
        raise JakkgError(f"inference '{inference}' is not one of {', '.join(INFERENCE)}")
    if engine not in ENGINES:
        raise JakkgError(f"engine '{engine}' is not one of {', '.join(ENGINES)}")
    # the fast engine finds focus nodes by the types jakkg materialises (rdfs_entailments)
    return engine if inference == "rdfs" else "pyshacl"


def validate_graph(data: Graph, graph_name: str = "data", inference: str = "rdfs",
                   engine: str = "fast") -> list[Result]:
    """Validate one rdflib graph (a document's facts plus the lexicon). ``inference="rdfs"``
    materialises the RDFS entailments first (``rdfs_entailments``); ``"owlrl"`` lets pyshacl
    compute the full RDFS closure with owlrl (``inference="rdfs"`` there), ~3x slower.
    ``engine="fast"`` evaluates the sh:sparql constraints with pyoxigraph
    (jakkg/shacl_sparql.py), ``"pyshacl"`` leaves everything to pyshacl (the reference);
    with ``inference="owlrl"`` pyshacl does everything."""
    engine = _check_options(inference, engine)
    if inference == "rdfs":
        data = rdfs_entailments(data)
    return _validate_entailed(data, graph_name, inference, engine)


def _validate_entailed(data: Graph, graph_name: str, inference: str, engine: str,
                       store: Store | None = None, graphs: list | None = None) -> list[Result]:
    """pyshacl (and, with ``engine="fast"``, the SPARQL constraints in pyoxigraph) on
    ``data``, which holds the RDFS entailments already when ``inference="rdfs"`` (pyshacl
    may then add the ontology to it in place). ``store``/``graphs``: the same triples in
    pyoxigraph, as the union of ``graphs``; built from ``data`` when not given."""
    from .shacl_core import _ox

    if engine == "fast":
        triples = [(_ox(s), _ox(p), _ox(o)) for s, p, o in data]
        return _validate_fast(triples, graph_name, store, graphs)
    return _pyshacl(data, graph_name, inference, _flattened(shapes_graph()))


def _pyshacl(data: Graph, graph_name: str, inference: str, shacl: Graph) -> list[Result]:
    """pyshacl with the shapes graph ``shacl`` on ``data``."""
    from pyshacl import validate

    shapes = shapes_graph()
    with _prepared_sparql():
        _, results_graph, _ = validate(
            data, shacl_graph=shacl, ont_graph=ontology_graph(),
            inference="none" if inference == "rdfs" else "rdfs",
            inplace=inference == "rdfs", allow_warnings=True, allow_infos=True)
    if not isinstance(results_graph, Graph):   # pyshacl reports a broken shape this way
        raise JakkgError(f"cannot validate: {results_graph}", SHAPES_FILE)
    parent = {ps: ns for ns, ps in shapes.subject_objects(SH.property)}
    out = []
    for r in results_graph.subjects(RDF.type, SH.ValidationResult):
        v = results_graph.value
        source_shape = v(r, SH.sourceShape)
        out.append(_result(
            data, shapes, parent.get(source_shape, source_shape), v(r, SH.resultSeverity),
            v(r, SH.focusNode), v(r, SH.resultPath), v(r, SH.value),
            [str(m) for m in results_graph.objects(r, SH.resultMessage)],
            _short(v(r, SH.sourceConstraintComponent)).replace(str(SH), "sh:"), graph_name))
    return out


class _Data:
    """The few rdflib Graph methods a result's label and evidence (and shacl_sparql's focus
    nodes) need, over a ``shacl_core.Index`` of pyoxigraph terms; rdflib terms in and out."""

    def __init__(self, index, term):
        from .shacl_core import _ox
        self.index, self.term, self.ox = index, term, _ox
        self.pointing: dict | None = None

    def _triples(self, s, p, o):
        ox, sp = self.ox, self.index.sp
        s, o = (None if s is None else ox(s)), (None if o is None else ox(o))
        if s is None and o is not None and p is None:   # who points at o: a reverse index
            if self.pointing is None:
                self.pointing = {}
                for pred, by_s in sp.items():
                    for subj, objs in by_s.items():
                        for obj in objs:
                            self.pointing.setdefault(obj, []).append((subj, pred))
            for subj, pred in self.pointing.get(o, ()):
                yield self.term(subj), self.term(pred), self.term(o)
            return
        for pred, by_s in ([(ox(p), sp.get(ox(p), {}))] if p is not None else sp.items()):
            if s is not None:
                subjects = [(s, by_s.get(s, ()))]
            elif o is not None and pred == OX_RDF_TYPE and o in self.index.instances_of:
                subjects = [(x, (o,)) for x in self.index.instances_of[o]]
            else:
                subjects = by_s.items()
            for subj, objs in subjects:
                for obj in ([o] if o is not None and o in objs else [] if o is not None else objs):
                    yield self.term(subj), self.term(pred), self.term(obj)

    def __contains__(self, triple) -> bool:
        return next(self._triples(*triple), None) is not None

    def objects(self, s=None, p=None):
        return (t[2] for t in self._triples(s, p, None))

    def subjects(self, p=None, o=None):
        return (t[0] for t in self._triples(None, p, o))

    def predicates(self, s=None, o=None):
        return (t[1] for t in self._triples(s, None, o))

    def value(self, s=None, p=None):
        return next(self.objects(s, p), None)


def _validate_fast(triples: list[tuple], graph_name: str, store: Store | None = None,
                   graphs: list | None = None) -> list[Result]:
    """The fast engine on one graph's triples (pyoxigraph terms, RDFS entailments included):
    the core constraints in jakkg/shacl_core.py, the sh:sparql ones in pyoxigraph
    (jakkg/shacl_sparql.py), and pyshacl only for a shape neither takes (none of the shipped
    ones). ``store``/``graphs``: the same triples in pyoxigraph, as the union of ``graphs``."""
    from . import shacl_core, shacl_sparql

    shapes = shapes_graph()
    flat = _flattened(shapes)
    core = shacl_core.compile_shapes(shacl_sparql.without_sparql(flat))
    term = _converter()
    index = shacl_core.Index(triples + list(shacl_core.ontology_axioms(ontology_graph())))
    data = _Data(index, term)
    parent = {ps: ns for ns, ps in shapes.subject_objects(SH.property)}
    out = []
    for shape, severity, focus, path, value, messages, component in shacl_core.evaluate(core, index, term):
        out.append(_result(data, shapes, parent.get(shape, shape), severity, focus, path, value,
                           messages, component, graph_name))
    if core.rest_has_targets:
        out += _pyshacl(to_rdflib(Quad(*t) for t in triples), graph_name, "rdfs", core.rest)
    if store is None:
        store, graphs = Store(), [DefaultGraph()]
        store.extend(Quad(*t) for t in triples)
    for c in shacl_sparql.sparql_constraints(flat):
        targets = tuple((p, shacl_sparql._ox(o)) for p, o in c.targets)
        nodes = {term(n) for n in index.focus_nodes(targets)}
        for focus, path, value, messages in shacl_sparql.evaluate(c, store, graphs, data, term, nodes):
            out.append(_result(data, shapes, c.shape, c.severity, focus, path, value,
                               messages, SPARQL_COMPONENT, graph_name))
    return out


def _result(data: Graph, shapes: Graph, node_shape, severity, focus, path, value,
            messages: list[str], constraint: str, graph_name: str) -> Result:
    messages = sorted(messages)
    label = data.value(focus, RDFS.label)
    quote, source = _evidence_of(data, focus)
    return Result(
        shape=_short(node_shape) if isinstance(node_shape, URIRef) else "(anonymous shape)",
        severity=SEVERITIES.get(severity, "violation"),
        focus=str(focus), label=str(label) if label is not None else _short(focus),
        path=_path_text(shapes, path),
        value=None if value is None else (_short(value) if isinstance(value, URIRef) else str(value)),
        message=messages[0] if messages else "does not conform",
        constraint=constraint, quote=quote, source=source, graph=graph_name)


def _converter():
    """pyoxigraph term -> rdflib term, each distinct term converted once."""
    cache: dict = {}

    def term(t):
        out = cache.get(t)
        if out is None:
            out = cache[t] = _term(t)
        return out
    return term


@lru_cache(maxsize=4)
def _schema_ox(ontology_id: int):
    """``_schema`` in pyoxigraph terms."""
    def nn(x):
        return NamedNode(str(x))
    return tuple({nn(k): {nn(v) for v in vs} for k, vs in part.items()}
                 for part in _schema(ontology_id))


def entailed_triples(triples: list[tuple]) -> list[tuple]:
    """``rdfs_entailments`` over pyoxigraph (s, p, o) triples: the entailed triples only
    (some may already be among ``triples``). RDFS rules here have a single data premise,
    so the entailments of a union are the union of the entailments."""
    from pyoxigraph import Literal as OxLiteral
    return list(_entailed(triples, _schema_ox(id(ontology_graph())), NamedNode(str(RDF.type)),
                          OxLiteral))


def canonical(quads: Iterable[Quad]) -> Store:
    """The quads as the store holds them (oxigraph keeps xsd:nonNegativeInteger and other
    integer-derived literals as xsd:integer), so what is validated is what is stored."""
    if isinstance(quads, Store):
        return quads
    return memory_store(quads)


class _Graphs:
    """A dataset read one named graph at a time, each graph's quads as the store holds them
    (``canonical``). Quads given as a list are grouped by graph (references only) and each
    graph is canonicalised on its own, so no copy of the whole corpus is made."""

    def __init__(self, quads: Iterable[Quad]):
        self.store = quads if isinstance(quads, Store) else None
        self.groups: dict = {}
        if self.store is None:
            for q in quads:
                self.groups.setdefault(q.graph_name, []).append(q)

    def names(self) -> list:
        if self.store is None:
            return list(self.groups)
        names = [g for g in self.store.named_graphs()
                 if next(self.store.quads_for_pattern(None, None, None, g), None) is not None]
        if next(self.store.quads_for_pattern(None, None, None, DefaultGraph()), None) is not None:
            names.append(DefaultGraph())
        return names

    def quads(self, graph) -> list[Quad]:
        if self.store is not None:
            return list(self.store.quads_for_pattern(None, None, None, graph))
        return list(canonical(self.groups.get(graph, [])))

    def by_name(self) -> dict:
        """The graphs by the name a report gives them ("" for the default graph)."""
        return {"" if isinstance(g, DefaultGraph) else g.value: g for g in self.names()}

    def size(self) -> int:
        return len(self.store) if self.store is not None else sum(map(len, self.groups.values()))


LEXICON_CLASSES = {NamedNode(JAKKG + c) for c in ("Drug", "JAKInhibitor", "Disease", "Route",
                                                  "Outcome", "AdverseEvent", "ClinicalCondition")}


def _describes_lexicon(graphs: _Graphs, names: list) -> bool:
    rdf_type = NamedNode(str(RDF.type))
    return any(q.predicate == rdf_type and q.object in LEXICON_CLASSES
               for g in names for q in graphs.quads(g))


def validate_quads(quads: Iterable[Quad], paths: dict[str, str] | None = None,
                   inference: str = "rdfs", engine: str = "fast", jobs: int | None = None) -> Report:
    """Validate a dataset: each source document's named graph with the lexicon graph.
    Triples in the default graph (e.g. a Turtle file) are validated as one graph; types in
    the graph of inferred types join the graph of the node they describe.
    ``paths`` maps a document's file name to the path shown in the report.

    With ``engine="pyshacl"`` each document's rdflib graph is built in one pass (lexicon,
    document, entailments); with ``engine="fast"`` the same triples are indexed for
    jakkg/shacl_core.py and go into a scratch pyoxigraph store for the SPARQL constraints,
    one document at a time. ``jobs`` > 0 validates the graphs in that many worker processes
    while this one reads the next graphs (``ValidatorPool``; the same report); the default
    is one per CPU for more than PARALLEL_QUADS quads, else none."""
    _check_options(inference, engine)
    dataset = _Graphs(quads)
    if jobs is None:
        jobs = auto_jobs(dataset.size(), PARALLEL_QUADS)
    # the documents' graphs, read one at a time (memory bounded by the largest document)
    docs = dataset.by_name()
    for special in (ONTOLOGY_GRAPH, INFERRED_GRAPH, LEXICON_GRAPH):
        docs.pop(special, None)
    lexicon = dataset.quads(NamedNode(LEXICON_GRAPH)) or None
    if lexicon is None and _describes_lexicon(dataset, list(docs.values())):
        lexicon = []        # e.g. a Turtle export: the lexicon entries are in the file
    if lexicon is None:     # a file of facts only: check them against the current lexicon
        from .graph import lexicon_quads
        from .lexicon import load_lexicon
        lexicon = list(canonical(lexicon_quads(load_lexicon())))
    # types inferred by `jakkg reason` are checked with the facts of the node they describe
    inferred: dict[str, list[Quad]] = {}
    pending = dataset.quads(NamedNode(INFERRED_GRAPH))
    if pending:
        owner: dict = {}
        subjects = {q.subject for q in pending}
        for name in sorted(docs, reverse=True):     # the first graph (by name) wins
            owner.update((q.subject, name) for q in dataset.quads(docs[name]) if q.subject in subjects)
        for q in pending:
            if q.subject in owner:
                inferred.setdefault(owner[q.subject], []).append(q)
            else:
                lexicon.append(q)

    validator = (ValidatorPool(lexicon, paths, jobs, inference, engine) if jobs > 0
                 else Validator(lexicon, paths, inference, engine))
    try:
        for name in sorted(docs) or [LEXICON_GRAPH]:
            validator.add(name, docs.get(name), dataset.quads(docs[name]) if name in docs else [],
                          inferred.get(name, []))
        return validator.finish()
    finally:
        validator.close()


class _Collector:
    """The report of graphs validated one at a time: each result once (a lexicon entry's
    result is found with every document), sources shown with their paths."""

    def __init__(self, paths: dict[str, str] | None):
        self.paths, self.report, self.seen = paths, Report(), set()

    def record(self, name: str, results: list[Result]) -> None:
        self.report.graphs.append(name or "(default graph)")
        for r in results:
            if r.source and self.paths:
                file_name, _, line = r.source.rpartition(":")
                r.source = f"{self.paths.get(file_name, file_name)}:{line}"
            key = (r.shape, r.focus, r.path, r.value, r.message)
            if key not in self.seen:
                self.seen.add(key)
                self.report.results.append(r)


def _by_graph(quads: Iterable[Quad]) -> list[tuple[str, object, list[Quad]]]:
    """A document's quads as the store holds them (``canonical``), by named graph:
    (name as reported, graph, quads)."""
    dataset = _Graphs(quads)
    return [(name, g, dataset.quads(g)) for name, g in dataset.by_name().items()]


class Validator:
    """Validates a dataset one document graph at a time, each with the lexicon graph (the
    engine of ``validate_quads``). ``jakkg build`` feeds it each document as the document
    goes into the store's bulk loader (``document``), so the build neither holds the whole
    graph nor reads it back; ``finish()`` gives the report."""

    def __init__(self, lexicon: list[Quad], paths: dict[str, str] | None = None,
                 inference: str = "rdfs", engine: str = "fast"):
        self.engine = _check_options(inference, engine)
        self.inference = inference
        self.collector = _Collector(paths)
        self.term = _converter()
        self.lexicon_triples = self._triples(lexicon)
        self.store = None
        if self.engine == "fast":
            from .store import ontology_quads
            self.doc_graph = NamedNode(GRAPH + "validating")
            self.inferred_graph = NamedNode(INFERRED_GRAPH)
            self.graphs = [self.doc_graph, self.inferred_graph, NamedNode(LEXICON_GRAPH),
                           NamedNode(ONTOLOGY_GRAPH)]
            self.store = Store()
            self.store.extend(Quad(s, p, o, NamedNode(LEXICON_GRAPH)) for s, p, o in self.lexicon_triples)
            self.store.extend(ontology_quads())

    def _triples(self, qs: list[Quad]) -> list[tuple]:
        ts = [(q.subject, q.predicate, q.object) for q in qs]
        return ts + entailed_triples(ts) if self.inference == "rdfs" else ts

    def document(self, quads: Iterable[Quad]) -> Iterable[Quad]:
        """Validate a document's quads (one named graph each, as ``graph.extraction_quads``
        gives them); returns them as the store holds them."""
        graphs = _by_graph(quads)
        for name, graph, qs in graphs:
            self.add(name, graph, qs)
        return [q for _, _, qs in graphs for q in qs]

    def add(self, name: str, graph, doc_quads: list[Quad], own: list[Quad] = ()) -> None:
        """Validate one graph (``name`` as reported) with the lexicon; ``own`` are inferred
        types of its nodes."""
        self.collector.record(name, self.results(name, graph, doc_quads, own))

    def finish(self) -> Report:
        return self.collector.report

    def close(self) -> None:
        pass

    def results(self, name: str, graph, doc_quads: list[Quad], own: list[Quad] = ()) -> list[Result]:
        own = list(own)
        doc_triples = self._triples(doc_quads + own)
        if self.store is None:
            term = self.term
            data = Graph()
            data.addN((s, p, o, data) for s, p, o in self.lexicon_rdf)
            data.addN((term(s), term(p), term(o), data) for s, p, o in doc_triples)
            return _validate_entailed(data, name or "(default graph)", self.inference, self.engine)
        store, doc_graph = self.store, self.doc_graph
        # the document's own quads as they are; the entailments in a scratch graph
        named = [] if not doc_quads or isinstance(graph, DefaultGraph) else [graph]
        store.extend(doc_quads if named else
                     (Quad(q.subject, q.predicate, q.object, doc_graph) for q in doc_quads))
        store.extend(own)
        store.extend(Quad(s, p, o, doc_graph) for s, p, o in doc_triples[len(doc_quads) + len(own):])
        try:
            return _validate_fast(self.lexicon_triples + doc_triples, name or "(default graph)",
                                  store, self.graphs + named)
        finally:
            for g in named + [doc_graph, self.inferred_graph]:
                store.clear_graph(g)

    @cached_property
    def lexicon_rdf(self) -> list[tuple]:
        term = self.term
        return [(term(s), term(p), term(o)) for s, p, o in self.lexicon_triples]


class ValidatorPool:
    """``Validator`` in ``jobs`` worker processes, for large corpora: a graph is validated
    while this process reads the next ones; the results are recorded in the order the
    graphs were given, so the report is the one a single ``Validator`` gives."""

    def __init__(self, lexicon: list[Quad], paths: dict[str, str] | None, jobs: int,
                 inference: str = "rdfs", engine: str = "fast"):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        _check_options(inference, engine)
        # spawn, not fork: the parent has a RocksDB store open with its threads
        self.executor = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
            initargs=(_nquads(lexicon), inference, engine))
        self.collector = _Collector(paths)
        self.pending: list = []
        self.limit = 2 * jobs          # graphs queued at most (their N-Quads in memory)

    def _submit(self, *args) -> None:
        self.pending.append(self.executor.submit(*args))
        while len(self.pending) > self.limit:
            self._record(self.pending.pop(0))

    def document(self, quads: Iterable[Quad]) -> Iterable[Quad]:
        """As ``Validator.document``; returns the quads as given (the store canonicalises)."""
        quads = list(quads)
        self._submit(_validate_document, _nquads(quads))
        return quads

    def add(self, name: str, graph, doc_quads: list[Quad], own: list[Quad] = ()) -> None:
        """As ``Validator.add``."""
        self._submit(_validate_graph, name, graph, _nquads(doc_quads), _nquads(own))

    def _record(self, future) -> None:
        for name, results in future.result():
            self.collector.record(name, results)

    def finish(self) -> Report:
        while self.pending:
            self._record(self.pending.pop(0))
        return self.collector.report

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _nquads(quads: Iterable[Quad]) -> bytes:
    return serialize(quads, format=RdfFormat.N_QUADS) or b""


def _quads(nquads: bytes) -> list[Quad]:
    return list(parse(nquads, format=RdfFormat.N_QUADS))


_WORKER: Validator | None = None


def _start_worker(lexicon: bytes, inference: str, engine: str) -> None:
    global _WORKER
    _WORKER = Validator(_quads(lexicon), None, inference, engine)


def _validate_document(nquads: bytes) -> list[tuple[str, list[Result]]]:
    return [(name, _WORKER.results(name, graph, qs)) for name, graph, qs in _by_graph(_quads(nquads))]


def _validate_graph(name: str, graph, doc: bytes, own: bytes) -> list[tuple[str, list[Result]]]:
    return [(name, _WORKER.results(name, graph, _quads(doc), _quads(own)))]


# a store this large is validated in worker processes by default (`jakkg validate --jobs`)
PARALLEL_QUADS = 250_000


def auto_jobs(size: int, threshold: int) -> int:
    """Worker processes for ``size`` (bytes or quads): one per CPU above ``threshold``."""
    return (os.cpu_count() or 1) if size > threshold else 0


def validate_store(path: str | Path | None = None, inference: str = "rdfs",
                   engine: str = "fast", jobs: int | None = None) -> Report:
    """Validate the store; ``jobs``: worker processes (default: one per CPU for stores of
    more than PARALLEL_QUADS quads, else none)."""
    from .store import open_store
    return validate_quads(open_store(path), inference=inference, engine=engine, jobs=jobs)


def validate_file(path: str | Path, inference: str = "rdfs", engine: str = "fast",
                  jobs: int | None = None) -> Report:
    """Validate an RDF file (format from its extension), or a store directory."""
    path = Path(path)
    if path.is_dir() and (path / "CURRENT").exists():
        return validate_store(path, inference, engine, jobs)
    if not path.is_file():
        raise JakkgError("no such file", path)
    fmt = RdfFormat.from_extension(path.suffix.lstrip(".").lower() or "ttl")
    if fmt is None:
        raise JakkgError("unknown RDF format (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)", path)
    try:
        with open(path, "rb") as f:
            quads = list(parse(f, format=fmt, base_iri=path.resolve().as_uri()))
    except (SyntaxError, ValueError, OSError) as e:
        raise JakkgError(f"cannot parse as {fmt.name}: {e}".splitlines()[0], path) from None
    quads = [q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object, DefaultGraph())
             for q in quads]
    return validate_quads(quads, inference=inference, engine=engine, jobs=jobs)


def require_conforming(report: Report, hint: str = "") -> None:
    if not report.conforms:
        raise ValidationError(report, hint)


__all__ = ["Report", "Result", "ValidationError", "Validator", "ValidatorPool", "validate_file",
           "validate_graph", "validate_quads", "validate_store", "require_conforming", "StoreError"]
