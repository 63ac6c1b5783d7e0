"""Bad input, nothing lost: each kind of broken source gives one line ``file:line: what is
wrong``, exit code 1, no traceback, and the previous store (and its report) byte for byte
as it was. Empty files, non-UTF-8 bytes and rows with too few/many cells are in
test_cli.py; this file adds the rest, and the graphs that read but do not conform.

The CLI runs in-process (``jakkg.cli.main`` with patched argv) to keep the suite fast;
test_cli.py runs the same entry point as a subprocess.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import LETTER, SOURCES
from test_cli import tree_digest

CASE_1 = "1\tWoman\t29\tNone\tAlopecia areata\tOral corticosteroids, intralesional corticosteroids, cyclosporin\tBaricitinib 4 mg/day"
CASE_1_MTX = "Methotrexate 15 mg/week (orally)\t20"


def row(text: str, case: int) -> re.Match:
    return re.search(rf"^{case}\t.*$", text, re.M)


def _no_header(text):
    i = text.index("Case\tSex")
    return text[:i] + text[text.index("\n", i) + 1:]


def _continuation_renamed(text):
    first = text.index("Case\tSex")
    i = text.index("Case\tSex", first + 1)
    return text[:i] + text[i:].replace("\tSex\t", "\tGender\t", 1)


def _truncated_mid_last_row(text):
    m = row(text, 22)
    return text[: m.start() + 120]


def _truncated_mid_table(text):
    m = row(text, 10)
    return text[: m.start() + 40]


# kind → (break the letter's text, line, the message after "file:line: ")
BROKEN = {
    "no-header": (_no_header, 42,
                  "table has no header row: its first line starts with '1', which is data, not a column name"),
    "continuation-header-differs": (_continuation_renamed, 56,
                                    "'Table 1 (Continued)' has a header that differs from the table it continues"),
    "unknown-drug": (lambda t: t.replace(CASE_1, CASE_1.replace("Baricitinib", "Baricitnib"), 1), 43,
                     "unknown drug 'Baricitnib 4 mg/day' (did you mean 'baricitinib'?); add it to drugs.tsv"),
    "unknown-disease": (lambda t: t.replace(CASE_1, CASE_1.replace("areata", "areatta"), 1), 43,
                        "unknown disease 'Alopecia areatta' (did you mean 'alopecia areata'?); add it to diseases.tsv"),
    "negative-dose": (lambda t: t.replace(CASE_1_MTX, "Methotrexate -5 mg/day (orally)\t20", 1), 43,
                      "impossible dose '-5 mg': an amount cannot be negative"),
    "zero-interval": (lambda t: t.replace(CASE_1_MTX, "Methotrexate 15 mg/0 days (orally)\t20", 1), 43,
                      "impossible dose '15 mg/0 days': the dosing interval is zero"),
    "age-300": (lambda t: t.replace("\n1\tWoman\t29\t", "\n1\tWoman\t300\t", 1), 43,
                "age 300 is not plausible (expected 0–120 years)"),
    "duplicate-case": (lambda t: t.replace("\n2\tWoman\t27\t", "\n1\tWoman\t27\t", 1), 44,
                       "duplicate case number 1 (first on line 43)"),
    "truncated-last-row": (_truncated_mid_last_row, 72,
                           "table row has 6 cells, header has 15; the file ends inside this row: is it truncated?"),
    "truncated-mid-table": (_truncated_mid_table, 52,
                            "table row has 6 cells, header has 15; the file ends inside this row: is it truncated?"),
    # these read, but the graph does not conform to the shapes
    "implausible-dose": (lambda t: t.replace(CASE_1, CASE_1.replace("4 mg/day", "40 mg/day"), 1), 43,
                         "the graph does not conform to ontology/shapes.ttl: 1 violation(s); first: "
                         "shape:DosingRegimenShape on id:regimen/muntaner-virgili-2025-jaki-combination-letter/1/jak-inhibitor: "
                         "A daily dose of 40 mg/day is above the most that is plausible for this drug (10 mg/day"),
    "jaki-column-holds-methotrexate": (
        lambda t: t.replace(CASE_1, CASE_1.replace("Baricitinib 4 mg/day", "Methotrexate 15 mg/week"), 1), 43,
        "the graph does not conform to ontology/shapes.ttl: 2 violation(s); first: shape:TherapyCourseShape on "
        "case 1 (muntaner-virgili-2025-jaki-combination-letter): "),
}


def run_cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    from jakkg.cli import main
    monkeypatch.setattr(sys, "argv", ["jakkg", *map(str, args)])
    with pytest.raises(SystemExit) as exit_:
        main()
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A good store (and its report) that every failed build must leave alone."""
    import jakkg
    store = tmp_path_factory.mktemp("bad-input") / "store"
    result = jakkg.build(SOURCES, store)
    assert result.report.conforms and result.report_file.exists()
    return store, result.report_file


def _break(sources: Path, kind: str) -> tuple[Path, int, str]:
    how, line, message = BROKEN[kind]
    letter = sources / LETTER.name
    text = letter.read_text(encoding="utf-8")
    broken = how(text)
    assert broken != text, kind
    letter.write_text(broken, encoding="utf-8")
    return letter, line, message


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_source_one_line_error_exit_1_store_unchanged(previous, sources_copy, monkeypatch, capsys, kind):
    store, report = previous
    before, report_before = tree_digest(store), report.read_bytes()
    letter, line, message = _break(sources_copy, kind)
    code, out, err = run_cli(monkeypatch, capsys, "build", "--sources", sources_copy, "--store", store)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {letter}:{line}: {message}"), err
    assert "Traceback" not in err + out
    if "does not conform" in message:   # the report is printed, nothing is written
        assert out.startswith("does NOT conform: ") and f"source:  {letter}:{line}: " in out
        assert "`--force` builds anyway and keeps the report" in err
    assert tree_digest(store) == before and report.read_bytes() == report_before
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".store.")]


