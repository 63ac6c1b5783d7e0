"""What a document says about itself: title, DOI and how to cite it."""
from __future__ import annotations

import hashlib
import re

from ..document import Document, Span
from ..records import Evidence, SourceDocumentRecord

DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(10\.\d{4,9}/[^\s<>\])]+[^\s<>\]).,;])", re.I)
CITE_AS = re.compile(r"^Please cite this article as:\s*(.+?)\s*$", re.M)


def evidence(doc: Document, span: Span, section: str | None = None) -> Evidence:
    return Evidence(span, section if section is not None else doc.section_at(span.start),
                    doc.line_of(span.start))


def _references_start(doc: Document) -> int:
    for s in doc.sections():
        if s.title.lower().startswith("references"):
            return s.heading.start
    return len(doc.text)


def describe_document(doc: Document) -> SourceDocumentRecord:
    record = SourceDocumentRecord(
        id=doc.id,
        file_name=doc.path.name if doc.path else f"{doc.id}.txt",
        text_length=len(doc.text),
        sha256=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
    )
    for s in doc.sections():
        words = s.title.split()
        if s.level >= 2 and len(words) > 4 and not s.title.isupper():
            record.title = s.title
            record.evidence.append(evidence(doc, s.heading))
            break
    refs = _references_start(doc)
    m = DOI.search(doc.text, 0, refs)
    if m:
        record.doi = m.group(1)
        record.evidence.append(evidence(doc, doc.span(m.start(1), m.end(1))))
    m = CITE_AS.search(doc.text)
    if m:
        record.citation = m.group(1)
        record.evidence.append(evidence(doc, doc.span(m.start(1), m.end(1))))
    return record
