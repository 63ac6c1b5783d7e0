"""The letter's Table 1, read from the real document."""
from collections import Counter

import pytest


def course(letter, case):
    return next(c for c in letter.courses if c.case == case)


def test_22_courses_and_no_unresolved_names(letter):
    assert [c.case for c in letter.courses] == list(range(1, 23))
    assert letter.problems == []


def test_18_patients_7_men_11_women(letter):
    assert len(letter.patients) == 18
    assert Counter(p.sex for p in letter.patients) == {"male": 7, "female": 11}


@pytest.mark.parametrize("cases", [(7, 8), (18, 19, 20), (21, 22)])
def test_rows_of_the_same_person_resolve_to_one_patient(letter, cases):
    patients = {id(course(letter, c).patient) for c in cases}
    assert len(patients) == 1
    assert f"cases {', '.join(map(str, cases))} resolved to one patient" in course(letter, cases[0]).patient.repairs[0]


def test_diseases_per_patient(letter):
    by_patient = {}
    for c in letter.courses:
        by_patient[c.patient.key] = c.disease
    assert Counter(by_patient.values()) == {"alopecia-areata": 12, "atopic-dermatitis": 5,
                                            "interstitial-granulomatous-dermatitis": 1}


def test_combined_drugs_across_courses(letter):
    counts = Counter(r.drug for c in letter.courses for r in c.combined)
    assert counts == {"methotrexate": 12, "prednisone": 4, "dupilumab": 4, "tacrolimus": 1, "cyclosporine": 1}


def test_case_13_methotrexate_weekly_oral(letter):
    r = course(letter, 13).combined[0]
    assert (r.drug, r.value, r.unit, r.frequency, r.route, r.route_assumed) == \
        ("methotrexate", 15, "mg", "weekly", "oral", False)
    assert r.daily_dose == pytest.approx(2.142857)
    assert r.evidence.span.text == "Methotrexate 15 mg/week (orally)"


def test_case_19_cyclosporine_every_12_hours(letter):
    c = course(letter, 19)
    r = c.combined[0]
    assert (r.drug, r.value, r.interval, r.daily_dose) == ("cyclosporine", 100, "PT12H", 200)
    assert any("cyclosporin" in note for note in r.repairs)
    assert r.evidence.span.text == "Cyclosporin 100 mg/12 h"


def test_case_14_adverse_events_attributed_to_baricitinib(letter):
    events = [(a.event, a.attributed_to) for a in course(letter, 14).adverse_events]
    assert events == [("lymphopenia", "baricitinib"), ("herpes-simplex-infection", "baricitinib")]


def test_case_12_adverse_events_with_two_attributions(letter):
    events = [(a.event, a.attributed_to) for a in course(letter, 12).adverse_events]
    assert events == [("hypercholesterolemia", "baricitinib"), ("hypertriglyceridemia", "baricitinib"),
                      ("gout", "methotrexate")]


def test_jak_inhibitors_and_followups(letter):
    assert Counter(c.jaki.drug for c in letter.courses) == {"baricitinib": 17, "upadacitinib": 5}
    c1 = course(letter, 1)
    assert c1.discontinuation_cause == "Partial response"
    assert (c1.following.drug, c1.following.daily_dose) == ("upadacitinib", 30)
    assert course(letter, 13).following.daily_dose == 40  # ruxolitinib 20 mg/12 h
    assert course(letter, 18).following.drug == "adalimumab"
    assert course(letter, 3).following is None and course(letter, 3).discontinuation_cause is None


def test_duration_and_ongoing(letter):
    assert (course(letter, 4).duration_months, course(letter, 4).ongoing) == (8, True)
    assert (course(letter, 11).duration_months, course(letter, 11).ongoing) == (0.5, False)
    assert sum(c.ongoing for c in letter.courses) == 4


@pytest.mark.parametrize("case, where, fragment", [
    (20, "jaki", "'smg' read as 'mg'"),
    (13, "ae", "'Transminitis' read as 'transaminitis'"),
    (7, "course", "'trasplantation' read as 'transplantation'"),
    (4, "course", "'Not valorable'"),
    (1, "course", "'cyclosporin' normalised to 'cyclosporine'"),
    (15, "course", "trailing comma"),
    (3, "course", "repeated item 'cyclosporin' listed once"),
    (3, "course", "repeated item 'oral corticosteroids' listed once"),
])
def test_repairs_are_recorded(letter, case, where, fragment):
    c = course(letter, case)
    notes = {"jaki": c.jaki.repairs, "course": c.repairs,
             "ae": [n for a in c.adverse_events for n in a.repairs]}[where]
    assert any(fragment in n for n in notes), notes


def test_evidence_keeps_the_original_text(letter):
    c = course(letter, 20)
    assert c.jaki.evidence.span.text == "Upadacitinib 15 smg/day" and c.jaki.value == 15
    assert "Transminitis" in course(letter, 13).adverse_events[0].evidence.span.text


def test_previous_failed_therapies_deduplicated(letter):
    assert course(letter, 3).previous_therapies == [
        "oral-corticosteroid", "intramuscular-corticosteroid", "cyclosporine", "azathioprine",
        "tacrolimus", "methotrexate", "adalimumab", "etanercept"]
    assert "phototherapy" in course(letter, 21).previous_therapies


def test_source_document_metadata(letter):
    d = letter.document
    assert d.doi == "10.1016/j.ad.2025.02.025"
    assert d.title.startswith("Effectiveness and safety in the use of Janus kinase inhibitors")
    assert d.citation.startswith("C. Muntaner-Virgili, C. Torrecilla-Vall-llossera")
