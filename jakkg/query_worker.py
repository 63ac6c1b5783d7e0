"""Query execution for ``jakkg serve``, in worker processes that can be killed.

pyoxigraph cannot cancel a running query, so the HTTP server never runs SPARQL in its own
process: each query is sent to a :class:`QueryPool` worker (a separate process holding the
store open read-only) and, when the per-query time limit passes, that worker is killed and
replaced. The server's event loop stays free, so ``/health`` answers while a runaway query
burns one worker's CPU.

Everything that crosses the pipe is plain Python (str, bytes, tuples), so terms are sent as
``(kind, value, datatype, language)`` tuples.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from dataclasses import dataclass, field

from pyoxigraph import (BlankNode, Literal, NamedNode, QueryBoolean,
                        QueryResultsFormat, QuerySolutions, RdfFormat, Store,
                        parse_query_results, serialize)

from .namespaces import OA, PREFIXES, PROV, RDFS

JAKKG_NS = PREFIXES["jakkg"]

# --- content negotiation ---------------------------------------------------------------

# (media type, format) in the server's order of preference
RESULT_TYPES = [
    ("application/sparql-results+json", QueryResultsFormat.JSON),
    ("application/sparql-results+xml", QueryResultsFormat.XML),
    ("text/csv", QueryResultsFormat.CSV),
    ("text/tab-separated-values", QueryResultsFormat.TSV),
    ("application/json", QueryResultsFormat.JSON),
    ("application/xml", QueryResultsFormat.XML),
    ("text/xml", QueryResultsFormat.XML),
]
GRAPH_TYPES = [
    ("text/turtle", RdfFormat.TURTLE),
    ("application/n-triples", RdfFormat.N_TRIPLES),
    ("application/ld+json", RdfFormat.JSON_LD),
    ("text/plain", RdfFormat.N_TRIPLES),
    ("application/x-turtle", RdfFormat.TURTLE),
]
# ?format= shortcuts (override the Accept header)
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples",
    "ntriples": "application/n-triples", "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
}


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """``Accept`` header → [(media range, q)], best first (stable for equal q)."""
    if not accept or not accept.strip():
        return [("*/*", 1.0)]
    out = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for p in pieces[1:]:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        out.append((media, q))
    out.sort(key=lambda mq: -mq[1])
    return out


def negotiate(accept: str | None, offered: list[tuple[str, object]]):
    """The offered (media type, format) the client prefers most, or None (→ 406)."""
    best, best_key = None, None
    for index, (media, fmt) in enumerate(offered):
        for rank, (rng, q) in enumerate(parse_accept(accept)):
            if q <= 0:
                continue
            if rng == media or rng == "*/*" or (rng.endswith("/*") and media.startswith(rng[:-1])):
                specificity = 0 if rng == media else 1
                key = (-q, specificity, rank, index)
                if best_key is None or key < best_key:
                    best, best_key = (media, fmt), key
                break
    return best


# --- terms across the pipe ---------------------------------------------------------------

def term_to_tuple(term) -> tuple | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    return ("other", str(term), None, None)


def tuple_to_term(t: tuple):
    kind, value, datatype, language = t
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value)
    if language:
        return Literal(value, language=language)
    return Literal(value, datatype=NamedNode(datatype)) if datatype else Literal(value)


# --- the job a worker runs ---------------------------------------------------------------

@dataclass
class Job:
    op: str                                   # "query", "entity", "graphs"
    sparql: str = ""
    substitutions: dict = field(default_factory=dict)   # name -> term tuple
    accept: str | None = None
    fmt: str | None = None                    # a FORMAT_NAMES key or None
    default_graphs: list = field(default_factory=list)
    named_graphs: list = field(default_factory=list)
    max_rows: int = 10000
    iri: str = ""


@dataclass
class Reply:
    status: int
    media_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    truncated: bool = False
    data: object = None


def _error(status: int, message: str) -> Reply:
    return Reply(status, body=message.encode("utf-8"))


def _dataset_kwargs(job: Job) -> dict:
    kwargs: dict = {"prefixes": PREFIXES}
    if job.default_graphs:
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    return kwargs


def run_job(store: Store, job: Job) -> Reply:
    if job.op == "entity":
        return Reply(200, data=entity_data(store, job.iri))
    if job.op == "graphs":
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
        return Reply(200, data=graphs)
    return run_query(store, job)


def run_query(store: Store, job: Job) -> Reply:
    subs = {_variable(k): tuple_to_term(v) for k, v in job.substitutions.items()}
    accept = FORMAT_NAMES.get(job.fmt, job.accept) if job.fmt else job.accept
    try:
        result = store.query(job.sparql, substitutions=subs or None, **_dataset_kwargs(job))
    except SyntaxError as e:
        return _error(400, "SPARQL syntax error: " + " ".join(str(e).split()))
    except (OSError, ValueError, TypeError, RuntimeError) as e:
        return _error(400, f"query failed: {e}")
    try:
        if isinstance(result, QueryBoolean):
            chosen = negotiate(accept, RESULT_TYPES[:2] + RESULT_TYPES[4:])
            if chosen is None:
                return _not_acceptable(accept, RESULT_TYPES[:2])
            return Reply(200, chosen[0], result.serialize(format=chosen[1]))
        if isinstance(result, QuerySolutions):
            chosen = negotiate(accept, RESULT_TYPES)
            if chosen is None:
                return _not_acceptable(accept, RESULT_TYPES)
            body, truncated = _capped_solutions(result, job.max_rows, chosen[1])
            return Reply(200, chosen[0], body, truncated)
        chosen = negotiate(accept, GRAPH_TYPES)
        if chosen is None:
            return _not_acceptable(accept, GRAPH_TYPES)
        triples = []
        truncated = False
        for t in result:
            if len(triples) >= job.max_rows:
                truncated = True
                break
            triples.append(t)
        kwargs = {"prefixes": PREFIXES} if chosen[1] == RdfFormat.TURTLE else {}
        return Reply(200, chosen[0], serialize(triples, format=chosen[1], **kwargs), truncated)
    except (OSError, ValueError, RuntimeError) as e:
        return _error(400, f"query failed: {e}")


def _variable(name: str):
    from pyoxigraph import Variable
    return Variable(name)


def _not_acceptable(accept, offered) -> Reply:
    types = ", ".join(dict.fromkeys(m for m, _ in offered))
    return _error(406, f"cannot produce '{accept}' for this query; choose one of: {types}")


def _capped_solutions(solutions: QuerySolutions, max_rows: int, fmt) -> tuple[bytes, bool]:
    """Serialise at most ``max_rows`` solutions with pyoxigraph's own serialiser: the kept
    solutions are written as SPARQL TSV (terms in N-Triples syntax, lossless), parsed back
    into a QuerySolutions and serialised in the requested format."""
    variables = solutions.variables
    lines = ["\t".join(str(v) for v in variables)]
    truncated = False
    for n, solution in enumerate(solutions):
        if n >= max_rows:
            truncated = True
            break
        lines.append("\t".join("" if solution[v] is None else str(solution[v]) for v in variables))
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == QueryResultsFormat.TSV:
        return tsv, truncated
    return parse_query_results(tsv, format=QueryResultsFormat.TSV).serialize(format=fmt), truncated


# --- what the graph knows about one entity (the entity page) -------------------------------

EVIDENCE_QUERY = f"""
SELECT ?node ?ev ?exact ?prefix ?suffix ?start ?end ?section ?line ?doc ?docLabel WHERE {{
  {{ ?node <{PROV}wasDerivedFrom> ?ev }} UNION {{ ?node a <{JAKKG_NS}Evidence> . BIND(?node AS ?ev) }}
  ?ev <{OA}exact> ?exact .
  OPTIONAL {{ ?ev <{OA}prefix> ?prefix }}
  OPTIONAL {{ ?ev <{OA}suffix> ?suffix }}
  OPTIONAL {{ ?ev <{OA}start> ?start }}
  OPTIONAL {{ ?ev <{OA}end> ?end }}
  OPTIONAL {{ ?ev <{JAKKG_NS}section> ?section }}
  OPTIONAL {{ ?ev <{JAKKG_NS}line> ?line }}
  OPTIONAL {{ ?ev <{OA}hasSource> ?doc OPTIONAL {{ ?doc <{RDFS}label> ?docLabel }} }}
}} ORDER BY ?start ?ev
"""
def entity_data(store: Store, iri: str) -> dict | None:
    """What ``jakkg describe`` shows about one node (types, labels, statements grouped by
    property both ways, each neighbour with its label and quote), plus the node's evidence
    with its context (oa:prefix/oa:suffix, section, line) for highlighting. None if the
    graph says nothing about it."""
    from dataclasses import asdict

    from .describe import NotFound, describe_node
    try:
        description = describe_node(store, iri)
    except NotFound:
        return None
    data = asdict(description)
    node = NamedNode(iri)
    data["evidence"] = [
        {k: (s[k].value if s[k] is not None else None)
         for k in ("ev", "exact", "prefix", "suffix", "start", "end", "section", "line", "doc",
                   "docLabel")}
        for s in store.query(EVIDENCE_QUERY, use_default_graph_as_union=True,
                             substitutions={_variable("node"): node})]
    return data


# --- worker processes ----------------------------------------------------------------------

def _worker_main(store_path: str, conn, in_memory: bool = False) -> None:
    """Loop of one worker process: receive a Job, send back a Reply. ``in_memory``: the
    worker queries its own in-memory copy of the store."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    parent = os.getppid()

    def orphan_watch():  # pyoxigraph releases the GIL, so this runs during a long query
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=orphan_watch, daemon=True).start()
    from .store import open_store
    store = open_store(store_path, in_memory)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = run_job(store, job)
        except Exception as e:  # noqa: BLE001 - reported to the client as a 500
            reply = _error(500, f"internal error: {type(e).__name__}: {e}")
        conn.send(reply)


