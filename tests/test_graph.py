"""The built store: counts, facts, provenance, determinism, exports."""
import pytest
import rdflib
from conftest import SOURCES, select
from rdflib.compare import isomorphic

import jakkg
from jakkg.export import FORMATS, serialise
from jakkg.store import open_store


def count(store, cls):
    return select(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a jakkg:{cls} }}")[0]["n"]


def test_counts(store):
    assert count(store, "TherapyCourse") == 22
    assert count(store, "Patient") == 18
    assert count(store, "SourceDocument") == 2
    assert count(store, "JAKIsoform") == 4


def test_sex_split_and_disease_per_patient(store):
    rows = select(store, "SELECT ?sex (COUNT(?p) AS ?n) WHERE { ?p a jakkg:Patient ; jakkg:sex ?sex } GROUP BY ?sex")
    assert {r["sex"]: r["n"] for r in rows} == {"male": 7, "female": 11}
    rows = select(store, """SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE {
        ?c a jakkg:TherapyCourse ; jakkg:patient ?p ; jakkg:disease/rdfs:label ?label } GROUP BY ?label""")
    assert {r["label"]: r["n"] for r in rows} == {"alopecia areata": 12, "atopic dermatitis": 5,
                                                  "interstitial granulomatous dermatitis": 1}


def test_combined_drugs(store):
    rows = select(store, """SELECT ?label (COUNT(?c) AS ?n) WHERE {
        ?c jakkg:combinedRegimen/jakkg:drug/rdfs:label ?label } GROUP BY ?label""")
    assert {r["label"]: r["n"] for r in rows} == {"methotrexate": 12, "prednisone": 4, "dupilumab": 4,
                                                  "tacrolimus": 1, "cyclosporine": 1}


def test_case_13_regimen_in_graph(store):
    rows = select(store, """SELECT ?drug ?value ?unit ?freq ?route ?daily WHERE {
        ?c jakkg:caseNumber 13 ; jakkg:combinedRegimen ?r .
        ?r jakkg:drug/rdfs:label ?drug ; jakkg:doseValue ?value ; jakkg:doseUnit ?unit ;
           jakkg:frequency ?freq ; jakkg:route/rdfs:label ?route ; jakkg:dailyDose ?daily }""")
    assert rows == [{"drug": "methotrexate", "value": 15.0, "unit": "mg", "freq": "weekly",
                     "route": "oral", "daily": pytest.approx(2.142857)}]


def test_case_19_cyclosporine_200_mg_per_day(store):
    rows = select(store, """SELECT ?drug ?daily WHERE { ?c jakkg:caseNumber 19 ;
        jakkg:combinedRegimen [ jakkg:drug/rdfs:label ?drug ; jakkg:dailyDose ?daily ] }""")
    assert rows == [{"drug": "cyclosporine", "daily": 200.0}]


def test_case_14_adverse_events(store):
    rows = select(store, """SELECT ?event ?drug WHERE { ?c jakkg:caseNumber 14 ; jakkg:adverseEventReport ?r .
        ?r jakkg:adverseEvent/rdfs:label ?event ; jakkg:attributedTo/rdfs:label ?drug } ORDER BY ?event""")
    assert rows == [{"event": "herpes simplex infection", "drug": "baricitinib"},
                    {"event": "lymphopenia", "drug": "baricitinib"}]


def test_repairs_are_in_the_graph(store):
    rows = select(store, "SELECT ?note WHERE { ?r jakkg:repairNote ?note }")
    notes = " ".join(r["note"] for r in rows)
    for fragment in ["'smg' read as 'mg'", "Transminitis", "trasplantation", "Not valorable",
                     "cyclosporin", "trailing comma", "repeated item"]:
        assert fragment in notes


@pytest.mark.parametrize("cls", ["TherapyCourse", "Patient", "AdverseEventReport", "DosingRegimen"])
def test_every_fact_node_has_evidence(store, cls):
    rows = select(store, f"""SELECT ?s WHERE {{ ?s a jakkg:{cls}
        FILTER NOT EXISTS {{ ?s prov:wasDerivedFrom [ a jakkg:Evidence ; oa:exact ?x ; oa:start ?a ;
                                                     oa:end ?b ; oa:hasSource [ a jakkg:SourceDocument ] ] }} }}""")
    assert rows == []


