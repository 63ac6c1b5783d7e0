"""The command line: happy path and one-line errors that leave the store untouched."""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LETTER, SOURCES


def jakkg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "jakkg", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = tmp_path_factory.mktemp("cli") / "store"
    r = jakkg("build", "--sources", SOURCES, "--store", store)
    assert r.returncode == 0, r.stderr
    return store, r.stdout


def test_build_prints_counts_per_class(built):
    _, out = built
    assert "jakkg:TherapyCourse" in out and "22" in out
    assert "jakkg:Patient" in out and "18" in out


def test_query_formats(built):
    store, _ = built
    q = "SELECT ?n WHERE { ?c jakkg:caseNumber ?n } ORDER BY ?n LIMIT 3"
    r = jakkg("query", "-e", q, "--store", store, "--format", "csv")
    assert r.returncode == 0 and r.stdout.splitlines() == ["n", "1", "2", "3"]
    r = jakkg("query", "-e", q, "--store", store, "--format", "json")
    data = json.loads(r.stdout)
    assert data["head"]["vars"] == ["n"] and data["results"]["bindings"][0]["n"]["value"] == "1"
    r = jakkg("query", "-e", q, "--store", store)
    assert r.returncode == 0 and "3 row(s)" in r.stdout


def test_query_param_is_bound_not_formatted(built):
    store, _ = built
    q = "SELECT ?c WHERE { ?c a jakkg:TherapyCourse ; jakkg:disease/rdfs:label ?l FILTER(STR(?l) = ?d) VALUES ?d { 'vitiligo' } }"
    r = jakkg("query", "-e", q, "--param", "d=alopecia areata", "--store", store, "-f", "csv")
    assert len(r.stdout.splitlines()) == 1 + 13
    r = jakkg("query", "-e", q, "--param", 'd=x" } ; DROP ALL #', "--store", store, "-f", "csv")
    assert r.returncode == 0 and r.stdout.splitlines() == ["c"]
    q = "SELECT ?c ?d WHERE { ?c a jakkg:TherapyCourse ; jakkg:disease/rdfs:label ?l FILTER(STR(?l) = ?d) }"
    r = jakkg("query", "-e", q, "--param", "d=alopecia areata", "--store", store, "-f", "csv")
    assert len(r.stdout.splitlines()) == 1 + 13
    r = jakkg("query", "-e", "SELECT ?c WHERE { ?c ?p ?d }", "--param", "d=x", "--store", store)
    assert r.returncode == 2 and "no VALUES ?d block" in r.stderr


def test_query_syntax_error_is_one_line_exit_2(built):
    store, _ = built
    r = jakkg("query", "-e", "SELECT WHERE {", "--store", store)
    assert r.returncode == 2 and "SPARQL syntax error" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_export_to_file(built, tmp_path):
    store, _ = built
    out = tmp_path / "g.nq"
    r = jakkg("export", "--format", "nquads", "-o", out, "--store", store)
    assert r.returncode == 0 and out.stat().st_size > 10000


def test_missing_store_is_a_clear_error(tmp_path):
    r = jakkg("stats", "--store", tmp_path / "nope")
    assert r.returncode != 0 and "run `jakkg build` first" in r.stderr and "Traceback" not in r.stderr


def _break(sources: Path, how: str) -> tuple[Path, str]:
    letter = sources / LETTER.name
    text = letter.read_text(encoding="utf-8")
    if how == "empty":
        letter.write_text("")
        return letter, f"{letter}:1: empty file"
    if how == "non-utf8":
        lines = text.split("\n")
        lines[43] = lines[43].replace("Woman", "Wom\udcffan")
        letter.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
        return letter, f"{letter}:44: not UTF-8"
    if how == "too-few-cells":
        row = "\n2\tWoman\t27\t"
        i = text.index(row)
        j = text.index("\n", i + 1)
        letter.write_text(text[:i] + "\n" + "\t".join(text[i + 1:j].split("\t")[:-1]) + text[j:])
        return letter, f"{letter}:44: table row has 14 cells, header has 15"
    if how == "too-many-cells":
        letter.write_text(text.replace("\n3\tMan\t42\t", "\n3\tMan\t42\textra\t", 1))
        return letter, f"{letter}:45: table row has 16 cells, header has 15"
    raise ValueError(how)


@pytest.mark.parametrize("how", ["empty", "non-utf8", "too-few-cells", "too-many-cells"])
def test_broken_source_one_line_error_store_unchanged(built, sources_copy, tmp_path, how):
    store, _ = built
    before = tree_digest(store)
    path, expected = _break(sources_copy, how)
    r = jakkg("build", "--sources", sources_copy, "--store", store)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {expected}"), r.stderr
    assert tree_digest(store) == before
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".store.")]


def test_missing_and_empty_sources_folder(tmp_path):
    r = jakkg("build", "--sources", tmp_path / "absent", "--store", tmp_path / "s")
    assert r.returncode == 1 and "absent: sources folder does not exist" in r.stderr
    (tmp_path / "empty").mkdir()
    r = jakkg("build", "--sources", tmp_path / "empty", "--store", tmp_path / "s")
    assert r.returncode == 1 and "holds no .txt documents" in r.stderr
    assert not (tmp_path / "s").exists()
