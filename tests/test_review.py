"""The review (nussbaum-offlabel-jaki-review.txt): Table 1 with its shifted dose column,
abbreviations, disease sections, approvals, mechanism, safety and references."""
import pytest
from conftest import LETTER, REVIEW, select

from jakkg.document import Document
from jakkg.extract.abbreviations import best_long_form, definitions
from jakkg.extract.review import extract_review, prose_sentences

TABLE_LINES = range(31, 39)


@pytest.fixture(scope="module")
def review_doc():
    return Document.from_path(REVIEW)


@pytest.fixture(scope="module")
def review(review_doc, lexicon):
    return extract_review(review_doc, lexicon)


def table_claims(review, drug, route=None, status=None):
    return [c for c in review.review.uses if c.key.startswith("table-") and c.drug == drug
            and (route is None or c.route == route) and (status is None or c.use_status == status)]


def doses(claim):
    return sorted((r.value, r.max_value, r.unit, r.frequency) for r in claim.regimens)


# --- Table 1 and its repair ------------------------------------------------------------------

@pytest.mark.parametrize("drug, route, expected", [
    ("tofacitinib", "oral", [(5.0, 10.0, "mg", "twice daily"), (11.0, None, "mg", "daily")]),
    ("tofacitinib", "topical", [(1.0, 2.0, "%", "twice daily")]),
    ("ruxolitinib", "oral", [(10.0, 25.0, "mg", "twice daily")]),
    ("ruxolitinib", "topical", [(0.6, 2.0, "%", "twice daily")]),
    ("baricitinib", "oral", [(2.0, 8.0, "mg", "daily")]),
    ("abrocitinib", "oral", [(100.0, 200.0, "mg", "daily")]),
    ("upadacitinib", "oral", [(15.0, 30.0, "mg", "daily")]),
])
def test_repaired_table_doses_agree_with_the_prose(review, drug, route, expected):
    claims = table_claims(review, drug, route)
    assert claims, (drug, route)
    for c in claims:
        assert doses(c) == expected
        assert any("dose column shifted up one row" in n for n in c.repairs)


def test_repaired_dose_evidence_points_at_the_cell_where_the_dose_sits(review, review_doc):
    tofa = table_claims(review, "tofacitinib", "oral")[0]
    first = min(tofa.regimens, key=lambda r: r.value)
    assert first.evidence.span.text == "5-10 mg twice daily"
    assert review_doc.line_of(first.evidence.span.start) == 31          # the header row
    upa = table_claims(review, "upadacitinib", "oral")[0].regimens[0]
    assert upa.evidence.span.text == "15-30 mg daily"
    assert review_doc.line_of(upa.evidence.span.start) == 37            # the Abrocitinib row
    assert "tofacitinib 11 mg extended release" not in first.repairs[0]
    assert first.daily_dose == 10.0 and first.daily_dose_max == 20.0


def test_shift_is_not_applied_to_an_undamaged_table(lexicon, tmp_path):
    text = REVIEW.read_text(encoding="utf-8").splitlines()
    header = text[30].split("\t")
    rows = [line.split("\t") for line in text[31:38]]
    column = [header[2]] + [r[2] for r in rows[:-1]]
    header[2] = "Dose"
    for r, dose in zip(rows, column):
        r[2] = dose
    fixed = text[:30] + ["\t".join(header)] + ["\t".join(r) for r in rows] + text[38:]
    path = tmp_path / "review-fixed.txt"
    path.write_text("\n".join(fixed), encoding="utf-8")
    x = extract_review(Document.from_path(path), lexicon)
    bari = table_claims(x, "baricitinib", "oral")[0]
    assert doses(bari) == [(2.0, 8.0, "mg", "daily")]
    assert not any("shifted" in n for c in x.review.uses for n in c.repairs)


def test_continuation_rows_and_split_cells(review):
    assert {c.disease for c in table_claims(review, "tofacitinib", "topical")} == {
        "alopecia-areata", "vitiligo"}
    tofa = {c.disease for c in table_claims(review, "tofacitinib", "oral", "off-label")}
    assert {"systemic-lupus-erythematosus", "cutaneous-lupus-erythematosus", "morphea",
            "systemic-sclerosis", "graft-versus-host-disease", "granuloma-annulare"} <= tofa
    assert len(tofa) == 15
    assert table_claims(review, "abrocitinib", status="off-label") == []   # "--"


