"""The review's classes conform to ontology/shapes-review.ttl, and a broken node does not."""
import pyshacl
import pytest
import rdflib
from conftest import ROOT

from jakkg.export import serialise

SHAPES = ROOT / "ontology" / "shapes-review.ttl"


@pytest.fixture(scope="module")
def data(store):
    """The review's graph with the lexicon and the ontology (for sh:class via subClassOf)."""
    keep = ("/graph/nussbaum-offlabel-jaki-review>", "/graph/lexicon>", "/graph/ontology>")
    lines = [line.rsplit(b" ", 2)[0] + b" ." for line in serialise(store, "nquads").splitlines()
             if any(k.encode() in line for k in keep)]
    g = rdflib.Graph()
    g.parse(data=b"\n".join(lines).decode("utf-8"), format="nt")
    return g


def validate(g):
    shapes = rdflib.Graph().parse(SHAPES)
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=True)
    return conforms, text


def test_built_graph_conforms(data):
    conforms, text = validate(data)
    assert conforms, text


def test_broken_claim_is_reported(data):
    g = rdflib.Graph()
    for t in data:
        g.add(t)
    J = rdflib.Namespace("https://w3id.org/jakkg/ontology#")
    claim = next(g.subjects(rdflib.RDF.type, J.DrugUseClaim))
    g.add((claim, J.useStatus, rdflib.Literal("approved-ish")))
    g.add((claim, J.responders, rdflib.Literal(9)))
    g.add((claim, J.patientCount, rdflib.Literal(5)))
    conforms, text = validate(g)
    assert not conforms
    assert "useStatus" in text and "responders" in text
