"""The Python API: the same operations as the CLI."""
from __future__ import annotations

from pathlib import Path


def build(sources=None, store=None, lexicon_dir=None, *, validate: bool = True,
          force: bool = False, jobs: int | None = None):
    """Build the store from source documents, as ``jakkg build`` (``validate``, ``force``,
    ``jobs`` as its ``--no-validate``, ``--force``, ``--jobs``); returns a BuildResult."""
    from .pipeline import SOURCES_DIR
    from .pipeline import build as _build
    return _build(sources or SOURCES_DIR, store, lexicon_dir, validate=validate, force=force,
                  jobs=jobs)


def open_store(store=None, in_memory: bool = False):
    """The store at ``store`` (a path; default ``$JAKKG_STORE`` or ``.jakkg/store``), opened
    read-only, or copied into memory with ``in_memory=True`` for many fast queries. Every
    function here also accepts an open store: ``s = jakkg.open_store(in_memory=True);
    jakkg.query(q, store=s)``."""
    from pyoxigraph import Store

    from .store import open_store as _open
    return store if isinstance(store, Store) else _open(store, in_memory)


def query(sparql: str, store=None, **params) -> list[dict]:
    """Run SPARQL; SELECT gives a list of {variable: python value}, ASK a bool,
    CONSTRUCT a list of pyoxigraph triples. Keyword arguments bind variables."""
    from .query import python_value, run, term_from_text
    bound = {k: term_from_text(v) if isinstance(v, str) else v for k, v in params.items()}
    result = run(open_store(store), sparql, bound)
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return result.triples
    return [{k: python_value(v) for k, v in row.items()} for row in result.rows]


def export(fmt: str = "turtle", output: str | Path | None = None, store=None):
    """Serialise the store (bytes, or written atomically to ``output``)."""
    from .export import export as _export
    return _export(open_store(store), fmt, output)


def stats(store=None) -> dict[str, int]:
    from .stats import class_counts
    return dict(class_counts(open_store(store)))
