"""The letter's stated statistics next to the values its own table gives.

Runs ``queries/19-stated-vs-computed-statistics.rq`` (the stated numbers are
``jakkg:CohortStatistic`` nodes read from the prose; the computed ones are recomputed in
SPARQL from the therapy courses of the same named graph) and renders the comparison.
Computed values are never adjusted to agree: a statistic agrees only when the computed
value, rounded to the decimals the document wrote, equals the stated one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from .query import python_value, read_query, run

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
QUERY_FILE = QUERIES_DIR / "19-stated-vs-computed-statistics.rq"


@dataclass
class Comparison:
    key: str
    stated: float
    computed: float | None
    status: str          # "agrees", "DIFFERS", "not computable"
    quote: str
    line: int

    @property
    def agrees(self) -> bool:
        return self.status == "agrees"


def compare(store: Store, query_file: Path = QUERY_FILE) -> list[Comparison]:
    result = run(store, read_query(query_file, None), source=str(query_file))
    out = []
    for row in result.rows:
        v = {k: python_value(t) if t is not None else None for k, t in row.items()}
        out.append(Comparison(v["key"], float(v["stated"]),
                              None if v["computed"] is None else float(v["computed"]),
                              v["status"], v["quote"], int(v["line"])))
    return out


def number_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def markdown(rows: list[Comparison]) -> str:
    lines = ["| statistic (key) | stated | computed from Table 1 | | the letter says (line) |",
             "|---|---:|---:|---|---|"]
    for r in rows:
        quote = r.quote.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
        mark = "agrees" if r.agrees else f"**{r.status}**"
        lines.append(f"| `{r.key}` | {number_text(r.stated)} | {number_text(r.computed)} | {mark} "
                     f"| “{quote}” ({r.line}) |")
    return "\n".join(lines) + "\n"
