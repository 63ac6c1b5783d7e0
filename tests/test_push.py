"""`jakkg push` without a triple store: batching keeps blank nodes together, and bad
arguments or an unreachable endpoint give one clear line (the Virtuoso round trip is in
test_virtuoso.py)."""
from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from typer.testing import CliRunner

from jakkg.cli import app
from jakkg.push import PushError, batches, push
from servers import free_ports

import pytest


def test_batches_put_every_blank_node_triple_in_the_first_request():
    ex = lambda n: NamedNode(f"urn:ex:{n}")  # noqa: E731
    plain = [Triple(ex(i), ex("p"), Literal(str(i))) for i in range(10)]
    b = BlankNode("list")
    with_b = [Triple(ex("x"), ex("members"), b), Triple(b, ex("first"), ex("a")),
              Triple(b, ex("rest"), ex("nil"))]
    out = batches(plain[:5] + with_b + plain[5:], 4)
    assert out[0][:3] == with_b and len(out[0]) == 4
    assert [len(x) for x in out] == [4, 4, 4, 1]
    assert sorted(map(str, sum(out, []))) == sorted(map(str, plain + with_b))
    assert batches(with_b, 2) == [with_b]      # a batch grows rather than split a blank node


def test_unknown_graph_and_bad_batch_size(store):
    with pytest.raises(PushError, match=r"no named graph <urn:nope> in the store \(it has: https://w3id.org/jakkg/graph/lexicon"):
        push(store, "http://127.0.0.1:9/x", graphs=["urn:nope"])
    with pytest.raises(PushError, match="--batch-size must be at least 1"):
        push(store, "http://127.0.0.1:9/x", batch_size=0)


def test_unreachable_endpoint_is_one_line_exit_1(store_path):
    port = free_ports(1)[0]   # nothing listens there
    url = f"http://127.0.0.1:{port}/sparql-graph-crud"
    r = CliRunner().invoke(app, ["push", "--endpoint", url, "--store", str(store_path)])
    assert isinstance(r.exception, PushError)
    assert str(r.exception).startswith(f"{url}: cannot reach the endpoint:")
    assert "Connection refused" in str(r.exception)


def test_auto_auth_uses_basic_when_the_endpoint_asks_for_it(store):
    """A minimal Graph Store endpoint that wants Basic auth (as Fuseki does): push finds
    that out, sends every batch, and the graphs it receives are the store's graphs."""
    import base64
    import threading
    import time

    import uvicorn
    from pyoxigraph import NamedNode, RdfFormat, parse
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    received: dict[str, list] = {}
    methods: list[tuple[str, str]] = []
    token = "Basic " + base64.b64encode(b"admin:secret").decode()

    async def gsp(request):
        if request.headers.get("authorization") != token:
            return Response(status_code=401, headers={"WWW-Authenticate": 'Basic realm="gsp"'})
        graph = request.query_params["graph"]
        methods.append((request.method, graph))
        if request.method == "HEAD":
            return Response(status_code=404)
        triples = list(parse(await request.body(), format=RdfFormat.N_TRIPLES))
        if request.method == "PUT":
            received[graph] = triples
        else:
            received[graph].extend(triples)
        return Response(status_code=201 if request.method == "PUT" else 204)

    app = Starlette(routes=[Route("/data", gsp, methods=["HEAD", "PUT", "POST"])])
    port = free_ports(1)[0]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        url = f"http://127.0.0.1:{port}/data"
        sent = push(store, url, user="admin", password="secret", batch_size=300)
        with pytest.raises(PushError, match="HTTP 401"):
            push(store, url, user="admin", password="wrong")
    finally:
        server.should_exit = True
        thread.join(10)
    letter = "https://w3id.org/jakkg/graph/muntaner-virgili-2025-jaki-combination-letter"
    assert set(received) == set(sent) and letter in sent
    for g, triples in received.items():
        local = {str(q.triple) for q in store.quads_for_pattern(None, None, None, NamedNode(g))}
        if g.endswith("/ontology"):   # blank nodes are relabelled by parsing: compare counts
            assert len(triples) == len(local)
        else:
            assert {str(t) for t in triples} == local
    # one PUT per graph, then POSTs of at most 300 triples
    puts = [g for m, g in methods if m == "PUT"]
    assert sorted(puts) == sorted(sent)
    assert sum(1 for m, g in methods if m == "POST" and g == letter) == -(-sent[letter] // 300) - 1
