"""The letter's stated statistics: read from its prose by pattern, checked against Table 1."""
import subprocess
import sys

import pytest
from conftest import LETTER, REVIEW, select

from jakkg.check_statistics import compare
from jakkg.document import Document
from jakkg.extract.cohort_statistics import extract_cohort_statistics

# What the letter states in its prose (read by eye from the letter, not from the code).
STATED = {
    "patients": 18, "courses": 22, "mean-age": 43, "men": 7, "women": 11,
    "patients-with-disease:alopecia-areata": 12, "patients-with-disease:atopic-dermatitis": 5,
    "patients-with-disease:interstitial-granulomatous-dermatitis": 1,
    "patients-on-jaki:baricitinib": 15, "patients-on-jaki:upadacitinib": 4,
    "courses-with-combined-drug:methotrexate": 12, "courses-with-combined-drug:prednisone": 4,
    "courses-with-combined-drug:dupilumab": 4, "courses-with-combined-drug:tacrolimus": 1,
    "courses-with-combined-drug:cyclosporine": 1,
    "mean-combination-duration-months": 14.8, "patients-with-ongoing-combination": 4,
    "complete-response-percent": 61.1, "no-improvement-patients": 3, "no-improvement-percent": 17,
    "distinct-adverse-events": 13, "patients-with-adverse-events": 10,
    "patients-switched-to:ruxolitinib": 3, "patients-switched-to:upadacitinib": 2,
    "patients-with-adverse-event:oral-intolerance": 1, "patients-with-adverse-event:arthralgia": 1,
    "patients-with-adverse-event:oral-herpes-simplex-infection": 3,
    "patients-with-adverse-event:dyslipidemia": 1, "patients-with-adverse-event:lymphopenia": 1,
}

# Table 1 agrees with these (counted by hand from the table).
AGREE = ["patients", "men", "women", "patients-with-disease:alopecia-areata",
         "patients-with-disease:atopic-dermatitis",
         "patients-with-disease:interstitial-granulomatous-dermatitis",
         "courses-with-combined-drug:methotrexate", "courses-with-combined-drug:prednisone",
         "courses-with-combined-drug:dupilumab", "courses-with-combined-drug:tacrolimus",
         "courses-with-combined-drug:cyclosporine", "patients-on-jaki:baricitinib",
         "patients-on-jaki:upadacitinib", "courses", "mean-age", "distinct-adverse-events",
         "patients-with-adverse-event:oral-intolerance", "patients-with-adverse-event:arthralgia",
         "patients-with-adverse-event:lymphopenia", "patients-with-adverse-event:transaminitis",
         "patients-switched-to:ruxolitinib", "patients-switched-to:upadacitinib",
         "courses-uncontrolled-before-jaki", "no-improvement-patients"]


@pytest.fixture(scope="module")
def statistics(letter_doc, lexicon):
    return {s.key: s for s in extract_cohort_statistics(letter_doc, lexicon)}


@pytest.fixture(scope="module")
def comparison(store):
    return {c.key: c for c in compare(store)}


def test_at_least_the_stated_statistics_are_read(statistics):
    assert len(statistics) >= 10
    for key, value in STATED.items():
        assert key in statistics, key
        assert statistics[key].value == pytest.approx(value), key


def test_evidence_is_the_phrase_in_the_letter(statistics, letter_doc):
    s = statistics["courses-with-combined-drug:tacrolimus"]
    assert s.evidence.span.text == "oral tacrolimus (1)"
    assert letter_doc.text[s.evidence.span.start:s.evidence.span.end] == "oral tacrolimus (1)"
    assert statistics["patients-with-disease:alopecia-areata"].stated_text == "Twelve"
    assert statistics["mean-combination-duration-months"].precision == 1
    assert statistics["mean-age"].precision == 0
    assert statistics["mean-age"].evidence.line == 24


