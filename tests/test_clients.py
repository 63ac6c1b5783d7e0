"""Standard SPARQL clients against `jakkg serve`: SPARQLWrapper gets the same rows as
`jakkg query` for every shipped query."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper
from typer.testing import CliRunner

from jakkg.cli import app
from servers import reasoned_store, running_server

QUERIES = sorted((Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def reasoned(tmp_path_factory, store_path):
    """The store after `jakkg reason`: some shipped queries read the inferred graph."""
    return reasoned_store(tmp_path_factory, store_path)


@pytest.fixture(scope="module")
def endpoint(reasoned):
    with running_server(reasoned, timeout=30, max_rows=100_000) as (url, _app):
        yield url + "/sparql"


@pytest.fixture(autouse=True)
def no_proxy_for_localhost(monkeypatch):
    # SPARQLWrapper uses urllib, which honours *_proxy variables; never proxy 127.0.0.1
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def cli(store_path, *args) -> str:
    result = CliRunner().invoke(app, ["query", *args, "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    return result.stdout


def binding_rows(data: dict) -> list[dict]:
    return [{var: (b[var]["type"], b[var]["value"], b[var].get("datatype"), b[var].get("xml:lang"))
             for var in data["head"]["vars"] if var in b}
            for b in data["results"]["bindings"]]


def is_graph_query(store_path, query) -> bool:
    from jakkg.query import run
    from jakkg.store import open_store
    return run(open_store(store_path), query.read_text(encoding="utf-8")).kind == "graph"


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_sparqlwrapper_equals_jakkg_query(endpoint, reasoned, query):
    store_path = reasoned
    client = SPARQLWrapper(endpoint)
    client.setQuery(query.read_text(encoding="utf-8"))
    if is_graph_query(store_path, query):   # CONSTRUCT/DESCRIBE: isomorphic graphs
        from rdflib import Graph
        from rdflib.compare import isomorphic
        client.setReturnFormat(TURTLE)
        served = Graph().parse(data=client.queryAndConvert(), format="turtle")
        local = Graph().parse(data=cli(store_path, str(query), "--format", "nt"), format="nt")
        assert len(local) > 0 and isomorphic(served, local)
        return
    client.setReturnFormat(JSON)
    served = client.queryAndConvert()
    local = json.loads(cli(store_path, str(query), "--format", "json"))
    if "boolean" in local:
        assert served["boolean"] == local["boolean"]
        return
    assert served["head"]["vars"] == local["head"]["vars"]
    assert binding_rows(served) == binding_rows(local)
    assert binding_rows(served), "a shipped query should answer something"


def test_sparqlwrapper_csv_and_post(endpoint, reasoned):
    store_path = reasoned
    query = QUERIES[0]
    client = SPARQLWrapper(endpoint)
    client.setMethod("POST")
    client.setQuery(query.read_text(encoding="utf-8"))
    client.setReturnFormat(CSV)
    served = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    local = list(csv.reader(io.StringIO(cli(store_path, str(query), "--format", "csv"))))
    assert served == local
    assert served[1] == ["methotrexate", "12", "12"]   # the letter: methotrexate (12)


def test_sparqlwrapper_construct_gives_an_rdflib_graph(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery("CONSTRUCT { ?c jakkg:disease ?d } WHERE { ?c a jakkg:TherapyCourse ; jakkg:disease ?d }")
    client.setReturnFormat(TURTLE)
    from rdflib import Graph
    g = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(g) == 22    # one disease per course, 22 courses in Table 1
