"""OWL reasoning: classify drugs, therapy courses and claims under the ontology's defined
classes (JAK1Inhibitor, SelectiveJAKInhibitor, CombinationTherapyCourse, OffLabelUse, ...)
and materialise the inferred types into their own named graph.

The reasoning input is small on purpose: the ontology graph, the lexicon graph, and from the
document graphs only the triples whose property some defined class restricts (plus the
rdf:type of their subjects) — never evidence nodes. Two things are added to the input only
(never to the store):

* the closure for ``SelectiveJAKInhibitor``: for each drug with ``jakkg:inhibits`` links
  (all of which come from ``data/lexicon/targets.tsv``), ``inhibits max n JAKIsoform``
  where n is the number of isoforms listed for it — the curated target list is taken as
  complete for the drugs it lists (the isoforms are pairwise different by the ontology's
  owl:AllDifferent axiom);
* nothing else: every other fact comes from the store.

HermiT (via owlready2, needs Java) decides consistency, satisfiability and types. Without
Java the command says so and falls back to owlrl, which covers the OWL 2 RL subset
(hasValue / intersection classes, not the qualified cardinality of SelectiveJAKInhibitor).
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from .errors import JakkgError
from .namespaces import GRAPH, JAKKG, LEXICON_GRAPH, ONTOLOGY_GRAPH, OWL, RDF, XSD

INFERRED_GRAPH = GRAPH + "inferred"
TYPE = NamedNode(RDF + "type")
JAVA_MEMORY_MB = 1000


class ReasoningError(JakkgError):
    """The ontology (with the data) is inconsistent, or the reasoner failed."""


@dataclass
class ReasonResult:
    reasoner: str                                   # "HermiT" or "owlrl"
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred: list[tuple[str, str]] = field(default_factory=list)   # (individual, class)
    input_triples: int = 0
    note: str = ""

    def by_class(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for ind, cls in self.inferred:
            out.setdefault(cls, []).append(ind)
        return {c: sorted(v) for c, v in sorted(out.items())}


def java_available() -> bool:
    return shutil.which("java") is not None


# --- the reasoning input -------------------------------------------------------------------

def _triples(store: Store, graph: str) -> list[Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(graph))]


def restricted_properties(tbox: list[Triple]) -> set[NamedNode]:
    on = NamedNode(OWL + "onProperty")
    return {t.object for t in tbox if t.predicate == on and isinstance(t.object, NamedNode)}


def closure_axioms(triples: list[Triple]) -> list[Triple]:
    """``drug ∈ (inhibits max n JAKIsoform)`` for every drug with listed targets."""
    inhibits = NamedNode(JAKKG + "inhibits")
    counts: dict[NamedNode, set] = {}
    for t in triples:
        if t.predicate == inhibits:
            counts.setdefault(t.subject, set()).add(t.object)
    out = []
    for drug, isoforms in sorted(counts.items(), key=lambda kv: kv[0].value):
        r = BlankNode()
        out += [
            Triple(r, TYPE, NamedNode(OWL + "Restriction")),
            Triple(r, NamedNode(OWL + "onProperty"), inhibits),
            Triple(r, NamedNode(OWL + "maxQualifiedCardinality"),
                   Literal(str(len(isoforms)), datatype=NamedNode(XSD + "nonNegativeInteger"))),
            Triple(r, NamedNode(OWL + "onClass"), NamedNode(JAKKG + "JAKIsoform")),
            Triple(drug, TYPE, r),
        ]
    return out


def reasoning_input(store: Store) -> list[Triple]:
    tbox = _triples(store, ONTOLOGY_GRAPH)
    if not tbox:
        raise ReasoningError("the store has no ontology graph; run `jakkg build` first")
    lexicon = _triples(store, LEXICON_GRAPH)
    props = restricted_properties(tbox)
    data: list[Triple] = []
    subjects = set()
    for q in store:
        g = q.graph_name
        if not isinstance(g, NamedNode) or g.value in (ONTOLOGY_GRAPH, LEXICON_GRAPH, INFERRED_GRAPH):
            continue
        if q.predicate in props:
            data.append(q.triple)
            subjects.add(q.subject)
    for s in subjects:
        data += [q.triple for q in store.quads_for_pattern(s, TYPE, None)
                 if q.graph_name != NamedNode(INFERRED_GRAPH)]
    return tbox + lexicon + data + closure_axioms(lexicon + data)


# --- reasoners -----------------------------------------------------------------------------

def _hermit(triples: list[Triple]) -> ReasonResult:
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, ThingClass

    owlready2.reasoning.JAVA_MEMORY = JAVA_MEMORY_MB
    with tempfile.TemporaryDirectory(prefix="jakkg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        path.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES))
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(format="ntriples")

        def types(ind) -> set[str]:
            return {c.iri for c in ind.INDIRECT_is_a if isinstance(c, ThingClass)}

        builtin = (OWL, RDF, "http://www.w3.org/2000/01/rdf-schema#")
        iris = sorted({t.subject.value for t in triples
                       if t.predicate == TYPE and isinstance(t.subject, NamedNode)
                       and isinstance(t.object, NamedNode) and not t.object.value.startswith(builtin)})
        individuals = [ind for ind in (world[i] for i in iris)
                       if ind is not None and not isinstance(ind, ThingClass)
                       and hasattr(ind, "INDIRECT_is_a")]
        before = {ind.iri: types(ind) for ind in individuals}
        try:
            with world.get_ontology("http://inferrences/"):
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            return ReasonResult("HermiT", False, input_triples=len(triples))
        except owlready2.OwlReadyJavaError as e:
            raise ReasoningError(f"HermiT failed: {str(e).strip().splitlines()[-1]}") from None
        unsat = sorted(c.iri for c in world.inconsistent_classes()
                       if hasattr(c, "iri") and c.iri != OWL + "Nothing")
        inferred = []
        for ind in individuals:
            for cls in sorted(types(ind) - before[ind.iri] - {OWL + "Thing"}):
                inferred.append((ind.iri, cls))
        world.close()
    return ReasonResult("HermiT", True, unsat, sorted(inferred), len(triples))


def _owlrl(triples: list[Triple], note: str = "") -> ReasonResult:
    import owlrl
    import rdflib

    g = rdflib.Graph()
    g.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    classes = {s for s in g.subjects(rdflib.RDF.type, rdflib.OWL.Class)
               if isinstance(s, rdflib.URIRef)}
    before = set(g.triples((None, rdflib.RDF.type, None)))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    consistent = not any(True for _ in g.subjects(rdflib.RDF.type, rdflib.OWL.Nothing))
    inferred = sorted({(str(s), str(o)) for s, _, o in g.triples((None, rdflib.RDF.type, None))
                       if (s, rdflib.RDF.type, o) not in before and isinstance(s, rdflib.URIRef)
                       and o in classes and o != rdflib.OWL.Thing})
    return ReasonResult("owlrl", consistent, [], inferred, len(triples), note)


def reason_triples(triples: list[Triple], reasoner: str = "auto") -> ReasonResult:
    if reasoner not in ("auto", "hermit", "owlrl"):
        raise ReasoningError(f"unknown reasoner '{reasoner}' (choose auto, hermit or owlrl)")
    if reasoner == "owlrl":
        return _owlrl(triples, "owlrl chosen: OWL 2 RL subset only (no cardinality classes)")
    if not java_available():
        if reasoner == "hermit":
            raise ReasoningError("HermiT needs Java, and no `java` is on the PATH")
        return _owlrl(triples, "Java not found: fell back to owlrl (OWL 2 RL subset; "
                               "SelectiveJAKInhibitor and satisfiability are not checked)")
    return _hermit(triples)


# --- the command ---------------------------------------------------------------------------

def inferred_quads(result: ReasonResult) -> list[Quad]:
    g = NamedNode(INFERRED_GRAPH)
    return [Quad(NamedNode(i), TYPE, NamedNode(c), g) for i, c in result.inferred]


def reason(store_path: str | Path | None = None, reasoner: str = "auto",
           write: bool = True) -> ReasonResult:
    """Reason over the store; on success replace its inferred graph (atomically: the whole
    store is rewritten beside the old one and swapped in)."""
    from .store import default_store_path, open_store, write_store

    path = Path(store_path) if store_path else default_store_path()
    store = open_store(path)
    result = reason_triples(reasoning_input(store), reasoner)
    if not result.consistent:
        raise ReasoningError(f"the ontology with the data is inconsistent ({result.reasoner}); "
                             "the store was not changed", path)
    if write:
        keep = [q for q in store
                if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value == INFERRED_GRAPH)]
        del store
        write_store(path, keep + inferred_quads(result))
    return result
