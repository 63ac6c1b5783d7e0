"""The embedded store: a pyoxigraph (RocksDB) directory, written atomically.

A build writes a complete new store next to the old one and swaps directories only when
everything succeeded, so a failed build leaves the previous store exactly as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from .errors import StoreError
from .namespaces import ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_FILE = ROOT / "ontology" / "jakkg.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
CONTEXT_FILE = ROOT / "ontology" / "context.jsonld"


def default_store_path() -> Path:
    """``$JAKKG_STORE`` if set, else ``.jakkg/store`` in the current directory."""
    return Path(os.environ.get("JAKKG_STORE", ".jakkg/store"))


def ontology_quads(path: Path = ONTOLOGY_FILE) -> list[Quad]:
    graph = NamedNode(ONTOLOGY_GRAPH)
    with open(path, "rb") as f:
        return [Quad(t.subject, t.predicate, t.object, graph)
                for t in parse(f, format=RdfFormat.TURTLE, base_iri=path.as_uri())]


def open_store(path: str | Path | None = None, in_memory: bool = False) -> Store:
    """Open an existing store read-only; a clear error if there is none. ``in_memory``
    copies it into an in-memory store first: slower to open (8–24 s and 0.5–0.65 GB per
    million quads here), then 2–4x faster per query than the on-disk store, whose joins do a RocksDB seek
    per probe (benchmarks/results.md)."""
    path = Path(path) if path else default_store_path()
    if not (path / "CURRENT").exists():
        raise StoreError("no store here; run `jakkg build` first (or pass --store PATH)", path)
    try:
        store = Store.read_only(str(path))
    except OSError as e:
        raise StoreError(f"cannot open store: {e}", path) from None
    return memory_store(store.quads_for_pattern(None, None, None, None)) if in_memory else store


def memory_store(quads: Iterable[Quad]) -> Store:
    store = Store()
    store.bulk_extend(quads)
    return store


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary directory beside ``path``; on success it replaces ``path``,
    on any error it is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.building-", dir=path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        old = path.parent / f".{path.name}.old-{os.getpid()}"
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_store(path: Path, quads: Iterable[Quad],
                check: Callable[[Store], None] | None = None) -> int:
    """Write all quads into a new store at ``path`` (atomically replacing an old one);
    returns the number of distinct quads. ``quads`` may be a generator: it is consumed
    by pyoxigraph's bulk loader as it goes, so the build never holds the whole graph in
    memory. ``check`` sees the new store before it replaces the old one (validation);
    an exception raised by it or by ``quads`` aborts the write and leaves the old store
    untouched."""
    with replacing(path) as tmp:
        store = Store(str(tmp))
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
        if check is not None:
            check(store)
        count = len(store)
        del store
    return count


@contextmanager
def atomic_file(path: Path, mode: str = "wb"):
    """Write a file through a temporary sibling renamed into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # the mode a plain open() would give, not mkstemp's 0600
        with os.fdopen(fd, mode) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
