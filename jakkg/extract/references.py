"""The numbered reference list of a document (any genre) → ReferenceRecord.

A reference reads "Authors. Title. *Journal.* Year;vol(issue):pages. doi:10…"; pieces
that are missing (no authors for a web page, a ClinicalTrials.gov identifier instead of
a DOI) are left empty rather than guessed.
"""
from __future__ import annotations

import re

from ..document import Document
from ..records import Problem, ReferenceRecord
from .source import evidence

ENTRY = re.compile(r"^(?P<n>\d{1,3})\.\s+(?P<body>\S.*?)\s*$")
NAME = r"[A-ZÀ-Ž][\w'’\-À-ž]*"
# "Damsky W", "van der Heijde D", "M Castro L", "Stucznanowska-Głąbowska S", or "et al"
AUTHOR = rf"(?:(?:[a-z]{{1,3}} )*(?:[A-Z] )?{NAME}(?: {NAME})* [A-Z]{{1,3}}|et al)"
AUTHORS = re.compile(rf"^(?P<authors>{AUTHOR}(?:, {AUTHOR})*)\.\s+")
JOURNAL = re.compile(r"\*(?P<journal>[^*]+?)\.?\*")
YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b")
DOI = re.compile(r"(?:doi:\s*|doi\.org/)(10\.\d{4,9}/\S+?)(?=[.,;]?(?:\s|>|$))", re.I)
TRIAL = re.compile(r"\bNCT\d{8}\b")
URL = re.compile(r"<(?P<url>https?://[^>\s]+)>")


def references_section(doc: Document):
    for s in doc.sections():
        if s.title.lower().strip("* ") in ("references", "bibliography"):
            return s
    return None


def parse_reference(body: str) -> dict:
    out: dict = {}
    rest = body
    m = AUTHORS.match(rest)
    if m:
        out["authors"] = m.group("authors")
        rest = rest[m.end():]
    j = JOURNAL.search(rest)
    if j:
        out["title"] = rest[: j.start()].strip().rstrip(".").strip() or None
        out["journal"] = j.group("journal").strip()
        after = rest[j.end():]
    else:
        title = re.split(r"\.\s", rest, maxsplit=1)[0]
        out["title"] = title.strip().rstrip(".").strip() or None
        after = rest[len(title):]
    y = YEAR.search(after)
    if y:
        out["year"] = int(y.group("year"))
    d = DOI.search(body)
    if d:
        out["doi"] = d.group(1)
    t = TRIAL.search(body)
    if t:
        out["identifier"] = t.group(0)
    u = URL.search(body)
    if u and "doi.org/" not in u.group("url"):
        out["url"] = u.group("url")
    return out


def extract_references(doc: Document) -> tuple[list[ReferenceRecord], list[Problem]]:
    """References and notes on entries read only in part (never errors: a reference
    list is secondary to the facts that cite it)."""
    section = references_section(doc)
    if section is None:
        return [], []
    refs: list[ReferenceRecord] = []
    problems: list[Problem] = []
    path = str(doc.path or doc.id)
    for para in re.finditer(r"[^\n]+", section.body.text):
        m = ENTRY.match(para.group(0))
        if not m:
            continue
        start = section.body.start + para.start()
        span = doc.span(start + m.start("body"), start + m.end("body"))
        fields = parse_reference(m.group("body"))
        n = int(m.group("n"))
        if refs and n != refs[-1].number + 1:
            problems.append(Problem(path, doc.line_of(start),
                                    f"reference {n} follows reference {refs[-1].number}"))
        if not (fields.get("doi") or fields.get("identifier") or fields.get("url")):
            problems.append(Problem(path, doc.line_of(start),
                                    f"reference {n} has no DOI, trial identifier or URL"))
        refs.append(ReferenceRecord(n, evidence(doc, span, section.title), **fields))
    return refs, problems
