"""Smoke test of the benchmark corpus generator (benchmarks/generate.py): 200 generated
courses build through the normal pipeline, the output is deterministic per seed, the
letter's kinds of damage are present and repaired, and patients span several rows."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import LETTER, ROOT, select

COURSES = 200
SEED = 7


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate():
    return _generator().generate


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, generate) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(COURSES, SEED, out, per_doc=100)
    return out


@pytest.fixture(scope="module")
def manifest(corpus) -> dict:
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    import jakkg
    from jakkg.store import open_store
    path = tmp_path_factory.mktemp("synthetic-store") / "store"
    result = jakkg.build(corpus, path)
    return result, open_store(path)


def test_generated_documents_have_the_letters_table(corpus, manifest):
    files = sorted(corpus.glob("*.txt"))
    assert [f.name for f in files] == ["synthetic-s7-00001.txt", "synthetic-s7-00002.txt"]
    assert manifest["courses"] == COURSES and manifest["documents"] == 2
    letter_header = next(line for line in LETTER.read_text(encoding="utf-8").splitlines()
                         if line.startswith("Case\t"))
    assert len(letter_header.split("\t")) == 15
    for f in files:
        lines = f.read_text(encoding="utf-8").splitlines()
        headers = [line for line in lines if line.startswith("Case\t")]
        continued = lines.count("Table 1 (Continued)")
        assert continued >= 5                     # 100 rows in pages of 6–12
        assert headers == [letter_header] * (continued + 1)  # repeated on every page
        rows = [line for line in lines if "\t" in line and not line.startswith("Case\t")]
        assert len(rows) == 100
        assert all(len(r.split("\t")) == 15 for r in rows)


def test_same_seed_same_files_other_seed_other_files(corpus, generate, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    generate(COURSES, SEED, again, per_doc=100)
    generate(COURSES, SEED + 1, other, per_doc=100)
    names = sorted(p.name for p in corpus.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (corpus / name).read_bytes() == (again / name).read_bytes(), name
    assert (corpus / "synthetic-s7-00001.txt").read_text() != \
        (other / "synthetic-s8-00001.txt").read_text()


def test_generated_corpus_builds_through_the_pipeline(built):
    result, store = built
    assert result.documents == ["synthetic-s7-00001", "synthetic-s7-00002"]
    assert result.report is not None and result.report.conforms  # validated against the shapes
    assert len(result.report.graphs) == 2
    assert sum(len(x.courses) for x in result.extractions) == COURSES
    rows = select(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a jakkg:TherapyCourse }")
    assert rows == [{"n": COURSES}]
    # every course has its disease, JAKi regimen with a drug, and evidence in its document
    rows = select(store, """SELECT (COUNT(?c) AS ?n) WHERE {
        ?c a jakkg:TherapyCourse ; jakkg:disease ?d ; jakkg:jakInhibitorRegimen/jakkg:drug ?j ;
           prov:wasDerivedFrom/oa:exact ?quote }""")
    assert rows == [{"n": COURSES}]
    assert result.quads == len(store)


def test_damage_is_present_and_repaired(corpus, manifest, built):
    _, store = built
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt")))
    assert "smg/day" in text and "cyclosporin," in text.lower()
    assert manifest["damage"]["trailing comma"] > 0
    assert manifest["damage"]["repeated list item"] > 0
    notes = {r["note"]: r["n"] for r in select(store, """
        SELECT ?note (COUNT(?x) AS ?n) WHERE { ?x jakkg:repairNote ?note } GROUP BY ?note""")}
    assert sum(notes.values()) > 0
    assert notes["unit typo 'smg' read as 'mg'"] >= manifest["damage"]["mg → smg"]
    assert notes["variant spelling 'cyclosporin' normalised to 'cyclosporine'"] > 0
    assert any(n.startswith("trailing comma in ") for n in notes)
    assert any(n.startswith("repeated item ") for n in notes)
    # no damaged text survives into a value: all dose units are read
    units = {r["u"] for r in select(store, "SELECT DISTINCT ?u WHERE { ?r jakkg:doseUnit ?u }")}
    assert units <= {"mg", "%"}


def test_patients_spanning_several_rows_are_merged(manifest, built):
    _, store = built
    assert manifest["multi_row_patients"] > 0
    for doc, cases in manifest["multi_row"]:
        rows = select(store, """
            SELECT (COUNT(DISTINCT ?p) AS ?patients) WHERE {
              GRAPH ?g { ?c jakkg:caseNumber ?n ; jakkg:patient ?p }
              FILTER(?g = IRI(CONCAT("https://w3id.org/jakkg/graph/", ?doc)))
              FILTER(?n >= ?lo && ?n <= ?hi) }""".replace("?doc", f'"{doc}"')
                      .replace("?lo", str(min(cases))).replace("?hi", str(max(cases))))
        assert rows == [{"patients": 1}], (doc, cases)
    rows = select(store, """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a jakkg:Patient }""")
    assert rows[0]["n"] < COURSES
