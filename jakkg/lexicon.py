"""The curated lexicon (``data/lexicon/*.tsv``): preferred labels, synonyms,
abbreviations, corrections for known typos, and (later) external identifiers.

Curators edit the TSV files; this module only reads them and answers lookups.
"""
from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import LexiconError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_DIR = DATA_DIR / "lexicon"

# file -> columns that must be present
REQUIRED = {
    "drugs.tsv": ["id", "label", "synonyms", "kind"],
    "diseases.tsv": ["id", "label", "synonyms", "abbreviations", "kind"],
    "adverse_events.tsv": ["id", "label", "synonyms"],
    "routes.tsv": ["id", "label", "synonyms"],
    "outcomes.tsv": ["id", "label", "synonyms", "category"],
    "sexes.tsv": ["id", "label", "synonyms"],
    "frequencies.tsv": ["label", "synonyms", "interval", "administrations"],
    "corrections.tsv": ["pattern", "replacement", "kind", "note"],
    "case_table_columns.tsv": ["field", "headers"],
}


def read_tsv(path: Path, required: list[str]) -> list[dict[str, str]]:
    """Rows of a TSV file as dicts; one-line errors for a malformed file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError("lexicon file missing", path) from None
    except UnicodeDecodeError:
        raise LexiconError("lexicon file is not UTF-8", path) from None
    lines = text.splitlines()
    if not lines:
        raise LexiconError("empty lexicon file (a header row is required)", path, 1)
    header = lines[0].split("\t")
    missing = [c for c in required if c not in header]
    if missing:
        raise LexiconError(f"header lacks column(s) {', '.join(missing)}", path, 1)
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise LexiconError(f"row has {len(cells)} cells, header has {len(header)}", path, n)
        row = dict(zip(header, (c.strip() for c in cells)))
        row["_line"] = str(n)
        rows.append(row)
    return rows


def split_list(cell: str) -> list[str]:
    return [s.strip() for s in cell.split("|") if s.strip()]


@lru_cache(maxsize=1 << 16)  # pure, and called for every cell and lexicon name
def normalise(text: str) -> str:
    """Case-, space- and punctuation-insensitive key for matching."""
    text = text.lower().replace("’", "'").replace("–", "-")
    text = re.sub(r"[\s\-]+", " ", text)
    return text.strip(" .,;:")


@dataclass
class Entry:
    id: str
    label: str
    kind: str
    synonyms: list[str]
    abbreviations: list[str]
    row: dict[str, str]

    def get(self, column: str) -> str:
        return self.row.get(column, "")


@dataclass
class Vocabulary:
    """One lexicon file: entries indexed by normalised label, synonym and abbreviation."""

    name: str
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    _by_name: dict[str, str] = field(default_factory=dict)
    _by_abbreviation: dict[str, str] = field(default_factory=dict)

    def add(self, entry: Entry, line: int) -> None:
        if entry.id in self.entries:
            raise LexiconError(f"duplicate id '{entry.id}'", self.path, line)
        self.entries[entry.id] = entry
        for name in [entry.label, *entry.synonyms]:
            key = normalise(name)
            other = self._by_name.get(key)
            if other and other != entry.id:
                raise LexiconError(f"name '{name}' is used by both '{other}' and '{entry.id}'",
                                   self.path, line)
            self._by_name[key] = entry.id
        for abbr in entry.abbreviations:
            self._by_abbreviation[abbr] = entry.id

    def lookup(self, text: str) -> Entry | None:
        """Exact match on label/synonym (normalised) or abbreviation (case-sensitive)."""
        text = text.strip()
        hit = self._by_abbreviation.get(text) or self._by_name.get(normalise(text))
        return self.entries[hit] if hit else None

    def suggest(self, text: str) -> str | None:
        """The closest known name, for 'did you mean' messages."""
        names = {**{k: v for k, v in self._by_name.items()}}
        close = difflib.get_close_matches(normalise(text), list(names), n=1, cutoff=0.6)
        return self.entries[names[close[0]]].label if close else None

    def __iter__(self):
        return iter(self.entries.values())

    def __getitem__(self, entry_id: str) -> Entry:
        return self.entries[entry_id]


@dataclass
class Correction:
    pattern: re.Pattern
    replacement: str
    kind: str
    note: str


@dataclass
class Frequency:
    label: str
    names: list[str]
    interval: str
    administrations: float


class Lexicon:
    def __init__(self, directory: Path = LEXICON_DIR):
        self.directory = Path(directory)
        self.drugs = self._vocabulary("drugs.tsv")
        self.diseases = self._vocabulary("diseases.tsv")
        self.adverse_events = self._vocabulary("adverse_events.tsv")
        self.routes = self._vocabulary("routes.tsv")
        self.outcomes = self._vocabulary("outcomes.tsv")
        self.sexes = self._vocabulary("sexes.tsv")
        self.corrections = []
        path = self.directory / "corrections.tsv"
        for row in read_tsv(path, REQUIRED["corrections.tsv"]):
            try:
                pattern = re.compile(row["pattern"], re.I)
            except re.error as e:
                raise LexiconError(f"bad pattern {row['pattern']!r}: {e}", path,
                                   int(row["_line"])) from None
            self.corrections.append(Correction(pattern, row["replacement"], row["kind"], row["note"]))
        self.frequencies = []
        path = self.directory / "frequencies.tsv"
        for row in read_tsv(path, REQUIRED["frequencies.tsv"]):
            try:
                administrations = float(row["administrations"])
            except ValueError:
                raise LexiconError("administrations must be a number", path,
                                   int(row["_line"])) from None
            self.frequencies.append(Frequency(row["label"], [row["label"], *split_list(row["synonyms"])],
                                              row["interval"], administrations))
        self.case_table_columns: dict[str, str] = {}
        for row in read_tsv(self.directory / "case_table_columns.tsv",
                            REQUIRED["case_table_columns.tsv"]):
            for header in split_list(row["headers"]):
                self.case_table_columns[normalise(header)] = row["field"]

    def _vocabulary(self, file_name: str) -> Vocabulary:
        path = self.directory / file_name
        vocab = Vocabulary(file_name.removesuffix(".tsv"), path)
        for row in read_tsv(path, REQUIRED[file_name]):
            if not row["id"] or not row["label"]:
                raise LexiconError("id and label must not be empty", path, int(row["_line"]))
            entry = Entry(row["id"], row["label"], row.get("kind", ""), split_list(row["synonyms"]),
                          split_list(row.get("abbreviations", "")), row)
            vocab.add(entry, int(row["_line"]))
        return vocab

    def correct(self, text: str) -> tuple[str, list[str]]:
        """Apply the curated corrections; return the corrected text and a note per repair."""
        notes = []
        for c in self.corrections:
            if c.pattern.search(text):
                text = c.pattern.sub(c.replacement, text)
                notes.append(c.note)
        return text, notes


@lru_cache(maxsize=4)
def load_lexicon(directory: str | None = None) -> Lexicon:
    return Lexicon(Path(directory) if directory else LEXICON_DIR)
