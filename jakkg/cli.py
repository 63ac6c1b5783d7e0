"""The ``jakkg`` command line (typer + rich). Heavy imports happen inside commands so
``jakkg --help`` starts quickly. Errors print one line and exit non-zero."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import JakkgError

app = typer.Typer(
    help="jakkg: a knowledge graph of JAK inhibitors in dermatology, read from source documents.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

STORE_HELP = "Store directory (default: $JAKKG_STORE or .jakkg/store)."
StoreOption = typer.Option(None, "--store", help=STORE_HELP)


def _console(stderr: bool = False):
    from rich.console import Console
    return Console(stderr=stderr, soft_wrap=True)


def _store_path(store: Optional[Path]) -> Path:
    from .store import default_store_path
    return store or default_store_path()


@app.command()
def build(
    sources: Path = typer.Option(None, "--sources", help="Folder of source .txt documents (default: data/sources)."),
    store: Optional[Path] = StoreOption,
    validate: bool = typer.Option(True, "--validate/--no-validate", help="Validate against ontology/shapes.ttl before writing (default: on)."),
    force: bool = typer.Option(False, "--force", help="Write the store even if it does not conform; keep the report beside it."),
    jobs: Optional[int] = typer.Option(None, "--jobs", min=0, help="Worker processes that validate while the build reads on (default: one per CPU for sources over 1 MB, else 0 = in this process)."),
):
    """Read the source documents, validate, and (re)build the store; print counts per class."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from .pipeline import SOURCES_DIR
    from .pipeline import build as run_build
    from .store import open_store
    from .validate import ValidationError

    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                      console=_console(stderr=True)) as progress:
            task = progress.add_task("reading sources", total=None)
            result = run_build(sources or SOURCES_DIR, store, validate=validate, force=force, jobs=jobs,
                               progress=lambda name: progress.update(task, description=f"reading {name}"))
    except ValidationError as e:
        sys.stdout.write(e.report.to_text())
        raise
    con = _console()
    con.print(f"built {result.store} from {len(result.documents)} document(s): "
              f"{', '.join(result.documents)} ({result.quads} quads)")
    if result.report is not None and not result.report.conforms:
        sys.stderr.write(f"warning: the store does NOT conform ({len(result.report.violations)} "
                         f"violation(s)); report kept in {result.report_file}\n")
    elif result.report is not None:
        con.print(f"validated: conforms ({len(result.report.results)} warning(s)); report in {result.report_file}")
    _print_class_counts(open_store(result.store), con)


def _print_class_counts(st, con) -> None:
    from rich.table import Table

    from .stats import class_counts
    table = Table("class", "instances")
    for cls, n in class_counts(st):
        table.add_row(cls, str(n))
    con.print(table)


@app.command()
def query(
    file: Optional[Path] = typer.Argument(None, help="A .rq file (e.g. queries/01-...rq)."),
    expression: Optional[str] = typer.Option(None, "-e", "--expression", help="SPARQL text instead of a file."),
    fmt: str = typer.Option("table", "--format", "-f", help="table|csv|tsv|json (SELECT/ASK); turtle|nt|jsonld (CONSTRUCT/DESCRIBE)."),
    param: List[str] = typer.Option([], "--param", "-p", help="Bind a variable: name=value (repeatable)."),
    store: Optional[Path] = StoreOption,
):
    """Run a SPARQL query over the store (all named graphs as the default graph)."""
    from .query import GRAPH_FORMATS, SELECT_FORMATS, graph_text, parse_params, read_query, run, to_delimited, to_json
    from .store import open_store

    sparql = read_query(file, expression)
    result = run(open_store(store), sparql, parse_params(param), str(file or "-e"))
    out = sys.stdout
    if result.kind == "graph":
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise JakkgError(f"format '{fmt}' does not fit a CONSTRUCT/DESCRIBE result "
                             f"(choose {', '.join(GRAPH_FORMATS)})")
        out.write(graph_text(result, fmt))
        return
    if fmt not in SELECT_FORMATS:
        raise JakkgError(f"format '{fmt}' does not fit a SELECT/ASK result (choose {', '.join(SELECT_FORMATS)})")
    if fmt == "json":
        out.write(to_json(result) + "\n")
    elif fmt in ("csv", "tsv"):
        out.write(to_delimited(result, "," if fmt == "csv" else "\t"))
    else:
        _print_table(result)


