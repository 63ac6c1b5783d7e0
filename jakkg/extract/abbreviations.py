"""Abbreviations a document defines: its abbreviation list ("AA - Alopecia Areata") and
"Long Form (SF)" definitions in the prose, found with the Schwartz–Hearst algorithm
(Schwartz & Hearst, "A simple algorithm for identifying abbreviation definitions in
biomedical text", PSB 2003).

Written here rather than taken from PyPI: the one small package implementing the
algorithm (``abbreviations``, last release 2019) returns plain strings without offsets,
and every definition here must keep its span as evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document, Span

PAREN = re.compile(r"\(([^()]{1,12})\)")
LIST_LINE = re.compile(r"^(?P<sf>[A-Za-z][A-Za-z0-9/]{0,9})\s+[-–]\s+(?P<lf>\S.*?)\s*$")


@dataclass(frozen=True)
class Definition:
    short: str
    long: str
    span: Span                 # the long form (list) or "long form (SF)" (prose)
    how: str                   # "abbreviation list" or "prose"


def _valid_short(sf: str) -> bool:
    words = sf.split()
    return (2 <= len(sf) <= 10 and len(words) <= 2 and sf[0].isalnum()
            and any(c.isalpha() for c in sf) and not sf.replace(".", "").isdigit())


def best_long_form(sf: str, lf: str) -> int | None:
    """Schwartz–Hearst: the start index in ``lf`` of the shortest long form whose
    characters match the short form right to left, the first one at a word start."""
    s, i = len(sf) - 1, len(lf) - 1
    while s >= 0:
        c = sf[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (lf[i].lower() != c or (s == 0 and i > 0 and lf[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    return i + 1      # the first character matched at a word start (after a space or '-')


def prose_definitions(doc: Document, within: Span | None = None) -> list[Definition]:
    region = within or doc.span(0, len(doc.text))
    out = []
    for m in PAREN.finditer(region.text):
        sf = m.group(1).strip()
        if not _valid_short(sf):
            continue
        start = region.start + m.start()
        line_start = doc.text.rfind("\n", 0, start) + 1
        before = doc.text[line_start:start].rstrip()
        words = before.split()
        if not words:
            continue
        n = min(len(sf) + 5, len(sf) * 2)
        candidate = " ".join(words[-n:])
        cand_start = start - (len(doc.text[line_start:start]) - len(before)) - len(candidate)
        if doc.text[cand_start:cand_start + len(candidate)] != candidate:   # irregular spacing
            continue
        k = best_long_form(sf, candidate)
        if k is None:
            continue
        long = candidate[k:]
        if len(long) <= len(sf) or len(long.split()) > n:
            continue
        out.append(Definition(sf, long, doc.span(cand_start + k, region.start + m.end()), "prose"))
    return out


def list_definitions(doc: Document) -> list[Definition]:
    """Lines "SF - Long Form" under an "Abbreviations" heading (until the first line
    that is not such an entry)."""
    out = []
    for s in doc.sections():
        if s.title.lower() != "abbreviations":
            continue
        started = False
        for para in re.finditer(r"[^\n]+", s.body.text):
            m = LIST_LINE.match(para.group(0))
            if not m:
                if started and para.group(0).strip():
                    break
                continue
            started = True
            start = s.body.start + para.start()
            lf_start = start + m.start("lf")
            out.append(Definition(m.group("sf"), m.group("lf"),
                                  doc.span(lf_start, lf_start + len(m.group("lf"))),
                                  "abbreviation list"))
    return out


def definitions(doc: Document) -> dict[str, Definition]:
    """Short form → definition; the document's list wins over the prose, the first
    prose definition over later ones."""
    found: dict[str, Definition] = {}
    for d in list_definitions(doc) + prose_definitions(doc):
        found.setdefault(d.short, d)
    return found
