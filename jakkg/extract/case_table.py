"""Case-series letters: the patient table → TherapyCourse / Patient / Regimen records.

Columns are found by header name through ``data/lexicon/case_table_columns.tsv``, so a
table whose columns are named or ordered differently still reads. Damage in the cells
(typos, variant spellings, trailing commas, repeated list items) is repaired through
the lexicon's corrections and recorded on the record; evidence keeps the original text.
"""
from __future__ import annotations

import re

from ..document import Document, Span, Table, TableRow
from ..errors import SourceError
from ..lexicon import Lexicon, normalise
from ..records import (AdverseEventReportRecord, Extraction, PatientRecord, Problem, Regimen,
                       TherapyCourseRecord)
from .cohort_statistics import extract_cohort_statistics
from .dosing import DoseError, parse_dose
from .mentions import is_none, list_cell, resolve, split_and, split_top_level, unknown_message
from .source import describe_document, evidence

REQUIRED_FIELDS = ("case", "sex", "age", "disease", "jaki")
DURATION = re.compile(r"^\s*(?P<months>\d+(?:\.\d+)?)\s*(?P<ongoing>\(\s*ongoing\s*\))?\s*$", re.I)
SWITCH = re.compile(r"^(?P<cause>.*?)(?:,?\s*switched to\s+(?P<next>.+?)(?:\s+monotherapy)?)?\s*$",
                    re.I | re.S)
ATTRIBUTED = re.compile(r"^(?P<events>.*?)\s*\((?P<drug>[^()]+)\)\s*$", re.S)
QUANTITY_PREFIX = re.compile(r"^(?P<detail>\d+(?:\.\d+)?\s*(?:kg|g|%))\s+", re.I)
PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
NOT_ENDED = {"uninterrupted", "ongoing", "continued"}
AGE_RANGE = (0, 120)


class NoPatientTable(SourceError):
    """The document has no case-series table (it is another genre), as opposed to a
    table that is there but broken."""


def find_patient_table(doc: Document, lexicon: Lexicon) -> tuple[Table, dict[str, int]]:
    for table in doc.tables():
        fields = {}
        for i, name in enumerate(table.columns):
            field = lexicon.case_table_columns.get(normalise(name))
            if field and field not in fields:
                fields[field] = i
        if all(f in fields for f in REQUIRED_FIELDS):
            return table, fields
    raise NoPatientTable("no patient table found (need a tab-separated table with columns for "
                      + ", ".join(REQUIRED_FIELDS) + ")", doc.path or doc.id)


