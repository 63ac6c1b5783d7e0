"""`jakkg ingest FILE`: a new case series (columns renamed and reordered) and a mini review,
added to an existing store atomically, with a report of what was and was not read."""
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SOURCES, select
from test_cli import tree_digest

import jakkg
from jakkg.errors import JakkgError
from jakkg.ingest import ingest
from jakkg.store import open_store

FIXTURES = ROOT / "tests" / "fixtures"
CASES = FIXTURES / "case-series-reordered.txt"
MINI = FIXTURES / "mini-review.txt"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "jakkg", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ingest") / "base"
    jakkg.build(SOURCES, path)
    return path


@pytest.fixture
def store_copy(base_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(base_store, path)
    return path


def graph_count(store, doc):
    return select(open_store(store), f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <https://w3id.org/jakkg/graph/{doc}> {{ ?s ?p ?o }} }}""")[0]["n"]


def test_ingest_case_series_with_renamed_columns(store_copy):
    result = ingest(CASES, store_copy)
    assert result.genre == "case series" and not result.replaced
    counts = dict(result.counts)
    assert counts["jakkg:TherapyCourse"] == 2 and counts["jakkg:Reference"] == 1
    messages = [str(p) for p in result.problems]
    assert any(":14: unknown drug 'Tofacitnib 5 mg twice daily' (did you mean 'tofacitinib'?)" in m
               for m in messages)
    assert any(":13: unknown condition 'gout'" in m for m in messages)
    rows = select(open_store(store_copy), """SELECT ?case ?drug ?daily WHERE {
        GRAPH <https://w3id.org/jakkg/graph/case-series-reordered> {
          ?c jakkg:caseNumber ?case ; jakkg:jakInhibitorRegimen ?r . ?r jakkg:dailyDose ?daily ;
             jakkg:drug ?d } ?d rdfs:label ?drug } ORDER BY ?case""")
    assert rows == [{"case": 1, "drug": "ruxolitinib", "daily": 40.0},
                    {"case": 2, "drug": "abrocitinib", "daily": 100.0}]
    # the existing documents are still there
    assert graph_count(store_copy, "nussbaum-offlabel-jaki-review") > 1000


def test_ingest_mini_review(store_copy):
    result = ingest(MINI, store_copy)
    assert result.genre == "review"
    counts = dict(result.counts)
    assert counts["jakkg:DrugUseClaim"] >= 6 and counts["jakkg:ApprovalClaim"] == 4
    messages = [str(p) for p in result.problems]
    assert any(":18: unknown drug 'ritlecitnib' (did you mean 'ritlecitinib'?)" in m for m in messages)
    assert any(":14: unknown disease 'Lichen sclerosis'" in m for m in messages)
    assert any(":22: unknown disease 'Lichen Sclerosus'" in m for m in messages)
    not_read = [str(p) for p in result.uninterpreted]
    assert any(":7: sentence not interpreted: 'JAK inhibitors are an active field of research.'" in m
               for m in not_read)
    rows = select(open_store(store_copy), """SELECT ?resp ?n ?v ?route WHERE {
        GRAPH <https://w3id.org/jakkg/graph/mini-review> {
          ?c a jakkg:DrugUseClaim ; jakkg:responders ?resp ; jakkg:patientCount ?n ;
             jakkg:route ?r ; jakkg:regimen/jakkg:doseValue ?v } ?r rdfs:label ?route }""")
    assert rows == [{"resp": 3, "n": 4, "v": 15.0, "route": "oral"}]
    # the mini review's table is not shifted: its columns are named and in another order
    rows = select(open_store(store_copy), """SELECT ?v ?m WHERE {
        GRAPH <https://w3id.org/jakkg/graph/mini-review> {
          ?c a jakkg:DrugUseClaim ; jakkg:useStatus "off-label" ; jakkg:route ?r ;
             jakkg:regimen [ jakkg:doseValue ?v ; jakkg:doseMax ?m ] FILTER NOT EXISTS { ?c jakkg:repairNote ?x } } }""")
    assert {(r["v"], r["m"]) for r in rows} == {(15.0, 20.0)}


def test_ingest_twice_replaces_the_document_graph(store_copy):
    ingest(MINI, store_copy)
    first = graph_count(store_copy, "mini-review")
    again = ingest(MINI, store_copy)
    assert again.replaced and graph_count(store_copy, "mini-review") == first


def test_cli_ingest_prints_report(store_copy):
    r = cli("ingest", MINI, "--store", store_copy)
    assert r.returncode == 0, r.stderr
    assert "added mini-review (review)" in r.stdout
    assert "jakkg:DrugUseClaim" in r.stdout
    assert "problems: 3" in r.stdout and "did you mean 'ritlecitinib'" in r.stdout
    assert "not interpreted: 2" in r.stdout and "mini-review.txt:18:" in r.stdout


def test_cli_strict_fails_and_leaves_store_untouched(store_copy):
    before = tree_digest(store_copy)
    r = cli("ingest", CASES, "--store", store_copy, "--strict")
    assert r.returncode == 1 and r.stderr.startswith("error: ")
    assert "case-series-reordered.txt:13: unknown condition 'gout'" in r.stderr
    assert "Traceback" not in r.stderr
    assert tree_digest(store_copy) == before


def test_ingest_without_store_or_with_bad_file(tmp_path, store_copy):
    with pytest.raises(JakkgError, match="no store here"):
        ingest(MINI, tmp_path / "nothing")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    before = tree_digest(store_copy)
    r = cli("ingest", empty, "--store", store_copy)
    assert r.returncode == 1 and "empty.txt:1: empty file" in r.stderr
    assert tree_digest(store_copy) == before
    assert not list(store_copy.parent.glob(".store.building-*"))
