"""Everything the graph knows about one entity, found by label, synonym or abbreviation.

``describe(store, "AA")`` resolves the name through ``rdfs:label`` / ``skos:prefLabel`` /
``skos:altLabel`` (an exact-case match wins over a case-insensitive one, so the abbreviation
"AA" finds alopecia areata), then collects the node's types, labels, outgoing and incoming
statements grouped by property, and the verbatim evidence of the node and of the nodes
around it. The name is always bound as a SPARQL value, never pasted into the query.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Store

from .errors import JakkgError
from .query import python_value, run, shorten, term_from_text, term_text

LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label",
                    "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://www.w3.org/2004/02/skos/core#altLabel")
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


class NotFound(JakkgError):
    """No node has that label."""


@dataclass
class Quote:
    text: str
    document: str
    start: int
    end: int
    line: int | None = None


@dataclass
class Neighbour:
    """The other end of a statement: its text (label, literal or short IRI) and a quote."""

    node: str              # IRI or literal lexical form
    text: str
    is_literal: bool = False
    quote: str | None = None


@dataclass
class Description:
    iri: str
    label: str
    types: list[str] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)        # property → values
    outgoing: dict[str, list[Neighbour]] = field(default_factory=dict)
    incoming: dict[str, list[Neighbour]] = field(default_factory=dict)
    evidence: list[Quote] = field(default_factory=list)


RESOLVE = """
SELECT DISTINCT ?node ?label WHERE {
  VALUES ?name { "" }
  ?node rdfs:label|skos:prefLabel|skos:altLabel ?label .
  FILTER(LCASE(STR(?label)) = LCASE(STR(?name)))
}"""

ALL_LABELS = "SELECT DISTINCT ?label WHERE { ?node rdfs:label|skos:prefLabel|skos:altLabel ?label }"

OUTGOING = """
SELECT DISTINCT ?p ?o ?olabel ?oquote WHERE {
  VALUES ?node { <urn:x> }
  ?node ?p ?o .
  OPTIONAL { ?o rdfs:label ?olabel }
  OPTIONAL { ?o prov:wasDerivedFrom/oa:exact ?oquote }
} ORDER BY ?p ?o"""

INCOMING = """
SELECT DISTINCT ?p ?s ?slabel ?squote WHERE {
  VALUES ?node { <urn:x> }
  ?s ?p ?node .
  OPTIONAL { ?s rdfs:label ?slabel }
  OPTIONAL { ?s prov:wasDerivedFrom/oa:exact ?squote }
} ORDER BY ?p ?s"""

EVIDENCE = """
SELECT DISTINCT ?quote ?file ?start ?end ?line WHERE {
  VALUES ?node { <urn:x> }
  ?node prov:wasDerivedFrom ?e .
  ?e oa:exact ?quote ; oa:start ?start ; oa:end ?end ; oa:hasSource/jakkg:fileName ?file .
  OPTIONAL { ?e jakkg:line ?line }
} ORDER BY ?file ?start"""


def resolve(store: Store, name: str) -> list[str]:
    """IRIs of the nodes a name denotes: an IRI or prefixed name as given, else every node
    with that label/synonym/abbreviation (exact case preferred)."""
    name = name.strip()
    term = term_from_text(name)
    if isinstance(term, NamedNode):
        return [term.value]
    rows = run(store, RESOLVE, {"name": Literal(name)}).rows
    exact = sorted({r["node"].value for r in rows if r["label"].value == name})
    found = exact or sorted({r["node"].value for r in rows})
    if not found:
        labels = {term_text(r["label"]) for r in run(store, ALL_LABELS).rows}
        close = difflib.get_close_matches(name, sorted(labels), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise NotFound(f"nothing in the graph is labelled '{name}'{hint}")
    return found


def _neighbour(term, label, quote) -> Neighbour:
    if isinstance(term, Literal):
        value = term.value
        return Neighbour(value, value, is_literal=True)
    text = term_text(label) if label is not None else shorten(term_text(term))
    return Neighbour(term_text(term), text, quote=term_text(quote) if quote is not None else None)


def describe_node(store: Store, iri: str) -> Description:
    node = {"node": NamedNode(iri)}
    d = Description(iri, shorten(iri))
    for row in run(store, OUTGOING, node).rows:
        p, o = row["p"].value, row["o"]
        if p == TYPE:
            d.types.append(shorten(o.value))
        elif p in LABEL_PROPERTIES:
            d.labels.setdefault(shorten(p), []).append(term_text(o))
        elif p == DERIVED:
            continue
        else:
            group = d.outgoing.setdefault(shorten(p), [])
            n = _neighbour(o, row["olabel"], row["oquote"])
            if all(n.node != g.node for g in group):
                group.append(n)
    for row in run(store, INCOMING, node).rows:
        p = row["p"].value
        group = d.incoming.setdefault(shorten(p), [])
        n = _neighbour(row["s"], row["slabel"], row["squote"])
        if all(n.node != g.node for g in group):
            group.append(n)
    for row in run(store, EVIDENCE, node).rows:
        v = {k: python_value(t) if t is not None else None for k, t in row.items()}
        d.evidence.append(Quote(v["quote"], v["file"], v["start"], v["end"], v["line"]))
    labels = d.labels.get("rdfs:label") or d.labels.get("skos:prefLabel")
    if labels:
        d.label = labels[0]
    if not (d.types or d.labels or d.outgoing or d.incoming):
        raise NotFound(f"the graph has no statements about <{iri}>")
    return d


def describe(store: Store, name: str) -> list[Description]:
    return [describe_node(store, iri) for iri in resolve(store, name)]


def render(descriptions: list[Description], limit: int = 8):
    """A rich renderable (one tree per entity)."""
    from rich.console import Group
    from rich.markup import escape
    from rich.tree import Tree

    trees = []
    for d in descriptions:
        tree = Tree(f"[bold]{escape(d.label)}[/]  [dim]<{escape(d.iri)}>[/]")
        if d.types:
            tree.add("[b]types[/] " + ", ".join(escape(t) for t in sorted(d.types)))
        if d.labels:
            branch = tree.add("[b]labels[/]")
            for p, values in sorted(d.labels.items()):
                branch.add(f"{escape(p)}: " + ", ".join(escape(v) for v in sorted(set(values))))
        for title, groups, arrow in (("outgoing", d.outgoing, "→"), ("incoming", d.incoming, "←")):
            if not groups:
                continue
            branch = tree.add(f"[b]{title}[/]")
            for p, values in sorted(groups.items()):
                sub = branch.add(f"{arrow} {escape(p)} ({len(values)})")
                for v in sorted(values, key=natural)[:limit]:
                    text = f'"{escape(v.text)}"' if v.is_literal else escape(v.text)
                    if v.quote and v.quote != v.text:
                        text += f'  [dim]“{escape(_clip(v.quote))}”[/]'
                    sub.add(text)
                if len(values) > limit:
                    sub.add(f"[dim]… and {len(values) - limit} more (--limit)[/]")
        if d.evidence:
            branch = tree.add("[b]evidence[/]")
            for q in d.evidence:
                where = f"{q.document}:{q.line}" if q.line else q.document
                branch.add(f"“{escape(_clip(q.text, 200))}”  [dim]{escape(where)} [{q.start}–{q.end}][/]")
        trees.append(tree)
    return Group(*trees)


def natural(n: Neighbour):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n.text)]


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"

