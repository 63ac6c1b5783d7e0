"""Adding one new document (a case series or a review) to an existing store.

The document is read and extracted like any source; its named graph is added, or
replaces the graph of an earlier version of the same document. The store is rewritten
atomically (``store.write_store`` → ``store.replacing``): a failure leaves it as it was.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from .document import Document
from .errors import SourceError
from .lexicon import load_lexicon
from .namespaces import JAKKG, RDF, graph_iri
from .records import Problem


@dataclass
class IngestResult:
    store: Path
    document: str
    genre: str
    quads: int
    replaced: bool
    counts: list[tuple[str, int]] = field(default_factory=list)   # class → instances added
    problems: list[Problem] = field(default_factory=list)         # unknown names, bad cells
    uninterpreted: list[Problem] = field(default_factory=list)    # sentences/cells not read


def ingest(file: str | Path, store: str | Path | None = None, lexicon_dir: str | Path | None = None,
           strict: bool = False, validate: bool = True) -> IngestResult:
    from .graph import extraction_quads
    from .pipeline import extract
    from .store import default_store_path, open_store, write_store

    store_path = Path(store) if store else default_store_path()
    existing = open_store(store_path)                  # a clear error if there is no store yet
    lexicon = load_lexicon(str(lexicon_dir) if lexicon_dir else None)
    doc = Document.from_path(file)
    extraction = extract(doc, lexicon)
    if strict and extraction.problems:
        first = extraction.problems[0]
        more = len(extraction.problems) - 1
        raise SourceError(first.message + (f" (and {more} more problem(s))" if more else ""),
                          first.path, first.line)
    new = extraction_quads(extraction, doc.text)
    graph = NamedNode(graph_iri(doc.id))
    kept, replaced = [], False
    for q in existing:
        if q.graph_name == graph:
            replaced = True
        else:
            kept.append(q)
    del existing
    if validate:   # issue 4: the new document's graph (with the lexicon) must conform first
        from .namespaces import LEXICON_GRAPH
        from .validate import require_conforming, validate_quads
        lexicon_graph = NamedNode(LEXICON_GRAPH)
        require_conforming(validate_quads([q for q in kept if q.graph_name == lexicon_graph] + new,
                                          {doc.path.name: str(doc.path)} if doc.path else None),
                           " (the store was left as it was)")
    write_store(store_path, kept + new)
    type_iri = RDF + "type"
    counts = Counter(q.object.value for q in new
                     if q.predicate.value == type_iri and q.object.value.startswith(JAKKG))
    genre = "review" if extraction.review is not None else (
        "case series" if extraction.courses else "document")
    return IngestResult(store_path, doc.id, genre, len(new), replaced,
                        sorted((f"jakkg:{k[len(JAKKG):]}", n) for k, n in counts.items()),
                        list(extraction.problems), list(extraction.uninterpreted))
