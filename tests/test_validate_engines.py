"""The fast engine (the sh:sparql constraints evaluated once per graph in pyoxigraph,
jakkg/shacl_sparql.py) reports exactly what pyshacl alone reports, the reference: on the
real graph and on tests/test_validate.py's graph that breaks every shape."""
from __future__ import annotations

import dataclasses

import pytest
from test_validate import broken, real_quads  # noqa: F401 - module-scoped fixtures

import jakkg.shacl_sparql as shacl_sparql
import jakkg.validate as validate


def _results(report):
    return sorted((r.shape, r.severity, r.focus, r.path or "", r.value or "", r.message,
                   r.constraint, r.source or "", r.quote or "", r.graph or "")
                  for r in report.results)


@pytest.fixture(scope="module")
def broken_reports(broken):  # noqa: F811
    store, _ = broken
    return (validate.validate_quads(store, engine="fast"),
            validate.validate_quads(store, engine="pyshacl"))


def test_real_graph_same_report_from_both_engines(real_quads):  # noqa: F811
    fast = validate.validate_quads(real_quads, engine="fast")
    reference = validate.validate_quads(real_quads, engine="pyshacl")
    assert len(reference.results) == 4 and reference.conforms
    assert _results(fast) == _results(reference)


def test_broken_graph_same_report_from_both_engines(broken_reports):
    fast, reference = broken_reports
    sparql = [r for r in reference.results if r.constraint == "sh:SPARQLConstraintComponent"]
    # 7 of the 10 SPARQL constraints are broken there (offsets twice, the same drug twice,
    # 500 mg/day, no frequency, a drug not given, 161.1%)
    assert len(reference.violations) >= 40 and len(sparql) == 7
    assert {r.shape for r in sparql} == {
        "shape:EvidenceShape", "shape:TherapyCourseShape", "shape:DosingRegimenShape",
        "shape:AdverseEventReportShape", "shape:CohortStatisticShape"}
    assert _results(fast) == _results(reference)


def test_per_focus_node_fallback_gives_the_same_report(broken, broken_reports, monkeypatch):  # noqa: F811
    """A constraint that cannot be evaluated unbound runs once per focus node with $this
    substituted; forcing that on every constraint changes nothing."""
    original = shacl_sparql.sparql_constraints

    def per_focus(shapes):
        return tuple(dataclasses.replace(c, unbound=False) for c in original(shapes))

    monkeypatch.setattr(shacl_sparql, "sparql_constraints", per_focus)
    assert _results(validate.validate_quads(broken[0], engine="fast")) == _results(broken_reports[1])


def test_shipped_constraints_are_all_taken_over_and_evaluated_unbound():
    shapes = validate._flattened(validate.shapes_graph())
    constraints = shacl_sparql.sparql_constraints(shapes)
    assert len(constraints) == len(set(shapes.objects(None, validate.SH.sparql))) >= 10
    assert all(c.unbound for c in constraints)
    assert not set(shacl_sparql.without_sparql(shapes).objects(None, validate.SH.sparql))


@pytest.mark.parametrize("select, unbound", [
    ("SELECT $this ?value WHERE { $this <p> ?value . FILTER (?value > 3) }", True),
    ("SELECT $this WHERE { ?x <p> $this . FILTER NOT EXISTS { $this <q> ?y } }", True),
    ("SELECT $this ?v WHERE { { $this <p> ?v } UNION { $this <q> ?v } $this <r> ?w }", True),
    # $this only inside nested groups or expressions: not bound in every solution
    ("SELECT $this WHERE { { $this <p> ?v } UNION { ?x <q> ?v } }", False),
    ("SELECT $this WHERE { FILTER NOT EXISTS { $this <p> ?v } }", False),
    ("SELECT $this ?x WHERE { BIND ($this AS ?x) $this <p> ?v }", False),
    ("SELECT $this WHERE { $this <p> ?v MINUS { $this <q> ?v } }", False),
    ("SELECT $this WHERE { OPTIONAL { $this <q> ?w } $this <p> ?v }", False),
    ("SELECT ?value WHERE { $this <p> ?value }", False),          # no ?this column
    ("SELECT $this WHERE { $this <p> ?v } LIMIT 1", False),
    ('SELECT $this WHERE { ?x <p> "$this {" }', False),            # $this in a string only
])
def test_prebinding_check(select, unbound):
    assert shacl_sparql.prebinding_free(select) is unbound


def test_unknown_engine_is_a_one_line_error(real_quads):  # noqa: F811
    with pytest.raises(validate.JakkgError, match="engine 'rudof' is not one of fast, pyshacl"):
        validate.validate_quads(real_quads, engine="rudof")


def test_validate_graph_on_an_rdflib_graph_same_from_both_engines(broken):  # noqa: F811
    """The rdflib entry point (one graph, no store): the fast engine loads it into a scratch
    pyoxigraph store for the SPARQL constraints."""
    from pyoxigraph import NamedNode

    from jakkg.namespaces import LEXICON_GRAPH
    from test_validate import LETTER_GRAPH
    store, _ = broken
    data = validate.to_rdflib(q for g in (LETTER_GRAPH, LEXICON_GRAPH)
                              for q in store.quads_for_pattern(None, None, None, NamedNode(g)))

    def key(results):
        return sorted((r.shape, r.focus, r.path or "", r.value or "", r.message, r.constraint, r.source or "")
                      for r in results)
    fast = validate.validate_graph(data, LETTER_GRAPH, engine="fast")
    reference = validate.validate_graph(data, LETTER_GRAPH, engine="pyshacl")
    assert any("above the most that is plausible" in r.message for r in fast)
    assert key(fast) == key(reference) and len(fast) >= 20