def test_rules_are_patterns_not_numbers(tmp_path, lexicon):
    text = LETTER.read_text(encoding="utf-8")
    changed = (text.replace("a total of 18 patients", "a total of 19 patients")
                   .replace("Twelve of these patients", "Eleven of these patients")
                   .replace("dupilumab (4)", "dupilumab (6)"))
    path = tmp_path / "letter.txt"
    path.write_text(changed, encoding="utf-8")
    got = {s.key: s.value for s in extract_cohort_statistics(Document.from_path(path), lexicon)}
    assert got["patients"] == 19
    assert got["patients-with-disease:alopecia-areata"] == 11
    assert got["courses-with-combined-drug:dupilumab"] == 6


def test_the_review_states_no_cohort_statistics(lexicon):
    assert extract_cohort_statistics(Document.from_path(REVIEW), lexicon) == []


def test_statistics_are_nodes_with_evidence(store):
    rows = select(store, """SELECT ?value ?quote ?subject WHERE {
        ?s a jakkg:CohortStatistic ; jakkg:statisticKey "courses-with-combined-drug:methotrexate" ;
           jakkg:statedValue ?value ; jakkg:statisticSubject/rdfs:label ?subject ;
           prov:wasDerivedFrom/oa:exact ?quote }""")
    assert rows == [{"value": 12.0, "quote": "methotrexate (12)", "subject": "methotrexate"}]
    n = select(store, "SELECT (COUNT(?s) AS ?n) WHERE { ?s a jakkg:CohortStatistic }")[0]["n"]
    assert n >= 10


@pytest.mark.parametrize("key", AGREE)
def test_table_supports_the_text(comparison, key):
    c = comparison[key]
    assert c.status == "agrees", (key, c.stated, c.computed)


def test_mean_duration_over_the_22_courses_differs(comparison):
    c = comparison["mean-combination-duration-months"]
    assert c.stated == 14.8
    assert c.computed == pytest.approx(307 / 22)          # 13.95: sum of Table 1 durations / 22
    assert c.status == "DIFFERS"


def test_other_statements_the_table_does_not_support(comparison):
    # Table 1 marks 4 courses ongoing but they belong to 3 patients (cases 7 and 8 are one man)
    assert (comparison["patients-with-ongoing-combination"].computed, comparison["patients-with-ongoing-combination"].status) == (3, "DIFFERS")
    # 12 of 18 patients reached a complete response in Table 1 (66.7 %), the text says 61.1 %
    assert comparison["complete-response-percent"].computed == pytest.approx(100 * 12 / 18)
    assert comparison["complete-response-percent"].status == "DIFFERS"
    # adverse events appear in 8 patients' rows, the text says 10
    assert comparison["patients-with-adverse-events"].computed == 8
    assert comparison["no-improvement-percent"].status == "agrees"   # 3/18 = 16.7 → 17
    # "relapse of oral herpes simplex (3)": one man (cases 7 and 8) has oral herpes in Table 1
    assert comparison["patients-with-adverse-event:oral-herpes-simplex-infection"].computed == 1
    # "dyslipidemia (1)": Table 1 names hypercholesterolemia and hypertriglyceridemia instead
    assert comparison["patients-with-adverse-event:dyslipidemia"].computed == 0


def test_check_statistics_command(store_path):
    r = subprocess.run([sys.executable, "-m", "jakkg", "check-statistics", "--store", str(store_path),
                        "-f", "csv"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "key,stated,computed,status,quote,line"
    assert "mean-combination-duration-months,14.8,13.95,DIFFERS" in r.stdout
    assert "patients,18,18,agrees" in r.stdout
    r = subprocess.run([sys.executable, "-m", "jakkg", "check-statistics", "--store", str(store_path),
                        "--fail-on-difference"], capture_output=True, text=True)
    assert r.returncode == 4 and "do not" in r.stdout


def test_readme_shows_the_current_table(store):
    from pathlib import Path

    from jakkg.check_statistics import markdown
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown(compare(store)) in readme
