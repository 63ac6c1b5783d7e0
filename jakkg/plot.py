"""A swimmer plot of a case series' therapy courses, drawn from the graph (never from the
table): the rows of ``queries/18-cohort-swimmer.rq``, one bar per course grouped by
patient, length = duration in months, colour = outcome of the combination, an arrow for a
course still ongoing, and a marker per adverse event labelled with the drug the source
attributes it to. The sources give no onset time for the adverse events, so their markers
sit at the end of the bar (the plot says so).

`plot_cohort` returns the data it drew (`CohortPlot.rows` are the query's rows as plain
values, `CohortPlot.bars` the geometry), so tests can compare the picture with the query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Store

from .errors import JakkgError
from .query import python_value, read_query, run
from .store import atomic_file

QUERY_FILE = Path(__file__).resolve().parent.parent / "queries" / "18-cohort-swimmer.rq"
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
COLOURS = {"complete": "#2e7d32", "partial": "#f9a825", "none": "#c62828",
           "not-assessable": "#9e9e9e", "": "#cfd8dc"}
OUTCOME_LABELS = {"complete": "complete response", "partial": "partial response",
                  "none": "no response", "not-assessable": "not assessable", "": "not stated"}


@dataclass
class Bar:
    y: float
    months: float
    colour: str
    label: str
    ongoing: bool
    adverse_events: list[str] = field(default_factory=list)


@dataclass
class CohortPlot:
    rows: list[dict]                    # the query's rows, as plain Python values
    bars: list[Bar]
    path: Path | None = None


def cohort_rows(store: Store, query_file: Path = QUERY_FILE) -> list[dict]:
    result = run(store, read_query(query_file, None), source=str(query_file))
    return [{k: (python_value(v) if v is not None else None) for k, v in row.items()}
            for row in result.rows]


def layout(rows: list[dict]) -> list[Bar]:
    """One bar per course; courses of one patient adjacent, a gap between patients."""
    bars, y, previous = [], 0.0, None
    for row in sorted(rows, key=lambda r: (_first_case(rows, r["patient"]), r["case"])):
        if previous is not None and row["patient"] != previous:
            y += 0.6
        previous = row["patient"]
        events = [e for e in (row.get("adverseEvents") or "").split("; ") if e]
        patient = str(row["patient"]).rstrip("/").rsplit("/", 1)[-1]
        label = f"patient {patient} · case {row['case']}: {row['jakInhibitor']} + {row['combinedDrugs']}"
        bars.append(Bar(y, float(row["months"]), COLOURS.get(row.get("outcome") or "", COLOURS[""]),
                        label, bool(row["ongoing"]), events))
        y += 1.0
    return bars


def _first_case(rows: list[dict], patient: str) -> int:
    return min(r["case"] for r in rows if r["patient"] == patient)


def plot_cohort(store: Store, output: str | Path) -> CohortPlot:
    output = Path(output)
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise JakkgError(f"cannot draw a '{output.suffix or 'suffix-less'}' file "
                         f"(choose {', '.join(FORMATS)})", output)
    rows = cohort_rows(store)
    if not rows:
        raise JakkgError("the store holds no therapy courses to plot (run `jakkg build`)")
    bars = layout(rows)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    longest = max(b.months for b in bars)
    fig, ax = plt.subplots(figsize=(12, 0.42 * len(bars) + 2.2))
    for b in bars:
        ax.barh(b.y, b.months, height=0.72, color=b.colour, edgecolor="black", linewidth=0.4)
        end = b.months
        if b.ongoing:
            ax.annotate("", xy=(end + 2.2, b.y), xytext=(end, b.y),
                        arrowprops=dict(arrowstyle="-|>", color="black", lw=1.2))
            end += 2.4
        if b.adverse_events:
            ax.plot(b.months, b.y, marker="*", markersize=11, color="black", zorder=3)
            ax.text(end + 0.6, b.y, "; ".join(b.adverse_events), va="center", fontsize=7.5)
    ax.set_yticks([b.y for b in bars], [b.label for b in bars], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, longest * 1.75)
    ax.set_xlabel("duration of the combination (months)")
    ax.set_title("Therapy courses of the case series (one bar per course, grouped by patient)")
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    used = sorted({r.get("outcome") or "" for r in rows}, key=list(COLOURS).index)
    handles = [Patch(facecolor=COLOURS[o], edgecolor="black", label=OUTCOME_LABELS[o]) for o in used]
    handles += [Line2D([], [], marker=r"$\rightarrow$", color="black", linestyle="", markersize=12,
                       label="still ongoing"),
                Line2D([], [], marker="*", color="black", linestyle="", markersize=10,
                       label="adverse event (attributed drug); onset not reported")]
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    with atomic_file(output, "wb") as f:
        fig.savefig(f, format=fmt, dpi=150)
    plt.close(fig)
    return CohortPlot(rows, bars, output)
