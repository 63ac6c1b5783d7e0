"""1 000 hostile requests — malformed queries, UPDATE attempts, SERVICE calls, oversized
bodies and deliberately exponential queries, mixed with good ones — leave `jakkg serve`
answering /health within 1 s throughout; every bad request gets its own 4xx and message."""
from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from servers import alive, children, serve_process

GOOD = ("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a jakkg:Patient }", "18")  # the letter: 18 patients
MALFORMED = [
    "SELECT ?x WHERE { ?x ?y }",
    "SELEKT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o ",
    "SELECT * WHERE { ?s <http://x ?o }",
    "SELECT (COUNT(*) ?n) WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p \"unterminated }",
    "ASK { FILTER( }",
    "CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }",
    "PREFIX : <urn:x#> SELECT * WHERE { :a :b :c . } GROUP",
    "",
    "}}}{{{",
    "SELECT * WHERE { ?s nope:thing ?o }",
]
UPDATES = [
    ("form-update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("sparql-update", "DELETE WHERE { ?s ?p ?o }"),
    ("query", "DROP ALL"),
    ("query", "LOAD <http://example.org/data.ttl> INTO GRAPH <urn:g>"),
    ("query", "PREFIX ex: <urn:ex#> insert { ?s ex:p 1 } where { ?s ?p ?o }"),
    ("query", "CLEAR DEFAULT"),
    ("query", "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("query", "CREATE GRAPH <urn:g>"),
    ("query", "COPY DEFAULT TO <urn:g>"),
]
SERVICES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?q ?r } }",
    "select * where { service ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?a ?b ?c } } } }",
]
EXPONENTIAL = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?f ?c LIMIT 1",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:none>)* ?b . ?c ?d ?e . ?f ?g ?h }",
]
MAX_BODY = 20_000
N_EXPONENTIAL = 9


def plan(rng: random.Random) -> list[tuple[str, dict, int, str]]:
    """(kind, request kwargs, expected status, expected message fragment) × 1000."""
    out = []
    for i in range(1000 - N_EXPONENTIAL):
        kind = rng.choice(["malformed", "update", "service", "oversized", "good"])
        if kind == "malformed":
            q = rng.choice(MALFORMED)
            req = rng.choice([{"method": "GET", "params": {"query": q}},
                              {"method": "POST", "data": {"query": q}},
                              {"method": "POST", "content": q.encode(),
                               "headers": {"Content-Type": "application/sparql-query"}}])
            out.append((kind, req, 400, "error: SPARQL syntax error: "))
        elif kind == "update":
            how, q = rng.choice(UPDATES)
            if how == "form-update":
                req = {"method": "POST", "data": {"update": q}}
            elif how == "sparql-update":
                req = {"method": "POST", "content": q.encode(),
                       "headers": {"Content-Type": "application/sparql-update"}}
            else:
                req = rng.choice([{"method": "GET", "params": {"query": q}},
                                  {"method": "POST", "data": {"query": q}}])
            out.append((kind, req, 403, "is not allowed: this endpoint is read-only"))
        elif kind == "service":
            q = rng.choice(SERVICES)
            req = rng.choice([{"method": "GET", "params": {"query": q}},
                              {"method": "POST", "data": {"query": q}}])
            out.append((kind, req, 400, "is not allowed: this endpoint does not send queries to other hosts"))
        elif kind == "oversized":
            size = rng.choice([MAX_BODY + 1, 50_000, 400_000])
            body = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * size).encode()
            req = rng.choice([
                {"method": "POST", "content": body, "headers": {"Content-Type": "application/sparql-query"}},
                {"method": "POST", "content": b"query=" + body,
                 "headers": {"Content-Type": "application/x-www-form-urlencoded"}}])
            out.append((kind, req, 413, f"larger than the {MAX_BODY} byte limit"))
        else:
            req = {"method": "POST", "data": {"query": GOOD[0]}}
            out.append((kind, req, 200, GOOD[1]))
    for i in range(N_EXPONENTIAL):
        q = EXPONENTIAL[i % len(EXPONENTIAL)]
        out.insert(rng.randrange(len(out)), ("exponential", {"method": "GET", "params": {"query": q}},
                                             503, "ran longer than the 2 s time limit"))
    return out


@pytest.fixture(scope="module")
def server(store_path):
    # the real CLI in its own process, so the test's client does not share its interpreter
    with serve_process(store_path, "--timeout", "2", "--max-rows", "1000", "--max-body",
                       str(MAX_BODY), "--workers", "3") as (url, proc):
        yield url, proc


def test_thousand_hostile_requests(server):
    url, proc = server
    workers_before = children(proc.pid)
    rng = random.Random(7)
    requests = plan(rng)
    assert len(requests) == 1000
    kinds = {k for k, *_ in requests}
    assert kinds == {"malformed", "update", "service", "oversized", "good", "exponential"}
    health_latencies: list[float] = []
    results: list = [None] * len(requests)

    async def main():
        limits = httpx.Limits(max_connections=24)
        async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False, limits=limits) as client, \
                httpx.AsyncClient(base_url=url, timeout=5, trust_env=False) as health_client:
            done = asyncio.Event()

            async def watch_health():
                while not done.is_set():
                    t0 = time.monotonic()
                    r = await health_client.get("/health")
                    health_latencies.append(time.monotonic() - t0)
                    assert r.status_code == 200 and r.json()["status"] == "ok"
                    await asyncio.sleep(0.05)

            sem = asyncio.Semaphore(24)

            async def one(i, req):
                req = dict(req)
                async with sem:
                    try:
                        r = await client.request(req.pop("method"), "/sparql", **req)
                    except httpx.HTTPError as e:   # reported with the other wrong answers
                        results[i] = (None, f"{type(e).__name__}: {e}")
                        return
                    results[i] = (r.status_code, r.text)

            watcher = asyncio.create_task(watch_health())
            t0 = time.monotonic()
            await asyncio.gather(*[one(i, req) for i, (_, req, _, _) in enumerate(requests)])
            elapsed = time.monotonic() - t0
            done.set()
            await watcher
            return elapsed

    elapsed = asyncio.run(main())
    wrong = [(kind, status, text[:160], want_status, want_text)
             for (kind, _, want_status, want_text), (status, text) in zip(requests, results)
             if status != want_status or want_text not in text]
    assert wrong == [], f"{len(wrong)} wrong answers, e.g. {wrong[:3]}"
    # every refusal is one line, "error: …"
    assert all(text.startswith("error: ") and text.count("\n") == 1
               for (_, _, want, _), (status, text) in zip(requests, results) if want != 200)
    assert len(health_latencies) > 20
    assert max(health_latencies) < 1.0, f"slowest /health: {max(health_latencies):.2f} s"
    with httpx.Client(base_url=url, timeout=10, trust_env=False) as c:
        deadline = time.monotonic() + 30
        while (health := c.get("/health").json())["workers"] < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    # each runaway query's worker was killed (and reaped: no zombie) and replaced
    assert health["killed"] == N_EXPONENTIAL and health["workers"] == 3
    workers_after = children(proc.pid)     # a zombie would still be listed here (state Z)
    assert len(workers_after) == 3 and all(alive(p) for p in workers_after)
    assert set(workers_after) != set(workers_before)
    with httpx.Client(base_url=url, timeout=10, trust_env=False) as c:
        t0 = time.monotonic()
        assert c.get("/health").status_code == 200
        assert time.monotonic() - t0 < 1.0
        r = c.post("/sparql", data={"query": GOOD[0]})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "18"
    print(f"1000 requests in {elapsed:.1f} s; slowest /health {max(health_latencies) * 1000:.0f} ms")
