"""``jakkg serve``: a read-only SPARQL 1.1 Protocol endpoint, a query page and entity pages.

Starlette + uvicorn. Routes:

- ``/sparql``: GET ``?query=``, POST form (``query=``) or ``application/sparql-query``;
  ``default-graph-uri`` / ``named-graph-uri``; content negotiation (SPARQL Results
  JSON/XML/CSV/TSV, Turtle/N-Triples/JSON-LD) or ``?format=``; no query → service description.
- ``/queries`` (the shipped ``queries/*.rq``) and ``/queries/{name}?param=value``.
- ``/`` the query page, ``/entity/<kind>/<slug>`` what the graph knows about one node.
- ``/health``.

Read-only and bounded: SPARQL Update → 403, ``SERVICE`` → 400, request body/query size
limit → 413/414, a per-query time limit (the query's worker process is killed → 503) and a
result row cap (``X-Jakkg-Truncated`` header). Queries run in worker processes
(:mod:`jakkg.query_worker`) so the server's event loop never blocks.
"""
from __future__ import annotations

import html
import re
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse,
                                 Response)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .errors import JakkgError
from .namespaces import ID, PREFIXES
from .query_worker import (FORMAT_NAMES, GRAPH_TYPES, Job, PoolBusy, QueryPool, QueryTimeout,
                           WorkerCrashed, negotiate, term_to_tuple)
from .store import ROOT, open_store

STATIC = Path(__file__).resolve().parent / "static"
QUERIES_DIR = ROOT / "queries"

UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                "WITH"}
QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


@dataclass
class Settings:
    store: Path
    timeout: float = 10.0
    max_rows: int = 10000
    max_body: int = 1_000_000            # bytes of a request body or a GET query
    cors: list[str] = field(default_factory=list)
    workers: int = 2
    queue_timeout: float = 30.0          # seconds a query may wait for a free worker
    in_memory: bool = False              # each worker queries an in-memory copy of the store
    queries_dir: Path = QUERIES_DIR


class Problem(Exception):
    """A request the server refuses: HTTP status and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --- read-only guard: look at the query's tokens, not at text inside strings or IRIs ---------

_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>[A-Za-z_]?[\w\-.]*:[\w\-.%]*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<other>\S)
''', re.X | re.S)


def check_read_only(sparql: str) -> None:
    """Refuse SPARQL Update (403) and SERVICE (400) before the query reaches a worker."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(sparql)
              if m.lastgroup not in ("comment",)]
    words = [(i, v.upper()) for i, (kind, v) in enumerate(tokens) if kind == "word"]
    for _, w in words:
        if w in UPDATE_WORDS:
            raise Problem(403, f"SPARQL Update ({w}) is not allowed: this endpoint is read-only")
    for i, w in words:
        if w == "SERVICE":
            target = next((v for k, v in tokens[i + 1:] if k in ("iri", "var", "pname")), "?")
            raise Problem(400, f"SERVICE {target} is not allowed: this endpoint does not send "
                               "queries to other hosts (federated queries are disabled)")


# --- shipped queries ----------------------------------------------------------------------------

