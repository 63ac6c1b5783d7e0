"""`jakkg query`: a query that does not parse is reported as FILE:LINE:COLUMN and a short
message, exit 2, no traceback; every output format still works."""
import json
import subprocess
import sys

import pytest

from jakkg.errors import QueryError
from jakkg.query import run, syntax_error


def jakkg(*args):
    return subprocess.run([sys.executable, "-m", "jakkg", *map(str, args)], capture_output=True, text=True)


def test_unknown_prefix_points_at_its_line(store_path, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# a question?\nSELECT ?x WHERE {\n  ?x foo:bar ?y\n}\n", encoding="utf-8")
    r = jakkg("query", bad, "--store", store_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"error: {bad}:3:13: SPARQL syntax error near '?y': unknown prefix 'foo:' (declare it with PREFIX)"]


def test_truncated_query_names_position_and_expected_tokens(store_path):
    r = jakkg("query", "-e", "SELECT ?x WHERE { ?x ?p ?o } GROUP BY", "--store", store_path)
    assert r.returncode == 2
    line = r.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("error: -e:1:38: SPARQL syntax error at the end of the query: expected ")
    assert "'\\u{" not in line          # character classes of the grammar are left out


def test_message_is_short_and_keeps_line_and_column():
    sparql = "SELECT ?x\nWHERE {\n  ?x ?p ?o .\n  FILTER(?x = ) }"
    e = syntax_error(SyntaxError("error at 4:15: expected one of ABS, AVG, BNODE, BOUND, CEIL, "
                                 "COALESCE, CONCAT, CONTAINS, [_]"), sparql, "q.rq")
    assert isinstance(e, QueryError) and e.exit_code == 2
    assert str(e) == ("q.rq:4:15: SPARQL syntax error near ') }': expected ABS, AVG, BNODE, BOUND, "
                      "CEIL, COALESCE, … (2 more)")


def test_unparseable_message_without_position():
    e = syntax_error(SyntaxError("something odd"), "SELECT", "-e")
    assert str(e) == "-e: SPARQL syntax error: something odd"


def test_run_raises_query_error(store):
    with pytest.raises(QueryError) as info:
        run(store, "SELECT ?x WHERE { ?x ?p }", source="-e")
    assert str(info.value).startswith("-e:1:")


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_construct_formats(store_path, fmt):
    q = ("CONSTRUCT { ?c jakkg:caseNumber ?n } WHERE { ?c jakkg:caseNumber ?n FILTER(?n = 13) }")
    r = jakkg("query", "-e", q, "--store", store_path, "-f", fmt)
    assert r.returncode == 0, r.stderr
    assert "therapy-course/muntaner-virgili-2025-jaki-combination-letter/13" in r.stdout
    if fmt == "jsonld":
        json.loads(r.stdout)


def test_tsv_and_ask(store_path):
    r = jakkg("query", "queries/02-patients-per-disease.rq", "--store", store_path, "-f", "tsv")
    assert r.stdout.splitlines()[1] == "alopecia areata\t12\t13"
    r = jakkg("query", "-e", "ASK { ?c jakkg:caseNumber 22 }", "--store", store_path, "-f", "json")
    assert json.loads(r.stdout) == {"head": {}, "boolean": True}
