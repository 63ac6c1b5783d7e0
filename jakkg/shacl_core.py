"""SHACL core constraints evaluated over one graph's triples, without rdflib or pyshacl.

pyshacl needs the graph in rdflib's in-memory store (adding ~1M triples costs a third of a
validated 1M build) and walks it node by node (half of the rest). Here the shapes of
ontology/shapes.ttl (flattened as pyshacl runs them, ``validate._flattened``) are compiled
once into ``CoreShape`` records, and each validated graph — the document, the lexicon, their
RDFS entailments and the ontology axioms pyshacl mixes in (``ontology_axioms``) — becomes an
``Index`` of pyoxigraph terms (predicate → subject → objects). Every top-level shape then
runs once over all its focus nodes.

Each component follows pyshacl 0.40's own implementation (pyshacl/constraints/core/*), on
the same rdflib terms pyshacl would see (a value is converted to rdflib only where its
literal value matters, each distinct term once): sh:datatype on ill-typed literals and
language-tagged strings, sh:pattern with sh:flags, sh:class via rdf:type and
rdfs:subClassOf* in the data, sh:lessThan reported once per offending pair, sh:hasValue and
the cardinalities without sh:value, node shapes reporting the focus node as sh:value, and
severity and messages from the (property) shape itself. pyshacl stays the reference:
``engine="pyshacl"``; tests/test_validate_engines.py and benchmarks/check_engines.py assert
both engines give the same report.

Components compiled: targets (class, node, subjectsOf, objectsOf); predicate and sequence
paths; minCount, maxCount, datatype, class, min/maxInclusive, min/maxExclusive, in,
hasValue, lessThan, lessThanOrEquals, languageIn, pattern (+ flags), minLength, maxLength,
not, or (nested shapes built from the same). A top-level shape using anything else — or
with no sh:message, or a sh:sparql constraint jakkg/shacl_sparql.py did not take over — is
left to pyshacl (``CoreShapes.rest``), as is the whole graph with ``engine="pyshacl"``.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import BlankNode as OxBlankNode, Literal as OxLiteral, NamedNode
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

SHAPE_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
ANNOTATIONS = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.order, SH.group}
COMPONENTS = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.minInclusive,
              SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH["in"], SH.hasValue,
              SH.lessThan, SH.lessThanOrEquals, SH.languageIn, SH.pattern, SH.flags,
              SH.minLength, SH.maxLength, SH["not"], SH["or"]}
RDF_TYPE, SUBCLASS = NamedNode(str(RDF.type)), NamedNode(str(RDFS.subClassOf))
XSD_STRING = NamedNode(str(XSD.string))
_FORCE_COMPARE_LITERAL_VALUE = (datetime.datetime, datetime.time)   # as pyshacl.rdfutil.compare
_EMPTY: frozenset = frozenset()


class NotCompiled(Exception):
    """A shape uses something this module does not evaluate: pyshacl does."""


@dataclass(frozen=True)
class CoreShape:
    node: object                   # the shape (rdflib term), reported as sh:sourceShape
    targets: tuple                 # ((target predicate, pyoxigraph term), ...); () when nested
    path: object                   # the sh:path term (rdflib) or None for a node shape
    steps: tuple                   # the path as a sequence of predicates (NamedNode)
    severity: object
    messages: tuple                # (str, ...)
    checks: tuple                  # ((component local name, parameter), ...)


@dataclass(frozen=True)
class CoreShapes:
    shapes: tuple                  # the compiled top-level shapes
    rest: Graph                    # the shapes graph pyshacl still runs (compiled targets removed)
    rest_has_targets: bool


def reachable(start, edges: dict) -> set:
    """``start`` and every node reachable from it along ``edges`` (node -> nodes)."""
    seen, stack = {start}, [start]
    while stack:
        for n in edges.get(stack.pop(), ()):
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def _ox(term):
    if isinstance(term, URIRef):
        return NamedNode(str(term))
    if isinstance(term, BNode):
        return OxBlankNode(str(term))
    if term.language:
        return OxLiteral(str(term), language=term.language)
    return OxLiteral(str(term), datatype=NamedNode(str(term.datatype)) if term.datatype else None)


# --- compiling -------------------------------------------------------------------------------

def _steps(shapes: Graph, path) -> tuple:
    if isinstance(path, URIRef):
        return (NamedNode(str(path)),)
    if isinstance(path, BNode) and (path, RDF.first, None) in shapes:
        items = list(shapes.items(path))
        if items and all(isinstance(i, URIRef) for i in items):
            return tuple(NamedNode(str(i)) for i in items)
    raise NotCompiled(f"path {path}")


def _one(shapes: Graph, shape, p):
    values = list(shapes.objects(shape, p))
    if len(values) != 1:
        raise NotCompiled(f"{len(values)} values of {p}")
    return values[0]


def _compile(shapes: Graph, shape, nested: bool, depth: int = 0) -> CoreShape:
    if depth > 8:
        raise NotCompiled("deep nesting")
    preds = set(shapes.predicates(shape))
    allowed = ANNOTATIONS | COMPONENTS | {SH.path, SH.message, SH.severity} | (
        set() if nested else set(SHAPE_TARGETS))
    if preds - allowed:
        raise NotCompiled(f"{sorted(preds - allowed)}")
    messages = tuple(str(m.value) if isinstance(m, Literal) else str(m)
                     for m in shapes.objects(shape, SH.message))
    if not nested and not messages and preds & COMPONENTS:
        raise NotCompiled("no sh:message: pyshacl writes its own")
    if nested and (SH.severity in preds or SH.message in preds):
        raise NotCompiled("severity or message on a nested shape")
    path = shapes.value(shape, SH.path)
    checks = []
    for p in sorted(preds & COMPONENTS, key=str):
        name = p.split("#", 1)[1]
        if p == SH.flags:
            continue
        for value in shapes.objects(shape, p):
            if p in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
                if not isinstance(value, Literal) or not isinstance(value.value, int) or value.value < 0:
                    raise NotCompiled(f"{p} {value}")
                checks.append((name, int(value.value)))
            elif p == SH.datatype:
                checks.append((name, _one(shapes, shape, p)))
            elif p == SH["class"]:
                checks.append((name, NamedNode(str(value)) if isinstance(value, URIRef) else _raise(p)))
            elif p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
                if not isinstance(value, Literal):
                    raise NotCompiled(f"{p} {value}")
                checks.append((name, value))
            elif p == SH["in"]:
                checks.append((name, frozenset(shapes.items(value))))
            elif p == SH.hasValue:
                checks.append((name, value))
            elif p in (SH.lessThan, SH.lessThanOrEquals):
                if not isinstance(value, URIRef):
                    raise NotCompiled(f"{p} {value}")
                checks.append((name, NamedNode(str(value))))
            elif p == SH.languageIn:
                langs = list(shapes.items(value))
                if not all(isinstance(x, Literal) and isinstance(x.value, str) for x in langs):
                    raise NotCompiled("languageIn")
                checks.append((name, frozenset(str(x.value).lower() for x in langs)))
            elif p == SH.pattern:
                flags = list(shapes.objects(shape, SH.flags))
                re_flags = 0
                if flags:
                    text = str(flags[0].value if isinstance(flags[0], Literal) else flags[0]).lower()
                    re_flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
                text = str(value.value) if value.value is not None and len(value.value) > 1 else str(value)
                checks.append((name, re.compile(text, re_flags)))
            elif p == SH["not"]:
                checks.append((name, _compile(shapes, value, True, depth + 1)))
            elif p == SH["or"]:
                checks.append((name, tuple(_compile(shapes, s, True, depth + 1)
                                           for s in shapes.items(value))))
    targets = tuple((p, _ox(o)) for p in SHAPE_TARGETS for o in shapes.objects(shape, p))
    if any(p != SH.targetNode and not isinstance(o, NamedNode) for p, o in targets):
        raise NotCompiled("target")
    return CoreShape(node=shape, targets=targets, path=path,
                     steps=_steps(shapes, path) if path is not None else (),
                     severity=shapes.value(shape, SH.severity) or SH.Violation,
                     messages=messages, checks=tuple(checks))


def _raise(p):
    raise NotCompiled(str(p))


@lru_cache(maxsize=4)
def compile_shapes(shapes: Graph) -> CoreShapes:
    """The top-level shapes of ``shapes`` (flattened, sh:sparql taken over already) that this
    module evaluates, and the shapes graph left for pyshacl."""
    if any((s, RDF.type, c) in shapes for s in shapes.subjects(RDF.type, SH.NodeShape)
           for c in (RDFS.Class, OWL.Class)):
        return CoreShapes((), shapes, True)         # implicit class targets: all to pyshacl
    compiled = []
    rest = Graph()
    rest += shapes
    for shape in sorted({s for p in SHAPE_TARGETS for s in shapes.subjects(p, None)}, key=str):
        if (shape, SH.deactivated, None) in shapes:
            continue
        try:
            compiled.append(_compile(shapes, shape, nested=False))
        except NotCompiled:
            continue
        for p in SHAPE_TARGETS:
            rest.remove((shape, p, None))
    has_targets = any(True for p in SHAPE_TARGETS for _ in rest.subject_objects(p))
    return CoreShapes(tuple(compiled), rest, has_targets)


# --- the graph -------------------------------------------------------------------------------

class Index:
    """One validated graph's triples (pyoxigraph terms): predicate -> subject -> objects."""

    def __init__(self, triples):
        sp: dict = {}
        types: dict = {}
        for s, p, o in triples:
            d = sp.get(p)
            if d is None:
                d = sp[p] = {}
            objs = d.get(s)
            if objs is None:
                objs = d[s] = set()
            objs.add(o)
        for s, cs in sp.get(RDF_TYPE, {}).items():
            for c in cs:
                types.setdefault(c, set()).add(s)
        self.sp, self.instances_of = sp, types
        self._supers: dict = {}
        self._subs: dict = {}
        self._down: dict | None = None

    def objects(self, s, p):
        return self.sp.get(p, {}).get(s, ())

    def values(self, focus, steps) -> set:
        """The value nodes of ``focus`` along a sequence path (not to be modified)."""
        if len(steps) == 1:
            return self.sp.get(steps[0], {}).get(focus, _EMPTY)
        nodes = {focus}
        for p in steps:
            by_s = self.sp.get(p, {})
            nodes = {o for n in nodes for o in by_s.get(n, ())}
        return nodes

    def superclasses(self, c) -> set:
        """c and its rdfs:subClassOf* ancestors in the data (pyshacl's transitive_objects)."""
        out = self._supers.get(c)
        if out is None:
            out = self._supers[c] = reachable(c, self.sp.get(SUBCLASS, {}))
        return out

    def subclasses(self, c) -> set:
        out = self._subs.get(c)
        if out is None:
            if self._down is None:     # rdfs:subClassOf inverted, once per graph
                self._down = {}
                for s, os_ in self.sp.get(SUBCLASS, {}).items():
                    for o in os_:
                        self._down.setdefault(o, set()).add(s)
            out = self._subs[c] = reachable(c, self._down)
        return out

    def focus_nodes(self, targets) -> set:
        nodes: set = set()
        for p, o in targets:
            if p == SH.targetClass:
                for c in self.subclasses(o):
                    nodes |= self.instances_of.get(c, set())
            elif p == SH.targetNode:
                nodes.add(o)
            elif p == SH.targetSubjectsOf:
                nodes.update(self.sp.get(o, {}))
            else:
                for objs in self.sp.get(o, {}).values():
                    nodes |= objs
        return nodes


