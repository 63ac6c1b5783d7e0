"""`jakkg serve`: the SPARQL 1.1 Protocol, content negotiation, read-only refusals, limits,
shipped queries, service description and entity pages — over HTTP against the real app."""
from __future__ import annotations

import csv
import io
import shutil
import threading
import time

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from servers import alive, running_server

ROOT_QUERIES = __import__("pathlib").Path(__file__).resolve().parent.parent / "queries"
Q01 = (ROOT_QUERIES / "01-courses-per-combined-drug.rq").read_text(encoding="utf-8")
# the letter: "methotrexate (12), prednisone (4), dupilumab (4), oral tacrolimus (1) and
# cyclosporine (1)"; Table 1: dupilumab's 4 courses are in 3 patients (cases 18-20 are one person)
Q01_ROWS = [("methotrexate", 12, 12), ("dupilumab", 4, 3), ("prednisone", 4, 4),
            ("cyclosporine", 1, 1), ("tacrolimus", 1, 1)]
LETTER_GRAPH = "https://w3id.org/jakkg/graph/muntaner-virgili-2025-jaki-combination-letter"
ONTOLOGY_GRAPH = "https://w3id.org/jakkg/graph/ontology"
COURSE_20 = "therapy-course/muntaner-virgili-2025-jaki-combination-letter/20"
# 4 copies of every triple: ~3000^4 solutions to count, far beyond any time limit
EXPONENTIAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PARAM_QUERY = """# Which therapy courses treated a given disease?
PREFIX jakkg: <https://w3id.org/jakkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?course WHERE {
  VALUES ?disease { "alopecia areata" }
  ?course a jakkg:TherapyCourse ; jakkg:disease/rdfs:label ?label .
  FILTER(STR(?label) = ?disease)
}
"""


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("queries")
    for q in ROOT_QUERIES.glob("*.rq"):
        shutil.copy(q, d)
    (d / "zz-courses-for-disease.rq").write_text(PARAM_QUERY, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def server(store_path, queries_dir):
    with running_server(store_path, timeout=1.5, max_rows=25, max_body=20_000,
                        cors=["https://example.org"], workers=2, queries_dir=queries_dir) as (url, app):
        yield url, app


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server[0], timeout=30, trust_env=False) as client:
        yield client


def q01_rows(data: dict) -> list[tuple]:
    assert data["head"]["vars"] == ["combinedDrug", "courses", "patients"]
    return [(b["combinedDrug"]["value"], int(b["courses"]["value"]), int(b["patients"]["value"]))
            for b in data["results"]["bindings"]]


