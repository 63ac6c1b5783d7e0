"""`jakkg plot cohort`: a swimmer plot drawn from the graph; the data drawn is the query's."""
import subprocess
import sys

import pytest

from jakkg.errors import JakkgError
from jakkg.plot import COLOURS, cohort_rows, plot_cohort


@pytest.fixture(scope="module")
def drawn(store, tmp_path_factory):
    return plot_cohort(store, tmp_path_factory.mktemp("plot") / "cohort.png")


def test_file_is_a_png(drawn):
    data = drawn.path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_plotted_data_is_the_query(drawn, store):
    assert drawn.rows == cohort_rows(store)
    assert len(drawn.bars) == 22                      # Table 1: 22 courses
    by_case = {r["case"]: r for r in drawn.rows}
    assert sorted(b.months for b in drawn.bars) == sorted(float(r["months"]) for r in drawn.rows)
    for bar in drawn.bars:
        case = int(bar.label.split("case ")[1].split(":")[0])
        row = by_case[case]
        assert bar.months == row["months"] and bar.ongoing == row["ongoing"]
        assert bar.colour == COLOURS[row["outcome"]]


def test_bars_follow_table_1(drawn):
    bars = {int(b.label.split("case ")[1].split(":")[0]): b for b in drawn.bars}
    assert {c for c, b in bars.items() if b.ongoing} == {4, 7, 8, 17}      # "(ongoing)" in Table 1
    assert bars[17].months == 32 and bars[11].months == 0.5
    assert bars[13].colour == COLOURS["none"] and bars[1].colour == COLOURS["partial"]
    assert bars[20].adverse_events == ["weight gain (upadacitinib)"]
    assert sorted(bars[14].adverse_events) == ["herpes simplex infection (baricitinib)",
                                               "lymphopenia (baricitinib)"]
    # courses of one patient (cases 18, 19, 20) sit next to each other, one unit apart
    assert [bars[c].y - bars[18].y for c in (19, 20)] == [1.0, 2.0]
    assert bars[18].label.startswith("patient 18 · case 18")


def test_svg_and_bad_suffix(store, tmp_path):
    svg = plot_cohort(store, tmp_path / "c.svg").path
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(JakkgError, match="cannot draw a '.gif' file"):
        plot_cohort(store, tmp_path / "c.gif")
    assert not (tmp_path / "c.gif").exists()


def test_cli(store_path, tmp_path):
    out = tmp_path / "swimmer.png"
    r = subprocess.run([sys.executable, "-m", "jakkg", "plot", "cohort", "-o", str(out), "--store",
                        str(store_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.exists() and "22 courses of 18 patients" in r.stdout


def test_nothing_to_plot_writes_nothing(tmp_path):
    from jakkg.store import memory_store, ontology_quads
    empty = memory_store(ontology_quads())
    with pytest.raises(JakkgError, match="no therapy courses"):
        plot_cohort(empty, tmp_path / "c.png")
    assert list(tmp_path.iterdir()) == []
