"""Reviews: the summary table (drug × route → dose, approved indications, off-label uses),
the disease sections (one DrugUseClaim per reported use), approvals, mechanism and
class-level safety statements, and the abbreviations that tie them together.

Columns of the summary table are found by header name through
``data/lexicon/review_table_columns.tsv``. A dose column shifted by the PDF conversion
(the first dose in the header row, every later dose one row too high) is detected from
the cells themselves and repaired; the repair is recorded and the evidence still points
at the cell where each dose actually sits. Sentences the code cannot interpret, and
names it does not know, are reported, never dropped silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..document import CAPTION, HEADING, Document, Span, Table
from ..lexicon import Entry, Lexicon, read_tsv, split_list, normalise
from ..records import (ApprovalClaimRecord, ClassAdverseEventClaimRecord, DrugUseClaimRecord,
                       Evidence, Extraction, MechanismClaimRecord, Problem, Regimen,
                       ReviewExtraction)
from .abbreviations import LIST_LINE, Definition, definitions
from .dosing import DoseError, _frequency_phrase, parse_dose, units
from .mentions import is_none, split_top_level
from .references import extract_references
from .source import describe_document, evidence

TERMINAL = re.compile(r"(?:[.!?]|</sup>)\s*$")
CITATION = re.compile(r"<sup>\s*([\d,\s\-–]+)\s*</sup>")
SUP = re.compile(r"\s*<sup>[^<]*</sup>")
TIME = re.compile(
    r"\b(?P<prep>after|within|in|for)\s+(?:(?P<vague>several|a few)\s+(?P<vunit>days|weeks|months)"
    r"|(?P<a>\d+(?:\.\d+)?)(?:\s*(?:to|-|–)\s*(?P<b>\d+(?:\.\d+)?))?\s*(?P<unit>days?|weeks?|months?|years?))\b",
    re.I)
OUTCOME = re.compile(
    r"\b(?:led to|lead to|resulted in|induced?|reduced|showed|experienced|indicate|noted|"
    r"(?:was|were) successful|has been reported to|(?:was|were) found to|concluded that|"
    r"found|improves?|achieved|had|treats)\b", re.I)
PERCENT = re.compile(r"(?P<p>\d+(?:\.\d+)?)%\s+of\s+(?:the\s+)?(?:patients|those|participants)", re.I)
N_OF_M = re.compile(r"\b(?P<n>\d+) of (?P<m>\d+) patients\b", re.I)
ALL_N = re.compile(r"\ball (?P<n>\d+) patients\b", re.I)
WORDS = {"one": 1, "a": 1, "another": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9, "ten": 10}
N_PATIENTS = re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|another)"
                        r"\s+(?:[a-z]+\s+)?patients?\b", re.I)
DESIGNS = [  # (pattern, design); the earliest specific one in a sentence wins
    (r"meta-analys[ie]s", "meta-analysis"), (r"mouse models?|murine", "mouse model"),
    (r"case series|case reports? and series", "case series"), (r"case reports?", "case report"),
    (r"open-label", "open-label study"),
    (r"clinical trials?|phase (?:I{1,3}|[123])\b[^.]*?trials?|randomi[sz]ed", "clinical trial"),
    (r"\b(?:one|another|a) patient\b", "case report"),
]
GENERIC_DESIGN = re.compile(r"\bstud(?:y|ies)\b|\breports\b|\bcases\b", re.I)
REFERENCE_DESIGNS = DESIGNS[:6] + [(r"\btrial\b", "clinical trial"), (r"\breview\b", "review"),
                                   (r"\bcohort stud", "study")]
APPROVED = re.compile(r"\bapproved\b", re.I)
STUDIED = re.compile(r"\b(?:studied|investigated)\s+in\b", re.I)
APPROVAL_STOP = re.compile(r"\b(?:studied|investigated|trials?|reports?|indicates?|not)\b", re.I)
CONNECTOR = re.compile(r"^(?:[\s,()]|\band\b|\bor\b|\bboth\b)*$", re.I)
COORDINATED = re.compile(r"^\s*(?:,\s*)?(?:and|or|as well as)?\s*$", re.I)
BOTH_FREQUENCY = re.compile(r"\bboth\s+(?:applied|given|taken)\s+", re.I)
DRUG_LIKE = re.compile(r"\b[a-z]{4,}(?:nib|mab)\b", re.I)   # INN stems: kinase inhibitors, antibodies
GENERIC_JAKI = re.compile(r"\bJAK inhibit(?:ors?|ion)\b", re.I)
GENERATION = re.compile(r"\b(first|second)[- ]generation\b", re.I)
CYTOKINE = re.compile(r"\bIL\)?-(\d+)\b")
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
ROLE_WORDS = [
    ("intro", re.compile(r"introduction|background|overview", re.I)),
    ("safety", re.compile(r"safety|adverse", re.I)),
    ("conclusion", re.compile(r"conclusion|discussion|summary", re.I)),
    ("end", re.compile(r"references|bibliography|disclosure|conflicts? of interest|correspondence|"
                       r"acknowledg|declaration|funding|abbreviations", re.I)),
]


# --- sentences across page breaks --------------------------------------------------------

@dataclass
class Sentence:
    pieces: list[Span]
    section: str | None

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)

    @property
    def start(self) -> int:
        return self.pieces[0].start


def prose_sentences(doc: Document) -> list[Sentence]:
    """Sentences of the prose, a sentence cut by a page break (a table, a figure caption,
    the abbreviation list) joined again from its pieces."""
    out: list[Sentence] = []
    section, in_list = None, False
    pending: Sentence | None = None
    for _, start, line in doc.lines():
        stripped = line.strip()
        if not stripped:
            continue
        h = HEADING.match(line)
        if h:
            section = h.group(2).strip().strip("*_").strip()
            in_list = section.lower() == "abbreviations"
            if pending is not None and not in_list:
                out.append(pending)
                pending = None
            continue
        if "\t" in line or CAPTION.match(stripped) or (in_list and LIST_LINE.match(stripped)):
            continue
        in_list = False
        paragraph_section = pending.section if pending is not None else section
        for s in doc.sentences(doc.span(start, start + len(line))):
            if pending is not None:
                pending.pieces.append(s)
            else:
                pending = Sentence([s], paragraph_section)
            if TERMINAL.search(s.text):
                out.append(pending)
                pending = None
    if pending is not None:
        out.append(pending)
    return out


# --- mentions ------------------------------------------------------------------------------

@dataclass
class Hit:
    start: int           # in the sentence text
    end: int
    entry: Entry
    text: str


def _name_pattern(names: list[str]) -> str:
    parts = sorted({n for n in names if n}, key=len, reverse=True)
    return "|".join(r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", n)) for n in parts)


class Matcher:
    """Finds lexicon names (case-insensitive) and abbreviations (case-sensitive, with a
    plural 's') of one vocabulary in text; longest match first, no overlaps."""

    def __init__(self, vocab, extra_abbreviations: dict[str, Entry] | None = None):
        self.vocab = vocab
        self.by_abbr: dict[str, Entry] = {}
        names: list[str] = []
        for e in vocab:
            names += [e.label, *e.synonyms]
            for a in e.abbreviations:
                self.by_abbr[a] = e
        self.by_abbr.update(extra_abbreviations or {})
        self.names = re.compile(rf"(?<![\w])(?:{_name_pattern(names)})(?![\w])", re.I) if names else None
        self.abbrs = (re.compile(rf"(?<![\w])({'|'.join(sorted(map(re.escape, self.by_abbr), key=len, reverse=True))})s?(?![\w])")
                      if self.by_abbr else None)

    def find(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        if self.names:
            for m in self.names.finditer(text):
                e = self.vocab.lookup(m.group(0))
                if e:
                    hits.append(Hit(m.start(), m.end(), e, m.group(0)))
        if self.abbrs:
            for m in self.abbrs.finditer(text):
                hits.append(Hit(m.start(), m.end(), self.by_abbr[m.group(1)], m.group(0)))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[Hit] = []
        for h in hits:
            if out and h.start < out[-1].end:
                continue
            out.append(h)
        return out


def remove_overlaps(hits: list[Hit], blockers: list[Hit]) -> list[Hit]:
    return [h for h in hits if not any(h.start < b.end and b.start < h.end for b in blockers)]


@lru_cache(maxsize=1)
def isoform_labels() -> dict[str, str]:
    """Label → IRI of the JAK isoforms named in the ontology (rdfs:label, skos:prefLabel)."""
    from ..namespaces import JAKKG, RDF, RDFS, SKOS
    from ..store import ontology_quads
    quads = ontology_quads()
    isoforms = {q.subject.value for q in quads if q.predicate.value == RDF + "type"
                and q.object.value == JAKKG + "JAKIsoform"}
    out = {}
    for q in quads:
        if q.subject.value in isoforms and q.predicate.value in (RDFS + "label", SKOS + "prefLabel"):
            out[q.object.value] = q.subject.value
    return out


def review_table_columns(lexicon: Lexicon) -> dict[str, str]:
    rows = read_tsv(lexicon.directory / "review_table_columns.tsv", ["field", "headers"])
    return {normalise(h): r["field"] for r in rows for h in split_list(r["headers"])}


def looks_like_review(doc: Document, lexicon: Lexicon) -> bool:
    """A document with at least one section headed by a known disease."""
    matcher = Matcher(lexicon.diseases)
    return any(matcher.find(s.title) for s in doc.sections())


# --- the reader ----------------------------------------------------------------------------

@dataclass
class DrugMention:
    hit: Hit
    routes: list[str]
    route_stated: bool
    regimens: list[Regimen] = field(default_factory=list)


class ReviewReader:
    def __init__(self, doc: Document, lexicon: Lexicon):
        self.doc = doc
        self.lexicon = lexicon
        self.path = str(doc.path or doc.id)
        self.problems: list[Problem] = []
        self.uninterpreted: list[Problem] = []
        self.out = ReviewExtraction()
        self.definitions: dict[str, Definition] = definitions(doc)
        self.abbreviation_diseases: dict[str, Entry] = {}
        for short, d in self.definitions.items():
            entry = lexicon.diseases.lookup(d.long) or lexicon.diseases.lookup(short)
            if entry:
                self.abbreviation_diseases[short] = entry
                self.out.abbreviations[short] = (d.long, d.how)
            else:
                self.note(d.span.start, f"abbreviation '{short}' = '{d.long}' ({d.how}) is not a "
                                        f"disease in {lexicon.diseases.path.name}; not used")
        self.diseases = Matcher(lexicon.diseases, self.abbreviation_diseases)
        self.drugs = Matcher(lexicon.drugs)
        self.routes = Matcher(lexicon.routes)
        self.events = Matcher(lexicon.adverse_events)
        self.references = {}

    # -- helpers --------------------------------------------------------------------
    def ev(self, span: Span, section: str | None = None) -> Evidence:
        return evidence(self.doc, span, section)

    def sentence_evidence(self, s: Sentence) -> list[Evidence]:
        return [self.ev(p, s.section) for p in s.pieces]

    def note(self, where: int, message: str) -> None:
        self.uninterpreted.append(Problem(self.path, self.doc.line_of(where), message))

    def problem(self, where: int, message: str) -> None:
        self.problems.append(Problem(self.path, self.doc.line_of(where), message))

    def unknown(self, kind: str, vocab, text: str, where: int) -> None:
        hint = vocab.suggest(text)
        hint = f" (did you mean '{hint}'?)" if hint else ""
        self.problem(where, f"unknown {kind} '{text}'{hint}; add it to {vocab.path.name}")

    # -- the summary table ------------------------------------------------------------
    def read_tables(self) -> None:
        aliases = review_table_columns(self.lexicon)
        for table in self.doc.tables():
            fields = {}
            for i, name in enumerate(table.columns):
                f = aliases.get(normalise(name))
                if f and f not in fields:
                    fields[f] = i
            if "drug" not in fields or not ({"approved", "off_label"} & set(fields)):
                continue
            self.read_table(table, fields)

    def dose_cells(self, table: Table, fields: dict[str, int]) -> list[tuple[Span | None, str | None]]:
        """The dose cell of each row, and a repair note when the column was shifted."""
        header_dose = None
        if "dose" not in fields:
            for i, cell in enumerate(table.header):
                if i not in fields.values() and self.parse(cell.text):
                    fields["dose"] = i
                    header_dose = cell
                    break
        if "dose" not in fields:
            return [(None, None)] * len(table.rows)
        col = fields["dose"]
        cells = [r.cells[col] if col < len(r.cells) else None for r in table.rows]
        header = table.header[col]
        header_dose = header_dose or (header if self.parse(header.text) else None)
        routes = [self.row_route(r, fields) for r in table.rows]

        def mismatches(assigned):
            bad = 0
            for cell, route in zip(assigned, routes):
                d = self.parse(cell.text) if cell is not None else None
                if d and route and ((route == "topical" and d.unit != "%")
                                    or (route != "topical" and d.unit == "%")):
                    bad += 1
            return bad

        shifted = [header] + cells[:-1]
        if not header_dose and mismatches(shifted) >= mismatches(cells):
            return [(c, None) for c in cells]
        if cells and cells[-1] is not None and cells[-1].text.strip():
            self.problem(cells[-1].start, f"dose column looks shifted up one row, but the last row "
                                          f"still holds a dose '{cells[-1].text}'")
        why = ("the header cell parses as a dose" if header_dose else
               "routes and dose units agree only when the column is moved down one row")
        out = []
        for row, cell in zip(table.rows, shifted):
            if cell is None or not cell.text.strip() or (cell is header and not header_dose):
                self.note(row.span.start, f"{table.label}: no dose for the row on line {row.line} "
                                          f"(the dose column is shifted and its first value is lost)"
                          if cell is header else f"{table.label}: no dose on line {row.line}")
                out.append((None, None))
                continue
            src = "the header row" if cell is header else f"line {self.doc.line_of(cell.start)}"
            out.append((cell, f"dose column shifted up one row by the PDF conversion ({why}): "
                              f"'{cell.text.strip()}' read from {src} and assigned to the row on "
                              f"line {row.line}"))
        return out

    def parse(self, text: str):
        try:
            return parse_dose(text, self.lexicon)
        except DoseError:
            return None

    def row_route(self, row, fields) -> str | None:
        i = fields.get("route")
        if i is None or i >= len(row.cells) or not row.cells[i].text.strip():
            return None
        e = self.lexicon.routes.lookup(row.cells[i].text)
        return e.id if e else None

    def disease_items(self, span: Span) -> list[tuple[Span, Entry]]:
        out = []
        if is_none(span.text):
            return out
        for item in split_top_level(self.doc, span, ","):
            for piece in split_top_level(self.doc, item, "/"):
                text = piece.text.strip()
                entry = self.abbreviation_diseases.get(text) or self.lexicon.diseases.lookup(text)
                if entry is None:
                    if text in self.definitions:
                        self.problem(piece.start, f"abbreviation '{text}' = "
                                     f"'{self.definitions[text].long}' is not a known disease; "
                                     f"add it to {self.lexicon.diseases.path.name}")
                    elif re.fullmatch(r"[A-Z][A-Za-z]{1,6}", text) and not self.lexicon.diseases.lookup(text):
                        self.problem(piece.start, f"abbreviation '{text}' is not defined in the document "
                                                  f"nor in {self.lexicon.diseases.path.name}")
                    else:
                        self.unknown("disease", self.lexicon.diseases, text, piece.start)
                    continue
                out.append((piece, entry))
        return out

    def read_table(self, table: Table, fields: dict[str, int]) -> None:
        doses = self.dose_cells(table, fields)
        label = table.label
        drug_cell = None
        for row, (dose_cell, repair) in zip(table.rows, doses):
            cell = row.cells[fields["drug"]]
            if cell.text.strip():
                drug_cell = cell
            if drug_cell is None:
                self.note(row.span.start, f"{label} row has no drug: '{row.span.text.strip()}'")
                continue
            drug = self.lexicon.drugs.lookup(drug_cell.text)
            if drug is None:
                self.unknown("drug", self.lexicon.drugs, drug_cell.text.strip(), drug_cell.start)
                continue
            route = self.row_route(row, fields)
            route_assumed = False
            if route is None:
                if "route" in fields and row.cells[fields["route"]].text.strip():
                    self.unknown("route", self.lexicon.routes, row.cells[fields["route"]].text.strip(),
                                 row.cells[fields["route"]].start)
                route, route_assumed = drug.get("default_route") or None, True
            repairs = [repair] if repair else []
            regimens = []
            if dose_cell is not None and dose_cell.text.strip():
                for part in split_top_level(self.doc, dose_cell, "/"):
                    if not re.match(r"\d", part.text):   # "/day" belongs to the dose before it
                        continue
                    d = self.parse(part.text)
                    if d is None:
                        self.note(part.start, f"{label}: dose '{part.text}' not understood")
                        continue
                    regimens.append(self.regimen(drug.id, d, self.ev(part, label), route,
                                                 route_assumed, repairs))
            context = [self.ev(drug_cell, label)]
            if "route" in fields:
                context.append(self.ev(row.cells[fields["route"]], label))
            for status, f in (("approved", "approved"), ("off-label", "off_label")):
                if f not in fields:
                    continue
                for piece, entry in self.disease_items(row.cells[fields[f]]):
                    key = f"table-{table.number or 0}-{drug.id}-{route}-{entry.id}"
                    evs = [self.ev(piece, label)] + context
                    if status == "approved":
                        self.out.approvals.append(ApprovalClaimRecord(
                            key, drug.id, entry.id, evs, route, route_assumed, repairs=list(repairs)))
                    self.out.uses.append(DrugUseClaimRecord(
                        key, drug.id, entry.id, evs, route, route_assumed, list(regimens),
                        use_status=status, study_design="review", repairs=list(repairs)))

    def regimen(self, drug: str, d, ev: Evidence, route: str | None, assumed: bool,
                repairs: list[str] | None = None) -> Regimen:
        return Regimen(drug, ev, d.value, d.max_value, d.unit, d.frequency, d.interval,
                       d.administrations, d.daily_dose, d.daily_dose_max, route, assumed,
                       list(d.notes), list(repairs or []))

    # -- prose --------------------------------------------------------------------------
    def section_role(self, title: str | None) -> tuple[str, list[Entry]]:
        if not title:
            return "front", []
        for role, pattern in ROLE_WORDS:
            if pattern.search(title):
                return role, []
        diseases = self.title_diseases(title)
        return ("disease" if diseases else "other"), diseases

    def title_diseases(self, title: str) -> list[Entry]:
        whole = self.lexicon.diseases.lookup(title)
        if whole:
            return [whole]
        parts = [p for p in re.split(r"\s*/\s*", title) if p]
        m = re.fullmatch(r"(\w+) and (\w+) (.+)", title)
        if m:   # "Systemic and Cutaneous Lupus" → "Systemic Lupus", "Cutaneous Lupus"
            parts = [f"{m.group(1)} {m.group(3)}", f"{m.group(2)} {m.group(3)}"]
        out: list[Entry] = []
        for p in parts:
            e = self.lexicon.diseases.lookup(p)
            hits = [e] if e else [h.entry for h in self.diseases.find(p)]
            for e in hits:
                if e not in out:
                    out.append(e)
        return out

    def read_prose(self) -> None:
        started = False
        open_claims: list[DrugUseClaimRecord] = []
        last_section = None
        for s in prose_sentences(self.doc):
            role, section_diseases = self.section_role(s.section)
            if role in ("intro", "disease", "safety", "conclusion"):
                started = True
            if not started or role == "end":
                continue
            if s.section != last_section:
                open_claims, last_section = [], s.section
                if role == "other" and self.jak_mentions(s.text):
                    self.unknown("disease", self.lexicon.diseases, s.section, s.start)
            text = s.text
            self.check_unknown_drugs(s)
            found = False
            if role == "safety":
                found = self.safety(s)
            if role == "intro":
                found = self.mechanism(s) or found
            if role in ("intro", "disease", "other") and APPROVED.search(text):
                found = self.approval(s) or found
                open_claims = []
            elif role in ("disease", "other"):
                new, open_claims = self.uses(s, section_diseases, open_claims)
                found = found or new
            if not found and role in ("disease", "other", "conclusion"):
                found = self.uses_by_reference(s)
            if not found:
                self.note(s.start, f"sentence not interpreted: '{_short(SUP.sub('', text))}'")

    def check_unknown_drugs(self, s: Sentence) -> None:
        text = s.text
        known = self.drugs.find(text)
        for m in DRUG_LIKE.finditer(text):
            if any(h.start <= m.start() < h.end for h in known):
                continue
            self.unknown("drug", self.lexicon.drugs, m.group(0), self.offset(s, m.start()))

    def offset(self, s: Sentence, i: int) -> int:
        """Document offset of index ``i`` of the joined sentence text."""
        pos = 0
        for p in s.pieces:
            if i <= pos + len(p.text):
                return p.start + max(0, i - pos)
            pos += len(p.text) + 1
        return s.pieces[-1].end

    def jak_mentions(self, text: str) -> list[Hit]:
        disease_hits = self.diseases.find(text)
        return [h for h in remove_overlaps(self.drugs.find(text), disease_hits)
                if h.entry.kind == "jak_inhibitor"]

    def drug_mentions(self, text: str) -> list[DrugMention]:
        hits = self.jak_mentions(text)
        route_hits = self.routes.find(text)
        out: list[DrugMention] = []
        for k, h in enumerate(hits):
            before_start = hits[k - 1].end if k else 0
            before = [r for r in route_hits if before_start <= r.start and r.end <= h.start
                      and re.fullmatch(r"(?:\s*(?:and|or)\s*\w+)*\s*", text[r.end:h.start], re.I)]
            routes = [r.entry.id for r in before]
            stated = bool(routes)
            window_end = hits[k + 1].start if k + 1 < len(hits) else len(text)
            mention = DrugMention(h, routes, stated)
            self.mention_doses(mention, text, h.end, window_end)
            if not stated and k and out[-1].route_stated and not out[-1].regimens \
                    and COORDINATED.match(text[hits[k - 1].end:h.start]):
                mention.routes, mention.route_stated = list(out[-1].routes), True
            out.append(mention)
        return out

    def mention_doses(self, mention: DrugMention, text: str, start: int, end: int) -> None:
        window = text[start:end]
        pos = 0
        while pos < len(window):
            try:
                d = parse_dose(window[pos:], self.lexicon)
            except DoseError:
                d = None
            if d is None:
                break
            a, b = pos + d.start, pos + d.end
            adjacent = pos == 0 and d.start <= 3
            if adjacent or (d.frequency and d.unit != "%"):
                mention.regimens.append(self.regimen(mention.hit.entry.id, d, None, None, False))
                end = b + self.frequency_length(window[b:], d)
                mention.regimens[-1].evidence = (a + start, end + start)   # resolved by the caller
            pos = b
        freq_m = BOTH_FREQUENCY.search(text, start)
        if freq_m:
            f = _frequency_phrase(text[freq_m.end():], self.lexicon)
            if f:
                for r in mention.regimens:
                    if r.frequency is None:
                        r.frequency, r.interval, r.administrations = f.label, f.interval, f.administrations

    def frequency_length(self, tail: str, d) -> int:
        """How far the dose's own wording ("twice daily", "extended release given daily")
        runs into ``tail``, so that a regimen's evidence quotes its frequency too."""
        if d.frequency is None:
            return 0
        names = [d.frequency]
        for f in self.lexicon.frequencies:
            if f.label == d.frequency:
                names += f.names
        pattern = "|".join(sorted({re.escape(n) for n in names}, key=len, reverse=True))
        m = re.match(rf"^(?:\s*(?:extended[- ]release|given|applied))*\s*(?:{pattern})\b", tail, re.I)
        if m is None:
            m = re.match(r"^\s*(?:extended[- ]release|[a-z ]{0,12}?(?:times|daily))[a-z ]*?daily\b", tail, re.I)
        return m.end() if m else 0

    def diseases_in(self, text: str, section_diseases: list[Entry]) -> list[Entry]:
        keep: list[Entry] = []
        section_ids = {e.id for e in section_diseases}
        for h in self.diseases.find(text):
            e = h.entry
            related = e.id in section_ids or e.get("broader") in section_ids
            if (e.kind == "dermatologic" or related) and e not in keep:
                keep.append(e)
        return keep or list(section_diseases)

    def uses(self, s: Sentence, section_diseases: list[Entry],
             open_claims: list[DrugUseClaimRecord]) -> tuple[bool, list[DrugUseClaimRecord]]:
        text = s.text
        mentions = self.drug_mentions(text)
        refs = citations(text)
        facts = self.sentence_facts(s, text, mentions)
        open_drugs = {c.drug for c in open_claims}
        if open_claims and all(m.hit.entry.id in open_drugs for m in mentions):
            for m in mentions:
                for r in m.regimens:
                    self.place_regimen(s, r, m)
                    claims = [c for c in open_claims if c.drug == r.drug and c.route == r.route] \
                        or [c for c in open_claims if c.drug == r.drug]
                    for c in claims:
                        c.regimens.append(r)
            for c in open_claims:
                c.evidence += self.sentence_evidence(s)
                c.references += [n for n in refs if n not in c.references]
                for k, v in facts.items():
                    if getattr(c, k) is None:
                        setattr(c, k, v)
            return True, ([] if refs else open_claims)
        if not mentions:
            return False, []
        claims: dict[tuple, DrugUseClaimRecord] = {}
        diseases = self.diseases_in(text, section_diseases)
        for m in mentions:
            for r in m.regimens:
                self.place_regimen(s, r, m)
            groups: dict[str | None, list[Regimen]] = {}
            if m.routes:
                for route in m.routes:
                    groups[route] = [r for r in m.regimens]
            else:
                for r in m.regimens:
                    groups.setdefault(r.route, []).append(r)
                if not m.regimens:
                    groups[m.hit.entry.get("default_route") or None] = []
            for route, regimens in groups.items():
                for disease in diseases:
                    key = (m.hit.entry.id, route, disease.id)
                    if key not in claims:
                        claims[key] = DrugUseClaimRecord(
                            f"s{s.start}-{m.hit.entry.id}-{route}-{disease.id}", m.hit.entry.id,
                            disease.id, self.sentence_evidence(s), route,
                            not m.route_stated and not any(r.unit == "%" for r in regimens),
                            references=list(refs), **facts)
                    for r in regimens:
                        if r not in claims[key].regimens:
                            claims[key].regimens.append(r)
        self.out.uses.extend(claims.values())
        return True, ([] if refs else list(claims.values()))

    def uses_by_reference(self, s: Sentence) -> bool:
        """'case reports exist utilizing JAK inhibitors for A, B and C.<sup>36-42</sup>': the
        sentence names diseases but no drug; each cited reference whose title names one of
        those diseases and a JAK inhibitor gives a claim, evidenced by the sentence and by
        the reference entry. Diseases no cited title names are reported."""
        text = s.text
        refs = citations(text)
        if not refs or self.jak_mentions(text) or not GENERIC_JAKI.search(text):
            return False
        diseases = []
        for h in self.diseases.find(SUP.sub("", text)):
            if h.entry not in diseases:
                diseases.append(h.entry)
        if not diseases:
            return False
        facts = self.sentence_facts(s, text, [])
        matched = set()
        for n in refs:
            ref = self.references.get(n)
            if ref is None or not ref.title:
                continue
            title_diseases = {h.entry.id for h in self.diseases.find(ref.title)}
            for d in diseases:
                if d.id not in title_diseases:
                    continue
                for m in self.drug_mentions(ref.title):
                    h = m.hit
                    matched.add(d.id)
                    route = m.routes[0] if m.routes else (h.entry.get("default_route") or None)
                    self.out.uses.append(DrugUseClaimRecord(
                        f"s{s.start}-ref{n}-{h.entry.id}-{d.id}", h.entry.id, d.id,
                        self.sentence_evidence(s) + [ref.evidence], route, not m.routes,
                        references=[n], **{**facts, "outcome_text": None}))
        for d in diseases:
            if d.id not in matched:
                self.note(s.start, f"'{d.label}': none of the cited references "
                                   f"({', '.join(map(str, refs))}) names it with a JAK inhibitor")
        return bool(matched)

    def place_regimen(self, s: Sentence, r: Regimen, m: DrugMention) -> None:
        """Turn the regimen's (start, end) in the joined text into evidence; set its route."""
        if isinstance(r.evidence, tuple):
            a, b = r.evidence
            r.evidence = self.ev(self.doc.span(self.offset(s, a), self.offset(s, b)), s.section)
        if r.route is None:
            if m.route_stated and len(m.routes) == 1:
                r.route = m.routes[0]
            elif r.unit == "%":
                r.route, r.route_assumed = "topical", True
            else:
                r.route, r.route_assumed = self.lexicon.drugs[r.drug].get("default_route") or None, True

    def sentence_facts(self, s: Sentence, text: str, mentions: list[DrugMention]) -> dict:
        facts: dict = {}
        clean = SUP.sub("", text)
        start = mentions[0].hit.start if mentions else 0
        o = OUTCOME.search(clean, min(start, len(clean))) or OUTCOME.search(clean)
        if o:
            facts["outcome_text"] = clean[o.start():].strip().rstrip(".")
        p = PERCENT.search(clean)
        if p:
            facts["response_percent"] = float(p.group("p"))
        m = N_OF_M.search(clean)
        if m:
            facts["responders"], facts["patient_count"] = int(m.group("n")), int(m.group("m"))
        else:
            m = ALL_N.search(clean)
            if m:
                facts["responders"] = facts["patient_count"] = int(m.group("n"))
            else:
                m = N_PATIENTS.search(clean)
                if m:
                    n = m.group("n").lower()
                    facts["patient_count"] = int(n) if n.isdigit() else WORDS[n]
        times, lo, hi, durations = [], None, None, []
        for t in TIME.finditer(clean):
            if t.group("prep").lower() == "for":
                durations.append(t.group(0))
                continue
            times.append(t.group(0))
            if t.group("a"):
                q = units().Quantity
                unit = t.group("unit").lower().rstrip("s")
                a = q(float(t.group("a")), unit).to("day").magnitude
                b = q(float(t.group("b") or t.group("a")), unit).to("day").magnitude
                lo = a if lo is None else min(lo, a)
                hi = b if hi is None else max(hi, b)
        if times:
            facts["time_to_response"] = "; ".join(times)
            if lo is not None:
                facts["time_min_days"], facts["time_max_days"] = round(lo, 2), round(hi, 2)
        if durations:
            facts["treatment_duration"] = "; ".join(durations)
        design = design_of(clean, DESIGNS)
        if design is None and GENERIC_DESIGN.search(clean):
            design = "study"
        if design in (None, "study"):
            for n in citations(text):
                ref = self.references.get(n)
                d = design_of(ref.title or "", REFERENCE_DESIGNS) if ref else None
                if d:
                    design = d
                    break
        if design:
            facts["study_design"] = design
        return facts

    # -- approvals, investigational uses -----------------------------------------------
    def approval(self, s: Sentence) -> bool:
        text = s.text
        found = False
        diseases_all = self.diseases.find(text)
        for a, b in clauses(text):
            clause_hits = [h for h in diseases_all if a <= h.start < b]
            mentions = [m for m in self.drug_mentions(text) if a <= m.hit.start < b]
            ap = APPROVED.search(text, a, b)
            if not mentions or not ap:
                continue
            approved = self.listed(text, ap.end(), clause_hits, APPROVAL_STOP)
            studied_m = STUDIED.search(text, ap.end(), b)
            studied = self.listed(text, studied_m.end(), clause_hits, None) if studied_m else []
            for m in mentions:
                routes = m.routes or [m.hit.entry.get("default_route") or None]
                for route in routes:
                    for h in approved:
                        found = True
                        self.out.approvals.append(ApprovalClaimRecord(
                            f"s{s.start}-{m.hit.entry.id}-{route}-{h.entry.id}", m.hit.entry.id,
                            h.entry.id, self.sentence_evidence(s), route, not m.route_stated,
                            references=citations(text)))
                    for h in studied:
                        found = True
                        self.out.uses.append(DrugUseClaimRecord(
                            f"s{s.start}-{m.hit.entry.id}-{route}-{h.entry.id}", m.hit.entry.id,
                            h.entry.id, self.sentence_evidence(s), route, not m.route_stated,
                            use_status="investigational", outcome_text=SUP.sub("", text[studied_m.start():b]).strip(" ."),
                            references=citations(text), study_design="study"))
        return found

    def listed(self, text: str, start: int, hits: list[Hit], stop) -> list[Hit]:
        """Diseases listed from ``start``: the first after a gap without a stop word, then
        each one separated from the previous only by commas, 'and', 'or', parentheses."""
        out: list[Hit] = []
        pos = start
        for h in hits:
            if h.start < start:
                continue
            gap = text[pos:h.start]
            if not out:
                if stop is not None and stop.search(gap):
                    break
            elif not CONNECTOR.match(gap):
                break
            if all(o.entry.id != h.entry.id for o in out):
                out.append(h)
            pos = h.end
        return out

    # -- mechanism ----------------------------------------------------------------------
    def mechanism(self, s: Sentence) -> bool:
        text = s.text
        found = False
        gens = list(GENERATION.finditer(text))
        for k, g in enumerate(gens):
            end = gens[k + 1].start() if k + 1 < len(gens) else len(text)
            hits = [h for h in self.jak_mentions(text) if g.end() <= h.start < end]
            if not hits:
                continue
            tail = text[hits[-1].end:end]
            what = re.sub(r"^[\s,—–\-]+", "", tail).split(",")[0].strip(" .") or None
            for h in hits:
                found = True
                self.out.mechanisms.append(MechanismClaimRecord(
                    f"s{s.start}-{h.entry.id}", self.sentence_evidence(s)[0] if len(s.pieces) == 1
                    else self.ev(s.pieces[0], s.section), h.entry.id,
                    1 if g.group(1).lower() == "first" else 2, mechanism_text=what))
        labels = isoform_labels()
        pattern = "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
        isoforms = []
        for m in re.finditer(rf"(?<![\w-])(?:{pattern})(?![\w-])", text):
            iri = labels[m.group(0)]
            if iri not in isoforms:
                isoforms.append(iri)
        cytokines = list(dict.fromkeys(f"IL-{n}" for n in CYTOKINE.findall(text)))
        if (isoforms or cytokines) and not gens:
            found = True
            self.out.mechanisms.append(MechanismClaimRecord(
                f"s{s.start}", self.ev(s.pieces[0], s.section), isoforms=isoforms,
                cytokines=cytokines, mechanism_text=SUP.sub("", text).strip(" .")))
        return found

    # -- safety -------------------------------------------------------------------------
    def safety(self, s: Sentence) -> bool:
        text = s.text
        clean = text.lower()
        boxed = "boxed warning" in clean
        severity = "serious" if ("serious" in clean or boxed) else ("common" if "common" in clean else None)
        drug_hits = self.jak_mentions(text)
        hits = remove_overlaps(self.events.find(text), self.drugs.find(text))
        hits += self.coordinated_events(text, hits)
        year = None
        if boxed:
            y = YEAR.search(text)
            year = int(y.group(1)) if y else None
        found = False
        seen = set()
        for h in hits:
            if h.entry.id in seen:
                continue
            seen.add(h.entry.id)
            found = True
            self.out.class_adverse_events.append(ClassAdverseEventClaimRecord(
                f"s{s.start}-{h.entry.id}", h.entry.id, self.ev(s.pieces[0], s.section), severity,
                drug_hits[0].entry.id if (boxed and drug_hits) else None, year, citations(text)))
        return found

    def coordinated_events(self, text: str, hits: list[Hit]) -> list[Hit]:
        """'reactivation of hepatitis B virus or herpes simplex virus': the head of the first
        name ('reactivation of') also applies to the second."""
        out = []
        for h in hits:
            head = re.match(r"^(.+?\bof\s+)", h.text)
            if not head:
                continue
            m = re.match(r"\s+(?:or|and)\s+([^,.;]+?)(?=,|\.|;|$)", text[h.end:])
            if not m:
                continue
            entry = self.lexicon.adverse_events.lookup(head.group(1) + m.group(1))
            if entry:
                a = h.end + m.start(1)
                out.append(Hit(a, a + len(m.group(1)), entry, m.group(1)))
        for o in out:   # the coordinated name replaces a shorter match inside it
            hits[:] = [h for h in hits if not (o.start <= h.start < o.end)]
        return out

    # -- all ----------------------------------------------------------------------------
    def read(self) -> Extraction:
        extraction = Extraction(describe_document(self.doc))
        refs, notes = extract_references(self.doc)
        self.references = {r.number: r for r in refs}
        extraction.references = refs
        self.uninterpreted.extend(notes)
        self.read_tables()
        self.read_prose()
        self.set_use_status()
        extraction.review = self.out
        extraction.problems = self.problems
        extraction.uninterpreted = self.uninterpreted
        return extraction

    def set_use_status(self) -> None:
        approved = {(a.drug, a.indication, a.route) for a in self.out.approvals}
        approved_any_route = {(a.drug, a.indication) for a in self.out.approvals if a.route_assumed}
        for c in self.out.uses:
            if c.use_status is None:
                c.use_status = ("approved" if (c.drug, c.disease, c.route) in approved
                                or (c.drug, c.disease) in approved_any_route else "off-label")


def citations(text: str) -> list[int]:
    out: list[int] = []
    for m in CITATION.finditer(text):
        for part in re.split(r"\s*,\s*", m.group(1).strip()):
            r = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
            nums = range(int(r.group(1)), int(r.group(2)) + 1) if r else ([int(part)] if part.isdigit() else [])
            out += [n for n in nums if n not in out]
    return out


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause boundaries: ', and ' and ';' split a sentence into independent clauses."""
    cuts = [m.end() for m in re.finditer(r",\s+and\s+(?=now\b|then\b|also\b|[a-z]+ly\b)|;\s+", text)]
    bounds = [0] + cuts + [len(text)]
    return list(zip(bounds[:-1], bounds[1:]))


def design_of(text: str, designs) -> str | None:
    best = None
    for pattern, design in designs:
        m = re.search(pattern, text, re.I)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), design)
    return best[1] if best else None


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def extract_review(doc: Document, lexicon: Lexicon) -> Extraction:
    return ReviewReader(doc, lexicon).read()
