"""documents → records → quads → store: the build, top-down."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pyoxigraph import Quad, Store

from .document import Document
from .errors import SourceError
from .extract.case_table import NoPatientTable, extract_case_series, find_patient_table
from .extract.source import describe_document
from .graph import extraction_quads, lexicon_quads
from .lexicon import DATA_DIR, Lexicon, load_lexicon
from .records import Extraction
from .store import atomic_file, default_store_path, ontology_quads, write_store

if TYPE_CHECKING:
    from .validate import Validator, ValidatorPool

SOURCES_DIR = DATA_DIR / "sources"
# above this many bytes of sources a build validates in worker processes (the two real
# sources are 48 kB and validate in-process in ~0.5 s; spawning workers costs ~1 s each)
PARALLEL_BYTES = 1_000_000


@dataclass
class BuildResult:
    store: Path
    documents: list[str] = field(default_factory=list)
    quads: int = 0
    extractions: list[Extraction] = field(default_factory=list)
    report: object | None = None          # jakkg.validate.Report when validated
    report_file: Path | None = None
    jobs: int = 0                          # worker processes that validated (0: in-process)


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


def graph_quads(read: Iterable[tuple[Document, Extraction]], lexicon: Lexicon,
                validator: "Validator | ValidatorPool | None" = None) -> Iterator[Quad]:
    """The ontology, the lexicon and each document's facts with their evidence; with a
    ``validator``, each document's graph is validated as it goes past."""
    yield from ontology_quads()
    yield from lexicon_quads(lexicon)
    for doc, extraction in read:
        quads = extraction_quads(extraction, doc.text)
        yield from validator.document(quads) if validator else quads


def report_path(store_path: Path) -> Path:
    """The validation report of a store lives beside it: ``<store>.validation.txt``."""
    return store_path.parent / f"{store_path.name}.validation.txt"


def build(sources: str | Path = SOURCES_DIR, store: str | Path | None = None,
          lexicon_dir: str | Path | None = None,
          progress: Callable[[str], None] | None = None,
          validate: bool = True, force: bool = False, jobs: int | None = None) -> BuildResult:
    """Read every document in ``sources`` into a new store beside the old one, validating
    each document's graph against ontology/shapes.ttl on its way in, and swap the new store
    in. A graph that does not conform raises ``ValidationError`` and the old store stays as
    it was, unless ``force`` (then the new store replaces it and the report is kept beside
    it); ``validate=False`` skips validation. Documents are read one at a time and go
    straight into the bulk loader: the build never holds the whole graph. ``jobs``: worker
    processes that validate while the build reads on (default: one per CPU when the
    sources exceed PARALLEL_BYTES, else 0: validate in this process)."""
    lexicon = load_lexicon(str(lexicon_dir) if lexicon_dir else None)
    store_path = Path(store) if store else default_store_path()
    result = BuildResult(store_path)
    paths: dict[str, str] = {}      # file name -> path, filled as documents are read; the
                                    # validator's report shows sources with these paths

    def recorded() -> Iterator[tuple[Document, Extraction]]:
        for doc, extraction in iter_sources(Path(sources), lexicon, progress):
            result.documents.append(doc.id)
            result.extractions.append(extraction)
            if doc.path:
                paths[doc.path.name] = str(doc.path)
            yield doc, extraction

    validator = None
    if validate:
        from .validate import Validator, ValidatorPool, auto_jobs, canonical
        lexicon_graph = list(canonical(lexicon_quads(lexicon)))
        if jobs is None:
            jobs = auto_jobs(sum(p.stat().st_size for p in source_files(Path(sources))),
                             PARALLEL_BYTES)
        result.jobs = jobs
        validator = (ValidatorPool(lexicon_graph, paths, jobs) if jobs > 0
                     else Validator(lexicon_graph, paths))

    def check(_: Store) -> None:
        """Every document was validated on its way in: refuse the new store unless it conforms."""
        from .validate import require_conforming
        result.report = validator.finish()
        if not force:
            require_conforming(result.report,
                               " (nothing written; `--force` builds anyway and keeps the report)")

    try:
        result.quads = write_store(store_path, graph_quads(recorded(), lexicon, validator),
                                   check if validate else None)
    finally:
        if validator is not None:
            validator.close()
    report_file = report_path(store_path)
    if result.report is not None:
        with atomic_file(report_file, "w") as f:
            f.write(result.report.to_text())
        result.report_file = report_file
    else:
        report_file.unlink(missing_ok=True)   # a stale report would describe another graph
    return result
