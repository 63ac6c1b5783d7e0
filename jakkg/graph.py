"""Records → RDF quads (pyoxigraph terms), with provenance.

IRIs are deterministic (drug name, document id + case number, evidence offsets), so two
builds give isomorphic graphs. Each source document gets its own named graph; lexicon
entries (drugs, diseases, ...) live in the lexicon graph, the TBox in the ontology graph.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from .document import Span
from .lexicon import Lexicon
from .namespaces import (DCTERMS, JAKKG, LEXICON_GRAPH, OA, PROV, RDF, RDFS, SKOS, XSD,
                         entity_iri, graph_iri, slug)
from .records import (AdverseEventReportRecord, CohortStatisticRecord, Evidence, Extraction,
                      PatientRecord, Regimen, SourceDocumentRecord, TherapyCourseRecord)
from .records import (ApprovalClaimRecord, ClassAdverseEventClaimRecord, DrugUseClaimRecord,
                      MechanismClaimRecord, ReferenceRecord)

TYPE = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
CONTEXT_CHARS = 32


@lru_cache(maxsize=None)  # a few dozen terms, built a million times at scale
def J(name: str) -> NamedNode:
    return NamedNode(JAKKG + name)


def typed(value, datatype: str) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + datatype))


def decimal(value: float) -> Literal:
    text = format(Decimal(str(value)).normalize(), "f")
    return typed(text if "." in text else text + ".0", "decimal")


def boolean(value: bool) -> Literal:
    return typed("true" if value else "false", "boolean")


def text(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


# IRIs of lexicon entries, by vocabulary
def drug_iri(i: str) -> NamedNode: return NamedNode(entity_iri("drug", i))
def disease_iri(i: str) -> NamedNode: return NamedNode(entity_iri("disease", i))
def event_iri(i: str) -> NamedNode: return NamedNode(entity_iri("adverse-event", i))
def route_iri(i: str) -> NamedNode: return NamedNode(entity_iri("route", i))
def outcome_iri(i: str) -> NamedNode: return NamedNode(entity_iri("outcome", i))
def document_iri(i: str) -> NamedNode: return NamedNode(entity_iri("document", i))


class QuadWriter:
    """Collects quads for one named graph. Repeated triples are not filtered here: the
    store keeps each quad once, and hashing every pyoxigraph term tuple in Python was a
    third of the build time at a million triples (benchmarks/results.md). Only rdf:type
    triples are remembered in ``_seen`` and written once, so code can ask whether a node
    exists and counts of typed nodes over ``quads`` stay exact."""

    def __init__(self, graph: str):
        self.graph = NamedNode(graph)
        self._seen: set = set()
        self.quads: list[Quad] = []

    def add(self, s, p, o) -> None:
        if p == TYPE:
            key = (s, p, o)
            if key in self._seen:
                return
            self._seen.add(key)
        self.quads.append(Quad(s, p, o, self.graph))

    def optional(self, s, p, value, make) -> None:
        """Add (s, p, make(value)) unless the value is absent (None or empty text)."""
        if value is not None and value != "":
            self.add(s, p, make(value))

    def notes(self, node, notes: Iterable[str]) -> None:
        for note in dict.fromkeys(notes):
            self.add(node, J("repairNote"), text(note))


# --- the lexicon ---------------------------------------------------------------------------

DRUG_CLASSES = {"jak_inhibitor": "JAKInhibitor", "drug": "Drug", "drug_class": "Drug",
                "procedure": "Procedure"}


def lexicon_quads(lexicon: Lexicon) -> list[Quad]:
    w = QuadWriter(LEXICON_GRAPH)

    def concept(node, entry, cls):
        w.add(node, TYPE, J(cls))
        w.add(node, LABEL, text(entry.label, "en"))
        w.add(node, NamedNode(SKOS + "prefLabel"), text(entry.label, "en"))
        for syn in entry.synonyms + entry.abbreviations:
            w.add(node, NamedNode(SKOS + "altLabel"), text(syn, "en"))

    for e in lexicon.drugs:
        node = drug_iri(e.id)
        concept(node, e, DRUG_CLASSES.get(e.kind, "Drug"))
        w.optional(node, NamedNode(SKOS + "broader"), e.get("broader"), drug_iri)
        w.optional(node, J("defaultRoute"), e.get("default_route"), route_iri)
        if e.get("max_daily_dose_mg"):
            w.add(node, J("maxPlausibleDailyDose"), decimal(float(e.get("max_daily_dose_mg"))))
    for e in lexicon.diseases:
        node = disease_iri(e.id)
        concept(node, e, "ClinicalCondition" if e.kind == "status" else "Disease")
        w.optional(node, NamedNode(SKOS + "broader"), e.get("broader"), disease_iri)
    for e in lexicon.adverse_events:
        concept(event_iri(e.id), e, "AdverseEvent")
    for e in lexicon.routes:
        concept(route_iri(e.id), e, "Route")
    for e in lexicon.outcomes:
        node = outcome_iri(e.id)
        concept(node, e, "Outcome")
        w.add(node, J("category"), text(e.get("category")))
    from .vocab import vocabulary_quads  # issue 6: external IDs, isoform targets, generations
    vocabulary_quads(w, lexicon)
    return w.quads


# --- documents -----------------------------------------------------------------------------

class DocumentGraph:
    """Quads for one source document's named graph."""

    def __init__(self, doc_id: str, doc_text: str):
        self.doc_id = doc_id
        self.doc_text = doc_text
        self.doc_node = document_iri(doc_id)
        self.w = QuadWriter(graph_iri(doc_id))
        self._evidence_written: set[tuple[int, int]] = set()

    def iri(self, kind: str, *parts) -> NamedNode:
        return NamedNode(entity_iri(kind, self.doc_id, *parts))

    def evidence(self, node, ev: Evidence) -> NamedNode:
        span: Span = ev.span
        e = self.iri("evidence", f"{span.start}-{span.end}")
        add = self.w.add
        if (span.start, span.end) in self._evidence_written:  # shared span: link only
            add(node, NamedNode(PROV + "wasDerivedFrom"), e)
            return e
        self._evidence_written.add((span.start, span.end))
        add(e, TYPE, J("Evidence"))
        add(e, NamedNode(OA + "hasSource"), self.doc_node)
        add(e, NamedNode(OA + "exact"), text(span.text))
        add(e, NamedNode(OA + "start"), typed(span.start, "nonNegativeInteger"))
        add(e, NamedNode(OA + "end"), typed(span.end, "nonNegativeInteger"))
        prefix = self.doc_text[max(0, span.start - CONTEXT_CHARS):span.start]
        suffix = self.doc_text[span.end:span.end + CONTEXT_CHARS]
        self.w.optional(e, NamedNode(OA + "prefix"), prefix, text)
        self.w.optional(e, NamedNode(OA + "suffix"), suffix, text)
        self.w.optional(e, J("section"), ev.section, text)
        if ev.line:
            add(e, J("line"), typed(ev.line, "positiveInteger"))
        add(node, NamedNode(PROV + "wasDerivedFrom"), e)
        return e

    def source_document(self, d: SourceDocumentRecord) -> None:
        n, add = self.doc_node, self.w.add
        add(n, TYPE, J("SourceDocument"))
        add(n, LABEL, text(d.title or d.file_name))
        self.w.optional(n, NamedNode(DCTERMS + "title"), d.title, text)
        if d.doi:
            add(n, NamedNode(DCTERMS + "identifier"), text(f"doi:{d.doi}"))
            add(n, NamedNode(RDFS + "seeAlso"), NamedNode(f"https://doi.org/{d.doi}"))
        self.w.optional(n, NamedNode(DCTERMS + "bibliographicCitation"), d.citation, text)
        add(n, J("fileName"), text(d.file_name))
        add(n, J("textLength"), typed(d.text_length, "nonNegativeInteger"))
        add(n, J("sha256"), text(d.sha256))
        for ev in d.evidence:
            self.evidence(n, ev)

    def regimen(self, r: Regimen, *parts) -> NamedNode:
        n, add = self.iri("regimen", *parts), self.w.add
        add(n, TYPE, J("DosingRegimen"))
        add(n, J("drug"), drug_iri(r.drug))
        self.w.optional(n, J("doseValue"), r.value, decimal)
        self.w.optional(n, J("doseMax"), r.max_value, decimal)
        self.w.optional(n, J("doseUnit"), r.unit, text)
        self.w.optional(n, J("frequency"), r.frequency, text)
        if r.interval:
            add(n, J("dosingInterval"), typed(r.interval, "dayTimeDuration"))
        self.w.optional(n, J("administrationsPerInterval"), r.administrations, decimal)
        self.w.optional(n, J("dailyDose"), r.daily_dose, decimal)
        self.w.optional(n, J("dailyDoseMax"), r.daily_dose_max, decimal)
        if r.route:
            add(n, J("route"), route_iri(r.route))
            add(n, J("routeAssumed"), boolean(r.route_assumed))
        for note in r.notes:
            add(n, J("regimenNote"), text(note))
        self.w.notes(n, r.repairs)
        self.evidence(n, r.evidence)
        return n

    def patient(self, p: PatientRecord) -> NamedNode:
        n, add = self.iri("patient", p.key), self.w.add
        add(n, TYPE, J("Patient"))
        add(n, LABEL, text(f"patient of case {p.key} ({self.doc_id})"))
        add(n, J("sex"), text(p.sex))
        add(n, J("age"), typed(p.age, "integer"))
        for c in p.comorbidities:
            add(n, J("comorbidity"), disease_iri(c))
        self.w.notes(n, p.repairs)
        for ev in p.evidence:
            self.evidence(n, ev)
        return n

    def adverse_event_report(self, a: AdverseEventReportRecord, case: int, k: int) -> NamedNode:
        n, add = self.iri("adverse-event-report", case, k), self.w.add
        add(n, TYPE, J("AdverseEventReport"))
        add(n, LABEL, text(f"case {case} adverse event {k}"))
        add(n, J("adverseEvent"), event_iri(a.event))
        self.w.optional(n, J("attributedTo"), a.attributed_to, drug_iri)
        self.w.optional(n, J("eventDetail"), a.detail, text)
        self.w.notes(n, a.repairs)
        self.evidence(n, a.evidence)
        return n

    def therapy_course(self, c: TherapyCourseRecord) -> NamedNode:
        n, add = self.iri("therapy-course", c.case), self.w.add
        add(n, TYPE, J("TherapyCourse"))
        add(n, LABEL, text(f"case {c.case} ({self.doc_id})"))
        add(n, J("caseNumber"), typed(c.case, "integer"))
        add(n, J("patient"), self.iri("patient", c.patient.key))
        add(n, J("patientAge"), typed(c.patient_age, "integer"))
        add(n, J("disease"), disease_iri(c.disease))
        for t in c.previous_therapies:
            add(n, J("previouslyFailedTherapy"), drug_iri(t))
        add(n, J("jakInhibitorRegimen"), self.regimen(c.jaki, c.case, "jak-inhibitor"))
        for i, r in enumerate(c.combined, start=1):
            suffix = "combined" if len(c.combined) == 1 else f"combined-{i}"
            add(n, J("combinedRegimen"), self.regimen(r, c.case, suffix))
        if c.following:
            add(n, J("followingRegimen"), self.regimen(c.following, c.case, "following"))
        self.w.optional(n, J("monotherapyOutcome"), c.monotherapy_outcome, outcome_iri)
        self.w.optional(n, J("combinationOutcome"), c.combination_outcome, outcome_iri)
        self.w.optional(n, J("combinationReason"), c.combination_reason, text)
        self.w.optional(n, J("durationMonths"), c.duration_months, decimal)
        add(n, J("ongoing"), boolean(c.ongoing))
        self.w.optional(n, J("endReason"), c.end_reason, text)
        self.w.optional(n, J("discontinuationCause"), c.discontinuation_cause, text)
        for k, a in enumerate(c.adverse_events, start=1):
            add(n, J("adverseEventReport"), self.adverse_event_report(a, c.case, k))
        self.w.notes(n, c.repairs)
        self.evidence(n, c.evidence)
        return n

    def cohort_statistic(self, s: CohortStatisticRecord) -> NamedNode:
        """A summary number the document states about its cohort (issue 5)."""
        n = self.iri("cohort-statistic", slug(s.key))
        if (n, TYPE, J("CohortStatistic")) in self.w._seen:   # the same key stated twice: keep both
            n = self.iri("cohort-statistic", slug(s.key), s.evidence.span.start)
        add = self.w.add
        add(n, TYPE, J("CohortStatistic"))
        add(n, LABEL, text(f"stated: {s.label} = {s.stated_text}"))
        add(n, J("statisticKey"), text(s.key))
        add(n, J("statedValue"), decimal(s.value))
        add(n, J("statedPrecision"), typed(s.precision, "nonNegativeInteger"))
        add(n, J("statedText"), text(s.stated_text))
        add(n, J("statisticUnit"), text(s.unit))
        if s.subject:
            kind, entity_id = s.subject
            iri = {"drug": drug_iri, "disease": disease_iri, "event": event_iri}[kind]
            add(n, J("statisticSubject"), iri(entity_id))
        self.evidence(n, s.evidence)
        return n


    # --- issue 3: references and review claims --------------------------------------------
    def reference(self, r: ReferenceRecord) -> NamedNode:
        n, add = self.iri("reference", r.number), self.w.add
        add(n, TYPE, J("Reference"))
        add(n, LABEL, text(f"reference {r.number} of {self.doc_id}"))
        add(n, J("referenceNumber"), typed(r.number, "integer"))
        add(n, J("citedBy"), self.doc_node)
        self.w.optional(n, NamedNode(DCTERMS + "creator"), r.authors, text)
        self.w.optional(n, NamedNode(DCTERMS + "title"), r.title, text)
        self.w.optional(n, J("journal"), r.journal, text)
        if r.year:
            add(n, J("year"), typed(r.year, "integer"))
        if r.doi:
            add(n, NamedNode(DCTERMS + "identifier"), text(f"doi:{r.doi}"))
            add(n, NamedNode(RDFS + "seeAlso"), NamedNode(f"https://doi.org/{r.doi}"))
        self.w.optional(n, NamedNode(DCTERMS + "identifier"), r.identifier, text)
        self.w.optional(n, NamedNode(RDFS + "seeAlso"), r.url, NamedNode)
        self.evidence(n, r.evidence)
        return n

    def _claim(self, n, cls: str, label: str, drug: str | None, route: str | None,
               route_inferred: bool, refs: list[int], known_refs: set[int],
               evidence: list[Evidence], repairs: list[str] = ()) -> None:
        add = self.w.add
        add(n, TYPE, J(cls))
        add(n, LABEL, text(label))
        self.w.optional(n, J("drug"), drug, drug_iri)
        if route:
            add(n, J("route"), route_iri(route))
            add(n, J("routeInferred"), boolean(route_inferred))
        for k in refs:
            if k in known_refs:
                add(n, J("citesReference"), self.iri("reference", k))
        self.w.notes(n, repairs)
        for ev in evidence:
            self.evidence(n, ev)

    def drug_use_claim(self, c: DrugUseClaimRecord, known_refs: set[int]) -> NamedNode:
        n, add = self.iri("drug-use-claim", c.key), self.w.add
        self._claim(n, "DrugUseClaim", f"{c.drug} ({c.route or 'route not stated'}) for {c.disease}",
                    c.drug, c.route, c.route_assumed, c.references, known_refs, c.evidence, c.repairs)
        add(n, J("disease"), disease_iri(c.disease))
        for r in c.regimens:
            add(n, J("regimen"), self.regimen(r, f"at-{r.evidence.span.start}-{r.evidence.span.end}"))
        self.w.optional(n, J("useStatus"), c.use_status, text)
        self.w.optional(n, J("outcomeText"), c.outcome_text, text)
        self.w.optional(n, J("responsePercent"), c.response_percent, decimal)
        if c.responders is not None:
            add(n, J("responders"), typed(c.responders, "integer"))
        if c.patient_count is not None:
            add(n, J("patientCount"), typed(c.patient_count, "integer"))
        self.w.optional(n, J("timeToResponse"), c.time_to_response, text)
        if c.time_min_days is not None:
            add(n, J("timeMinDays"), decimal(c.time_min_days))
            add(n, J("timeMaxDays"), decimal(c.time_max_days))
        self.w.optional(n, J("treatmentDuration"), c.treatment_duration, text)
        self.w.optional(n, J("studyDesign"), c.study_design, text)
        return n

    def approval_claim(self, a: ApprovalClaimRecord, known_refs: set[int]) -> NamedNode:
        n, add = self.iri("approval-claim", a.key), self.w.add
        self._claim(n, "ApprovalClaim", f"{a.drug} ({a.route or 'route not stated'}) approved for {a.indication}",
                    a.drug, a.route, a.route_assumed, a.references, known_refs, a.evidence, a.repairs)
        add(n, J("indication"), disease_iri(a.indication))
        add(n, J("agency"), text(a.agency))
        return n

    def mechanism_claim(self, m: MechanismClaimRecord) -> NamedNode:
        n, add = self.iri("mechanism-claim", m.key), self.w.add
        self._claim(n, "MechanismClaim", f"mechanism: {m.drug or 'JAK isoforms and cytokines'}",
                    m.drug, None, False, [], set(), [m.evidence])
        if m.generation is not None:
            add(n, J("generation"), typed(m.generation, "integer"))
        for iso in m.isoforms:
            add(n, J("isoform"), NamedNode(iso))
        for c in m.cytokines:
            add(n, J("cytokine"), text(c))
        self.w.optional(n, J("mechanismText"), m.mechanism_text, text)
        return n

    def class_adverse_event_claim(self, a: ClassAdverseEventClaimRecord, known_refs: set[int]) -> NamedNode:
        n, add = self.iri("class-adverse-event-claim", a.key), self.w.add
        self._claim(n, "ClassAdverseEventClaim", f"JAK inhibitor class adverse event: {a.event}",
                    a.drug, None, False, a.references, known_refs, [a.evidence])
        add(n, J("adverseEvent"), event_iri(a.event))
        self.w.optional(n, J("severity"), a.severity, text)
        if a.boxed_warning_year:
            add(n, J("boxedWarningYear"), typed(a.boxed_warning_year, "integer"))
        return n


def extraction_quads(x: Extraction, doc_text: str) -> list[Quad]:
    g = DocumentGraph(x.document.id, doc_text)
    g.source_document(x.document)
    for p in x.patients:
        g.patient(p)
    for c in x.courses:
        g.therapy_course(c)
    for s in x.statistics:
        g.cohort_statistic(s)
    known = {r.number for r in x.references}
    for r in x.references:
        g.reference(r)
    if x.review is not None:
        for c in x.review.uses:
            g.drug_use_claim(c, known)
        for a in x.review.approvals:
            g.approval_claim(a, known)
        for m in x.review.mechanisms:
            g.mechanism_claim(m)
        for a in x.review.class_adverse_events:
            g.class_adverse_event_claim(a, known)
    return g.w.quads


def iter_all(parts: Iterable[list[Quad]]) -> Iterator[Quad]:
    for part in parts:
        yield from part
