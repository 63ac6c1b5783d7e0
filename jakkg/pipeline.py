"""documents → records → quads → store: the build, top-down."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from pyoxigraph import Quad

from .document import Document
from .errors import SourceError
from .extract.case_table import NoPatientTable, extract_case_series, find_patient_table
from .extract.source import describe_document
from .graph import extraction_quads, lexicon_quads
from .lexicon import DATA_DIR, Lexicon, load_lexicon
from .records import Extraction
from .store import atomic_file, default_store_path, ontology_quads, write_store

SOURCES_DIR = DATA_DIR / "sources"


@dataclass
class BuildResult:
    store: Path
    documents: list[str] = field(default_factory=list)
    quads: int = 0
    extractions: list[Extraction] = field(default_factory=list)
    report: object | None = None          # jakkg.validate.Report when validated
    report_file: Path | None = None


def source_files(sources: Path) -> list[Path]:
    sources = Path(sources)
    if not sources.exists():
        raise SourceError("sources folder does not exist", sources)
    if not sources.is_dir():
        raise SourceError("sources path is not a folder", sources)
    files = sorted(p for p in sources.glob("*.txt") if p.is_file())
    if not files:
        raise SourceError("sources folder holds no .txt documents", sources)
    return files


def extract(doc: Document, lexicon: Lexicon) -> Extraction:
    """Pick the extractor for the document's genre."""
    from .extract.references import extract_references
    from .extract.review import extract_review, looks_like_review
    try:
        find_patient_table(doc, lexicon)
    except NoPatientTable:   # another genre; a broken table (SourceError) stops the build
        if looks_like_review(doc, lexicon):
            return extract_review(doc, lexicon)
        extraction = Extraction(describe_document(doc))
    else:
        extraction = extract_case_series(doc, lexicon)
    extraction.references, notes = extract_references(doc)
    extraction.uninterpreted.extend(notes)
    return extraction


def iter_sources(sources: Path, lexicon: Lexicon,
                 progress: Callable[[str], None] | None = None
                 ) -> Iterator[tuple[Document, Extraction]]:
    """Read and extract the documents one at a time (the build streams them)."""
    for path in source_files(sources):
        if progress:
            progress(path.name)
        doc = Document.from_path(path)
        extraction = extract(doc, lexicon)
        if extraction.problems:
            first = extraction.problems[0]
            more = len(extraction.problems) - 1
            raise SourceError(first.message + (f" (and {more} more problem(s))" if more else ""),
                              first.path, first.line)
        yield doc, extraction


def read_sources(sources: Path, lexicon: Lexicon,
                 progress: Callable[[str], None] | None = None) -> list[tuple[Document, Extraction]]:
    return list(iter_sources(sources, lexicon, progress))


def graph_quads(read: list[tuple[Document, Extraction]], lexicon: Lexicon) -> list[Quad]:
    quads = ontology_quads() + lexicon_quads(lexicon)
    for doc, extraction in read:
        quads.extend(extraction_quads(extraction, doc.text))
    return quads


def report_path(store_path: Path) -> Path:
    """The validation report of a store lives beside it: ``<store>.validation.txt``."""
    return store_path.parent / f"{store_path.name}.validation.txt"


def build(sources: str | Path = SOURCES_DIR, store: str | Path | None = None,
          lexicon_dir: str | Path | None = None,
          progress: Callable[[str], None] | None = None,
          validate: bool = True, force: bool = False) -> BuildResult:
    """Read every document in ``sources``, validate the graph against ontology/shapes.ttl
    and write the store (atomically). A graph that does not conform raises
    ``ValidationError`` before anything is written, unless ``force`` (then it is written
    and the report kept beside the store); ``validate=False`` skips validation."""
    lexicon = load_lexicon(str(lexicon_dir) if lexicon_dir else None)
    store_path = Path(store) if store else default_store_path()
    read = read_sources(Path(sources), lexicon, progress)
    quads = graph_quads(read, lexicon)
    report = None
    if validate:
        from .validate import require_conforming, validate_quads
        report = validate_quads(quads, {d.path.name: str(d.path) for d, _ in read if d.path})
        if not force:
            require_conforming(report, " (nothing written; `--force` builds anyway and keeps the report)")
    count = write_store(store_path, quads)   # distinct quads (the list may repeat some)
    result = BuildResult(store_path, [d.id for d, _ in read], count, [x for _, x in read], report)
    report_file = report_path(store_path)
    if report is not None:
        with atomic_file(report_file, "w") as f:
            f.write(report.to_text())
        result.report_file = report_file
    else:
        report_file.unlink(missing_ok=True)   # a stale report would describe another graph
    return result