def _print_table(result) -> None:
    from rich.table import Table

    from .query import shorten, term_text
    con = _console()
    if result.kind == "ask":
        con.print("true" if result.boolean else "false")
        return
    table = Table(*result.variables)
    for row in result.rows:
        table.add_row(*[shorten(term_text(row[v])) for v in result.variables])
    con.print(table)
    con.print(f"{len(result.rows)} row(s)", style="dim")


@app.command()
def export(
    fmt: str = typer.Option("turtle", "--format", "-f", help="turtle|jsonld|nt|nquads|trig|xml|sssom"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
    store: Optional[Path] = StoreOption,
):
    """Export the graph. N-Quads/TriG keep one named graph per source document."""
    from .export import export as run_export
    from .store import open_store

    if fmt == "sssom":  # issue 6: the lexicon's external-ID mappings as SSSOM TSV
        from .sssom import export_sssom
        data = export_sssom(output)
        if data is not None:
            sys.stdout.buffer.write(data)
        return
    data = run_export(open_store(store), fmt, output)
    if data is not None:
        sys.stdout.buffer.write(data)


@app.command()
def stats(store: Optional[Path] = StoreOption):
    """Counts per class and triples per named graph."""
    from rich.table import Table

    from .stats import graph_sizes
    from .store import open_store

    st = open_store(store)
    con = _console()
    _print_class_counts(st, con)
    table = Table("named graph", "triples")
    for graph, n in graph_sizes(st):
        table.add_row(graph, str(n))
    con.print(table)


# --- issue 5: competency questions, stated statistics, describe, plot ---

@app.command("check-statistics")
def check_statistics(
    fmt: str = typer.Option("table", "--format", "-f", help="table|markdown|csv"),
    fail_on_difference: bool = typer.Option(False, "--fail-on-difference", help="Exit 4 when a stated statistic differs from the table."),
    store: Optional[Path] = StoreOption,
):
    """The letter's stated statistics next to the values recomputed from its table."""
    import csv

    from rich.table import Table

    from .check_statistics import compare, markdown, number_text
    from .store import open_store

    rows = compare(open_store(store))
    if fmt == "markdown":
        sys.stdout.write(markdown(rows))
    elif fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["key", "stated", "computed", "status", "quote", "line"])
        for r in rows:
            w.writerow([r.key, number_text(r.stated), number_text(r.computed), r.status, r.quote, r.line])
    elif fmt == "table":
        table = Table("statistic", "stated", "computed", "", "the letter says (line)")
        for r in rows:
            style = "" if r.agrees else "bold red"
            table.add_row(r.key, number_text(r.stated), number_text(r.computed),
                          f"[{style}]{r.status}[/]" if style else r.status, f"{r.quote} ({r.line})")
        con = _console()
        con.print(table)
        differ = sum(not r.agrees for r in rows)
        con.print(f"{len(rows)} stated statistics: {len(rows) - differ} agree with the table, {differ} do not",
                  style="dim")
    else:
        raise JakkgError(f"format '{fmt}' is not one of table, markdown, csv")
    if fail_on_difference and any(not r.agrees for r in rows):
        raise typer.Exit(4)


@app.command()
def describe(
    name: str = typer.Argument(..., help="A label, synonym or abbreviation (baricitinib, AA), or an IRI / prefixed name."),
    limit: int = typer.Option(8, "--limit", help="Neighbours shown per property (text output)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text|json"),
    store: Optional[Path] = StoreOption,
):
    """Everything the graph knows about an entity: types, labels, statements, evidence."""
    import dataclasses
    import json

    from rich.console import Console

    from .describe import describe as run_describe
    from .describe import render
    from .store import open_store

    if fmt not in ("text", "json"):
        raise JakkgError(f"format '{fmt}' is not one of text, json")
    found = run_describe(open_store(store), name)
    if fmt == "json":
        sys.stdout.write(json.dumps([dataclasses.asdict(d) for d in found], indent=2, ensure_ascii=False) + "\n")
    else:
        Console(emoji=False, highlight=False).print(render(found, limit=limit))


plot_app = typer.Typer(help="Pictures drawn from the graph.", no_args_is_help=True)
app.add_typer(plot_app, name="plot")


