"""SHACL-SPARQL constraints (``sh:sparql`` in ontology/shapes.ttl) evaluated with pyoxigraph.

pyshacl runs a SPARQL constraint once per focus node, in rdflib (parse, then evaluate
the algebra in Python): ~40% of validation time on the real graph, growing with every node
a shape targets. Here each constraint's ``sh:select`` runs ONCE per validated graph in
pyoxigraph, with ``$this`` unbound, and the rows whose ``?this`` is a focus node of the
shape become the results pyshacl would report (same source shape, severity, focus node,
``?path``, ``?value`` — the focus node when the query has no ``?value`` — and message with
``{?var}``/``{$var}`` substituted). pyshacl stays the reference: ``engine="pyshacl"``
(``jakkg validate --engine pyshacl``) runs every constraint in pyshacl, and
tests/test_validate_engines.py asserts both engines report the same results.

Evaluating unbound and then keeping the focus nodes' rows gives the same rows as SHACL's
pre-binding of ``$this`` only when ``$this`` is bound in every solution before anything can
see it unbound: ``$this`` must occur in a triple pattern of the query's top-level group,
never in a BIND expression, and the query must not use OPTIONAL, MINUS, VALUES, GRAPH,
SERVICE, sub-SELECTs or solution modifiers (``prebinding_free``). A constraint that does
not pass this (conservative, textual) check runs once per focus node with ``$this``
substituted (pyoxigraph ``substitutions``, SEP-0007), which is still done by pyoxigraph.

Only constraints of top-level node shapes with explicit targets are taken over; a
constraint on a property shape, on a shape other shapes refer to, or using
``$shapesGraph``/``$currentShape``/``$PATH`` or projecting ``?failure`` stays with pyshacl.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Store, Variable
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from .shacl_core import _ox

SHAPE_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
PYSHACL_ONLY = re.compile(r"[$?](shapesGraph|currentShape|PATH|failure)\b")


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef                       # the node shape carrying sh:sparql
    node: object                        # the sh:sparql constraint node
    query: str                          # PREFIX declarations + the sh:select text
    severity: URIRef
    messages: tuple                     # (Literal, ...): the shape's and the constraint's
    targets: tuple                      # ((target predicate, object), ...)
    unbound: bool                       # prebinding_free(query): one evaluation per graph


# --- which constraints, and is unbound evaluation equivalent -------------------------------

def _strip_strings(text: str) -> str:
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
                  '""', text)
    text = re.sub(r"<[^<>\s\"{}|^`\\]*>", "<>", text)       # IRIs (not the < operator)
    return re.sub(r"#[^\n]*", "", text)                      # comments


def _balanced(text: str, open_: str, close: str) -> list[tuple[int, int]] | None:
    """Top-level (start, end) spans of balanced ``open_ ... close`` groups; None if the
    brackets do not balance."""
    depth, start, spans = 0, 0, []
    for i, ch in enumerate(text):
        if ch == open_:
            if depth == 0:
                start = i
            depth += 1
        elif ch == close:
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                spans.append((start, i + 1))
    return None if depth else spans


def prebinding_free(select: str) -> bool:
    """True when evaluating ``select`` with ``$this`` unbound and keeping the rows whose
    ``?this`` is the focus node gives exactly the rows of pre-binding ``$this`` to it."""
    text = _strip_strings(select)
    upper = text.upper()
    if len(re.findall(r"\bSELECT\b", upper)) != 1 or re.search(
            r"\b(OPTIONAL|MINUS|VALUES|GRAPH|SERVICE|GROUP|HAVING|ORDER|LIMIT|OFFSET)\b", upper):
        return False
    m = re.fullmatch(r"\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?P<proj>[^{(]*?)\s*WHERE\s*"
                     r"\{(?P<body>.*)\}\s*", text, re.S | re.I)
    if not m:
        return False
    proj = m.group("proj").strip()
    if proj != "*" and not re.search(r"[$?]this\b", proj):
        return False            # no ?this column: rows cannot be told apart by focus node
    body = m.group("body")
    # $this in a BIND expression is evaluated where it stands, possibly before it is bound
    for bind in re.finditer(r"\bBIND\s*\(", body, re.I):
        spans = _balanced(body[bind.end() - 1:], "(", ")")
        if not spans or re.search(r"[$?]this\b", body[bind.end() - 1:][slice(*spans[0])]):
            return False
    top = body
    for open_, close in ("{}", "()"):   # drop nested groups (FILTER [NOT] EXISTS {...},
        while True:                     # UNION branches), then expressions (FILTER, BIND)
            spans = _balanced(top, open_, close)
            if spans is None:
                return False
            if not spans:
                break
            for a, b in reversed(spans):
                top = top[:a] + " " + top[b:]
    return bool(re.search(r"[$?]this\b", top))


def _prefixes(shapes: Graph, constraint) -> str:
    lines = []
    for decl_owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(decl_owner, SH.declare):
            prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines)))


@lru_cache(maxsize=4)
def sparql_constraints(shapes: Graph) -> tuple[SparqlConstraint, ...]:
    """The sh:sparql constraints this module evaluates (see the module docstring)."""
    referenced = set(shapes.objects())
    out = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None)), key=str):
        if (shape, RDF.type, SH.NodeShape) not in shapes or shape in referenced \
                or (shape, SH.path, None) in shapes or (shape, SH.deactivated, None) in shapes \
                or any((shape, RDF.type, c) in shapes for c in (RDFS.Class, OWL.Class)):
            continue
        targets = tuple((p, o) for p in SHAPE_TARGETS for o in shapes.objects(shape, p))
        if not targets:
            continue
        for node in sorted(shapes.objects(shape, SH.sparql), key=str):
            select = shapes.value(node, SH.select)
            if select is None or (node, SH.deactivated, None) in shapes \
                    or PYSHACL_ONLY.search(str(select)):
                continue
            messages = tuple(shapes.objects(shape, SH.message)) + tuple(
                m for m in shapes.objects(node, SH.message) if m not in set(shapes.objects(shape, SH.message)))
            out.append(SparqlConstraint(
                shape=shape, node=node, query=_prefixes(shapes, node) + "\n" + str(select),
                severity=shapes.value(shape, SH.severity) or SH.Violation,
                messages=messages, targets=targets, unbound=prebinding_free(str(select))))
    return tuple(out)


@lru_cache(maxsize=4)
def without_sparql(shapes: Graph) -> Graph:
    """The shapes minus the sh:sparql constraints ``sparql_constraints`` evaluates."""
    out = Graph()
    out += shapes
    for c in sparql_constraints(shapes):
        out.remove((c.shape, SH.sparql, c.node))
    return out


# --- evaluation ------------------------------------------------------------------------------

def focus_nodes(data: Graph, c: SparqlConstraint) -> set:
    """The shape's focus nodes in ``data`` (with the RDFS entailments materialised, so the
    instances of a target class are the subjects typed with it)."""
    nodes = set()
    for p, o in c.targets:
        if p == SH.targetClass:
            nodes.update(data.subjects(RDF.type, o))
        elif p == SH.targetNode:
            nodes.add(o)
        elif p == SH.targetSubjectsOf:
            nodes.update(data.subjects(o, None))
        else:
            nodes.update(data.objects(None, o))
    return nodes


def _message(template: str, bindings: dict) -> str:
    for var, val in bindings.items():
        template = re.sub(r"\{[?$]" + re.escape(var) + r"\}", lambda _m, v=str(val): v, template)
    return template


def evaluate(c: SparqlConstraint, store: Store, graphs: list, data: Graph, term,
             focus: set | None = None) -> list[tuple]:
    """Rows of ``c`` in ``store`` (its default graph = ``graphs``): a list of
    (focus, path, value, messages) in rdflib terms, as pyshacl reports them.
    ``term`` converts a pyoxigraph term to rdflib; ``focus``: the shape's focus nodes
    (rdflib terms), found in ``data`` when not given."""
    if focus is None:
        focus = focus_nodes(data, c)
    if not focus:
        return []
    if c.unbound:
        runs = [(None, store.query(c.query, default_graph=graphs))]
    else:
        runs = [(f, store.query(c.query, default_graph=graphs, substitutions={Variable("this"): _ox(f)}))
                for f in sorted(focus, key=str)]
    out, seen = [], set()
    for f, solutions in runs:
        names = [v.value for v in solutions.variables]
        for row in solutions:
            bound = {n: term(row[n]) for n in names if row[n] is not None}
            this = bound.pop("this", None)
            node = f if f is not None else this
            if node is None or node not in focus:
                continue
            path, value = bound.pop("path", None), bound.pop("value", None)
            key = (node, this, path, value, tuple(sorted(bound.items())))
            if key in seen:       # pyshacl reports identical rows once per focus node
                continue
            seen.add(key)
            if value is None:
                value = node      # a node shape's result: the focus node is the value
            fmt = dict(bound)
            if this is not None:
                fmt["this"] = this
            if path is not None:
                fmt["path"] = path
            fmt["value"] = value
            messages = [_message(str(m.value) if isinstance(m, Literal) else str(m), fmt)
                        for m in c.messages]
            out.append((node, path, value, messages))
    return out
