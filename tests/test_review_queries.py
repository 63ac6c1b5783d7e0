"""Every shipped review query (queries/20-*.rq … 27-*.rq (and 12-repairs.rq)) with its answer from the documents."""

from conftest import ROOT, select

QUERIES = ROOT / "queries"


def run(store, name, **params):
    [path] = QUERIES.glob(f"{name}-*.rq")
    return select(store, path.read_text(encoding="utf-8"), **params)


def test_every_review_query_states_its_question():
    files = sorted(QUERIES.glob("2[0-9]-*.rq"))
    assert len(files) == 8
    for f in files:
        assert f.read_text(encoding="utf-8").startswith("# ") and "?" in f.read_text().splitlines()[0]


def test_20_off_label_uses_for_vitiligo(store):
    rows = run(store, "20")
    assert [(r["drug"], r["route"]) for r in rows] == [
        ("baricitinib", "oral"), ("ruxolitinib", "oral"), ("tofacitinib", "oral"), ("tofacitinib", "topical")]
    assert all(set(r["sections"].split("; ")) == {"Vitiligo", "Table 1"} for r in rows)
    by_drug = {(r["drug"], r["route"]): r for r in rows}
    assert set(by_drug[("baricitinib", "oral")]["doses"].split("; ")) == {"4 mg daily", "2-8 mg daily"}
    assert set(by_drug[("tofacitinib", "topical")]["doses"].split("; ")) == {"2%", "1-2% twice daily"}
    assert all(r["references"] == "34" for r in rows)
    assert all(r["outcomes"] == "were found to be safe and effective for the treatment of vitiligo" for r in rows)


def test_20_granuloma_annulare_dose_outcome_reference(store):
    [row] = run(store, "20", disease="granuloma annulare")
    assert (row["drug"], row["route"], row["claims"]) == ("tofacitinib", "oral", 3)
    assert "5 mg twice daily" in row["doses"].split("; ")
    assert "3 of 5 patients treated experienced complete GA resolution" in row["outcomes"]
    assert set(row["references"].split(", ")) == {"12", "13"}


def test_20_parameter_hidradenitis(store):
    rows = run(store, "20", disease="hidradenitis suppurativa")
    assert [(r["drug"], r["route"]) for r in rows] == [("tofacitinib", "oral"), ("upadacitinib", "oral")]


def test_21_approvals_per_drug(store):
    rows = {(r["drug"], r["route"], r["indication"]): r for r in run(store, "21")}
    assert set(rows) == {
        ("abrocitinib", "oral", "atopic dermatitis"), ("baricitinib", "oral", "alopecia areata"),
        ("ruxolitinib", "oral", "myelofibrosis"), ("ruxolitinib", "topical", "atopic dermatitis"),
        ("ruxolitinib", "topical", "vitiligo"), ("tofacitinib", "oral", "psoriatic arthritis"),
        ("upadacitinib", "oral", "atopic dermatitis")}
    assert rows[("baricitinib", "oral", "alopecia areata")]["claims"] == 3
    assert [k for k, r in rows.items() if r["conflict"]] == [("ruxolitinib", "topical", "vitiligo")]
    assert all(r["agency"] == "FDA" for r in rows.values())


def test_22_conflict_topical_ruxolitinib(store):
    rows = run(store, "22")
    assert len(rows) == 1
    r = rows[0]
    assert (r["drug"], r["route"], r["indication"], r["statedIn"], r["contradictedBy"],
            r["whichLists"]) == ("ruxolitinib", "topical", "vitiligo", "Introduction", "Table 1",
                                 "atopic dermatitis")
    assert "topical ruxolitinib is approved for both atopic dermatitis (AD) and vitiligo" in r["quote"]


def test_23_regimens_of_baricitinib(store):
    rows = {(r["disease"], r["status"]): r for r in run(store, "23")}
    assert (rows[("alopecia areata", "approved")]["minDailyMg"],
            rows[("alopecia areata", "approved")]["maxDailyMg"]) == (2.0, 8.0)
    assert rows[("psoriasis", "off-label")]["maxDailyMg"] == 10.0
    assert "4 mg daily" in rows[("vitiligo", "off-label")]["regimens"]


def test_23_abrocitinib_100_to_200_mg_daily(store):
    rows = run(store, "23", drug="abrocitinib")
    assert [(r["disease"], r["status"], r["regimens"], r["minDailyMg"], r["maxDailyMg"]) for r in rows] == [
        ("atopic dermatitis", "approved", "100-200 mg daily", 100.0, 200.0)]


def test_24_class_adverse_events_vs_cohort(store):
    rows = {r["event"]: r for r in run(store, "24")}
    assert rows["anemia"]["classLevel"] is True and rows["anemia"]["cohortReports"] == 0
    assert rows["anemia"]["severity"] == "common"
    assert rows["death"]["boxedWarning"] == "tofacitinib 2019"
    assert rows["lymphopenia"]["classLevel"] is False and rows["lymphopenia"]["cohortReports"] >= 1
    assert sum(1 for r in rows.values() if r["classLevel"]) == 13


def test_25_references_for_tofacitinib_in_granuloma_annulare(store):
    rows = run(store, "25")
    assert [(r["number"], r["identifier"]) for r in rows] == [
        (12, "doi:10.1016/j.jaad.2019.05.098"), (13, "doi:10.1016/j.jaci.2020.10.012")]
    assert rows[1]["link"] == "https://doi.org/10.1016/j.jaci.2020.10.012"


def test_25_trial_identifier_for_upadacitinib_in_hs(store):
    rows = run(store, "25", drug="upadacitinib", disease="hidradenitis suppurativa")
    assert {r["number"]: r["identifier"] for r in rows}[15] == "NCT04430855"


def test_26_reported_outcomes_granuloma_annulare(store):
    rows = run(store, "26")
    assert [(r["drug"], r["regimen"], r["responders"], r["patients"], r["time"], r["references"])
            for r in rows] == [("tofacitinib", "5 mg twice daily", 3, 5, "after 6 months", "13")]


def test_27_generations(store):
    rows = {r["generation"]: r for r in run(store, "27")}
    assert set(rows[1]["drugs"].split(", ")) == {"tofacitinib", "ruxolitinib", "baricitinib"}
    assert set(rows[2]["drugs"].split(", ")) == {"decernotinib", "abrocitinib", "upadacitinib"}
    assert rows[1]["what"] == "block multiple JAK isoforms"


def test_12_repairs_include_the_shifted_dose_column(store):
    rows = run(store, "12")
    shifted = {r["node"] for r in rows if "dose column shifted" in r["repair"]
               and r["class"].endswith("DosingRegimen")}
    assert len(shifted) == 8          # 7 table rows, tofacitinib oral with two regimens
    originals = {r["original"] for r in rows if "dose column shifted" in r["repair"]}
    assert {"5-10 mg twice daily", "11 mg extended release", "100-200 mg daily"} <= originals
