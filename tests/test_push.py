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
