"""Every shipped competency question (queries 01–19) runs with its expected answer, read
by hand from the letter's Table 1 and prose (never copied from the code's output)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jakkg.query import python_value, read_query, run, term_from_text

QUERIES = Path(__file__).resolve().parent.parent / "queries"
LETTER_ID = "muntaner-virgili-2025-jaki-combination-letter"
ID = "https://w3id.org/jakkg/id/"


def patient(case: int) -> str:
    return f"{ID}patient/{LETTER_ID}/{case}"


@dataclass
class Q:
    file: str
    expected: list[tuple]            # rows, projected on `columns`
    columns: list[str]
    params: dict[str, str] = field(default_factory=dict)
    mode: str = "exact"              # "exact" (in order), "set" (any order), "contains"


TABLE = [
    Q("01-courses-per-combined-drug.rq",
      [("methotrexate", 12, 12), ("dupilumab", 4, 3), ("prednisone", 4, 4),
       ("cyclosporine", 1, 1), ("tacrolimus", 1, 1)],
      ["combinedDrug", "courses", "patients"]),
    Q("02-patients-per-disease.rq",
      [("alopecia areata", 12, 13), ("atopic dermatitis", 5, 8),
       ("interstitial granulomatous dermatitis", 1, 1)],
      ["disease", "patients", "courses"]),
    Q("03-sex-split.rq",
      [("female", 11, pytest.approx(482 / 11), 27, 67), ("male", 7, pytest.approx(289 / 7), 21, 55)],
      ["sex", "patients", "meanAge", "youngest", "oldest"]),
    Q("04-cohort-summary.rq",
      [("doi:10.1016/j.ad.2025.02.025", 18, 22, pytest.approx(771 / 18), 4)],
      ["document", "patients", "courses", "meanAge", "ongoingCourses"]),
    Q("05-response-per-combination.rq",
      [("baricitinib", "cyclosporine", "partial", 1, "19"),
       ("baricitinib", "dupilumab", "partial", 1, "18"),
       ("baricitinib", "methotrexate", "complete", 7, "3, 4, 5, 6, 9, 10, 12"),
       ("baricitinib", "methotrexate", "none", 3, "13, 14, 15"),
       ("baricitinib", "methotrexate", "partial", 2, "1, 2"),
       ("baricitinib", "prednisone", "complete", 1, "7"),
       ("baricitinib", "prednisone", "partial", 1, "11"),
       ("baricitinib", "tacrolimus", "complete", 1, "8"),
       ("upadacitinib", "dupilumab", "complete", 3, "17, 21, 22"),
       ("upadacitinib", "prednisone", "complete", 2, "16, 20")],
      ["jakInhibitor", "combinedDrug", "response", "courses", "cases"]),
    Q("06-adverse-events-per-combination.rq",
      [(2, "oral intolerance", "methotrexate"),
       (7, "oral herpes simplex infection", "baricitinib"),
       (8, "oral herpes simplex infection", "baricitinib"),
       (12, "gout", "methotrexate"), (12, "hypercholesterolemia", "baricitinib"),
       (12, "hypertriglyceridemia", "baricitinib"),
       (13, "mean corpuscular volume increase", "methotrexate"), (13, "transaminitis", "methotrexate"),
       (14, "herpes simplex infection", "baricitinib"), (14, "lymphopenia", "baricitinib"),
       (15, "arthralgia", "methotrexate"), (18, "nausea", "dupilumab"),
       (20, "weight gain", "upadacitinib"), (22, "neutropenia", "upadacitinib")],
      ["case", "adverseEvent", "attributedTo"]),
    Q("06-adverse-events-per-combination.rq",
      [(20, "upadacitinib", "prednisone", "6 kg"), (8, "baricitinib", "tacrolimus", "")],
      ["case", "jakInhibitor", "combinedDrugs", "detail"], mode="contains"),
    Q("07-combination-reasons.rq",
      [("Partial response", 7, "1, 2, 3, 6, 9, 10, 13"), ("No response", 4, "14, 15, 18, 19"),
       ("Uncontrolled with classic immunosuppressors", 4, "4, 5, 12, 16"),
       ("Renal transplant", 2, "7, 8"), ("Uncontrolled with biologic therapy", 2, "17, 22"),
       ("Loss of efficacy of JAKi monotherapy", 1, "21"),
       ("Oral corticosteroid used to control arthritis", 1, "20"),
       ("Transitory loss of efficacy", 1, "11")],
      ["reason", "courses", "cases"]),
    Q("08-switches-after-failure.rq",
      [(1, "baricitinib", "upadacitinib", "Partial response", 30),
       (11, "baricitinib", "upadacitinib", "Secondary failure", 30),
       (13, "baricitinib", "ruxolitinib", "Primary failure", 40),
       (14, "baricitinib", "ruxolitinib", "Primary failure", 40),
       (15, "baricitinib", "ruxolitinib", "Primary failure", 40),
       (18, "baricitinib", "adalimumab", "Uncontrolled arthritis", pytest.approx(40 / 14, abs=1e-5)),
       (19, "baricitinib", "adalimumab", "Uncontrolled arthritis", pytest.approx(40 / 14, abs=1e-5))],
      ["case", "fromDrug", "toDrug", "cause", "toDailyDose"]),
    Q("09-patients-who-failed-therapy.rq",
      [(16, patient(16), "atopic dermatitis", "upadacitinib"),
       (17, patient(17), "atopic dermatitis", "upadacitinib"),
       (22, patient(21), "atopic dermatitis", "upadacitinib")],
      ["case", "patient", "disease", "jakInhibitor"]),
    Q("09-patients-who-failed-therapy.rq",
      [(c,) for c in (2, 3, 4, 5, 6, 9, 12, 14, 15, 17, 19, 20, 21, 22)],
      ["case"], params={"therapy": "Methotrexate"}),
    Q("09-patients-who-failed-therapy.rq",       # a synonym from the lexicon
      [(c,) for c in (21, 22)], ["case"], params={"therapy": "UV phototherapy"}),
    Q("10-adverse-events-in-cohort.rq",
      [("oral herpes simplex infection", 2, 1, "baricitinib"),
       ("herpes simplex infection", 1, 1, "baricitinib"),
       ("weight gain", 1, 1, "upadacitinib"), ("nausea", 1, 1, "dupilumab"),
       ("gout", 1, 1, "methotrexate")],
      ["adverseEvent", "courses", "patients", "attributedTo"], mode="contains"),
    Q("11-evidence-for-node.rq",
      [("muntaner-virgili-2025-jaki-combination-letter.txt", "Table 1", 59)],
      ["document", "section", "line"]),
    Q("11-evidence-for-node.rq",
      [("mean age, 43 years", 24)], ["quote", "line"],
      params={"node": f"id:cohort-statistic/{LETTER_ID}/mean-age"}),
    Q("11-evidence-for-node.rq",
      [("Cyclosporin 100 mg/12 h", 69)], ["quote", "line"],
      params={"node": f"<{ID}regimen/{LETTER_ID}/19/combined>"}),
    Q("12-repairs.rq",
      [(f"{ID}adverse-event-report/{LETTER_ID}/13/1", "typo 'Transminitis' read as 'transaminitis'",
        "Transminitis and mean corpuscular volume increase (methotrexate)"),
       (f"{ID}regimen/{LETTER_ID}/19/combined", "variant spelling 'cyclosporin' normalised to 'cyclosporine'",
        "Cyclosporin 100 mg/12 h")],
      ["node", "repair", "original"], mode="contains"),
    Q("13-course-durations.rq",
      [(17, 32, True), (7, 24, True), (8, 24, True), (4, 8, True)],
      ["case", "months", "ongoing"], params={"onlyOngoing": "true"}),
    Q("13-course-durations.rq",
      [(17, 32, True, "complete response", "Uninterrupted"),
       (11, 0.5, False, "partial response", "Secondary failure to JAKi"),
       (16, 0.5, False, "complete response", "Complete response")],
      ["case", "months", "ongoing", "outcome", "endReason"], mode="contains"),
    Q("14-jaki-doses.rq",
      [("baricitinib", 4, "mg", "daily", 4, 17, 15), ("upadacitinib", 15, "mg", "daily", 15, 4, 3),
       ("upadacitinib", 30, "mg", "daily", 30, 1, 1)],
      ["jakInhibitor", "dose", "unit", "frequency", "dailyDose", "courses", "patients"]),
    Q("15-comorbidities.rq",
      [("asthma", 2), ("environmental allergy", 2), ("hypertension", 2), ("IgA nephropathy", 1),
       ("adjustment disorder", 1), ("attention deficit hyperactivity disorder", 1), ("cataract", 1),
       ("glaucoma", 1), ("hypothyroidism", 1), ("kidney transplant recipient", 1), ("osteoporosis", 1),
       ("pulmonary sarcoidosis", 1), ("rheumatoid arthritis", 1), ("tobacco smoking", 1)],
      ["comorbidity", "patients"], mode="set"),
    Q("16-courses-for-disease.rq",
      [(11, "baricitinib", "prednisone"), (16, "upadacitinib", "prednisone"),
       (17, "upadacitinib", "dupilumab"), (18, "baricitinib", "dupilumab"),
       (19, "baricitinib", "cyclosporine"), (20, "upadacitinib", "prednisone"),
       (21, "upadacitinib", "dupilumab"), (22, "upadacitinib", "dupilumab")],
      ["case", "jakInhibitor", "combinedDrugs"]),
    Q("16-courses-for-disease.rq",                # an abbreviation
      [(c,) for c in (1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15)], ["case"], params={"disease": "AA"}),
    Q("16-courses-for-disease.rq",
      [(4, "baricitinib", "methotrexate", 8, "complete response")],
      ["case", "jakInhibitor", "combinedDrugs", "months", "outcome"], params={"disease": "IGD"}),
    Q("17-monotherapy-vs-combination.rq",
      [("complete", "complete", 3, "5, 16, 21"), ("none", "none", 2, "14, 15"),
       ("none", "partial", 1, "18"), ("not-assessable", "complete", 7, "4, 7, 8, 12, 17, 20, 22"),
       ("not-assessable", "partial", 1, "19"), ("partial", "complete", 4, "3, 6, 9, 10"),
       ("partial", "none", 1, "13"), ("partial", "partial", 3, "1, 2, 11")],
      ["monotherapy", "combination", "courses", "cases"]),
    Q("18-cohort-swimmer.rq",
      [(patient(7), 7, "prednisone", 24, True, "complete", "oral herpes simplex infection (baricitinib)"),
       (patient(7), 8, "tacrolimus", 24, True, "complete", "oral herpes simplex infection (baricitinib)"),
       (patient(18), 20, "prednisone", 12, False, "complete", "weight gain (upadacitinib)"),
       (patient(1), 1, "methotrexate", 20, False, "partial", "")],
      ["patient", "case", "combinedDrugs", "months", "ongoing", "outcome", "adverseEvents"], mode="contains"),
    Q("19-stated-vs-computed-statistics.rq",
      [("patients", 18, "agrees"), ("men", 7, "agrees"), ("women", 11, "agrees"),
       ("patients-with-disease:alopecia-areata", 12, "agrees"),
       ("patients-with-disease:atopic-dermatitis", 5, "agrees"),
       ("patients-with-disease:interstitial-granulomatous-dermatitis", 1, "agrees"),
       ("courses-with-combined-drug:methotrexate", 12, "agrees"),
       ("courses-with-combined-drug:prednisone", 4, "agrees"),
       ("courses-with-combined-drug:dupilumab", 4, "agrees"),
       ("courses-with-combined-drug:tacrolimus", 1, "agrees"),
       ("courses-with-combined-drug:cyclosporine", 1, "agrees"),
       ("patients-on-jaki:baricitinib", 15, "agrees"), ("patients-on-jaki:upadacitinib", 4, "agrees"),
       ("mean-combination-duration-months", 14.8, "DIFFERS")],
      ["key", "stated", "status"], mode="contains"),
]

ROW_COUNTS = {"06-adverse-events-per-combination.rq": 14, "13-course-durations.rq": 22,
              "18-cohort-swimmer.rq": 22, "10-adverse-events-in-cohort.rq": 13}


def sorted_list(value):
    """GROUP_CONCAT order is not defined: compare comma-separated case lists sorted."""
    if isinstance(value, str) and re.fullmatch(r"\d+(, \d+)*", value):
        return ", ".join(str(n) for n in sorted(int(x) for x in value.split(", ")))
    return value


def rows_of(store, q: Q) -> list[tuple]:
    sparql = read_query(QUERIES / q.file, None)
    params = {k: term_from_text(v) for k, v in q.params.items()}
    result = run(store, sparql, params, q.file)
    out = []
    for row in result.rows:
        out.append(tuple(sorted_list(python_value(row[c])) if row.get(c) is not None else ""
                         for c in q.columns))
    return out


@pytest.mark.parametrize("q", TABLE, ids=lambda q: f"{q.file}{q.params or ''}")
def test_query_answer(store, q):
    rows = rows_of(store, q)
    if q.mode == "exact":
        assert rows == q.expected
    elif q.mode == "set":
        assert sorted(rows) == sorted(q.expected)
    else:
        for expected in q.expected:
            assert expected in rows, expected


@pytest.mark.parametrize("file,n", sorted(ROW_COUNTS.items()))
def test_query_row_count(store, file, n):
    result = run(store, read_query(QUERIES / file, None), {}, file)
    assert len(result.rows) == n


def test_every_letter_query_is_in_the_table():
    mine = {p.name for p in QUERIES.glob("*.rq") if int(p.name[:2]) < 20}
    assert len(mine) >= 15
    assert mine == {q.file for q in TABLE}


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.name)
def test_query_file_conventions(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.rq", path.name)
    assert lines[0].startswith("# ") and len(lines[0]) > 20, "first line states the question"
    if int(path.name[:2]) < 20:
        assert "?" in lines[0]
    assert any(line.startswith("PREFIX ") for line in lines)


def test_parameter_is_bound_not_pasted(store):
    q = Q("09-patients-who-failed-therapy.rq", [], ["case"], params={"therapy": 'x" ) } } #'})
    assert rows_of(store, q) == []