def test_every_quote_is_refound_at_its_offsets(store):
    rows = select(store, """SELECT ?exact ?start ?end ?file WHERE {
        ?e a jakkg:Evidence ; oa:exact ?exact ; oa:start ?start ; oa:end ?end ;
           oa:hasSource/jakkg:fileName ?file }""")
    assert len(rows) > 100
    texts = {}
    for r in rows:
        text = texts.setdefault(r["file"], (SOURCES / r["file"]).read_text(encoding="utf-8"))
        assert text[r["start"]:r["end"]] == r["exact"], r


def test_source_document_has_title_doi_citation(store):
    rows = select(store, """SELECT ?title ?id ?cite WHERE { ?d a jakkg:SourceDocument ;
        dcterms:title ?title ; dcterms:identifier ?id ; dcterms:bibliographicCitation ?cite }""")
    assert len(rows) == 1 and rows[0]["id"] == "doi:10.1016/j.ad.2025.02.025"


def _dataset(store) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(data=serialise(store, "nquads"), format="nquads")
    return ds


def _union(store) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=serialise(store, "nt"), format="nt")
    return g


def test_build_twice_gives_isomorphic_graphs(store, tmp_path):
    jakkg.build(SOURCES, tmp_path / "again")
    again = open_store(tmp_path / "again")
    # byte-identical apart from the ontology's blank nodes: diffs between builds mean something
    def named(data):
        return [line for line in data.splitlines() if b"_:" not in line]
    assert named(serialise(again, "nquads")) == named(serialise(store, "nquads"))
    assert isomorphic(_union(again), _union(store))


@pytest.mark.parametrize("fmt, rdflib_format", [
    ("turtle", "turtle"), ("nt", "nt"), ("xml", "xml"), ("jsonld", "json-ld")])
def test_export_reparse_isomorphic(store, fmt, rdflib_format):
    g = rdflib.Graph()
    g.parse(data=serialise(store, fmt), format=rdflib_format)
    assert len(g) > 2000
    assert isomorphic(g, _union(store))


@pytest.mark.parametrize("fmt, rdflib_format", [("nquads", "nquads"), ("trig", "trig")])
def test_dataset_exports_keep_one_graph_per_source(store, fmt, rdflib_format):
    ds = rdflib.Dataset()
    ds.parse(data=serialise(store, fmt), format=rdflib_format)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert "https://w3id.org/jakkg/graph/muntaner-virgili-2025-jaki-combination-letter" in names
    assert "https://w3id.org/jakkg/graph/nussbaum-offlabel-jaki-review" in names
    reference = _dataset(store)
    for name in names:
        assert isomorphic(ds.graph(rdflib.URIRef(name)), reference.graph(rdflib.URIRef(name)))


def test_all_formats_listed(store):
    assert {"turtle", "jsonld", "nt", "nquads", "xml"} <= set(FORMATS)


def test_python_api_query(store_path):
    rows = jakkg.query("SELECT ?n WHERE { ?c jakkg:caseNumber ?n } ORDER BY ?n", store=store_path)
    assert [r["n"] for r in rows] == list(range(1, 23))
    assert jakkg.stats(store_path)["jakkg:TherapyCourse"] == 22


def test_python_api_in_memory_store_answers_like_the_disk_store(store_path):
    from pyoxigraph import Store
    opened = jakkg.open_store(store_path, in_memory=True)
    assert isinstance(opened, Store) and len(opened) == len(jakkg.open_store(store_path))
    query = "SELECT ?n WHERE { ?c jakkg:caseNumber ?n } ORDER BY ?n"
    assert jakkg.query(query, store=opened) == jakkg.query(query, store=store_path)
    assert jakkg.stats(opened) == jakkg.stats(store_path)