def test_get_post_form_and_direct_post_give_the_letters_counts(http):
    r = http.get("/sparql", params={"query": Q01})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert q01_rows(r.json()) == Q01_ROWS
    r = http.post("/sparql", data={"query": Q01})
    assert r.status_code == 200 and q01_rows(r.json()) == Q01_ROWS
    r = http.post("/sparql", content=Q01, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and q01_rows(r.json()) == Q01_ROWS
    # integer counts are typed literals in the JSON results
    assert r.json()["results"]["bindings"][0]["courses"]["datatype"].endswith("#integer")


@pytest.mark.parametrize("accept, ctype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/json"),
    ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_select_content_negotiation(http, accept, ctype):
    r = http.get("/sparql", params={"query": Q01}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == ctype
    assert "Accept" in r.headers["vary"]
    if ctype == "text/csv":
        assert list(csv.reader(io.StringIO(r.text))) == [
            ["combinedDrug", "courses", "patients"]] + [[d, str(c), str(p)] for d, c, p in Q01_ROWS]
    elif ctype == "text/tab-separated-values":
        lines = r.text.splitlines()
        assert lines[0] == "?combinedDrug\t?courses\t?patients"
        assert lines[1].startswith('"methotrexate"\t"12"^^<http://www.w3.org/2001/XMLSchema#integer>')
    elif "xml" in ctype:
        assert "<literal>methotrexate</literal>" in r.text
    else:
        assert q01_rows(r.json()) == Q01_ROWS


def test_format_parameter_overrides_accept(http):
    r = http.get("/sparql", params={"query": Q01, "format": "csv"},
                 headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[1] == "methotrexate,12,12"
    r = http.get("/sparql", params={"query": Q01, "format": "yaml"})
    assert r.status_code == 400 and "unknown format 'yaml'" in r.text


def test_ask(http):
    r = http.get("/sparql", params={"query": "ASK { ?c jakkg:caseNumber 22 }"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = http.get("/sparql", params={"query": "ASK { ?c jakkg:caseNumber 23 }"},
                 headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and "<boolean>false</boolean>" in r.text


def test_construct_in_turtle_ntriples_and_jsonld(http):
    q = ("CONSTRUCT { ?c jakkg:caseNumber ?n } WHERE { ?c jakkg:caseNumber ?n "
         "FILTER(?n <= 22 && ?n > 12) }")  # cases 13..22
    r = http.get("/sparql", params={"query": q})
    assert r.headers["content-type"].startswith("text/turtle")
    triples = list(parse(r.content, format=RdfFormat.TURTLE))
    assert sorted(int(t.object.value) for t in triples) == list(range(13, 23))
    r = http.get("/sparql", params={"query": q}, headers={"Accept": "application/n-triples"})
    assert r.headers["content-type"].startswith("application/n-triples")
    assert len(r.text.strip().splitlines()) == 10
    r = http.get("/sparql", params={"query": q}, headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert len(list(parse(r.content, format=RdfFormat.JSON_LD))) == 10
    r = http.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406 and "text/turtle" in r.text


def test_describe(http):
    r = http.get("/sparql", params={"query": f"DESCRIBE <https://w3id.org/jakkg/id/{COURSE_20}>"},
                 headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert '<https://w3id.org/jakkg/ontology#caseNumber> "20"^^' in r.text
    assert "jakkg/id/disease/atopic-dermatitis" in r.text


def test_row_cap_is_announced(http):
    r = http.get("/sparql", params={"query": "SELECT ?e WHERE { ?e a jakkg:Evidence }"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 25
    assert r.headers["x-jakkg-truncated"] == "max-rows=25"
    r = http.get("/sparql", params={"query": Q01})
    assert "x-jakkg-truncated" not in r.headers


def test_default_graph_uri_chooses_the_dataset(http):
    ask = "ASK { ?c a jakkg:TherapyCourse }"
    r = http.get("/sparql", params={"query": ask, "default-graph-uri": ONTOLOGY_GRAPH})
    assert r.json()["boolean"] is False
    r = http.get("/sparql", params={"query": ask, "default-graph-uri": LETTER_GRAPH})
    assert r.json()["boolean"] is True
    r = http.get("/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g { ?c a jakkg:TherapyCourse } } GROUP BY ?g"})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [LETTER_GRAPH]


def test_service_description(http):
    r = http.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = list(parse(r.content, format=RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = [t.object.value for t in triples if t.predicate == NamedNode(sd + "endpoint")]
    assert endpoints == [str(http.base_url).rstrip("/") + "/sparql"]
    names = {t.object.value for t in triples if t.predicate == NamedNode(sd + "name")}
    assert {LETTER_GRAPH, ONTOLOGY_GRAPH} <= names
    formats = {t.object.value.rsplit("/", 1)[1] for t in triples
               if t.predicate == NamedNode(sd + "resultFormat")}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "JSON-LD"} <= formats


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "content": "DELETE WHERE { ?s ?p ?o }",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "data": {"query": "PREFIX x: <urn:x#> DROP ALL"}},
    {"method": "GET", "params": {"query": "LOAD <http://example.org/evil.ttl>"}},
    {"method": "GET", "params": {"query": "CLEAR GRAPH <https://w3id.org/jakkg/graph/ontology>"}},
    {"method": "POST", "data": {"query": "SELECT * WHERE { ?s ?p ?o } ; insert data { <urn:a> <urn:b> 1 }"}},
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
])
def test_updates_are_refused_with_403(http, request_kwargs):
    kwargs = dict(request_kwargs)
    r = http.request(kwargs.pop("method"), "/sparql", **kwargs)
    assert r.status_code == 403
    assert r.text.startswith("error: SPARQL Update") and "read-only" in r.text
    # and the store is untouched
    r = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a jakkg:TherapyCourse }"})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "22"


def test_service_is_refused_but_the_word_in_data_is_not(http):
    q = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    r = http.get("/sparql", params={"query": q})
    assert r.status_code == 400
    assert r.text == ("error: SERVICE <http://example.org/sparql> is not allowed: this endpoint "
                      "does not send queries to other hosts (federated queries are disabled)\n")
    r = http.get("/sparql", params={"query": "SELECT * WHERE { SERVICE SILENT ?svc { ?s ?p ?o } }"})
    assert r.status_code == 400 and "SERVICE" in r.text
    # "SERVICE" or "INSERT" inside a string, an IRI or a comment is just data
    q = ('SELECT ?x WHERE { BIND("SERVICE <http://x> and INSERT DATA" AS ?x) '
         'FILTER(?x != <urn:service:drop>) } # DELETE')
    r = http.get("/sparql", params={"query": q})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "SERVICE <http://x> and INSERT DATA"


def test_syntax_error_gives_400_with_position(http):
    r = http.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert r.text.startswith("error: SPARQL syntax error: error at 1:")


def test_size_type_and_accept_limits(http):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    r = http.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "20000 byte limit" in r.text
    r = http.post("/sparql", data={"query": big})
    assert r.status_code == 413
    r = http.post("/sparql", content="<x/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415 and "application/sparql-query" in r.text
    r = http.get("/sparql", params={"query": Q01}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text
    r = http.post("/sparql", content="query=1&query=2",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and "exactly one 'query'" in r.text


def test_cors(http):
    r = http.get("/sparql", params={"query": Q01}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "https://example.org"
    r = http.get("/sparql", params={"query": Q01}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    r = http.options("/sparql", headers={"Origin": "https://example.org",
                                         "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200 and "POST" in r.headers["access-control-allow-methods"]


def test_shipped_queries_listed_and_run_by_name(http):
    r = http.get("/queries")
    listed = {q["name"]: q for q in r.json()}
    assert listed["01-courses-per-combined-drug"]["question"] == (
        "How many therapy courses combined a JAK inhibitor with each systemic drug, "
        "and in how many patients?")
    assert listed["zz-courses-for-disease"]["parameters"] == ["disease"]
    r = http.get("/queries/01-courses-per-combined-drug")
    assert q01_rows(r.json()) == Q01_ROWS
    r = http.get("/queries/01-courses-per-combined-drug", params={"format": "tsv"})
    assert r.text.splitlines()[0] == "?combinedDrug\t?courses\t?patients"
    r = http.get("/queries/no-such-query")
    assert r.status_code == 404 and "no shipped query named 'no-such-query'" in r.text


def test_shipped_parameterised_query_by_name(http):
    # queries/32: a drug's external identifiers (data/lexicon/drugs.tsv: baricitinib CHEBI:95341, DB11817)
    r = http.get("/queries/32-external-ids-of-drug", params={"drug": "baricitinib", "format": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["match", "externalIri"]
    assert ["exact", "http://purl.obolibrary.org/obo/CHEBI_95341"] in rows
    assert ["exact", "https://go.drugbank.com/drugs/DB11817"] in rows
    assert "http://purl.obolibrary.org/obo/CHEBI_66919" not in r.text   # ruxolitinib's, the default


def test_named_query_parameters_are_bound_not_pasted(http):
    def courses(**params):
        r = http.get("/queries/zz-courses-for-disease", params=params)
        assert r.status_code == 200, r.text
        return len(r.json()["results"]["bindings"])
    # Table 1: 13 courses for alopecia areata, 8 for atopic dermatitis
    assert courses() == 13
    assert courses(disease="atopic dermatitis") == 8
    assert courses(disease='x" } } DROP ALL #') == 0   # a value, never query text
    r = http.get("/queries/zz-courses-for-disease", params={"drug": "x"})
    assert r.status_code == 400 and "cannot bind 'drug'" in r.text


def test_entity_page_shows_statements_and_highlighted_evidence(http):
    r = http.get(f"/entity/{COURSE_20}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<h1>case 20 (muntaner-virgili-2025-jaki-combination-letter)</h1>" in page
    # the row of Table 1, verbatim (typo included), highlighted between its context
    assert "<mark>20\tWoman\t55\t" in page and "Upadacitinib 15 smg/day" in page
    assert '<a class="entity" href="/entity/disease/atopic-dermatitis">atopic dermatitis</a>' in page
    data = http.get(f"/entity/{COURSE_20}", params={"format": "json"}).json()
    ev = data["evidence"][0]
    assert ev["section"] == "Table 1" and ev["exact"].startswith("20\tWoman\t55")
    assert ev["prefix"] and ev["suffix"]
    # the same grouping as `jakkg describe`
    assert data["types"] == ["jakkg:TherapyCourse"]
    assert [n["node"] for n in data["outgoing"]["jakkg:caseNumber"]] == ["20"]
    assert [n["text"] for n in data["outgoing"]["jakkg:disease"]] == ["atopic dermatitis"]
    drug = http.get("/entity/drug/baricitinib", headers={"Accept": "application/json"}).json()
    assert drug["label"] == "baricitinib"
    assert "jakkg:drug" in drug["incoming"]   # regimens point at it
    # a regimen's page: its dose as read, and the quote it came from, highlighted
    page = http.get("/entity/regimen/muntaner-virgili-2025-jaki-combination-letter/20/jak-inhibitor").text
    assert "<mark>Upadacitinib 15 smg/day</mark>" in page
    r = http.get("/entity/drug/no-such-drug")
    assert r.status_code == 404 and "nothing in the graph" in r.text


def test_query_page_and_its_assets_are_served_locally(http):
    page = http.get("/").text
    assert '<textarea id="query"' in page and '<script src="/static/app.js">' in page
    assert "http://" not in page.replace('"http://www.w3.org', "") and "https://" not in page
    js = http.get("/static/app.js")
    assert js.status_code == 200 and "fetch(\"/sparql\"" in js.text
    assert http.get("/prefixes").json()["jakkg"] == "https://w3id.org/jakkg/ontology#"


def test_runaway_query_is_stopped_and_health_stays_fast(server, http):
    url, app = server
    pool = app.state.pool
    before = pool.pids()
    killed = pool.killed
    result = {}

    def runaway():
        with httpx.Client(base_url=url, timeout=30, trust_env=False) as c:
            t0 = time.monotonic()
            result["r"] = c.get("/sparql", params={"query": EXPONENTIAL})
            result["t"] = time.monotonic() - t0

    t = threading.Thread(target=runaway)
    t.start()
    time.sleep(0.3)
    latencies = []
    while t.is_alive():
        t0 = time.monotonic()
        assert http.get("/health").status_code == 200
        latencies.append(time.monotonic() - t0)
        time.sleep(0.1)
    t.join()
    assert max(latencies) < 1.0 and len(latencies) >= 5
    r = result["r"]
    assert r.status_code == 503
    assert r.text == ("error: query stopped: it ran longer than the 1.5 s time limit "
                      "(add LIMIT or more selective patterns)\n")
    assert 1.4 < result["t"] < 5
    # the worker was killed (no zombie left) and replaced; queries work again
    deadline = time.monotonic() + 20
    while len(pool.pids()) < pool.size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.killed == killed + 1
    gone = set(before) - set(pool.pids())
    assert len(gone) == 1 and not alive(gone.pop())
    assert q01_rows(http.get("/sparql", params={"query": Q01}).json()) == Q01_ROWS
    health = http.get("/health").json()
    assert health["status"] == "ok" and health["workers"] == 2


def test_health_stays_ok_while_every_worker_is_being_replaced(server, http):
    """Two runaway queries time out together and both workers are killed: until their
    replacements are up the pool has no live worker, but queries wait for them in the
    queue, so /health says "ok" and counts them as "replacing"."""
    url, app = server
    pool = app.state.pool
    killed = pool.killed

    def runaway():
        with httpx.Client(base_url=url, timeout=30, trust_env=False) as c:
            assert c.get("/sparql", params={"query": EXPONENTIAL}).status_code == 503

    threads = [threading.Thread(target=runaway) for _ in range(pool.size)]
    for t in threads:
        t.start()
    seen = []
    deadline = time.monotonic() + 30
    while (any(t.is_alive() for t in threads) or pool.replacing) and time.monotonic() < deadline:
        seen.append(http.get("/health").json())
        time.sleep(0.02)
    for t in threads:
        t.join()
    assert pool.killed == killed + pool.size
    assert all(h["status"] == "ok" for h in seen), [h for h in seen if h["status"] != "ok"][:3]
    assert any(h["replacing"] for h in seen)
    assert q01_rows(http.get("/sparql", params={"query": Q01}).json()) == Q01_ROWS
    health = http.get("/health").json()
    assert health["status"] == "ok" and health["workers"] == pool.size and health["replacing"] == 0


def test_serve_without_a_store_is_one_line_exit_1(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "jakkg", "serve", "--store", str(tmp_path / "none"),
                        "--port", "1"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr == f"error: {tmp_path / 'none'}: no store here; run `jakkg build` first (or pass --store PATH)\n"
    r = subprocess.run([sys.executable, "-m", "jakkg", "serve", "--timeout", "0"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("error: --timeout, --max-rows")


def test_in_memory_workers_answer_like_the_disk_store(store_path, http):
    """`jakkg serve --in-memory`: each worker copies the store into memory; same answers."""
    query = (ROOT_QUERIES / "01-courses-per-combined-drug.rq").read_text(encoding="utf-8")
    on_disk = http.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    with running_server(store_path, workers=1, in_memory=True) as (url, app):
        with httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
            in_memory = client.post("/sparql", data={"query": query},
                                    headers={"Accept": "application/sparql-results+json"})
    assert in_memory.status_code == on_disk.status_code == 200
    assert q01_rows(in_memory.json()) == q01_rows(on_disk.json())
    assert q01_rows(in_memory.json())[0] == ("methotrexate", 12, 12)