@plot_app.command("cohort")
def plot_cohort_command(
    output: Path = typer.Option(..., "-o", "--output", help="FILE.png, FILE.svg or FILE.pdf"),
    store: Optional[Path] = StoreOption,
):
    """Swimmer plot of the case series' therapy courses (queries/18-cohort-swimmer.rq)."""
    from .plot import plot_cohort
    from .store import open_store

    result = plot_cohort(open_store(store), output)
    _console().print(f"wrote {result.path}: {len(result.bars)} courses of "
                     f"{len({r['patient'] for r in result.rows})} patients")


# --- issue 6: OWL reasoning and ontology documentation ---

@app.command()
def reason(
    reasoner: str = typer.Option("auto", "--reasoner", help="auto (HermiT if Java is present, else owlrl) | hermit | owlrl."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Reason and report, but do not write the store."),
    store: Optional[Path] = StoreOption,
):
    """Classify drugs, courses and claims under the defined classes (owlready2 + HermiT) and
    write the inferred types into the named graph https://w3id.org/jakkg/graph/inferred."""
    from rich.table import Table

    from .reason import INFERRED_GRAPH
    from .reason import reason as run_reason

    result = run_reason(_store_path(store), reasoner, write=not dry_run)
    con = _console()
    if result.note:
        _console(stderr=True).print(result.note, style="yellow")
    con.print(f"{result.reasoner}: consistent, {len(result.unsatisfiable)} unsatisfiable class(es) "
              f"over {result.input_triples} input triples")
    for iri in result.unsatisfiable:
        con.print(f"unsatisfiable: {iri}", style="red")
    table = Table("inferred class", "individuals")
    for cls, inds in result.by_class().items():
        table.add_row(cls.rsplit("#", 1)[-1], ", ".join(i.rstrip("/").rsplit("/", 1)[-1] for i in inds))
    con.print(table)
    con.print(f"{len(result.inferred)} inferred type(s)"
              + ("" if dry_run else f" written to <{INFERRED_GRAPH}>"))
    if result.unsatisfiable:
        raise typer.Exit(1)


@app.command()
def docs(output: Path = typer.Option(Path("site"), "-o", "--output", help="Output folder (index.html is written there).")):
    """Render the ontology as HTML with pyLODE."""
    from .docs import write_docs
    _console().print(f"wrote {write_docs(output)}")


# --- issue 3: ingest a new document ---
@app.command()
def ingest(
    file: Path = typer.Argument(..., help="A source .txt document: a case series or a review."),
    store: Optional[Path] = StoreOption,
    strict: bool = typer.Option(False, "--strict", help="Fail (and leave the store as it was) if any name is unknown."),
):
    """Add one document to an existing store (replacing an earlier version of it); report
    what was extracted and every sentence or cell that was not interpreted."""
    from rich.table import Table

    from .ingest import ingest as run_ingest

    result = run_ingest(file, store, strict=strict)
    con = _console()
    verb = "replaced" if result.replaced else "added"
    con.print(f"{verb} {result.document} ({result.genre}) in {result.store}: {result.quads} quads")
    table = Table("class", "extracted")
    for cls, n in result.counts:
        table.add_row(cls, str(n))
    con.print(table)
    con.print(f"problems: {len(result.problems)}")
    for p in result.problems:
        con.print(f"  {p}", markup=False, highlight=False)
    con.print(f"not interpreted: {len(result.uninterpreted)}")
    for p in result.uninterpreted:
        con.print(f"  {p}", markup=False, highlight=False)


# --- issue 4: validation ---

@app.command()
def validate(
    file: Optional[Path] = typer.Argument(None, help="An RDF file (.ttl, .nt, .nq, .trig, .jsonld, .rdf) instead of the store."),
    fmt: str = typer.Option("text", "--format", "-f", help="text|json"),
    inference: str = typer.Option("rdfs", "--inference", help="rdfs (entailments materialised by jakkg, fast) | owlrl (pyshacl's owlrl RDFS closure)."),
    engine: str = typer.Option("fast", "--engine", help="fast (core constraints by jakkg, SPARQL constraints once per graph in pyoxigraph; no rdflib graph) | pyshacl (everything in pyshacl, the reference)."),
    store: Optional[Path] = StoreOption,
    jobs: Optional[int] = typer.Option(None, "--jobs", min=0, help="Worker processes that validate graphs in parallel (default: one per CPU above 250,000 quads, else 0 = in this process)."),
):
    """Validate the store (or an RDF file) against ontology/shapes.ttl; exit 0 iff it conforms."""
    from .validate import validate_file, validate_store

    if fmt not in ("text", "json"):
        raise JakkgError(f"format '{fmt}' is not text or json")
    if file is not None and store is not None:
        raise JakkgError("give either FILE or --store, not both")
    report = (validate_file(file, inference, engine, jobs) if file is not None
              else validate_store(store, inference, engine, jobs))
    sys.stdout.write(report.to_json() + "\n" if fmt == "json" else report.to_text())
    if not report.conforms:
        raise typer.Exit(1)


# --- issue 7: SPARQL endpoint and push ---
@app.command()
def serve(
    store: Optional[Path] = StoreOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(7878, "--port", help="TCP port."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds a query may run before it is stopped (503)."),
    max_rows: int = typer.Option(10000, "--max-rows", help="At most this many result rows/triples per query."),
    max_body: int = typer.Option(1_000_000, "--max-body", help="Largest request body or query, in bytes (413)."),
    cors: List[str] = typer.Option([], "--cors", help="Allow cross-origin requests from ORIGIN (repeatable; '*' for any)."),
    workers: int = typer.Option(2, "--workers", help="Query worker processes."),
    queries: Optional[Path] = typer.Option(None, "--queries", help="Folder of shipped .rq queries (default: queries/)."),
    in_memory: bool = typer.Option(False, "--in-memory", help="Each worker copies the store into memory at start (8-24 s and ~0.5-0.65 GB per million quads), then answers 2-4x faster."),
):
    """Serve the store read-only: SPARQL 1.1 Protocol at /sparql, a query page at /."""
    from .server import QUERIES_DIR, Settings
    from .server import serve as run_serve

    if timeout <= 0 or max_rows < 1 or max_body < 1 or workers < 1:
        raise JakkgError("--timeout, --max-rows, --max-body and --workers must be positive")
    settings = Settings(_store_path(store), timeout=timeout, max_rows=max_rows, max_body=max_body,
                        cors=list(cors), workers=workers, queries_dir=queries or QUERIES_DIR,
                        in_memory=in_memory)
    run_serve(settings, host, port, announce=_console(stderr=True).print)


@app.command()
def push(
    endpoint: str = typer.Option(..., "--endpoint", help="Graph Store Protocol URL, e.g. http://host:8890/sparql-graph-crud-auth"),
    graph: List[str] = typer.Option([], "--graph", help="Push only this named graph (repeatable; default: all)."),
    user: Optional[str] = typer.Option(None, "--user", help="User name for HTTP auth."),
    password: Optional[str] = typer.Option(None, "--password", envvar="JAKKG_PUSH_PASSWORD", help="Password (or $JAKKG_PUSH_PASSWORD)."),
    auth: str = typer.Option("auto", "--auth", help="auto|digest|basic (auto: what the endpoint asks for)."),
    batch_size: int = typer.Option(5000, "--batch-size", help="Triples per request."),
    store: Optional[Path] = StoreOption,
):
    """Upload the store to a SPARQL 1.1 Graph Store endpoint, one named graph per source."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .push import push as run_push
    from .store import open_store

    st = open_store(store)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("triples"), TimeElapsedColumn(), console=_console(stderr=True)) as progress:
        task = progress.add_task("pushing", total=None)

        def report(event, graph_iri, done, total):
            progress.update(task, description=f"{graph_iri.rsplit('/', 1)[-1]}", completed=done, total=total)

        result = run_push(st, endpoint, graphs=list(graph) or None, user=user, password=password,
                          auth=auth, batch_size=batch_size, progress=report)
    con = _console()
    for g, n in result.items():
        con.print(f"{n:>7} triples → <{g}>")
    con.print(f"pushed {sum(result.values())} triples in {len(result)} graph(s) to {endpoint}")


def main() -> None:
    try:
        app()
    except JakkgError as e:
        sys.stderr.write(f"error: {e}\n")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the user never sees a traceback
        if os.environ.get("JAKKG_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(e).__name__}: {e} (set JAKKG_DEBUG=1 for details)\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
