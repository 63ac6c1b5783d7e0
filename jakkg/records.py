"""Plain records extracted from documents (no RDF here). Every record carries the
`Span`(s) it was read from and the repairs code made while reading it."""
from __future__ import annotations

from dataclasses import dataclass, field

from .document import Span


@dataclass
class Evidence:
    span: Span
    section: str | None = None
    line: int | None = None


@dataclass
class SourceDocumentRecord:
    id: str
    file_name: str
    text_length: int
    sha256: str
    title: str | None = None
    doi: str | None = None
    citation: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Regimen:
    """A drug at a dose: value (and max for a range), unit, frequency, route."""

    drug: str                      # lexicon id
    evidence: Evidence
    value: float | None = None
    max_value: float | None = None
    unit: str | None = None        # "mg" or "%"
    frequency: str | None = None   # human label: "daily", "every 12 h", ...
    interval: str | None = None    # ISO 8601 duration of one interval, "P7D", "PT12H"
    administrations: float | None = None  # administrations per interval
    daily_dose: float | None = None       # normalised mg/day
    daily_dose_max: float | None = None
    route: str | None = None       # lexicon id
    route_assumed: bool = False    # True when the route is the lexicon default
    notes: list[str] = field(default_factory=list)    # "gradual tapering", "extended release"
    repairs: list[str] = field(default_factory=list)


@dataclass
class AdverseEventReportRecord:
    event: str                     # lexicon id
    attributed_to: str | None      # drug lexicon id
    evidence: Evidence
    detail: str | None = None      # "6 kg"
    repairs: list[str] = field(default_factory=list)


@dataclass
class PatientRecord:
    key: str                       # deterministic slug part, e.g. "7" (first case number)
    sex: str                       # "female" / "male"
    age: int                       # age at the first course of this patient
    comorbidities: list[str]
    evidence: list[Evidence] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


@dataclass
class TherapyCourseRecord:
    case: int
    patient: PatientRecord
    patient_age: int
    disease: str
    previous_therapies: list[str]
    jaki: Regimen
    monotherapy_outcome: str | None
    combination_reason: str | None
    combined: list[Regimen]
    duration_months: float | None
    ongoing: bool
    combination_outcome: str | None
    end_reason: str | None
    discontinuation_cause: str | None
    following: Regimen | None
    adverse_events: list[AdverseEventReportRecord]
    evidence: Evidence
    repairs: list[str] = field(default_factory=list)


@dataclass
class Problem:
    """Something in a source the code could not interpret (reported, never dropped)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Extraction:
    """Everything read from one document."""

    document: SourceDocumentRecord
    courses: list[TherapyCourseRecord] = field(default_factory=list)
    patients: list[PatientRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    statistics: list["CohortStatisticRecord"] = field(default_factory=list)


@dataclass
class CohortStatisticRecord:
    """A summary number a document states about its own cohort ("18 patients")."""

    key: str                       # what is counted: "patients", "courses-with-combined-drug:methotrexate"
    value: float                   # as stated
    precision: int                 # decimals as written ("14.8" → 1, "43" → 0)
    unit: str                      # "patients", "courses", "years", "months", "percent", ...
    label: str                     # human wording of the key
    stated_text: str               # the number as written ("Twelve", "61.1")
    evidence: Evidence             # the phrase stating it
    subject: tuple[str, str] | None = None   # ("drug"|"disease"|"event", lexicon id) the count is about
