"""Finding lexicon entries in table cells and prose: list splitting, curated corrections,
and one-line reports for names the lexicon does not know."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Document, Span
from ..lexicon import Entry, Vocabulary

NONE_WORDS = {"none", "no", "-", "--", "n/a", "na", ""}


@dataclass
class Mention:
    span: Span                 # verbatim text in the document
    text: str                  # text after corrections
    entry: Entry | None
    repairs: list[str] = field(default_factory=list)


def split_top_level(doc: Document, span: Span, separators: str = ",;") -> list[Span]:
    """Split a span at separators outside parentheses; spans are stripped, empty parts dropped."""
    parts, depth, start = [], 0, span.start
    text = doc.text
    for i in range(span.start, span.end):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            parts.append((start, i))
            start = i + 1
    parts.append((start, span.end))
    out = []
    for s, e in parts:
        piece = text[s:e]
        s += len(piece) - len(piece.lstrip())
        e -= len(piece) - len(piece.rstrip())
        if e > s:
            out.append(doc.span(s, e))
    return out


def split_and(doc: Document, span: Span) -> list[Span]:
    """Split "A and B" (outside parentheses) into two spans."""
    out, start = [], span.start
    for m in re.finditer(r"\s+and\s+", span.text):
        if span.text[: m.start()].count("(") == span.text[: m.start()].count(")"):
            out.append(doc.span(start, span.start + m.start()))
            start = span.start + m.end()
    out.append(doc.span(start, span.end))
    return out


def list_cell(doc: Document, span: Span) -> tuple[list[Span], list[str]]:
    """Items of a comma-separated list cell, with notes for a trailing comma and repeats."""
    notes = []
    if span.text.rstrip().endswith(","):
        notes.append(f"trailing comma in '{span.text.strip()}' ignored")
    items = split_top_level(doc, span)
    return items, notes


def is_none(text: str) -> bool:
    return text.strip().lower() in NONE_WORDS


def resolve(vocab: Vocabulary, lexicon, span: Span, text: str | None = None) -> Mention:
    """Look a mention up after applying the curated corrections."""
    corrected, repairs = lexicon.correct(text if text is not None else span.text)
    corrected = corrected.strip()
    return Mention(span, corrected, vocab.lookup(corrected), repairs)


def unknown_message(kind: str, vocab: Vocabulary, mention: Mention) -> str:
    suggestion = vocab.suggest(mention.text)
    hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
    return f"unknown {kind} '{mention.span.text}'{hint}; add it to {vocab.path.name}"