def shipped_queries(folder: Path) -> list[dict]:
    out = []
    for path in sorted(Path(folder).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        question = ""
        for line in text.splitlines():
            if line.strip().startswith("#"):
                question = line.strip().lstrip("#").strip()
                break
            if line.strip():
                break
        params = sorted(set(re.findall(r"VALUES\s+\?(\w+)\s*\{", text, re.I)))
        out.append({"name": path.stem, "question": question, "parameters": params,
                    "sparql": text})
    return out


# --- the app -----------------------------------------------------------------------------------

def create_app(settings: Settings) -> Starlette:
    open_store(settings.store)  # a clear one-line error now rather than in every worker
    pool = QueryPool(str(settings.store), settings.workers, settings.timeout,
                     settings.queue_timeout, settings.in_memory)
    started = time.time()

    @asynccontextmanager
    async def lifespan(app):
        await pool.start()
        try:
            yield
        finally:
            await pool.stop()

    async def run_job(job: Job):
        try:
            reply = await pool.run(job)
        except QueryTimeout:
            raise Problem(503, f"query stopped: it ran longer than the {settings.timeout:g} s "
                               "time limit (add LIMIT or more selective patterns)") from None
        except PoolBusy:
            raise Problem(503, f"all {pool.size} query workers stayed busy for "
                               f"{settings.queue_timeout:g} s; try again later") from None
        except WorkerCrashed:
            raise Problem(500, "the query worker stopped unexpectedly") from None
        if reply.status != 200:
            raise Problem(reply.status, reply.body.decode("utf-8", "replace"))
        return reply

    def respond(reply) -> Response:
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers["X-Jakkg-Truncated"] = f"max-rows={settings.max_rows}"
        media = reply.media_type
        if not media.startswith(("application/sparql-results+json", "application/ld+json",
                                 "application/json")) and "charset" not in media:
            media += "; charset=utf-8"
        return Response(reply.body, media_type=media, headers=headers)

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        declared = int(length) if length and length.isdigit() else None
        body = bytearray()
        received = 0
        # read (and drop) a moderately oversized body before answering 413, so the client,
        # still sending, gets the answer rather than a reset connection; stop reading at
        # a hard bound (then the connection is closed)
        drain_limit = 4 * settings.max_body + 1_000_000
        async for chunk in request.stream():
            received += len(chunk)
            if received <= settings.max_body:
                body += chunk
            elif received > drain_limit or (declared is not None and declared > drain_limit):
                break
        if received > settings.max_body or (declared is not None and declared > settings.max_body):
            size = f" of {declared} bytes" if declared is not None else ""
            raise Problem(413, f"request body{size} is larger than the {settings.max_body} byte limit")
        return bytes(body)

    def query_job(sparql: str, request: Request, params: list[tuple[str, str]]) -> Job:
        if len(sparql.encode("utf-8")) > settings.max_body:
            raise Problem(413, f"query is larger than the {settings.max_body} byte limit")
        check_read_only(sparql)
        fmt = request.query_params.get("format")
        if fmt is not None and fmt not in FORMAT_NAMES:
            raise Problem(400, f"unknown format '{fmt}' (choose {', '.join(FORMAT_NAMES)})")
        return Job("query", sparql, accept=request.headers.get("accept"), fmt=fmt,
                   default_graphs=[v for k, v in params if k == "default-graph-uri"],
                   named_graphs=[v for k, v in params if k == "named-graph-uri"],
                   max_rows=settings.max_rows)

    async def sparql(request: Request) -> Response:
        url_params = list(request.query_params.multi_items())
        if request.method == "GET":
            if any(k == "update" for k, _ in url_params):
                raise Problem(403, "SPARQL Update is not allowed: this endpoint is read-only")
            queries = [v for k, v in url_params if k == "query"]
            if not queries:
                return await service_description(request)
            if len(queries) > 1:
                raise Problem(400, "give exactly one 'query' parameter")
            return respond(await run_job(query_job(queries[0], request, url_params)))
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            raise Problem(403, "SPARQL Update is not allowed: this endpoint is read-only")
        body = await read_body(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(400, "request body is not UTF-8") from None
        if ctype == "application/sparql-query":
            return respond(await run_job(query_job(text, request, url_params)))
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qsl(text, keep_blank_values=True)
            if any(k == "update" for k, _ in form):
                raise Problem(403, "SPARQL Update is not allowed: this endpoint is read-only")
            queries = [v for k, v in form if k == "query"]
            if len(queries) != 1:
                raise Problem(400, "give exactly one 'query' parameter")
            return respond(await run_job(query_job(queries[0], request, url_params + form)))
        raise Problem(415, f"unsupported content type '{ctype or 'none'}': POST "
                           "application/sparql-query or application/x-www-form-urlencoded")

    async def service_description(request: Request) -> Response:
        from pyoxigraph import BlankNode, NamedNode, Triple, serialize
        reply = await run_job(Job("graphs"))
        SD = "http://www.w3.org/ns/sparql-service-description#"
        F = "http://www.w3.org/ns/formats/"
        RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
        svc, ds, dg = BlankNode(), BlankNode(), BlankNode()
        t = [Triple(svc, RDF_TYPE, NamedNode(SD + "Service")),
             Triple(svc, NamedNode(SD + "endpoint"), NamedNode(str(request.url.replace(query="")))),
             Triple(svc, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
             Triple(svc, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
             Triple(svc, NamedNode(SD + "defaultDataset"), ds),
             Triple(ds, RDF_TYPE, NamedNode(SD + "Dataset")),
             Triple(ds, NamedNode(SD + "defaultGraph"), dg),
             Triple(dg, RDF_TYPE, NamedNode(SD + "Graph"))]
        for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                    "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD"):
            t.append(Triple(svc, NamedNode(SD + "resultFormat"), NamedNode(F + fmt)))
        for g in reply.data:
            ng = BlankNode()
            t += [Triple(ds, NamedNode(SD + "namedGraph"), ng),
                  Triple(ng, RDF_TYPE, NamedNode(SD + "NamedGraph")),
                  Triple(ng, NamedNode(SD + "name"), NamedNode(g))]
        chosen = negotiate(request.headers.get("accept"), GRAPH_TYPES) or GRAPH_TYPES[0]
        kwargs = {"prefixes": {"sd": SD, "formats": F}} if chosen[0] == "text/turtle" else {}
        return Response(serialize(t, format=chosen[1], **kwargs), media_type=chosen[0])

    async def list_queries(request: Request) -> Response:
        return JSONResponse([{k: q[k] for k in ("name", "question", "parameters", "sparql")}
                             | {"url": f"/queries/{q['name']}"}
                             for q in shipped_queries(settings.queries_dir)])

    async def run_named(request: Request) -> Response:
        from .query import bind, term_from_text
        name = request.path_params["name"]
        found = [q for q in shipped_queries(settings.queries_dir) if q["name"] == name]
        if not found:
            raise Problem(404, f"no shipped query named '{name}' (see /queries)")
        params = {k: term_from_text(v) for k, v in request.query_params.multi_items()
                  if k != "format"}
        try:
            text, subs = bind(found[0]["sparql"], params, f"queries/{name}.rq")
        except JakkgError as e:
            raise Problem(400, str(e)) from None
        job = query_job(text, request, [])
        job.substitutions = {v.value: term_to_tuple(t) for v, t in subs.items()}
        return respond(await run_job(job))

    async def health(request: Request) -> Response:
        # workers being replaced (after a timeout) count: queries wait for them in the queue
        live = len(pool.pids())
        return JSONResponse({"status": "ok" if live or pool.replacing else "no query workers",
                             "workers": live, "replacing": pool.replacing, "busy": pool.busy,
                             "killed": pool.killed, "uptime": round(time.time() - started, 1)})

    async def prefixes(request: Request) -> Response:
        return JSONResponse(PREFIXES)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def entity(request: Request) -> Response:
        rest = request.path_params["rest"]
        iri = ID + rest
        reply = await run_job(Job("entity", iri=iri))
        data = reply.data
        if data is None:
            raise Problem(404, f"nothing in the graph about <{iri}>")
        wants_json = request.query_params.get("format") == "json" or (
            negotiate(request.headers.get("accept"),
                      [("text/html", 0), ("application/json", 1)]) or ("",))[0] == "application/json"
        if wants_json:
            return JSONResponse(data)
        return HTMLResponse(render_entity(data))

    async def on_problem(request: Request, exc: Problem) -> Response:
        return PlainTextResponse(f"error: {exc.message}\n", status_code=exc.status)

    middleware = []
    if settings.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=settings.cors,
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["Accept", "Content-Type"],
                                     expose_headers=["X-Jakkg-Truncated"]))
    app = Starlette(
        routes=[Route("/", index), Route("/sparql", sparql, methods=["GET", "POST"]),
                Route("/queries", list_queries), Route("/queries/{name}", run_named),
                Route("/entity/{rest:path}", entity), Route("/health", health),
                Route("/prefixes", prefixes),
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=middleware, lifespan=lifespan,
        exception_handlers={Problem: on_problem})
    app.state.pool = pool
    app.state.settings = settings
    return app


# --- entity page ----------------------------------------------------------------------------

def shorten(iri: str) -> str:
    if iri.startswith(ID):
        return iri[len(ID):]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix != "id":
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def term_html(t: tuple | None, label: str | None = None) -> str:
    if t is None:
        return ""
    kind, value, datatype, language = t
    e = html.escape
    if kind == "uri":
        text = e(label or shorten(value))
        if value.startswith(ID):
            return f'<a class="entity" href="/entity/{quote(value[len(ID):])}">{text}</a>'
        if value.startswith(("http://", "https://")):
            return f'<a class="external" href="{e(value)}" rel="noopener">{text}</a>'
        return text
    if kind == "bnode":
        return f"_:{e(value)}"
    m = re.fullmatch(r"doi:(10\.\S+)", value)
    if m:
        return f'<a class="external" href="https://doi.org/{e(m.group(1))}" rel="noopener">{e(value)}</a>'
    extra = f'<span class="lang">@{e(language)}</span>' if language else ""
    if datatype and not language and not datatype.endswith("#string"):
        extra = f'<span class="dt">{e(shorten(datatype))}</span>'
    return f"{e(value)}{extra}"


def neighbour_html(n: dict) -> str:
    """A neighbour from jakkg.describe: a literal, or a node (linked) with its quote."""
    if n["is_literal"]:
        return term_html(("literal", n["node"], None, None))
    link = term_html(("uri", n["node"], None, None), n["text"])
    if n.get("quote"):
        link += f' <q class="quote">{html.escape(n["quote"])}</q>'
    return link


def render_entity(data: dict) -> str:
    """The entity page: what `jakkg describe` shows, with evidence highlighted in context."""
    e = html.escape
    title = data["label"] or shorten(data["iri"])
    types = ", ".join(term_html(("uri", _expand(t), None, None)) for t in data["types"])
    labels = "".join(f"<tr><td>{e(p)}</td><td>{e(', '.join(vs))}</td></tr>"
                     for p, vs in data["labels"].items())

    def grouped(groups: dict, table_id: str) -> str:
        rows = "".join(f"<tr><td>{e(p)}</td><td><ul>{''.join(f'<li>{neighbour_html(n)}</li>' for n in ns)}</ul></td></tr>"
                       for p, ns in groups.items())
        return (f'<table id="{table_id}"><thead><tr><th>property</th><th>value</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>") if rows else '<p class="none">none</p>'

    quotes = []
    for ev in data["evidence"]:
        where = ", ".join(x for x in (
            ev.get("section") and f"section {ev['section']}", ev.get("line") and f"line {ev['line']}",
            ev.get("start") and f"chars {ev['start']}–{ev['end']}") if x)
        doc = term_html(("uri", ev["doc"], None, None), ev.get("docLabel")) if ev.get("doc") else ""
        quotes.append(
            f'<figure class="evidence"><blockquote>'
            f'<span class="ctx">{e(ev.get("prefix") or "")}</span>'
            f'<mark>{e(ev["exact"])}</mark>'
            f'<span class="ctx">{e(ev.get("suffix") or "")}</span></blockquote>'
            f'<figcaption>{doc} {e(where)} · '
            f'{term_html(("uri", ev["ev"], None, None), "evidence")}</figcaption></figure>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)} · jakkg</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><header><a href="/">jakkg SPARQL</a></header>
<main>
<h1>{e(title)}</h1>
<p class="iri"><code>{e(data['iri'])}</code></p>
<p class="types">{types}</p>
{f'<table id="labels"><tbody>{labels}</tbody></table>' if labels else ''}
<h2>Evidence</h2>
{''.join(quotes) or '<p class="none">no evidence linked to this node</p>'}
<h2>Statements</h2>
{grouped(data["outgoing"], "out")}
<h2>Referred to by</h2>
{grouped(data["incoming"], "in")}
</main></body></html>
"""


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and _ else curie


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7878, announce=None) -> None:
    import uvicorn
    app = create_app(settings)
    if announce:
        announce(f"jakkg: SPARQL endpoint at http://{host}:{port}/sparql, "
                 f"query page at http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="info",
                limit_concurrency=256, timeout_keep_alive=5)