# --- evaluating ------------------------------------------------------------------------------

def _compare_literal(l1, l2) -> int:
    """pyshacl.rdfutil.compare.compare_literal."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in _FORCE_COMPARE_LITERAL_VALUE:
        if l1.value == l2.value:
            return 0
        elif l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _as_string(v) -> str:
    """pyshacl's StringBasedConstraintBase.value_node_to_string."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


_ACTUAL = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
           XSD.float: float, XSD.boolean: bool, XSD.date: datetime.date,
           XSD.time: datetime.time, XSD.dateTime: datetime.datetime}


def _actual(v, rule) -> bool:
    if rule == XSD.decimal:
        return isinstance(v.value, Decimal)
    kind = _ACTUAL.get(rule)
    return True if kind is None else isinstance(v.value, kind)


def _datatype_ok(v, rule) -> bool:
    """pyshacl's DatatypeConstraintComponent on one (rdflib) value node."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        return False if getattr(v, "ill_typed", None) is True else _actual(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual(v, rule)
    if rule == RDF.langString and v.language:
        return _actual(v, rule)
    return False


def _range_ok(v, bound, name) -> bool:
    if not isinstance(v, Literal):
        return False
    bound_is_string, v_is_string = isinstance(bound.value, str), isinstance(v.value, str)
    if bound_is_string != v_is_string:
        return False
    try:
        cmp = _compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return False
    return {"minExclusive": cmp > 0, "minInclusive": cmp >= 0,
            "maxExclusive": cmp < 0, "maxInclusive": cmp <= 0}[name]


def _pair_fails(value, other, strict: bool) -> bool:
    """pyshacl's _compare_lt / _compare_ltoe on one (value, compare value) pair."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        from .errors import JakkgError
        raise JakkgError("cannot validate: sh:lessThan(OrEquals) on a blank node")

    def plain(x):
        if isinstance(x, URIRef):
            return str(x), True
        if isinstance(x, Literal) and isinstance(x.value, str):
            return x.value, True
        return x, False
    a, a_str = plain(value)
    b, b_str = plain(other)
    if a_str != b_str:
        return True
    return not (a < b) if strict else not (a <= b)