# --- abbreviations ---------------------------------------------------------------------------

def test_schwartz_hearst_core():
    lf = "treatment-resistant hidradenitis suppurativa"
    assert lf[best_long_form("HS", lf):] == "hidradenitis suppurativa"
    lf = "Graft-versus host disease"
    assert lf[best_long_form("GVHD", lf):] == "Graft-versus host disease"
    assert best_long_form("XYZ", "lichen planus") is None


def test_every_table_abbreviation_is_resolved(review_doc, review):
    found = definitions(review_doc)
    assert found["AA"].how == "abbreviation list"
    for sf in ["GVHD", "GA", "HS", "LP", "NL", "PG", "PsA", "SLE", "CLE"]:
        assert sf in review.review.abbreviations, sf
    assert review.review.abbreviations["GVHD"][1] == "prose"
    assert found["NL"].span.text == "necrobiosis lipoidica (NL)"
    assert review.problems == []


# --- prose ------------------------------------------------------------------------------------

def test_sentences_are_joined_across_page_breaks(review_doc):
    texts = [s.text for s in prose_sentences(review_doc)]
    assert any(t.startswith("The ability of JAK inhibitors to modulate") for t in texts)
    dm = next(s for s in prose_sentences(review_doc) if "11 mg extended release" in s.text)
    assert len(dm.pieces) == 2 and dm.section == "Dermatomyositis"
    assert dm.pieces[1].text.startswith("significantly reduced")


def prose_use(review, drug, disease, **where):
    out = [c for c in review.review.uses if not c.key.startswith("table-")
           and c.drug == drug and c.disease == disease
           and all(getattr(c, k) == v for k, v in where.items())]
    assert out, (drug, disease, where)
    return out


def test_granuloma_annulare_tofacitinib(review):
    [c] = prose_use(review, "tofacitinib", "granuloma-annulare", references=[13])
    assert doses(c) == [(5.0, None, "mg", "twice daily")]
    assert (c.responders, c.patient_count) == (3, 5)
    assert c.time_to_response == "after 6 months" and c.time_min_days == pytest.approx(182.62)
    assert "complete GA resolution" in c.outcome_text
    assert c.use_status == "off-label"


def test_vitiligo_claims_span_three_sentences(review):
    topical = prose_use(review, "tofacitinib", "vitiligo", route="topical")[0]
    assert doses(topical) == [(2.0, None, "%", None)]
    assert topical.references == [34] and topical.time_to_response == "within 4 to 10 months"
    assert len(topical.evidence) == 3
    rux = prose_use(review, "ruxolitinib", "vitiligo", route="oral")[0]
    assert doses(rux) == [(20.0, None, "mg", "twice daily")]


@pytest.mark.parametrize("drug, disease, where, check", [
    ("tofacitinib", "psoriasis", {"references": [22]}, lambda c: c.response_percent == 40.0),
    ("tofacitinib", "plaque-psoriasis", {"references": [23]},
     lambda c: c.study_design == "meta-analysis" and c.patient_count == 3743),
    ("tofacitinib", "lichen-planopilaris", {"references": [18]},
     lambda c: c.response_percent == 80.0 and "twice to three times daily" in
     [r.frequency for r in c.regimens]),
    ("ruxolitinib", "graft-versus-host-disease", {"references": [10]},
     lambda c: c.time_to_response == "within 1 to 2 weeks" and c.time_max_days == 14.0),
    ("tofacitinib", "graft-versus-host-disease", {"references": [11]},
     lambda c: c.study_design == "mouse model"),
    ("ruxolitinib", "alopecia-areata", {"route": "topical"},
     lambda c: doses(c) == [(0.6, 2.0, "%", "twice daily")] and c.references == [4]),
    ("ruxolitinib", "dermatomyositis", {"references": [7, 8, 9]},
     lambda c: c.treatment_duration == "for 6 to 12 months" and c.study_design == "case series"),
    ("tofacitinib", "dermatomyositis", {"references": [6]},
     lambda c: doses(c) == [(11.0, None, "mg", "daily")] and "extended release" in c.regimens[0].notes),
    ("baricitinib", "pyoderma-gangrenosum", {"references": [25]},
     lambda c: c.patient_count == 2 and c.time_min_days == 35.0),
    ("tofacitinib", "pyoderma-gangrenosum", {"references": [26]},
     lambda c: (c.responders, c.patient_count) == (3, 3)),
    ("baricitinib", "systemic-lupus-erythematosus", {"references": [31]},
     lambda c: c.study_design == "clinical trial" and doses(c) == [(2.0, None, "mg", "daily"),
                                                                   (4.0, None, "mg", "daily")]),
    ("upadacitinib", "hidradenitis-suppurativa", {"references": [15, 16]},
     lambda c: c.use_status == "off-label" and doses(c) == [(15.0, None, "mg", "daily")]),
    ("tofacitinib", "atopic-dermatitis", {"use_status": "investigational"}, lambda c: c.references == [2]),
])
def test_reported_uses(review, drug, disease, where, check):
    claims = prose_use(review, drug, disease, **where)
    assert any(check(c) for c in claims), claims


