"""SHACL validation: the real graph conforms, and every shape catches a graph that breaks it.

Broken graphs are the real graph with one fact changed by a SPARQL update (a misspelt
drug IRI, an impossible age...), plus hand-made review claims (issue 3's classes have no
instances yet). All changes touch different nodes, so one validation run checks them all;
each test then asserts that the report names its shape and the offending node.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import LETTER, SOURCES
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH

from jakkg.namespaces import GRAPH, ID, LEXICON_GRAPH, sparql_prefixes
from jakkg.store import ONTOLOGY_FILE, SHAPES_FILE

LETTER_GRAPH = GRAPH + LETTER.stem
REVIEW_GRAPH = GRAPH + "nussbaum-offlabel-jaki-review"
DOC = f"<{ID}document/{LETTER.stem}>"
SHAPE = "https://w3id.org/jakkg/shapes#"


def course(n: int) -> str:
    return f"?course jakkg:caseNumber {n} . "


# shape, named graph, WHERE (binds ?focus), DELETE template, INSERT template
MUTATIONS = [
    ("EvidencedStatementShape", LETTER_GRAPH,
     course(2) + "?course jakkg:adverseEventReport ?focus . ?focus prov:wasDerivedFrom ?e",
     "?focus prov:wasDerivedFrom ?e", ""),
    ("EntityShape", LETTER_GRAPH, f"BIND({DOC} AS ?focus) ?focus prov:wasDerivedFrom ?e",
     "?focus prov:wasDerivedFrom ?e", ""),
    ("SourceDocumentShape", LETTER_GRAPH, f"BIND({DOC} AS ?focus) ?focus jakkg:sha256 ?h",
     "?focus jakkg:sha256 ?h", '?focus jakkg:sha256 "not-a-checksum"'),
    ("TextQuoteSelectorShape", LETTER_GRAPH,
     course(3) + "?course prov:wasDerivedFrom ?focus . ?focus oa:prefix ?p",
     "?focus oa:prefix ?p", '?focus oa:prefix "a prefix far longer than thirty-two characters"'),
    ("TextPositionSelectorShape", LETTER_GRAPH,
     course(4) + "?course prov:wasDerivedFrom ?focus . ?focus oa:start ?s ; oa:end ?e",
     "?focus oa:start ?s ; oa:end ?e", "?focus oa:start ?e ; oa:end ?s"),
    ("EvidenceShape", LETTER_GRAPH,
     course(5) + "?course prov:wasDerivedFrom ?focus . ?focus oa:start ?s ; oa:end ?e "
     "BIND(?s + 100000 AS ?s2) BIND(?e + 100000 AS ?e2)",
     "?focus oa:start ?s ; oa:end ?e", "?focus oa:start ?s2 ; oa:end ?e2"),
    ("TherapyShape", LETTER_GRAPH,  # a misspelt drug IRI: typed Therapy by the range, no label
     course(6) + f"?course jakkg:previouslyFailedTherapy ?m FILTER(?m = <{ID}drug/methotrexate>) "
     f"BIND(<{ID}drug/metotrexate> AS ?focus)",
     "?course jakkg:previouslyFailedTherapy ?m", "?course jakkg:previouslyFailedTherapy ?focus"),
    ("DrugShape", LEXICON_GRAPH, f"BIND(<{ID}drug/oral-corticosteroid> AS ?focus) ?focus skos:broader ?b",
     "?focus skos:broader ?b", f"?focus skos:broader <{ID}disease/alopecia-areata>"),
    ("JAKInhibitorShape", LEXICON_GRAPH, f"BIND(<{ID}drug/tofacitinib> AS ?focus) ?focus jakkg:defaultRoute ?r",
     "?focus jakkg:defaultRoute ?r", ""),
    ("ProcedureShape", LEXICON_GRAPH, f"BIND(<{ID}drug/phototherapy> AS ?focus)",
     "", '?focus jakkg:maxPlausibleDailyDose "10.0"^^xsd:decimal'),
    ("JAKIsoformShape", LEXICON_GRAPH, "BIND(jakkg:JAK5 AS ?focus)", "",
     '?focus a jakkg:JAKIsoform ; rdfs:label "JAK5"@en'),
    ("ClinicalConditionShape", LETTER_GRAPH,
     course(3) + f"?course jakkg:patient ?p . ?p jakkg:comorbidity ?h FILTER(?h = <{ID}disease/hypertension>) "
     f"BIND(<{ID}disease/hypertensoin> AS ?focus)",
     "?p jakkg:comorbidity ?h", "?p jakkg:comorbidity ?focus"),
    ("DiseaseShape", LEXICON_GRAPH, f"BIND(<{ID}disease/vitiligo> AS ?focus)", "", "?focus a jakkg:Drug"),
    ("RouteShape", LETTER_GRAPH,
     course(10) + f"?course jakkg:combinedRegimen ?r . ?r jakkg:route ?old BIND(<{ID}route/oraly> AS ?focus)",
     "?r jakkg:route ?old", "?r jakkg:route ?focus"),
    ("OutcomeShape", LEXICON_GRAPH, f"BIND(<{ID}outcome/no-response> AS ?focus) ?focus jakkg:category ?c",
     "?focus jakkg:category ?c", '?focus jakkg:category "nothing"'),
    ("AdverseEventShape", LETTER_GRAPH,
     course(12) + f"?course jakkg:adverseEventReport ?a . ?a jakkg:adverseEvent ?g "
     f"FILTER(?g = <{ID}adverse-event/gout>) BIND(<{ID}adverse-event/gaut> AS ?focus)",
     "?a jakkg:adverseEvent ?g", "?a jakkg:adverseEvent ?focus"),
    ("PatientShape", LETTER_GRAPH, course(1) + "?course jakkg:patient ?focus . ?focus jakkg:sex ?s",
     "?focus jakkg:sex ?s", '?focus jakkg:sex "woman"'),
    ("TherapyCourseShape", LETTER_GRAPH, course(14) + "BIND(?course AS ?focus) ?focus jakkg:patient ?p",
     "?focus jakkg:patient ?p", ""),
    ("TherapyCourseShape", LETTER_GRAPH,  # the JAKi column holds the combined drug
     course(13) + "BIND(?course AS ?focus) ?focus jakkg:jakInhibitorRegimen ?r . ?r jakkg:drug ?d",
     "?r jakkg:drug ?d", f"?r jakkg:drug <{ID}drug/methotrexate>"),
    ("DosingRegimenShape", LETTER_GRAPH,  # 500 mg/day of methotrexate
     course(15) + "?course jakkg:combinedRegimen ?focus . ?focus jakkg:dailyDose ?d",
     "?focus jakkg:dailyDose ?d", '?focus jakkg:dailyDose "500.0"^^xsd:decimal'),
    ("DosingRegimenShape", LETTER_GRAPH,
     course(16) + "?course jakkg:jakInhibitorRegimen ?focus . ?focus jakkg:doseValue ?v",
     "?focus jakkg:doseValue ?v", '?focus jakkg:doseValue "-1.0"^^xsd:decimal'),
    ("DosingRegimenShape", LETTER_GRAPH,  # no frequency and not tapering
     course(17) + "?course jakkg:combinedRegimen ?focus . ?focus jakkg:frequency ?f",
     "?focus jakkg:frequency ?f", ""),
    ("CohortStatisticShape", LETTER_GRAPH,  # "61.1%" read as 161.1
     '?focus jakkg:statisticKey "complete-response-percent" ; jakkg:statedValue ?v',
     "?focus jakkg:statedValue ?v", '?focus jakkg:statedValue "161.1"^^xsd:decimal'),
    ("CombinationTherapyCourseShape", LETTER_GRAPH,  # with a stale inferred type, below
     course(19) + "BIND(?course AS ?focus) ?focus jakkg:combinedRegimen ?r",
     "?focus jakkg:combinedRegimen ?r", ""),
    ("AdverseEventReportShape", LETTER_GRAPH,  # nausea blamed on a drug not given in case 18
     course(18) + "?course jakkg:adverseEventReport ?focus . ?focus jakkg:attributedTo ?d",
     "?focus jakkg:attributedTo ?d", f"?focus jakkg:attributedTo <{ID}drug/tacrolimus>"),
]

# issue 6's defined classes: wrong (or stale) types in the graph `jakkg reason` writes
INFERRED_GRAPH = GRAPH + "inferred"
INFERRED = [
    ("CombinationTherapyCourseShape", f"{ID}therapy-course/{LETTER.stem}/19", "CombinationTherapyCourse"),
    ("JAK1InhibitorShape", f"{ID}drug/methotrexate", "JAK1Inhibitor"),
    ("JAK2InhibitorShape", f"{ID}drug/tacrolimus", "JAK2Inhibitor"),
    ("JAK3InhibitorShape", f"{ID}drug/azathioprine", "JAK3Inhibitor"),
    ("TYK2InhibitorShape", f"{ID}drug/etanercept", "TYK2Inhibitor"),
    ("SelectiveJAKInhibitorShape", f"{ID}drug/baricitinib", "SelectiveJAKInhibitor"),
    ("FirstGenerationJAKInhibitorShape", f"{ID}drug/upadacitinib", "FirstGenerationJAKInhibitor"),
    ("SecondGenerationJAKInhibitorShape", f"{ID}drug/ruxolitinib", "SecondGenerationJAKInhibitor"),
]

# issue 3's classes: hand-made claims in the review's graph, each valid but for one value
REVIEW_EVIDENCE = f"<{ID}evidence/nussbaum-offlabel-jaki-review/33-80>"
REVIEW_DOC = f"<{ID}document/nussbaum-offlabel-jaki-review>"
CLAIMS = [
    ("ReferenceShape", f"<{ID}reference/nussbaum-offlabel-jaki-review/99>",
     f'a jakkg:Reference ; jakkg:referenceNumber 0 ; jakkg:citedBy {REVIEW_DOC} ; dcterms:identifier "doi:10.1001/jama.2019.1" ; '
     f'dcterms:title "A trial" ; prov:wasDerivedFrom {REVIEW_EVIDENCE}'),
    ("DrugUseClaimShape", f"<{ID}drug-use/test/1>",
     f"a jakkg:DrugUseClaim ; jakkg:drug <{ID}drug/tofacitinib> ; jakkg:disease <{ID}disease/alopecia-areata> ; "
     f'jakkg:useStatus "off-label" ; jakkg:responders 5 ; jakkg:patientCount 3 ; prov:wasDerivedFrom {REVIEW_EVIDENCE}'),
    ("ApprovalClaimShape", f"<{ID}approval/test/1>",
     f'a jakkg:ApprovalClaim ; jakkg:drug <{ID}drug/baricitinib> ; jakkg:indication <{ID}disease/alopecia-areata> ; '
     f'jakkg:agency "the government" ; prov:wasDerivedFrom {REVIEW_EVIDENCE}'),
    ("ClassAdverseEventClaimShape", f"<{ID}class-adverse-event/test/1>",
     f'a jakkg:ClassAdverseEventClaim ; jakkg:adverseEvent <{ID}adverse-event/lymphopenia> ; jakkg:severity "mild" ; '
     f"prov:wasDerivedFrom {REVIEW_EVIDENCE}"),
    ("OffLabelUseShape", f"<{ID}drug-use/test/2>",
     f'a jakkg:DrugUseClaim , jakkg:OffLabelUse ; jakkg:drug <{ID}drug/baricitinib> ; '
     f'jakkg:disease <{ID}disease/alopecia-areata> ; jakkg:useStatus "approved" ; prov:wasDerivedFrom {REVIEW_EVIDENCE}'),
    ("MechanismClaimShape", f"<{ID}mechanism/test/1>",
     f"a jakkg:MechanismClaim ; jakkg:drug <{ID}drug/ruxolitinib> ; jakkg:generation 3 ; "
     f"prov:wasDerivedFrom {REVIEW_EVIDENCE}"),
]


@pytest.fixture(scope="module")
def real_quads(lexicon):
    from jakkg.pipeline import graph_quads, read_sources
    return list(graph_quads(read_sources(SOURCES, lexicon), lexicon))


@pytest.fixture(scope="module")
def real_report(real_quads):
    from jakkg.validate import validate_quads
    return validate_quads(real_quads)


@pytest.fixture(scope="module")
def broken(real_quads):
    """(store with every mutation applied, {index: expected focus IRI})."""
    from jakkg.store import memory_store
    store = memory_store(real_quads)
    prefixes = sparql_prefixes()
    focus = {}
    for i, (shape, graph, where, delete, insert) in enumerate(MUTATIONS):
        rows = list(store.query(prefixes + f"SELECT DISTINCT ?focus WHERE {{ GRAPH <{graph}> {{ {where} }} }}"))
        assert len(rows) == 1, (shape, where, rows)
        focus[i] = rows[0]["focus"].value
        store.update(prefixes + f"WITH <{graph}> DELETE {{ {delete} }} INSERT {{ {insert} }} WHERE {{ {where} }}")
    claims = " ".join(f"{node} {body} ." for _, node, body in CLAIMS)
    store.update(prefixes + f"INSERT DATA {{ GRAPH <{REVIEW_GRAPH}> {{ {claims} }} }}")
    types = " ".join(f"<{node}> a jakkg:{cls} ." for _, node, cls in INFERRED)
    store.update(prefixes + f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ {types} }} }}")
    return store, focus


@pytest.fixture(scope="module")
def broken_report(broken):
    from jakkg.validate import validate_quads
    return validate_quads(broken[0])


def test_real_graph_conforms_with_honest_warnings(real_report):
    assert real_report.conforms
    assert len(real_report.graphs) == 2
    # doses whose source states no frequency: case 20's tapering prednisone, and three doses
    # the review quotes without a schedule. No daily dose can be computed for them.
    assert {(r.severity, r.shape, r.path) for r in real_report.results} == \
        {("warning", "shape:DosingRegimenShape", "jakkg:frequency")}
    assert sorted((r.source.rsplit("/", 1)[-1], r.quote) for r in real_report.results) == [
        (f"{LETTER.name}:70", "Prednisone 15 mg in gradual tapering (orally)"),
        ("nussbaum-offlabel-jaki-review.txt:76", "0.5%-1.5%"),
        ("nussbaum-offlabel-jaki-review.txt:80", "4 mg"),
        ("nussbaum-offlabel-jaki-review.txt:98", "2%"),
    ]
    case_20 = next(r for r in real_report.results if r.source.endswith(":70"))
    assert case_20.focus.endswith("/regimen/muntaner-virgili-2025-jaki-combination-letter/20/combined")


def _owl_classes(path) -> set[str]:
    g = Graph().parse(path, format="turtle")
    return {str(c) for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}


def test_every_class_has_a_node_shape():
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    targets = {str(c) for s in shapes.subjects(RDF.type, SH.NodeShape) for c in shapes.objects(s, SH.targetClass)}
    review = {f"https://w3id.org/jakkg/ontology#{c}" for c in
              ("DrugUseClaim", "ApprovalClaim", "Reference", "ClassAdverseEventClaim", "MechanismClaim")}
    assert _owl_classes(ONTOLOGY_FILE) | review <= targets


def test_every_shape_and_constraint_has_a_message():
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    nodes = list(shapes.subjects(RDF.type, SH.NodeShape))
    props = [p for n in nodes for p in shapes.objects(n, SH.property)]
    sparql = [q for n in nodes for q in shapes.objects(n, SH.sparql)]
    assert len(nodes) >= 25 and len(props) > 60
    for node in nodes:
        own = {SH["in"], SH["not"], SH["or"]} & set(shapes.predicates(node))
        if own:
            assert shapes.value(node, SH.message), node
    for p in props + sparql:
        assert str(shapes.value(p, SH.message) or "").strip(), shapes.value(p, SH.path)


def test_every_shape_has_a_violation_test():
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    names = {str(s)[len(SHAPE):] for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert names == {m[0] for m in MUTATIONS} | {c[0] for c in CLAIMS} | {i[0] for i in INFERRED}


@pytest.mark.parametrize("i", range(len(MUTATIONS)), ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_mutation_is_reported_by_its_shape_on_the_node(broken, broken_report, i):
    focus = broken[1][i]
    shape = "shape:" + MUTATIONS[i][0]
    hits = [r for r in broken_report.violations if r.shape == shape and r.focus == focus]
    assert hits, [(r.shape, r.focus) for r in broken_report.violations]


@pytest.mark.parametrize("shape, node, body", CLAIMS, ids=[c[0] for c in CLAIMS])
def test_review_claim_is_reported_by_its_shape(broken_report, shape, node, body):
    hits = [r for r in broken_report.violations if r.shape == "shape:" + shape and r.focus == node.strip("<>")]
    assert hits, [(r.shape, r.focus) for r in broken_report.violations]


@pytest.mark.parametrize("shape, node, cls", INFERRED, ids=[i[0] for i in INFERRED])
def test_wrong_inferred_type_is_reported_by_its_shape(broken_report, shape, node, cls):
    hits = [r for r in broken_report.violations if r.shape == "shape:" + shape and r.focus == node]
    assert hits, [(r.shape, r.focus) for r in broken_report.violations]


def test_nothing_else_is_reported(broken, broken_report):
    expected = set(broken[1].values()) | {c[1].strip("<>") for c in CLAIMS} | {i[1] for i in INFERRED}
    assert {r.focus for r in broken_report.violations} == expected


def test_specific_messages_values_and_sources(broken_report):
    def one(shape, fragment):
        hits = [r for r in broken_report.violations if r.shape == shape and fragment in r.message]
        assert len(hits) == 1, [(r.shape, r.message) for r in broken_report.violations if r.shape == shape]
        return hits[0]

    dose = one("shape:DosingRegimenShape", "above the most that is plausible")
    assert dose.value == "500" and "(10 mg/day, data/lexicon/drugs.tsv)" in dose.message
    assert dose.path == "jakkg:dailyDose"
    assert dose.quote == "Methotrexate 10 mg/week (orally)" and dose.source == f"{LETTER.name}:61"
    jaki = one("shape:TherapyCourseShape", "not a JAK inhibitor")
    assert jaki.label == f"case 13 ({LETTER.stem})" and jaki.path == "jakkg:jakInhibitorRegimen/jakkg:drug"
    assert jaki.source == f"{LETTER.name}:59" and jaki.quote.startswith("13\tWoman\t51")
    same = one("shape:TherapyCourseShape", "combined with the JAK inhibitor is the JAK inhibitor itself")
    assert same.value == "id:drug/methotrexate"
    sex = one("shape:PatientShape", "sex")
    assert sex.value == "woman" and sex.label == f"patient of case 1 ({LETTER.stem})"
    assert sex.quote == "Woman\t29" and sex.source == f"{LETTER.name}:43"
    offsets = one("shape:EvidenceShape", "beyond the end of its document")
    assert "17793 characters" in offsets.message and offsets.path == "oa:end" and offsets.value == "107323"
    typo = one("shape:TherapyShape", "not in the drug lexicon")
    assert typo.label == "id:drug/metotrexate" and typo.source == f"{LETTER.name}:48"
    lexicon_entry = one("shape:DrugShape", "drug class")
    assert lexicon_entry.label == "oral corticosteroid" and lexicon_entry.source is None


def test_report_text_and_json_are_grouped_by_shape(broken_report):
    text = broken_report.to_text()
    assert text.startswith("does NOT conform: ")
    block = text.split("\nshape:PatientShape (1)\n", 1)[1].split("\n\n", 1)[0]
    assert f"patient of case 1 ({LETTER.stem})" in block and "path:    jakkg:sex" in block
    assert "value:   woman" in block and f'source:  {LETTER.name}:43: "Woman\t29"' in block
    data = json.loads(broken_report.to_json())
    assert data["conforms"] is False and data["violations"] == len(broken_report.violations)
    assert [r["focus"] for r in data["shapes"]["shape:PatientShape"]] == [
        f"{ID}patient/{LETTER.stem}/1"]


def jakkg_cli(*args):
    return subprocess.run([sys.executable, "-m", "jakkg", *map(str, args)], capture_output=True, text=True)


def test_cli_validate_store_conforms(store_path):
    r = jakkg_cli("validate", "--store", store_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("conforms: 0 violation(s), 4 warning(s) in 2 graph(s)")
    assert f'source:  {LETTER.name}:70: "Prednisone 15 mg in gradual tapering (orally)"' in r.stdout


def test_cli_validate_file_exit_1_on_violations(broken, tmp_path):
    from pyoxigraph import RdfFormat, serialize
    path = tmp_path / "broken.nq"
    serialize(broken[0], str(path), RdfFormat.N_QUADS)
    r = jakkg_cli("validate", path, "-f", "json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["conforms"] is False and "shape:MechanismClaimShape" in data["shapes"]
    r = jakkg_cli("validate", tmp_path / "missing.ttl")
    assert r.returncode == 1 and r.stderr.strip() == f"error: {tmp_path / 'missing.ttl'}: no such file"


def test_own_rdfs_entailments_give_the_same_report_as_pyshacl_owlrl(broken, broken_report):
    """validate.rdfs_entailments stands in for pyshacl's owlrl RDFS closure (3x faster):
    on the broken graph, which breaks every shape, both report exactly the same results."""
    from jakkg.validate import validate_quads

    def key(report):
        return sorted((r.severity, r.shape, r.focus, r.path or "", r.value or "", r.message) for r in report.results)

    owlrl = validate_quads(broken[0], inference="owlrl")
    assert len(broken_report.results) > 40 and key(owlrl) == key(broken_report)


def test_worker_processes_give_the_same_report_on_the_graph_that_breaks_every_shape(broken, broken_report):
    """Validation in worker processes (`--jobs`; the default for large stores) carries each
    graph's inferred types with it and gives the report in-process validation gives."""
    from jakkg.validate import validate_quads
    store, _ = broken
    pooled = validate_quads(store, jobs=2)
    assert pooled.to_text() == broken_report.to_text() and pooled.graphs == broken_report.graphs
    assert any(r.shape.endswith("CombinationTherapyCourseShape") for r in pooled.violations)