_NUMBERS = {NamedNode(str(XSD.integer)): (re.compile(r"[+-]?[0-9]+"), int, XSD.integer),
            NamedNode(str(XSD.decimal)): (re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
                                          Decimal, XSD.decimal)}
_RANGES = ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive")


def _number_ok(name: str, param, v):
    """pyshacl's datatype or range check on a well-formed xsd:integer/xsd:decimal literal
    without making an rdflib Literal (its value is the Python int/Decimal; rdflib compares
    numeric literals by value); None when this shortcut does not apply."""
    kind = _NUMBERS.get(v.datatype)
    if kind is None or not kind[0].fullmatch(v.value):
        return None
    if name == "datatype":
        return param == kind[2] or param in (RDFS.Literal, RDFS.Datatype)
    bound = param.value
    if name in _RANGES and type(bound) in (int, Decimal):
        x = kind[1](v.value)
        cmp = (x > bound) - (x < bound)
        return {"minExclusive": cmp > 0, "minInclusive": cmp >= 0,
                "maxExclusive": cmp < 0, "maxInclusive": cmp <= 0}[name]
    return None


def _value_ok(name: str, param, v, term) -> bool:
    """One value node against one value-type, range or string component, as pyshacl."""
    if isinstance(v, OxLiteral) and (name == "datatype" or name in _RANGES):
        ok = _number_ok(name, param, v)
        if ok is not None:
            return ok
    if isinstance(v, OxLiteral) and v.datatype == XSD_STRING:    # a plain string: no rdflib
        if name == "datatype" and param == XSD.string:
            return True
        if name == "pattern":
            return bool(param.match(v.value) or param.search(v.value))
        if name == "minLength":
            return len(v.value) >= param
        if name == "maxLength":
            return len(v.value) <= param
    tv = term(v)
    if name == "datatype":
        return _datatype_ok(tv, param)
    if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
        return _range_ok(tv, param, name)
    if name == "in":
        return tv in param
    if name == "languageIn":
        lang = tv.language if isinstance(tv, Literal) else None
        return bool(lang) and (str(lang).lower() in param or "*" in param
                               or str(lang).split("-")[0].lower() in param)
    if name == "pattern":
        text = _as_string(tv)
        return not isinstance(tv, BNode) and bool(param.match(text) or param.search(text))
    if name == "minLength":
        return param == 0 or (not isinstance(tv, BNode) and len(_as_string(tv)) >= param)
    if name == "maxLength":
        return not isinstance(tv, BNode) and len(_as_string(tv)) <= param
    raise NotCompiled(name)                     # pragma: no cover - compile_shapes