class CaseTableReader:
    def __init__(self, doc: Document, lexicon: Lexicon):
        self.doc = doc
        self.lexicon = lexicon
        self.path = str(doc.path or doc.id)
        self.problems: list[Problem] = []

    # -- helpers ------------------------------------------------------------------
    def ev(self, span: Span):
        return evidence(self.doc, span, self.table.label)

    def problem(self, row: TableRow, message: str) -> None:
        self.problems.append(Problem(self.path, row.line, message))

    def error(self, row: TableRow, message: str) -> SourceError:
        return SourceError(message, self.path, row.line)

    def cell(self, row: TableRow, field: str) -> Span | None:
        i = self.fields.get(field)
        return row.cells[i] if i is not None else None

    def entity(self, row, vocab, kind: str, span: Span, text: str | None = None):
        mention = resolve(vocab, self.lexicon, span, text)
        if mention.entry is None:
            self.problem(row, unknown_message(kind, vocab, mention))
        return mention

    # -- cells --------------------------------------------------------------------
    def regimen(self, row: TableRow, span: Span) -> Regimen | None:
        """'Methotrexate 15 mg/week (orally)' → Regimen(methotrexate, 15 mg weekly, oral)."""
        corrected, repairs = self.lexicon.correct(span.text)
        try:
            dose = parse_dose(corrected, self.lexicon)
        except DoseError as e:
            raise self.error(row, str(e)) from None
        name = corrected[: dose.start] if dose else PARENTHESES.sub("", corrected)
        route = None
        for paren in PARENTHESES.findall(corrected[dose.end:] if dose else corrected):
            hit = self.lexicon.routes.lookup(paren)
            if hit:
                route = hit.id
        words = name.strip().split()
        if len(words) > 1 and self.lexicon.routes.lookup(words[0]) \
                and not self.lexicon.drugs.lookup(name):
            route = route or self.lexicon.routes.lookup(words[0]).id
            name = " ".join(words[1:])
        drug = self.entity(row, self.lexicon.drugs, "drug", span, name.strip())
        if drug.entry is None:
            return None
        regimen = Regimen(drug.entry.id, self.ev(span), repairs=repairs)
        if dose:
            regimen.value, regimen.max_value, regimen.unit = dose.value, dose.max_value, dose.unit
            regimen.frequency, regimen.interval = dose.frequency, dose.interval
            regimen.administrations = dose.administrations
            regimen.daily_dose, regimen.daily_dose_max = dose.daily_dose, dose.daily_dose_max
            regimen.notes = dose.notes
        if route:
            regimen.route = route
        elif drug.entry.get("default_route"):
            regimen.route = drug.entry.get("default_route")
            regimen.route_assumed = True
        return regimen

    def outcome(self, row: TableRow, span: Span | None) -> tuple[str | None, list[str]]:
        if span is None or not span.text.strip():
            return None, []
        mention = self.entity(row, self.lexicon.outcomes, "outcome", span)
        return (mention.entry.id if mention.entry else None), mention.repairs

    def adverse_events(self, row: TableRow, span: Span | None) -> list[AdverseEventReportRecord]:
        if span is None or is_none(span.text):
            return []
        reports = []
        for segment in split_top_level(self.doc, span, ","):
            m = ATTRIBUTED.match(segment.text)
            events_text = m.group("events") if m else segment.text
            drug = None
            if m:
                hit = self.entity(row, self.lexicon.drugs, "drug", segment, m.group("drug"))
                drug = hit.entry.id if hit.entry else None
            events_span = self.doc.span(segment.start, segment.start + len(events_text))
            for item in split_and(self.doc, events_span):
                text = item.text
                detail = None
                q = QUANTITY_PREFIX.match(text)
                if q:
                    detail, text = q.group("detail"), text[q.end():]
                mention = self.entity(row, self.lexicon.adverse_events, "adverse event", item, text)
                if mention.entry:
                    reports.append(AdverseEventReportRecord(
                        mention.entry.id, drug, self.ev(segment), detail, mention.repairs))
        return reports

    def previous_therapies(self, row: TableRow, span: Span | None) -> tuple[list[str], list[str]]:
        if span is None or is_none(span.text):
            return [], []
        items, notes = list_cell(self.doc, span)
        ids: list[str] = []
        for item in items:
            mention = self.entity(row, self.lexicon.drugs, "drug", item)
            notes.extend(mention.repairs)
            if mention.entry is None:
                continue
            if mention.entry.id in ids:
                notes.append(f"repeated item '{item.text}' listed once")
                continue
            ids.append(mention.entry.id)
        return ids, notes

    def comorbidities(self, row: TableRow, span: Span | None) -> tuple[list[str], list[str]]:
        if span is None or is_none(span.text):
            return [], []
        ids, notes = [], []
        for item in split_top_level(self.doc, span, ","):
            pieces = []
            inner = PARENTHESES.search(item.text)
            if inner:  # "Renal transplantation (IgA nephropathy)": both are conditions
                head = self.doc.span(item.start, item.start + inner.start())
                cause = self.doc.span(item.start + inner.start(1), item.start + inner.end(1))
                pieces = [head, cause]
            else:
                pieces = split_and(self.doc, item)
            for piece in pieces:
                mention = self.entity(row, self.lexicon.diseases, "condition", piece)
                notes.extend(mention.repairs)
                if mention.entry and mention.entry.id not in ids:
                    ids.append(mention.entry.id)
        return ids, notes

    # -- rows ---------------------------------------------------------------------
    def read(self) -> Extraction:
        self.table, self.fields = find_patient_table(self.doc, self.lexicon)
        extraction = Extraction(describe_document(self.doc))
        width = len(self.table.header)
        seen: dict[int, int] = {}
        for row in self.table.rows:
            if len(row.cells) != width:
                at_end = not self.doc.text[row.span.end:].strip()
                raise self.error(row, f"table row has {len(row.cells)} cells, header has {width}"
                                 + ("; the file ends inside this row: is it truncated?" if at_end else ""))
            course = self.read_row(row)
            if course is None:
                continue
            if course.case in seen:
                raise self.error(row, f"duplicate case number {course.case} "
                                      f"(first on line {seen[course.case]})")
            seen[course.case] = row.line
            extraction.courses.append(course)
        if not extraction.courses:
            raise SourceError("patient table has a header but no rows", self.path,
                              self.table.header_line)
        extraction.patients = resolve_patients(extraction.courses)
        extraction.statistics = extract_cohort_statistics(self.doc, self.lexicon)
        extraction.problems = self.problems
        return extraction

    def read_row(self, row: TableRow) -> TherapyCourseRecord | None:
        case_text = self.cell(row, "case").text.strip()
        if not case_text.isdigit():
            raise self.error(row, f"case number '{case_text}' is not a whole number")
        case = int(case_text)
        age_text = self.cell(row, "age").text.strip()
        try:
            age = int(age_text)
        except ValueError:
            raise self.error(row, f"age '{age_text}' is not a whole number of years") from None
        if not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            raise self.error(row, f"age {age} is not plausible (expected {AGE_RANGE[0]}–{AGE_RANGE[1]} years)")
        sex = self.entity(row, self.lexicon.sexes, "sex", self.cell(row, "sex"))
        disease = self.entity(row, self.lexicon.diseases, "disease", self.cell(row, "disease"))
        repairs = list(disease.repairs)
        comorbidities, notes = self.comorbidities(row, self.cell(row, "comorbidities"))
        repairs += notes
        previous, notes = self.previous_therapies(row, self.cell(row, "previous_therapies"))
        repairs += notes
        jaki = self.regimen(row, self.cell(row, "jaki"))
        mono, notes = self.outcome(row, self.cell(row, "jaki_outcome"))
        repairs += notes
        combo, notes = self.outcome(row, self.cell(row, "combination_outcome"))
        repairs += notes
        combined = []
        span = self.cell(row, "combined")
        if span is not None and not is_none(span.text):
            for part in split_top_level(self.doc, span, ";+"):
                regimen = self.regimen(row, part)
                if regimen:
                    combined.append(regimen)
        months, ongoing = None, False
        span = self.cell(row, "duration")
        if span is not None and span.text.strip():
            m = DURATION.match(span.text)
            if not m:
                raise self.error(row, f"duration '{span.text}' is not a number of months")
            months, ongoing = float(m.group("months")), bool(m.group("ongoing"))
        cause, following = None, None
        span = self.cell(row, "discontinuation")
        if span is not None and span.text.strip() and span.text.strip().lower() not in NOT_ENDED:
            m = SWITCH.match(span.text)
            cause = m.group("cause").strip() or None
            if m.group("next"):
                nxt = self.doc.span(span.start + m.start("next"), span.start + m.end("next"))
                following = self.regimen(row, nxt)
        if sex.entry is None or disease.entry is None or jaki is None:
            return None
        patient = PatientRecord(str(case), sex.entry.id, age, comorbidities,
                                [self.ev(self.doc.span(self.cell(row, "sex").start,
                                                       self.cell(row, "age").end))])
        return TherapyCourseRecord(
            case=case, patient=patient, patient_age=age, disease=disease.entry.id,
            previous_therapies=previous, jaki=jaki, monotherapy_outcome=mono,
            combination_reason=_text(self.cell(row, "combination_reason")), combined=combined,
            duration_months=months, ongoing=ongoing, combination_outcome=combo,
            end_reason=_text(self.cell(row, "end_reason")), discontinuation_cause=cause,
            following=following,
            adverse_events=self.adverse_events(row, self.cell(row, "adverse_events")),
            evidence=self.ev(row.span), repairs=repairs)


