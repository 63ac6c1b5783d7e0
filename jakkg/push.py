"""``jakkg push``: upload the store to any SPARQL 1.1 Graph Store Protocol endpoint.

One named graph per source (the same graph IRIs as in the embedded store). Each graph goes
in batches of N-Triples: the first batch PUTs (replacing what the endpoint held under that
name), the following batches POST (append). Triples with blank nodes all travel in the first
batch, because a blank node label only means the same node within one request.

Authentication: HTTP Digest (Virtuoso's ``/sparql-graph-crud-auth``) or Basic (Fuseki,
GraphDB, …); ``auto`` asks the endpoint which one it wants.
"""
from __future__ import annotations

from typing import Callable

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, serialize

from .errors import JakkgError

NTRIPLES = "application/n-triples"


class PushError(JakkgError):
    """The endpoint refused or could not be reached."""


def _has_bnode(t) -> bool:
    return isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode)


def batches(triples: list, size: int) -> list[list]:
    """Split triples into batches of ``size``; all blank-node triples in the first batch."""
    with_b = [t for t in triples if _has_bnode(t)]
    rest = [t for t in triples if not _has_bnode(t)]
    first_room = max(0, size - len(with_b))
    out = [with_b + rest[:first_room]]
    rest = rest[first_room:]
    out += [rest[i:i + size] for i in range(0, len(rest), size)]
    return [b for b in out if b] or [[]]


def _auth(client, endpoint: str, graph: str, user: str | None, password: str | None, mode: str):
    import httpx
    if not user:
        return None
    if mode == "digest":
        return httpx.DigestAuth(user, password or "")
    if mode == "basic":
        return httpx.BasicAuth(user, password or "")
    if mode != "auto":
        raise PushError(f"unknown --auth '{mode}' (choose auto, digest or basic)")
    try:
        probe = client.head(endpoint, params={"graph": graph})
    except httpx.HTTPError as e:
        raise PushError(f"cannot reach the endpoint: {e}", endpoint) from None
    scheme = probe.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
    if scheme == "digest":
        return httpx.DigestAuth(user, password or "")
    return httpx.BasicAuth(user, password or "")


def push(store: Store, endpoint: str, graphs: list[str] | None = None, user: str | None = None,
         password: str | None = None, auth: str = "auto", batch_size: int = 5000,
         progress: Callable[[str, str, int, int], None] | None = None,
         timeout: float = 120.0) -> dict[str, int]:
    """Upload named graphs; returns {graph IRI: triples sent}. ``progress(event, graph,
    done, total)`` is called after every batch (counts in triples over all graphs)."""
    import httpx
    if batch_size < 1:
        raise PushError("--batch-size must be at least 1")
    available = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    if graphs:
        missing = [g for g in graphs if g not in available]
        if missing:
            raise PushError(f"no named graph <{missing[0]}> in the store "
                            f"(it has: {', '.join(available)})")
        selected = [g for g in available if g in graphs]
    else:
        selected = available
    if not selected:
        raise PushError("the store has no named graphs to push")
    content = {g: [q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(g))]
               for g in selected}
    total = sum(len(t) for t in content.values())
    done = 0
    sent: dict[str, int] = {}
    # never send our local store through a proxy meant for the web when the target is local
    with httpx.Client(timeout=timeout, trust_env=not _is_local(endpoint)) as client:
        client.auth = _auth(client, endpoint, selected[0], user, password, auth)
        for g in selected:
            for i, batch in enumerate(batches(content[g], batch_size)):
                body = serialize(batch, format=RdfFormat.N_TRIPLES) if batch else b""
                method = "PUT" if i == 0 else "POST"
                try:
                    r = client.request(method, endpoint, params={"graph": g}, content=body,
                                       headers={"Content-Type": NTRIPLES})
                except httpx.HTTPError as e:
                    raise PushError(f"cannot reach the endpoint: {e}", endpoint) from None
                if r.status_code >= 400:
                    detail = " ".join(r.text.split())[:200]
                    raise PushError(f"{method} graph <{g}> refused: HTTP {r.status_code} "
                                    f"{r.reason_phrase}{': ' + detail if detail else ''}", endpoint)
                done += len(batch)
                sent[g] = sent.get(g, 0) + len(batch)
                if progress:
                    progress("batch", g, done, total)
    return sent


def _is_local(url: str) -> bool:
    from urllib.parse import urlsplit
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")
