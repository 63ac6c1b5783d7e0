"""The review's claims conform to ontology/shapes.ttl, and a broken claim does not.
(Issue 3's ontology/shapes-review.ttl is merged into shapes.ttl.)"""
from pyoxigraph import Literal, NamedNode, Quad

from jakkg.namespaces import GRAPH, JAKKG
from jakkg.validate import validate_quads

REVIEW_GRAPH = NamedNode(GRAPH + "nussbaum-offlabel-jaki-review")


def test_built_review_graph_conforms(store):
    report = validate_quads(store)
    assert report.conforms, report.to_text()
    assert GRAPH + "nussbaum-offlabel-jaki-review" in report.graphs


def test_broken_claim_is_reported(store):
    from jakkg.store import memory_store
    quads = list(store)
    broken = memory_store(quads)
    claim = next(q.subject for q in broken.quads_for_pattern(
        None, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(JAKKG + "DrugUseClaim"),
        REVIEW_GRAPH))
    integer = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    for p in ("useStatus", "responders", "patientCount"):
        for q in list(broken.quads_for_pattern(claim, NamedNode(JAKKG + p), None, REVIEW_GRAPH)):
            broken.remove(q)
    broken.add(Quad(claim, NamedNode(JAKKG + "useStatus"), Literal("approved-ish"), REVIEW_GRAPH))
    broken.add(Quad(claim, NamedNode(JAKKG + "responders"), Literal("9", datatype=integer), REVIEW_GRAPH))
    broken.add(Quad(claim, NamedNode(JAKKG + "patientCount"), Literal("5", datatype=integer), REVIEW_GRAPH))
    report = validate_quads(broken)
    hits = {(r.path, r.value) for r in report.violations
            if r.shape == "shape:DrugUseClaimShape" and r.focus == claim.value}
    assert hits == {("jakkg:useStatus", "approved-ish"), ("jakkg:responders", "9")}