def _text(span: Span | None) -> str | None:
    return span.text.strip() or None if span is not None else None


def resolve_patients(courses: list[TherapyCourseRecord]) -> list[PatientRecord]:
    """Rows describing the same person become one patient: same sex, comorbidities and
    disease, and an age within one year of one of that patient's rows."""
    patients: list[tuple[tuple, list[TherapyCourseRecord]]] = []
    for course in sorted(courses, key=lambda c: c.case):
        key = (course.patient.sex, frozenset(course.patient.comorbidities), course.disease)
        for pkey, members in patients:
            if pkey == key and any(abs(m.patient_age - course.patient_age) <= 1 for m in members):
                members.append(course)
                break
        else:
            patients.append((key, [course]))
    out = []
    for _, members in patients:
        first = members[0]
        patient = first.patient
        for course in members[1:]:
            patient.evidence.extend(course.patient.evidence)
            course.patient = patient
        if len(members) > 1:
            ages = sorted({m.patient_age for m in members})
            patient.repairs.append(
                f"cases {', '.join(str(m.case) for m in members)} resolved to one patient: same sex, "
                f"comorbidities and disease, ages {'–'.join(str(a) for a in (ages[0], ages[-1]))}")
        out.append(patient)
    return out


def extract_case_series(doc: Document, lexicon: Lexicon) -> Extraction:
    return CaseTableReader(doc, lexicon).read()
