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
    # issue 3: references (any genre), review claims, and what was read but not interpreted
    references: list["ReferenceRecord"] = field(default_factory=list)
    review: "ReviewExtraction | None" = None
    uninterpreted: list[Problem] = field(default_factory=list)


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


# --- issue 3: reviews (reported uses, approvals, mechanisms, class AEs, references) -------

@dataclass
class ReferenceRecord:
    """A numbered bibliographic reference of a source document."""

    number: int
    evidence: Evidence
    authors: str | None = None
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    identifier: str | None = None     # e.g. "NCT04430855" when there is no DOI
    url: str | None = None


@dataclass
class DrugUseClaimRecord:
    """One reported use of a drug for a disease (a table cell or a prose sentence)."""

    key: str                          # deterministic slug part
    drug: str                         # lexicon ids
    disease: str
    evidence: list[Evidence]
    route: str | None = None
    route_assumed: bool = False
    regimens: list[Regimen] = field(default_factory=list)
    use_status: str | None = None     # "approved" / "off-label" / "investigational"
    outcome_text: str | None = None
    response_percent: float | None = None
    responders: int | None = None
    patient_count: int | None = None
    time_to_response: str | None = None
    time_min_days: float | None = None
    time_max_days: float | None = None
    treatment_duration: str | None = None
    study_design: str | None = None
    references: list[int] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


@dataclass
class ApprovalClaimRecord:
    key: str
    drug: str
    indication: str
    evidence: list[Evidence]
    route: str | None = None
    route_assumed: bool = False
    agency: str = "FDA"
    references: list[int] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


@dataclass
class MechanismClaimRecord:
    key: str
    evidence: Evidence
    drug: str | None = None
    generation: int | None = None
    isoforms: list[str] = field(default_factory=list)   # ontology IRIs
    cytokines: list[str] = field(default_factory=list)
    mechanism_text: str | None = None


@dataclass
class ClassAdverseEventClaimRecord:
    key: str
    event: str                        # lexicon id
    evidence: Evidence
    severity: str | None = None       # "common" / "serious"
    drug: str | None = None
    boxed_warning_year: int | None = None
    references: list[int] = field(default_factory=list)


@dataclass
class ReviewExtraction:
    """What a review adds to an `Extraction` (kept apart so case series stay unchanged)."""

    uses: list[DrugUseClaimRecord] = field(default_factory=list)
    approvals: list[ApprovalClaimRecord] = field(default_factory=list)
    mechanisms: list[MechanismClaimRecord] = field(default_factory=list)
    class_adverse_events: list[ClassAdverseEventClaimRecord] = field(default_factory=list)
    abbreviations: dict[str, tuple[str, str]] = field(default_factory=dict)  # SF -> (long form, how found)
