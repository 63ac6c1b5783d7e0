"""`jakkg describe`: an entity by label, synonym or abbreviation, grouped, with evidence."""
import subprocess
import sys

import pytest

from jakkg.describe import NotFound, describe, resolve

ID = "https://w3id.org/jakkg/id/"
LETTER_ID = "muntaner-virgili-2025-jaki-combination-letter"


def test_abbreviation_resolves_to_alopecia_areata(store):
    assert resolve(store, "AA") == [ID + "disease/alopecia-areata"]
    [d] = describe(store, "AA")
    assert d.label == "alopecia areata"
    assert d.types == ["jakkg:Disease"]
    assert "AA" in d.labels["skos:altLabel"]
    # Table 1: 13 courses (12 patients) treat alopecia areata
    assert len([n for n in d.incoming["jakkg:disease"] if "/therapy-course/" in n.node]) == 13
    stated = {n.quote for n in d.incoming["jakkg:statisticSubject"]}
    assert "Twelve of these patients were prescribed a JAKi for alopecia areata" in stated


def test_baricitinib(store):
    [d] = describe(store, "Baricitinib")
    assert d.iri == ID + "drug/baricitinib"
    assert "jakkg:JAKInhibitor" in d.types
    assert d.labels["skos:altLabel"] == ["olumiant"]
    regimens = [n for n in d.incoming["jakkg:drug"] if f"/{LETTER_ID}/" in n.node]
    assert len(regimens) == 17              # cases 1–15, 18 and 19 take baricitinib 4 mg/day
    assert {n.quote for n in regimens} == {"Baricitinib 4 mg/day"}
    # adverse events the letter attributes to baricitinib: cases 7, 8, 12 (×2), 14 (×2)
    assert len(d.incoming["jakkg:attributedTo"]) == 6


def test_synonym_and_iri(store):
    assert resolve(store, "ciclosporin") == [ID + "drug/cyclosporine"]
    [d] = describe(store, f"id:therapy-course/{LETTER_ID}/13")
    assert [q.line for q in d.evidence] == [59]
    assert d.evidence[0].text.startswith("13\tWoman\t51")
    assert [n.text for n in d.outgoing["jakkg:followingRegimen"]][0].endswith("13/following")
    assert d.outgoing["jakkg:followingRegimen"][0].quote == "ruxolitinib 20 mg/12 h"
    assert {n.text for n in d.outgoing["jakkg:previouslyFailedTherapy"]} == {
        "cyclosporine", "intralesional corticosteroid", "oral corticosteroid"}


def test_unknown_name_suggests(store):
    with pytest.raises(NotFound) as info:
        describe(store, "baricitnib")
    assert "did you mean 'baricitinib'" in str(info.value)
    with pytest.raises(NotFound):
        describe(store, 'x" } } SELECT * { ?s ?p ?o } #')


def test_cli(store_path):
    r = subprocess.run([sys.executable, "-m", "jakkg", "describe", "AA", "--store", str(store_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "alopecia areata" in r.stdout and "skos:altLabel: AA" in r.stdout
    assert "jakkg:disease (23)" in r.stdout   # 13 courses of the letter, 10 use claims of the review
    r = subprocess.run([sys.executable, "-m", "jakkg", "describe", "nothing-like-this", "--store",
                        str(store_path)], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.strip() == "error: nothing in the graph is labelled 'nothing-like-this'"


def test_cli_json(store_path):
    import json
    r = subprocess.run([sys.executable, "-m", "jakkg", "describe", "IGD", "-f", "json", "--store",
                        str(store_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    [d] = json.loads(r.stdout)
    assert d["label"] == "interstitial granulomatous dermatitis"
    assert [n["text"] for n in d["incoming"]["jakkg:disease"]] == [
        "case 4 (muntaner-virgili-2025-jaki-combination-letter)"]