def test_force_builds_anyway_keeps_the_report_and_no_validate_drops_it(sources_copy, tmp_path,
                                                                     monkeypatch, capsys):
    store = tmp_path / "store"
    letter, _, _ = _break(sources_copy, "implausible-dose")
    code, out, err = run_cli(monkeypatch, capsys, "build", "--sources", sources_copy, "--store", store, "--force")
    report = tmp_path / "store.validation.txt"
    assert code == 0 and (store / "CURRENT").exists()
    assert err.strip() == f"warning: the store does NOT conform (1 violation(s)); report kept in {report}"
    text = report.read_text()
    assert text.startswith("does NOT conform: 1 violation(s), 4 warning(s)")
    assert f'source:  {letter}:43: "Baricitinib 40 mg/day"' in text and "value:   40" in text
    # without validation the report would describe another graph: it goes
    code, out, err = run_cli(monkeypatch, capsys, "build", "--sources", sources_copy, "--store", store,
                             "--no-validate")
    assert code == 0 and err.strip() == "" and "validated" not in out
    assert not report.exists()


def test_ingest_validates_the_new_document_and_leaves_the_store_alone(previous, tmp_path, monkeypatch, capsys):
    """`jakkg ingest` checks the new document's graph against the shapes before writing."""
    from conftest import ROOT
    store, _ = previous
    before = tree_digest(store)
    text = (ROOT / "tests" / "fixtures" / "case-series-reordered.txt").read_text(encoding="utf-8")
    assert "Ruxolitinib 20 mg/12 h" in text
    doc = tmp_path / "case-series-reordered.txt"
    doc.write_text(text.replace("Ruxolitinib 20 mg/12 h", "Ruxolitinib 200 mg/12 h", 1), encoding="utf-8")
    code, out, err = run_cli(monkeypatch, capsys, "ingest", doc, "--store", store)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {doc}:12: the graph does not conform to ontology/shapes.ttl: 1 violation(s); "
                          "first: shape:DosingRegimenShape"), err
    assert "A daily dose of 400 mg/day is above the most that is plausible for this drug (50 mg/day" in err
    assert err.rstrip().endswith("(the store was left as it was)")
    assert tree_digest(store) == before


def test_a_broken_document_after_good_ones_leaves_the_store_alone(previous, sources_copy, monkeypatch, capsys):
    """The build streams documents into a new store beside the old one: an error in the last
    document (both real ones already loaded) still leaves the old store and no leftovers."""
    store, report = previous
    before, report_before = tree_digest(store), report.read_bytes()
    late = sources_copy / "zz-late-letter.txt"
    late.write_text(LETTER.read_text(encoding="utf-8").replace(CASE_1, CASE_1.replace("areata", "areatta"), 1),
                    encoding="utf-8")
    assert sorted(p.name for p in sources_copy.glob("*.txt"))[-1] == late.name
    code, out, err = run_cli(monkeypatch, capsys, "build", "--sources", sources_copy, "--store", store)
    assert code == 1
    assert err.strip() == (f"error: {late}:43: unknown disease 'Alopecia areatta' (did you mean "
                           "'alopecia areata'?); add it to diseases.tsv"), err
    assert tree_digest(store) == before and report.read_bytes() == report_before
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".store.")]


def test_validating_in_worker_processes_gives_the_same_report(sources_copy, tmp_path, monkeypatch, capsys):
    """`--jobs 2` (the default for large corpora) validates each document in worker
    processes: the same one-line error and the same report as validating in-process, in
    `jakkg build`, in `jakkg validate` of the store and of a Turtle export (default graph)."""
    import jakkg
    from jakkg.validate import validate_file, validate_store
    _break(sources_copy, "jaki-column-holds-methotrexate")
    one = jakkg.build(sources_copy, tmp_path / "one", force=True, jobs=0).report
    two = jakkg.build(sources_copy, tmp_path / "two", force=True, jobs=2).report
    assert len(one.violations) == 2 and len(one.results) > 2
    assert two.to_text() == one.to_text() and two.graphs == one.graphs
    stored = validate_store(tmp_path / "one", jobs=0)
    assert len(stored.violations) == 2
    assert validate_store(tmp_path / "one", jobs=2).to_text() == stored.to_text()
    jakkg.export("turtle", tmp_path / "one.ttl", store=tmp_path / "one")
    in_file = validate_file(tmp_path / "one.ttl", jobs=0)
    assert len(in_file.violations) == 2 and in_file.graphs == ["(default graph)"]
    assert validate_file(tmp_path / "one.ttl", jobs=2).to_text() == in_file.to_text()
    code, out, err = run_cli(monkeypatch, capsys, "build", "--sources", sources_copy,
                             "--store", tmp_path / "cli", "--jobs", "2")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "the graph does not conform to ontology/shapes.ttl: 2 violation(s)" in err
    assert out == one.to_text() and not (tmp_path / "cli").exists()
