"""Bigger deployments: `jakkg push` uploads the graph to a private Virtuoso (Debian
virtuoso-opensource-7-bin, started by scripts/start_virtuoso.sh on free 127.0.0.1 ports)
with the SPARQL 1.1 Graph Store Protocol, and EVERY shipped query gives the same answers on
Virtuoso's /sparql as on the embedded store.

Only differences in how the same value is written are normalised (Virtuoso writes
xsd:boolean as 0/1, xsd:dayTimeDuration as seconds, numbers in its own lexical form).
A query Virtuoso cannot answer the same way goes in KNOWN_DIFFERENCES with the reason;
it is then an xfail(strict) so it is reported, never silently skipped.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from servers import VIRTUOSO_T, Virtuoso, reasoned_store

if not Path(VIRTUOSO_T).exists():
    pytest.skip(f"{VIRTUOSO_T} is absent (CI installs the Debian package "
                "virtuoso-opensource-7-bin)", allow_module_level=True)

from jakkg.namespaces import PREFIXES  # noqa: E402
from jakkg.push import PushError, push  # noqa: E402
from jakkg.query import run  # noqa: E402

QUERIES = sorted((Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))
XSD = PREFIXES["xsd"]
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger",
                             "nonPositiveInteger", "unsignedInt", "unsignedLong")}
# query file stem -> why Virtuoso cannot answer it the same way at all: an xfail(strict),
# so it is reported on every run, and noticed when Virtuoso starts to agree.
# (Empty: queries 19, 21 and 22 were rewritten to portable SPARQL — decimal arithmetic, and
# no BIND-computed variables inside MINUS / NOT EXISTS — after this test found them.)
KNOWN_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    v = Virtuoso(tmp_path_factory.mktemp("virtuoso-db"))
    v.start()
    try:
        yield v
    finally:
        v.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory, store_path):
    """The store after `jakkg reason` (some shipped queries read the inferred graph)."""
    from jakkg.store import open_store
    return open_store(reasoned_store(tmp_path_factory, store_path))


@pytest.fixture(scope="module")
def pushed(virtuoso, store):
    progress = []
    sent = push(store, virtuoso.gsp, user="dba", password="dba", batch_size=500,
                progress=lambda *a: progress.append(a))
    return sent, progress


def vselect(virtuoso, sparql: str, graphs: list[str], accept="application/sparql-results+json"):
    with httpx.Client(timeout=60, trust_env=False) as c:
        body = urlencode([("query", sparql)] + [("default-graph-uri", g) for g in graphs])
        r = c.post(virtuoso.sparql, content=body,
                   headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text[:500]
    return r.json() if accept.endswith("json") else r.content


def with_prefixes(sparql: str) -> str:
    """jakkg predeclares its prefixes; Virtuoso needs the ones a query leaves out."""
    declared = set(re.findall(r"PREFIX\s+([\w-]*):", sparql, re.I))
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared) + sparql


def duration_seconds(text: str) -> Decimal | None:
    m = re.fullmatch(r"(-?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", text)
    if not m or text in ("P", "-P", "PT"):
        return None
    d, h, mi, s = (Decimal(x or 0) for x in m.groups()[1:])
    total = ((d * 24 + h) * 60 + mi) * 60 + s
    return -total if m.group(1) else total


def norm(kind: str, value: str, datatype: str | None, lang: str | None):
    """The value a term denotes, so equal values written differently compare equal."""
    if kind == "uri":
        return ("uri", value)
    if kind == "bnode":
        return ("bnode",)                     # labels are local to each store
    if datatype in NUMERIC:
        try:
            return ("number", round(Decimal(value), 6).normalize())
        except InvalidOperation:
            return ("number?", value)
    if datatype == XSD + "boolean":
        return ("boolean", value in ("true", "1"))
    if datatype in (XSD + "dayTimeDuration", XSD + "duration"):
        seconds = duration_seconds(value)
        if seconds is None:
            seconds = Decimal(value)          # Virtuoso: seconds as a number
        return ("duration", seconds.normalize())
    if datatype in (None, XSD + "string") or lang:
        return ("string", value, (lang or "").lower())
    return ("literal", value, datatype)


def norm_term(t):
    kind = type(t).__name__
    if kind == "NamedNode":
        return norm("uri", t.value, None, None)
    if kind == "BlankNode":
        return norm("bnode", t.value, None, None)
    return norm("literal", t.value, t.datatype.value if not t.language else None, t.language)


def norm_triples(triples) -> list:
    return sorted((repr(norm_term(t.subject)), repr(norm_term(t.predicate)), repr(norm_term(t.object)))
                  for t in triples)


def local_rows(store, sparql: str):
    result = run(store, sparql)
    if result.kind == "ask":
        return result.kind, result.boolean
    if result.kind == "graph":
        return "graph", norm_triples(result.triples)
    rows = []
    for row in result.rows:
        out = {}
        for var, t in row.items():
            if t is None:
                continue
            kind = type(t).__name__
            if kind == "NamedNode":
                out[var] = norm("uri", t.value, None, None)
            elif kind == "BlankNode":
                out[var] = norm("bnode", t.value, None, None)
            else:
                out[var] = norm("literal", t.value, t.datatype.value if not t.language else None,
                                t.language)
        rows.append(out)
    return result.kind, rows


def virtuoso_rows(data: dict):
    if "boolean" in data:
        return "ask", data["boolean"]
    rows = []
    for b in data["results"]["bindings"]:
        rows.append({var: norm("uri" if t["type"] == "uri" else "bnode" if t["type"] == "bnode" else "literal",
                               t["value"], t.get("datatype"), t.get("xml:lang"))
                     for var, t in b.items()})
    return "select", rows


def test_push_uploads_one_named_graph_per_source(virtuoso, store, pushed):
    sent, progress = pushed
    local = {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
             for g in store.named_graphs()}
    assert sent == local
    assert "https://w3id.org/jakkg/graph/muntaner-virgili-2025-jaki-combination-letter" in sent
    # batched: 500 triples a request, progress after each; last report covers everything
    assert len(progress) >= sum(-(-n // 500) for n in local.values())
    assert progress[-1][2] == progress[-1][3] == sum(local.values())
    counts = vselect(virtuoso, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                               "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/jakkg/graph/')) } GROUP BY ?g", [])
    assert {b["g"]["value"]: int(b["n"]["value"]) for b in counts["results"]["bindings"]} == local


def test_blank_node_structures_survive_batching(virtuoso, pushed):
    # owl:AllDifferent over the four JAK isoforms is an RDF list of blank nodes
    q = with_prefixes("SELECT ?m WHERE { ?x a owl:AllDifferent ; owl:distinctMembers/rdf:rest*/rdf:first ?m } ORDER BY ?m")
    rows = vselect(virtuoso, q, ["https://w3id.org/jakkg/graph/ontology"])["results"]["bindings"]
    assert [r["m"]["value"].rsplit("#", 1)[1] for r in rows] == ["JAK1", "JAK2", "JAK3", "TYK2"]


def test_push_again_replaces_rather_than_duplicates(virtuoso, store, pushed):
    sent, _ = pushed
    again = push(store, virtuoso.gsp, user="dba", password="dba", batch_size=10_000,
                 graphs=["https://w3id.org/jakkg/graph/ontology"])
    assert again == {"https://w3id.org/jakkg/graph/ontology": sent["https://w3id.org/jakkg/graph/ontology"]}
    n = vselect(virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/jakkg/graph/ontology> { ?s ?p ?o } }", [])
    assert int(n["results"]["bindings"][0]["n"]["value"]) == sent["https://w3id.org/jakkg/graph/ontology"]


def test_push_with_wrong_password_is_one_clear_error(virtuoso, store, pushed):
    with pytest.raises(PushError) as e:
        push(store, virtuoso.gsp, user="dba", password="wrong")
    assert str(e.value).startswith(f"{virtuoso.gsp}: PUT graph <https://w3id.org/jakkg/graph/")
    assert "HTTP 401 Unauthorized" in str(e.value)


def concat_separators(sparql: str) -> dict[str, str]:
    """GROUP_CONCAT variables → separator: SPARQL leaves the order of the parts open."""
    out = {}
    for m in re.finditer(r"GROUP_CONCAT\s*\((.*?)\)\s*AS\s*\?(\w+)", sparql, re.I | re.S):
        sep = re.search(r"SEPARATOR\s*=\s*(['\"])(.*?)\1", m.group(1), re.I)
        out[m.group(2)] = sep.group(2) if sep else " "
    return out


def unorder_concats(rows: list[dict], seps: dict[str, str]) -> list[dict]:
    """GROUP_CONCAT values as sorted parts. Over a group where every value is unbound
    (an error inside the aggregate), pyoxigraph leaves the result unbound and Virtuoso
    gives "": both say "nothing", so "" counts as unbound — for GROUP_CONCAT columns only."""
    return [{k: (("concat", tuple(sorted(v[1].split(seps[k])))) if k in seps and v[0] == "string" else v)
             for k, v in row.items() if not (k in seps and v[:2] == ("string", ""))}
            for row in rows]


def derived_concats(sparql: str, seps: dict[str, str]) -> dict[str, str]:
    """Projections computed from a GROUP_CONCAT variable (e.g. REPLACE(?allDoses, …) AS
    ?doses) are lists with the same separator, whose order SPARQL leaves open too."""
    out = dict(seps)
    ends = list(re.finditer(r"\bAS\s+\?(\w+)\s*\)", sparql, re.I))
    start = 0
    for m in ends:
        expression = sparql[start:m.start()]
        for var, sep in seps.items():
            if m.group(1) not in out and re.search(r"\?" + var + r"\b", expression):
                out[m.group(1)] = sep
        start = m.end()
    return out


def booleans_as_integers(expected: list[dict], got: list[dict]) -> list[dict]:
    """Virtuoso returns the value of a boolean expression (?n > 1, BOUND(?x)) as the integer
    0/1: where the embedded store's column holds booleans, read Virtuoso's 0/1 as such."""
    boolean_vars = {k for row in expected for k, v in row.items() if v[0] == "boolean"}
    return [{k: (("boolean", v[1] == 1) if k in boolean_vars and v[0] == "number" and v[1] in (0, 1) else v)
             for k, v in row.items()} for row in got]


def order_keys(sparql: str) -> list[str] | None:
    """The variables of an ORDER BY made only of ?v / ASC(?v) / DESC(?v), else None."""
    m = re.search(r"\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|\Z)", sparql, re.I | re.S)
    if not m:
        return None
    clause = re.sub(r"#[^\n]*", "", m.group(1)).strip().rstrip("}").strip()
    parts = re.findall(r"(?:ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+)|(\S+)", clause, re.I)
    if any(other for _, _, other in parts):
        return None
    return [a or b for a, b, _ in parts]


@pytest.mark.parametrize("query", [
    pytest.param(q, id=q.stem, marks=[pytest.mark.xfail(reason=KNOWN_DIFFERENCES[q.stem], strict=True)]
                 if q.stem in KNOWN_DIFFERENCES else []) for q in QUERIES])
def test_every_shipped_query_answers_the_same_on_virtuoso(virtuoso, store, pushed, query):
    sent, _ = pushed
    sparql = query.read_text(encoding="utf-8")
    kind, expected = local_rows(store, sparql)
    if kind == "graph":   # CONSTRUCT/DESCRIBE: the same triples (blank nodes as such)
        from pyoxigraph import RdfFormat, parse
        body = vselect(virtuoso, with_prefixes(sparql), sorted(sent), accept="text/turtle")
        assert expected, "a shipped query should answer something on the embedded store"
        assert norm_triples(parse(body, format=RdfFormat.TURTLE)) == expected
        return
    vkind, got = virtuoso_rows(vselect(virtuoso, with_prefixes(sparql), sorted(sent)))
    assert vkind == kind
    if kind == "ask":
        assert got == expected
        return
    assert expected, "a shipped query should answer something on the embedded store"
    seps = derived_concats(sparql, concat_separators(sparql))
    got = booleans_as_integers(expected, got)
    expected, got = unorder_concats(expected, seps), unorder_concats(got, seps)
    key = lambda row: sorted((k, repr(v)) for k, v in row.items())  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)       # the same rows …
    keys = order_keys(sparql)
    if keys:                                                        # … in the same order
        assert [[r.get(k) for k in keys] for r in got] == [[r.get(k) for k in keys] for r in expected]


def test_comparison_helpers():
    q = "SELECT ?c (GROUP_CONCAT(DISTINCT ?l; separator=', ') AS ?drugs) WHERE {} ORDER BY DESC(?n) ?c LIMIT 3"
    assert concat_separators(q) == {"drugs": ", "}
    assert order_keys(q) == ["n", "c"]
    q2 = 'SELECT (REPLACE(?all, "x", "") AS ?doses) ?n WHERE { { SELECT (GROUP_CONCAT(?d; separator="; ") AS ?all) (COUNT(*) AS ?n) {} } }'
    assert derived_concats(q2, concat_separators(q2)) == {"all": "; ", "doses": "; "}
    assert booleans_as_integers([{"c": ("boolean", True)}], [{"c": ("number", Decimal(1))}]) == [{"c": ("boolean", True)}]
    assert booleans_as_integers([{"c": ("number", Decimal(1))}], [{"c": ("number", Decimal(1))}]) == [{"c": ("number", Decimal(1))}]
    assert order_keys("SELECT * {} ORDER BY STR(?x)") is None
    assert unorder_concats([{"drugs": ("string", "b, a", "")}], {"drugs": ", "}) == [{"drugs": ("concat", ("a", "b"))}]
    assert unorder_concats([{"drugs": ("string", "", ""), "c": ("string", "", "")}], {"drugs": ", "}) == [
        {"c": ("string", "", "")}]
    assert duration_seconds("P7D") == Decimal(604800) and duration_seconds("PT12H") == Decimal(43200)
    assert norm("literal", "604800.0", XSD + "dayTimeDuration", None) == norm("literal", "P7D", XSD + "dayTimeDuration", None)
    assert norm("literal", "0", XSD + "boolean", None) == norm("literal", "false", XSD + "boolean", None)
    assert norm("literal", "2.1428570", XSD + "decimal", None) == norm("literal", "2.142857", XSD + "decimal", None)
    assert norm("literal", "2.15", XSD + "decimal", None) != norm("literal", "2.142857", XSD + "decimal", None)


def test_push_command_line(virtuoso, store, tmp_path_factory, store_path, pushed):
    import subprocess
    import sys
    from pyoxigraph import NamedNode
    review = "https://w3id.org/jakkg/graph/nussbaum-offlabel-jaki-review"
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(review)))
    path = reasoned_store(tmp_path_factory, store_path)
    r = subprocess.run([sys.executable, "-m", "jakkg", "push", "--endpoint", virtuoso.gsp,
                        "--user", "dba", "--password", "dba", "--graph", review, "--store", str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == f"pushed {n} triples in 1 graph(s) to {virtuoso.gsp}"
    assert f"{n} triples → <{review}>" in r.stdout
    r = subprocess.run([sys.executable, "-m", "jakkg", "push", "--endpoint", virtuoso.gsp,
                        "--user", "dba", "--password", "nope", "--store", str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1].startswith(f"error: {virtuoso.gsp}: PUT graph <https://w3id.org/jakkg/graph/")
    assert "HTTP 401 Unauthorized" in r.stderr
