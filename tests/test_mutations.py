"""Property: whatever damage is done to the letter's Table 1 (cells dropped or duplicated,
cells or whole columns swapped, garbage injected), `jakkg build` either stops with a clear
``file:line: ...`` error and writes nothing, or writes a graph that was validated and
conforms to the shapes. Never a crash, never a non-conforming graph written silently.

The build is the real one (each document validated on its way into a new store written
beside the old place, swapped in if it conforms); the facts in the store left behind must
be exactly the quads validated, and a refused build must leave no store and no half-built
directory.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path
from unittest import mock

from conftest import LETTER
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

TEXT = LETTER.read_text(encoding="utf-8")
LINES = TEXT.split("\n")
ROWS = [i for i, line in enumerate(LINES) if re.match(r"\d+\t", line)]
HEADERS = [i for i, line in enumerate(LINES) if line.startswith("Case\tSex\t")]
WIDTH = 15
WORDS = ["mg", "mg/day", "/0 days", "-", "Woman", "None", "(ongoing)", "Baricitinib", "Methotrexate"]
GARBAGE = st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet="abcXYZ019 -/%().,;:µ–\u00a0\n",
                                                              max_size=6)),
                   max_size=4).map(" ".join)

row = st.sampled_from(ROWS)
col = st.integers(0, WIDTH - 1)
MUTATION = st.one_of(
    st.tuples(st.just("drop"), row, col),
    st.tuples(st.just("duplicate"), row, col),
    st.tuples(st.just("swap-cells"), row, col, col),
    st.tuples(st.just("swap-columns"), col, col),
    st.tuples(st.just("garbage"), row, col, GARBAGE),
)


def mutate(lines: list[str], m: tuple) -> None:
    kind = m[0]
    if kind == "swap-columns":           # header and every row: the table still reads
        _, a, b = m
        for i in HEADERS + ROWS:
            cells = lines[i].split("\t")
            if len(cells) == WIDTH:
                cells[a], cells[b] = cells[b], cells[a]
                lines[i] = "\t".join(cells)
        return
    i = m[1]
    cells = lines[i].split("\t")
    j = min(m[2], len(cells) - 1)
    if kind == "drop":
        del cells[j]
    elif kind == "duplicate":
        cells.insert(j, cells[j])
    elif kind == "swap-cells":
        k = min(m[3], len(cells) - 1)
        cells[j], cells[k] = cells[k], cells[j]
    else:
        cells[j] = m[3]
    lines[i] = "\t".join(cells)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_damaged_table_gives_a_clear_error_or_a_conforming_graph(mutations):
    from jakkg import validate as validation
    from jakkg.errors import JakkgError
    from jakkg.namespaces import LEXICON_GRAPH, ONTOLOGY_GRAPH
    from jakkg.pipeline import build
    from jakkg.store import open_store

    lines = list(LINES)
    for m in mutations:
        mutate(lines, m)
    validated = []
    real_document = validation.Validator.document

    def recording_document(self, quads):
        checked = real_document(self, quads)
        validated.extend(checked)
        return checked

    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources"
        sources.mkdir()
        letter = sources / LETTER.name
        letter.write_text("\n".join(lines), encoding="utf-8")
        store = Path(tmp) / "store"
        with mock.patch.object(validation.Validator, "document", recording_document):
            try:
                result = build(sources, store)
            except validation.ValidationError as e:
                event("graph does not conform: build refused")
                assert not e.report.conforms
                assert re.match(rf"{re.escape(str(letter))}:\d+: the graph does not conform", str(e)), str(e)
                assert sorted(p.name for p in Path(tmp).iterdir()) == ["sources"]
                return
            except JakkgError as e:
                event("source error")
                assert sorted(p.name for p in Path(tmp).iterdir()) == ["sources"]
                assert re.match(rf"{re.escape(str(letter))}:\d+: \S", str(e)), str(e)
                assert "\n" not in str(e)
                return
        event("built a conforming graph")
        assert result.report.conforms, result.report.to_text()
        facts = {q for q in open_store(store) if q.graph_name.value not in (ONTOLOGY_GRAPH, LEXICON_GRAPH)}
        assert validated and facts == set(validated)