def test_approvals_keep_table_and_prose_apart(review):
    rux_topical = {(a.indication, a.evidence[0].section) for a in review.review.approvals
                   if a.drug == "ruxolitinib" and a.route == "topical"}
    assert rux_topical == {("atopic-dermatitis", "Table 1"), ("atopic-dermatitis", "Introduction"),
                           ("vitiligo", "Introduction")}
    bari = {a.evidence[0].section for a in review.review.approvals
            if a.drug == "baricitinib" and a.indication == "alopecia-areata"}
    assert bari == {"Table 1", "Introduction", "Alopecia Areata"}
    assert ("ruxolitinib", "myelofibrosis") in {(a.drug, a.indication) for a in review.review.approvals}


def test_mechanism_generations_and_isoforms(review):
    gen = {m.drug: m.generation for m in review.review.mechanisms if m.drug}
    assert gen == {"tofacitinib": 1, "ruxolitinib": 1, "baricitinib": 1,
                   "decernotinib": 2, "abrocitinib": 2, "upadacitinib": 2}
    isoforms = [m for m in review.review.mechanisms if m.isoforms]
    assert [i.rsplit("#", 1)[1] for i in isoforms[0].isoforms] == ["JAK1", "JAK2", "JAK3", "TYK2"]
    cytokines = next(m for m in review.review.mechanisms if m.cytokines).cytokines
    assert cytokines == ["IL-2", "IL-4", "IL-7", "IL-9", "IL-15", "IL-21"]


def test_class_adverse_events(review):
    aes = {a.event: a for a in review.review.class_adverse_events}
    assert {k for k, a in aes.items() if a.severity == "common"} == {
        "anemia", "thrombocytopenia", "urinary-tract-infection", "dizziness", "headache"}
    assert {"hepatitis-b-reactivation", "herpes-simplex-reactivation", "disseminated-tuberculosis",
            "skin-cancer"} <= {k for k, a in aes.items() if a.severity == "serious"}
    boxed = {k for k, a in aes.items() if a.boxed_warning_year == 2019 and a.drug == "tofacitinib"}
    assert boxed == {"cardiac-adverse-event", "thrombosis", "neoplasm", "death"}
    assert aes["death"].references == [35]


def test_uninterpreted_sentences_are_reported_with_line_numbers(review):
    lines = {p.line for p in review.uninterpreted}
    assert 23 in lines and 84 in lines        # "Other JAK inhibitors have been investigated ..."
    assert all("not interpreted" in p.message or "none of the cited references" in p.message
               or "is not a disease in diseases.tsv; not used" in p.message
               for p in review.uninterpreted)
    assert len(review.uninterpreted) == 22
    unused = {p.message.split("'")[1] for p in review.uninterpreted if "not used" in p.message}
    assert unused == {"CDASI", "FDA", "JAK", "STAT", "TYK2", "IL", "PASI"}


# --- references ------------------------------------------------------------------------------