class Worker:
    """One worker process, started as ``python -m jakkg.query_worker STORE FD [memory]`` and
    talking over a socket pair (not multiprocessing's spawn, which re-imports the caller's
    ``__main__`` and so breaks in scripts without a main guard)."""

    def __init__(self, store_path: str, in_memory: bool = False):
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jakkg.query_worker", store_path, str(theirs.fileno()),
                 *(["memory"] if in_memory else [])],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        # copying a large store into memory takes a while (~12 s per million quads)
        if not self.conn.poll(600 if in_memory else 60) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("query worker did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """Kill and reap (no zombie is left behind)."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class QueryTimeout(Exception):
    pass


class PoolBusy(Exception):
    pass


class WorkerCrashed(Exception):
    pass


class QueryPool:
    """A fixed number of worker processes; a query that outlives ``timeout`` seconds has its
    worker killed and replaced."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = 10.0,
                 queue_timeout: float = 30.0, in_memory: bool = False):
        self.store_path = str(store_path)
        self.in_memory = in_memory
        self.size = max(1, size)
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._idle: asyncio.Queue | None = None
        self._all: set[Worker] = set()
        self.killed = 0
        self.replacing = 0     # killed workers whose replacement is still starting

    async def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*[loop.run_in_executor(None, Worker, self.store_path, self.in_memory)
                                         for _ in range(self.size)])
        for w in workers:
            self._all.add(w)
            self._idle.put_nowait(w)

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        workers, self._all = list(self._all), set()
        await asyncio.gather(*[loop.run_in_executor(None, w.kill) for w in workers])

    @property
    def busy(self) -> int:
        return len(self._all) - (self._idle.qsize() if self._idle else 0)

    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._all)

    async def run(self, job: Job) -> Reply:
        """Wait up to ``queue_timeout`` for a free worker (else PoolBusy), then up to
        ``timeout`` for the answer (else QueryTimeout, and the worker is replaced)."""
        loop = asyncio.get_running_loop()
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.queue_timeout)
        except asyncio.TimeoutError:
            raise PoolBusy() from None
        remaining = self.timeout
        ready = loop.create_future()
        fd = worker.conn.fileno()
        ok = False
        try:
            worker.conn.send(job)
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
            try:
                await asyncio.wait_for(ready, remaining)
            finally:
                loop.remove_reader(fd)
            reply = await loop.run_in_executor(None, worker.conn.recv)
            ok = True
            return reply
        except asyncio.TimeoutError:
            raise QueryTimeout() from None
        except (EOFError, OSError, BrokenPipeError):
            raise WorkerCrashed() from None
        finally:
            if ok:
                self._idle.put_nowait(worker)
            else:  # timed out, crashed or the request was cancelled: replace the worker
                self.killed += 1
                self.replacing += 1
                self._all.discard(worker)
                loop.run_in_executor(None, self._replace, worker)

    def _replace(self, worker: Worker) -> None:
        """In an executor thread: kill the worker and start its replacement (the counter
        goes down on the event loop, after the new worker is in the pool)."""
        try:
            worker.kill()
            try:
                new = Worker(self.store_path, self.in_memory)
            except Exception:  # noqa: BLE001 - try again on the next replacement
                return
            if self._idle is None:
                new.kill()
                return
            self._all.add(new)
            self._loop.call_soon_threadsafe(self._idle.put_nowait, new)
        finally:
            try:
                self._loop.call_soon_threadsafe(self._replaced)
            except RuntimeError:   # the server stopped and its loop is closed
                pass

    def _replaced(self) -> None:
        self.replacing -= 1


if __name__ == "__main__":
    # run the module's own copy (not __main__'s) so replies pickle as jakkg.query_worker.Reply
    from jakkg.query_worker import _worker_main as main
    main(sys.argv[1], Connection(int(sys.argv[2])), sys.argv[3:4] == ["memory"])
