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


def test_constraints_using_failure_or_the_shapes_graph_are_left_to_pyshacl():
    from rdflib import Graph
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "SELECT $this ?failure WHERE { $this ex:p ?v }" ] ,
                      [ sh:select "SELECT $this WHERE { $this ex:p ?v . FILTER EXISTS { GRAPH $shapesGraph { ?a ?b ?c } } }" ] ,
                      [ sh:select "SELECT $this WHERE { $this ex:p ?v }" ] .
        """)
    kept = shacl_sparql.sparql_constraints(shapes)
    assert [c.query.strip() for c in kept] == ["SELECT $this WHERE { $this ex:p ?v }"]
    assert len(set(shacl_sparql.without_sparql(shapes).objects(None, validate.SH.sparql))) == 2


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


# --- the core constraints (jakkg/shacl_core.py) --------------------------------------------

def test_every_shipped_shape_is_compiled_so_the_fast_engine_needs_no_pyshacl():
    import jakkg.shacl_core as shacl_core
    shapes = shacl_sparql.without_sparql(validate._flattened(validate.shapes_graph()))
    core = shacl_core.compile_shapes(shapes)
    targeted = {s for p in shacl_core.SHAPE_TARGETS for s in shapes.subjects(p, None)}
    assert {s.node for s in core.shapes} == targeted and len(targeted) > 100
    assert not core.rest_has_targets
    names = {name for s in core.shapes for name, _ in s.checks}
    assert {"minCount", "maxCount", "datatype", "class", "in", "pattern", "languageIn",
            "lessThan", "lessThanOrEquals", "hasValue", "not", "or", "maxLength"} <= names


def test_broken_graph_fast_engine_runs_no_pyshacl(broken, broken_reports, monkeypatch):  # noqa: F811
    def refuse(*args, **kwargs):
        raise AssertionError("pyshacl called by the fast engine")
    monkeypatch.setattr(validate, "_pyshacl", refuse)
    monkeypatch.setattr(validate, "to_rdflib", refuse)
    assert _results(validate.validate_quads(broken[0], engine="fast")) == _results(broken_reports[1])


def test_shapes_not_compiled_are_left_to_pyshacl_with_the_same_report(broken, broken_reports, monkeypatch):  # noqa: F811
    """A shape shacl_core cannot compile runs in pyshacl; here every other shape is refused."""
    import jakkg.shacl_core as shacl_core
    original = shacl_core._compile
    refused = set()

    def some(shapes, shape, nested, depth=0):
        if not nested and len(refused) < 60 and hash(str(shape)) % 2:
            refused.add(shape)
            raise shacl_core.NotCompiled("test")
        return original(shapes, shape, nested, depth)

    monkeypatch.setattr(shacl_core, "_compile", some)
    shacl_core.compile_shapes.cache_clear()
    try:
        core = shacl_core.compile_shapes(shacl_sparql.without_sparql(validate._flattened(validate.shapes_graph())))
        assert core.rest_has_targets and refused and core.shapes
        assert _results(validate.validate_quads(broken[0], engine="fast")) == _results(broken_reports[1])
    finally:
        shacl_core.compile_shapes.cache_clear()


EDGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:T ;
  sh:property [ sh:path ex:int ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 10 ; sh:message "int" ] ,
    [ sh:path ex:dec ; sh:datatype xsd:decimal ; sh:minExclusive 0.5 ; sh:maxInclusive 2 ; sh:message "dec" ] ,
    [ sh:path ex:str ; sh:datatype xsd:string ; sh:minLength 2 ; sh:maxLength 4 ; sh:message "str" ] ,
    [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:message "code" ] ,
    [ sh:path ex:name ; sh:languageIn ( "en" ) ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "name" ] ,
    [ sh:path ex:low ; sh:lessThan ex:high ; sh:lessThanOrEquals ex:top ; sh:message "low" ] ,
    [ sh:path ex:kind ; sh:in ( "a" 1 ex:c ) ; sh:hasValue "a" ; sh:message "kind" ] ,
    [ sh:path ( ex:link ex:int ) ; sh:maxInclusive 5 ; sh:message "path" ] ,
    [ sh:path ex:ref ; sh:class ex:Target ; sh:or ( [ sh:class ex:Target ] [ sh:datatype xsd:string ] ) ;
      sh:severity sh:Warning ; sh:message "ref" ] ;
  sh:not [ sh:class ex:Bad ] ; sh:message "not bad" .
"""

EDGE_DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Sub rdfs:subClassOf ex:Target .
ex:good a ex:T ; ex:int 3 ; ex:dec 1.5 ; ex:str "abc" ; ex:code "ABx" ; ex:name "x"@en-GB ;
  ex:low 1 ; ex:high 2 ; ex:top 1 ; ex:kind "a" , 1 , ex:c ; ex:link ex:good ; ex:ref ex:r1 .
ex:r1 a ex:Sub .
ex:bad a ex:T , ex:Bad ; ex:int "x"^^xsd:integer , -1 , 10 , 2.5 , "3" ; ex:dec 0.5 , 3 , "1.0"^^xsd:float , "n"^^xsd:decimal ;
  ex:str "a" , "abcde" , "ab"@en , ex:iri ; ex:code "xab" , "cab" , 12 , ex:ab ;
  ex:name "x"@de , "y" ; ex:low 3 , "s" , ex:i ; ex:high 2 , "t" ; ex:top 2.0 ;
  ex:kind "b" , "1" , 1.0 ; ex:link ex:good , ex:bad ; ex:ref ex:bad , "lit" , 3 .
"""


def test_core_components_match_pyshacl_on_edge_cases():
    """Ill-typed and mistyped literals, language tags, flags, string/number comparisons,
    property pairs, sh:in/hasValue with mixed terms, sequence paths, sh:class via
    subClassOf, sh:or/sh:not, severities: shacl_core reports exactly what pyshacl does."""
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    import jakkg.shacl_core as shacl_core
    shapes = Graph().parse(data=EDGE_SHAPES, format="turtle")
    data = Graph().parse(data=EDGE_DATA, format="turtle")
    _, report, _ = pyshacl_validate(data, shacl_graph=shapes, allow_warnings=True)
    reference = sorted(
        (str(report.value(r, SH.sourceShape)), str(report.value(r, SH.resultSeverity)),
         str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
         str(report.value(r, SH.value)), str(report.value(r, SH.sourceConstraintComponent)),
         str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult))
    core = shacl_core.compile_shapes(validate._flattened(shapes))
    assert len(core.shapes) == 10 and not core.rest_has_targets
    index = shacl_core.Index([tuple(map(shacl_sparql._ox, t)) for t in data])
    fast = sorted((str(s), str(sev), str(f), str(p), str(v),
                   str(SH) + c.removeprefix("sh:"), m[0])
                  for s, sev, f, p, v, m, c in shacl_core.evaluate(core, index, validate._converter()))
    assert len(reference) >= 30
    assert fast == reference