def test_references(review, lexicon):
    refs = {r.number: r for r in review.references}
    assert sorted(refs) == list(range(1, 43))
    assert refs[13].doi == "10.1016/j.jaci.2020.10.012" and refs[13].year == 2021
    assert refs[13].journal == "J Allerg Clin Immunol" and refs[13].authors.startswith("Wang A")
    assert refs[15].identifier == "NCT04430855" and refs[15].doi is None
    assert refs[31].doi == "10.1016/S0140-6736(18)31363-1"
    assert refs[37].doi == "10.1097/MD.00000000000029189"
    assert sum(1 for r in refs.values() if r.doi) == 40
    assert review.document.title == "Off-Label Uses of JAK Inhibitors in Dermatology"
    assert review.document.doi is None


# --- in the graph ----------------------------------------------------------------------------

def test_off_label_uses_for_vitiligo_in_graph(store):
    rows = select(store, """SELECT DISTINCT ?drug ?route WHERE {
        ?c a jakkg:DrugUseClaim ; jakkg:useStatus "off-label" ; jakkg:disease/rdfs:label ?d ;
           jakkg:drug/rdfs:label ?drug ; jakkg:route/rdfs:label ?route FILTER(STR(?d) = "vitiligo") }""")
    assert {(r["drug"], r["route"]) for r in rows} == {
        ("tofacitinib", "oral"), ("tofacitinib", "topical"), ("ruxolitinib", "oral"),
        ("baricitinib", "oral")}


def test_baricitinib_fda_approved_for_alopecia_areata(store):
    rows = select(store, """SELECT ?a WHERE { ?a a jakkg:ApprovalClaim ; jakkg:agency "FDA" ;
        jakkg:drug/rdfs:label ?d ; jakkg:indication/rdfs:label ?i
        FILTER(STR(?d) = "baricitinib" && STR(?i) = "alopecia areata") }""")
    assert len(rows) == 3


def test_upadacitinib_off_label_for_hs(store):
    rows = select(store, """SELECT ?c WHERE { ?c a jakkg:DrugUseClaim ; jakkg:useStatus "off-label" ;
        jakkg:drug/rdfs:label ?d ; jakkg:disease/rdfs:label ?i
        FILTER(STR(?d) = "upadacitinib" && STR(?i) = "hidradenitis suppurativa") }""")
    assert len(rows) == 2


def test_granuloma_annulare_claim_in_graph(store):
    rows = select(store, """SELECT ?v ?freq ?resp ?n ?time ?doi WHERE {
        ?c a jakkg:DrugUseClaim ; jakkg:drug/rdfs:label "tofacitinib"@en ;
           jakkg:disease/rdfs:label "granuloma annulare"@en ; jakkg:responders ?resp ;
           jakkg:patientCount ?n ; jakkg:timeToResponse ?time ;
           jakkg:regimen [ jakkg:doseValue ?v ; jakkg:frequency ?freq ] ;
           jakkg:citesReference [ jakkg:referenceNumber 13 ; dcterms:identifier ?doi ] }""")
    assert rows == [{"v": 5.0, "freq": "twice daily", "resp": 3, "n": 5, "time": "after 6 months",
                     "doi": "doi:10.1016/j.jaci.2020.10.012"}]


def test_references_in_graph(store):
    rows = select(store, """SELECT ?doc (COUNT(?r) AS ?n) WHERE { ?r a jakkg:Reference ;
        jakkg:citedBy/jakkg:fileName ?doc } GROUP BY ?doc""")
    assert {r["doc"]: r["n"] for r in rows} == {REVIEW.name: 42, LETTER.name: 2}
    rows = select(store, """SELECT ?id ?see WHERE { ?r jakkg:referenceNumber 15 ;
        jakkg:citedBy/jakkg:fileName ?f ; dcterms:identifier ?id ; rdfs:seeAlso ?see }""")
    assert rows == [{"id": "NCT04430855", "see": "https://clinicaltrials.gov/ct2/show/NCT04430855"}]


@pytest.mark.parametrize("cls", ["DrugUseClaim", "ApprovalClaim", "MechanismClaim",
                                 "ClassAdverseEventClaim", "Reference"])
def test_every_review_node_has_evidence(store, cls):
    rows = select(store, f"""SELECT ?s WHERE {{ ?s a jakkg:{cls}
        FILTER NOT EXISTS {{ ?s prov:wasDerivedFrom [ a jakkg:Evidence ; oa:exact ?x ] }} }}""")
    assert rows == []
    assert select(store, f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s a jakkg:{cls} }}")[0]["n"] > 0


