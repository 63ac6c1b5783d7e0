"""Reading a source document: text, sections, tables and sentences, every piece a `Span`.

The sources are PDF-to-text conversions in light Markdown: headings start with ``#``,
tables are blocks of tab-separated lines, and a table that runs over several pages is
repeated under a ``Table N (Continued)`` line with the same header. Nothing here
interprets content; it only finds pieces and remembers exactly where they are.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$", re.M)
CAPTION = re.compile(r"^\*\*Table\s+(\d+)\.?\*\*\.?\s*(.*)$")
CONTINUED = re.compile(r"^Table\s+(\d+)\s+\(Continued\)\s*$")
SENTENCE = re.compile(
    r"\S.*?(?:[.!?](?:\s*<sup>[^<]*</sup>)?(?=\s+[A-Z(\[]|\s*$)|$)", re.S
)
ABBREVIATED = re.compile(r"(?:\bet al|\bvs|\be\.g|\bi\.e|\bDr|\bFig|\bNo|\b[A-Z])\.$")


@dataclass(frozen=True)
class Span:
    """A verbatim piece of a document: ``doc.text[start:end] == text``."""

    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    heading: Span
    body: Span


@dataclass
class TableRow:
    line: int
    span: Span
    cells: list[Span]


@dataclass
class Table:
    number: int | None
    caption: Span | None
    header: list[Span]
    rows: list[TableRow] = field(default_factory=list)
    header_line: int = 0

    @property
    def label(self) -> str:
        return f"Table {self.number}" if self.number is not None else "Table"

    @property
    def columns(self) -> list[str]:
        return [c.text.strip() for c in self.header]


class Document:
    """A source document read from disk (strict UTF-8, never empty)."""

    def __init__(self, doc_id: str, text: str, path: Path | None = None):
        self.id = doc_id
        self.text = text
        self.path = path
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    @classmethod
    def from_path(cls, path: str | Path) -> "Document":
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SourceError("no such file", path) from None
        except IsADirectoryError:
            raise SourceError("is a directory, not a source document", path) from None
        if not raw.strip():
            raise SourceError("empty file: a source document must contain text", path, 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise SourceError(
                f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start} cannot be decoded",
                path,
                line,
            ) from None
        return cls(path.stem, text, path)

    # -- positions -------------------------------------------------------------------
    def span(self, start: int, end: int) -> Span:
        return Span(self.id, start, end, self.text[start:end])

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def where(self, span: Span) -> str:
        return f"{self.path or self.id}:{self.line_of(span.start)}"

    def lines(self):
        """(line number, start offset, line text without newline)."""
        for i, start in enumerate(self._line_starts):
            end = self.text.find("\n", start)
            end = len(self.text) if end < 0 else end
            if start > len(self.text) or (start == len(self.text) and i > 0):
                break
            yield i + 1, start, self.text[start:end]

    def find(self, needle: str, start: int = 0, within: Span | None = None) -> Span | None:
        lo = within.start if within else start
        hi = within.end if within else len(self.text)
        i = self.text.find(needle, lo, hi)
        return None if i < 0 else self.span(i, i + len(needle))

    # -- structure -------------------------------------------------------------------
    def sections(self) -> list[Section]:
        """Sections by Markdown heading, in order; read once per document (every prose
        fact's evidence asks which section it lies in)."""
        cached = self.__dict__.get("_sections")
        if cached is None:
            cached = self.__dict__["_sections"] = self._read_sections()
        return list(cached)

    def _read_sections(self) -> list[Section]:
        heads = list(HEADING.finditer(self.text))
        out = []
        for i, m in enumerate(heads):
            body_start = m.end() + 1 if m.end() < len(self.text) else m.end()
            body_end = heads[i + 1].start() if i + 1 < len(heads) else len(self.text)
            title = m.group(2).strip().strip("*_").strip()
            out.append(
                Section(title, len(m.group(1)), self.span(m.start(2), m.end(2)),
                        self.span(body_start, max(body_start, body_end)))
            )
        return out

    def section_at(self, offset: int) -> str | None:
        """Title of the section an offset lies in (None before the first heading)."""
        sections = self.sections()
        i = bisect.bisect_right([s.heading.start for s in sections], offset)
        return sections[i - 1].title if i else None

    def tables(self) -> list[Table]:
        """Tab-separated blocks; a "Table N (Continued)" block with the same header is
        appended to the table it continues. Raises on a block with no usable header.
        Read once per document (the pipeline asks twice: to pick the genre, to extract)."""
        cached = self.__dict__.get("_tables")
        if cached is None:
            cached = self.__dict__["_tables"] = self._read_tables()
        return list(cached)

    def _read_tables(self) -> list[Table]:
        tables: list[Table] = []
        block: list[tuple[int, int, str]] = []
        previous_text_line = ""

        def flush():
            nonlocal block
            if block:
                self._add_block(block, previous_text_line, tables)
            block = []

        before_block = ""
        for lineno, start, line in self.lines():
            if "\t" in line:
                if not block:
                    previous_text_line = before_block
                block.append((lineno, start, line))
            else:
                flush()
                if line.strip():
                    before_block = line.strip()
        flush()
        return tables

    def _add_block(self, block, line_before: str, tables: list[Table]) -> None:
        header_line, header_start, header_text = block[0]
        header = self._cells(header_start, header_text)
        if sum(1 for c in header if c.text.strip()) < 2:
            raise SourceError("table has no header row (first tab-separated line has "
                              "fewer than two named columns)", self.path or self.id, header_line)
        first = header[0].text.strip()
        if first.isdigit():
            raise SourceError(f"table has no header row: its first line starts with '{first}', "
                              "which is data, not a column name", self.path or self.id, header_line)
        continued = CONTINUED.match(line_before)
        if continued and not (tables and tables[-1].columns == [c.text.strip() for c in header]):
            raise SourceError(f"'{line_before}' has a header that differs from the table it "
                              "continues (a column was renamed, moved or lost)",
                              self.path or self.id, header_line)
        if continued:
            table = tables[-1]
        else:
            caption, number = None, None
            cap = CAPTION.match(line_before)
            if cap:
                number = int(cap.group(1))
                i = self.text.rfind(line_before, 0, header_start)
                caption = self.span(i, i + len(line_before))
            table = Table(number, caption, header, header_line=header_line)
            tables.append(table)
        for lineno, start, text in block[1:]:
            table.rows.append(TableRow(lineno, self.span(start, start + len(text)),
                                       self._cells(start, text)))

    def _cells(self, start: int, line: str) -> list[Span]:
        cells, pos = [], start
        for part in line.split("\t"):
            cells.append(self.span(pos, pos + len(part)))
            pos += len(part) + 1
        return cells

    def sentences(self, within: Span | None = None) -> list[Span]:
        """Sentences of prose paragraphs (headings and table lines excluded). A sentence
        ends at . ! or ? (with any <sup> citation that follows) before a capital letter."""
        region = within or self.span(0, len(self.text))
        out: list[Span] = []
        for para in re.finditer(r"[^\n]+", region.text):
            line = para.group(0)
            if "\t" in line or line.lstrip().startswith("#"):
                continue
            base = region.start + para.start()
            pending = None
            for m in SENTENCE.finditer(line):
                s, e = base + m.start(), base + m.end()
                if pending is not None:
                    s = pending
                    pending = None
                piece = self.text[s:e].rstrip()
                if ABBREVIATED.search(piece) and e < base + len(line):
                    pending = s
                    continue
                out.append(self.span(s, s + len(piece)))
            if pending is not None:
                end = base + len(line)
                out.append(self.span(pending, end))
        return out
