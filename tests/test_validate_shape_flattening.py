"""pyshacl runs the shapes with every node shape's property shapes lifted to the top level
(jakkg/validate.py ``_flattened``), which is faster; the report must be exactly the one the
shapes as written give, on a graph that breaks every shape (tests/test_validate.py's)."""
from __future__ import annotations

from rdflib.namespace import SH
from test_validate import broken, real_quads  # noqa: F401 - module-scoped fixtures

import jakkg.validate as validate


def _results(report):
    return sorted((r.shape, r.severity, r.focus, r.path or "", r.value or "", r.message,
                   r.constraint, r.source or "", r.quote or "", r.graph or "")
                  for r in report.results)


def test_flattened_shapes_report_exactly_what_the_shapes_as_written_report(broken, monkeypatch):  # noqa: F811
    store, _ = broken
    flattened = validate.validate_quads(store)
    monkeypatch.setattr(validate, "_flattened", lambda shapes: shapes)
    as_written = validate.validate_quads(store)
    assert len(as_written.violations) >= 40
    assert _results(flattened) == _results(as_written)


def test_property_shapes_are_lifted_with_their_node_shapes_targets():
    shapes = validate.shapes_graph()
    flat = validate._flattened(shapes)
    shape = validate.URIRef("https://w3id.org/jakkg/shapes#PatientShape")
    props = set(shapes.objects(shape, SH.property))
    assert len(props) == 4
    assert not set(flat.objects(shape, SH.property))
    for prop in props:
        assert set(flat.objects(prop, SH.targetClass)) == set(shapes.objects(shape, SH.targetClass))
    # the SPARQL constraints and node-level constraints stay on the node shape
    dosing = validate.URIRef("https://w3id.org/jakkg/shapes#DosingRegimenShape")
    assert len(set(flat.objects(dosing, SH.sparql))) == len(set(shapes.objects(dosing, SH.sparql))) >= 3