def test_review_source_document(store):
    rows = select(store, """SELECT ?t WHERE { ?d jakkg:fileName ?f ; dcterms:title ?t
        FILTER(STR(?f) = "nussbaum-offlabel-jaki-review.txt")
        FILTER NOT EXISTS { ?d dcterms:identifier ?any } }""")
    assert rows == [{"t": "Off-Label Uses of JAK Inhibitors in Dermatology"}]


def _table_variant(tmp_path, edit):
    lines = REVIEW.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines[30:38]]
    edit(rows)
    lines[30:38] = ["\t".join(r) for r in rows]
    path = tmp_path / "review-variant.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_shift_detected_from_routes_and_units_alone(lexicon, tmp_path):
    """Header named 'Dose' (the first dose lost): topical rows with mg doses and oral rows
    with % doses still reveal the shift."""
    def edit(rows):
        rows[0][2] = "Dose"
    x = extract_review(Document.from_path(_table_variant(tmp_path, edit)), lexicon)
    assert doses(table_claims(x, "ruxolitinib", "topical")[0]) == [(0.6, 2.0, "%", "twice daily")]
    assert "routes and dose units agree only when the column is moved down one row" in \
        table_claims(x, "abrocitinib", "oral")[0].repairs[0]
    assert table_claims(x, "tofacitinib", "oral")[0].regimens == []
    assert any("first value is lost" in p.message and p.line == 32 for p in x.uninterpreted)


def test_unknown_table_disease_stops_the_build(sources_copy, tmp_path):
    import jakkg
    from jakkg.errors import SourceError
    review = sources_copy / REVIEW.name
    review.write_text(review.read_text(encoding="utf-8").replace("PG, SLE, Morphea", "PG, Vitiligoo, Morphea"),
                      encoding="utf-8")
    with pytest.raises(SourceError) as info:
        jakkg.build(sources_copy, tmp_path / "store")
    assert str(info.value) == (f"{review}:36: unknown disease 'Vitiligoo' (did you mean 'vitiligo'?); "
                               "add it to diseases.tsv")
    assert not (tmp_path / "store").exists()


def test_conclusion_uses_are_read_through_the_cited_titles(review):
    claims = {(c.drug, c.disease, c.route, tuple(c.references)) for c in review.review.uses
              if "-ref" in c.key}
    assert claims == {
        ("tofacitinib", "sapho-syndrome", "oral", (36,)), ("tofacitinib", "behcet-disease", "oral", (37,)),
        ("tofacitinib", "hypereosinophilic-syndrome", "oral", (38,)),
        ("ruxolitinib", "hypereosinophilic-syndrome", "oral", (38,)),
        ("ruxolitinib", "chronic-urticaria", "oral", (40,)),
        ("ruxolitinib", "chronic-mucocutaneous-candidiasis", "oral", (41,)),
        ("ruxolitinib", "pembrolizumab-induced-cutaneous-lesions", "oral", (42,))}
    urticaria = next(c for c in review.review.uses if c.disease == "chronic-urticaria")
    assert urticaria.route_assumed is False          # "Efficacy of oral ruxolitinib ..." (ref 40)
    assert urticaria.study_design == "case report"
    assert urticaria.evidence[-1].section == "References"
    # ref 39 is about dry eye disease: Sjögren's syndrome is reported, not guessed
    assert any("'Sjögren syndrome': none of the cited references" in p.message and p.line == 106
               for p in review.uninterpreted)


@pytest.mark.parametrize("text, expected", [
    ("5 mg twice to three times daily", (5.0, None, "twice to three times daily", 10.0, 15.0)),
    ("0.5%-1.5% has also been studied", (0.5, 1.5, None, None, None)),
    ("a 2-mg daily dose", (2.0, None, "daily", 2.0, None)),
    ("11 mg extended release given daily", (11.0, None, "daily", 11.0, None)),
])
def test_review_dose_phrases(lexicon, text, expected):
    from jakkg.extract.dosing import parse_dose
    d = parse_dose(text, lexicon)
    assert (d.value, d.max_value, d.frequency, d.daily_dose, d.daily_dose_max) == expected