def _violations(shape: CoreShape, index: Index, focus, term, memo: dict) -> list:
    """(component, value or None) for each result of ``shape`` on ``focus``, as pyshacl."""
    values = index.values(focus, shape.steps) if shape.steps else {focus}
    out = []
    for name, param in shape.checks:
        if name == "minCount":
            if param and len(values) < param:
                out.append((name, None))
        elif name == "maxCount":
            if len(values) > param:
                out.append((name, None))
        elif name == "hasValue":
            if not any(term(v) == param for v in values):
                out.append((name, None))
        elif name == "class":
            for v in values:
                if isinstance(v, OxLiteral) or not any(
                        param in index.superclasses(t) for t in index.objects(v, RDF_TYPE)):
                    out.append((name, v))
        elif name in ("lessThan", "lessThanOrEquals"):
            others = index.objects(focus, param)
            for v in values:
                tv = term(v)
                for o in others:
                    if _pair_fails(tv, term(o), name == "lessThan"):
                        out.append((name, v))
        elif name == "not":
            out.extend((name, v) for v in values if not _violations(param, index, v, term, memo))
        elif name == "or":
            out.extend((name, v) for v in values
                       if not any(not _violations(s, index, v, term, memo) for s in param))
        else:
            for v in values:
                key = (name, param, v)
                ok = memo.get(key)
                if ok is None:
                    ok = _value_ok(name, param, v, term)
                    if not (isinstance(v, OxLiteral) and v.datatype == XSD_STRING):
                        memo[key] = ok      # not the (mostly unique) quoted strings
                if not ok:
                    out.append((name, v))
    return out


def evaluate(compiled: CoreShapes, index: Index, term) -> list[tuple]:
    """Results of the compiled shapes on ``index``: (shape, severity, focus, path, value,
    messages, component) with rdflib terms (``term`` converts a pyoxigraph term)."""
    out: list = []
    memo: dict = {}
    focus_of: dict = {}
    for shape in compiled.shapes:
        nodes = focus_of.get(shape.targets)
        if nodes is None:
            nodes = focus_of[shape.targets] = index.focus_nodes(shape.targets)
        for focus in nodes:
            for name, value in _violations(shape, index, focus, term, memo):
                component = name[0].upper() + name[1:] + "ConstraintComponent"
                out.append((shape.node, shape.severity, term(focus), shape.path,
                            None if value is None else term(value), list(shape.messages),
                            "sh:" + component))
    return out


@lru_cache(maxsize=4)
def ontology_axioms(ontology: Graph) -> tuple:
    """The ontology triples pyshacl mixes into the data graph before validating (its
    ``inoculate``: the RDFS/OWL axioms and named individuals), as pyoxigraph triples."""
    from pyshacl.rdfutil.inoculate import inoculate
    return tuple((_ox(s), _ox(p), _ox(o)) for s, p, o in inoculate(Graph(), ontology))
