"""Links to external vocabularies, JAK isoform targets and generations, read from the
curated lexicon.

Conventions (curators edit the TSV files, this module only reads them):

* An identifier column is named after a row of ``data/lexicon/prefixes.tsv`` (``chebi``,
  ``mondo``, ``hpo``, ...). A cell holds one identifier or several separated by ``|``,
  as a local id (``DB08895``) or a CURIE (``CHEBI:71200``).
* A leading marker gives the SKOS mapping relation: none → ``skos:exactMatch``,
  ``~`` → ``skos:closeMatch`` (near but not the same concept), ``^`` → ``skos:broadMatch``
  (the external concept is broader).
* IRIs are expanded with :mod:`curies` from ``prefixes.tsv``, whose ``uri_prefix``,
  ``curie_prefix`` and ``pattern`` columns are generated from bioregistry
  (``python -m jakkg.vocab`` refreshes them); no IRI prefix is written in code.
* ``targets.tsv`` (drug, isoform, source) gives ``jakkg:inhibits``; ``generations.tsv``
  (drug, generation, document, quote, source) gives ``jakkg:jakInhibitorGeneration`` and
  its quote must occur verbatim in the named source document.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import LexiconError
from .lexicon import DATA_DIR, LEXICON_DIR, Lexicon, read_tsv, split_list
from .namespaces import JAKKG, SKOS

MARKERS = {"": "exactMatch", "~": "closeMatch", "^": "broadMatch"}
ID_COLUMNS = {  # lexicon file -> identifier columns it may carry
    "drugs.tsv": ["chebi", "drugbank", "rxnorm", "mesh", "wikidata", "atc"],
    "diseases.tsv": ["mondo", "mesh", "doid", "icd10"],
    "adverse_events.tsv": ["mesh", "hpo"],
    "isoforms.tsv": ["uniprot", "hgnc", "ncbigene"],
}
PREFIX_COLUMNS = ["column", "prefix", "priority", "curie_prefix", "uri_prefix", "pattern"]


@dataclass(frozen=True)
class Prefix:
    column: str
    prefix: str          # bioregistry prefix
    curie_prefix: str    # preferred CURIE prefix (bioregistry)
    uri_prefix: str
    pattern: str


@dataclass(frozen=True)
class Mapping:
    subject: str         # IRI of the jakkg node
    subject_label: str
    kind: str            # drug, disease, adverse-event, isoform
    predicate: str       # exactMatch, closeMatch, broadMatch (SKOS local names)
    object_curie: str
    object_iri: str
    source: str
    file: str
    line: int

    @property
    def predicate_iri(self) -> str:
        return SKOS + self.predicate


@dataclass(frozen=True)
class Target:
    drug: str
    isoform: str
    source: str


@dataclass(frozen=True)
class Generation:
    drug: str
    generation: int
    document: str
    quote: str
    source: str


# --- prefixes ------------------------------------------------------------------------------

def read_prefixes(directory: Path = LEXICON_DIR) -> dict[str, Prefix]:
    path = Path(directory) / "prefixes.tsv"
    out = {}
    for row in read_tsv(path, PREFIX_COLUMNS):
        if not (row["uri_prefix"] and row["curie_prefix"]):
            raise LexiconError(f"prefix '{row['column']}' has no uri_prefix/curie_prefix "
                               "(run `python -m jakkg.vocab` to fill them from bioregistry)",
                               path, int(row["_line"]))
        out[row["column"]] = Prefix(row["column"], row["prefix"], row["curie_prefix"],
                                    row["uri_prefix"], row["pattern"])
    return out


def refreshed_prefix_rows(directory: Path = LEXICON_DIR) -> list[dict[str, str]]:
    """prefixes.tsv rows with curie_prefix, uri_prefix and pattern taken from bioregistry."""
    import bioregistry

    path = Path(directory) / "prefixes.tsv"
    rows = []
    for row in read_tsv(path, PREFIX_COLUMNS):
        resource = bioregistry.get_resource(row["prefix"])
        if resource is None:
            raise LexiconError(f"bioregistry does not know prefix '{row['prefix']}'", path,
                               int(row["_line"]))
        priority = split_list(row["priority"].replace(",", "|")) or None
        row = {k: row[k] for k in PREFIX_COLUMNS}
        row["curie_prefix"] = resource.get_preferred_prefix() or resource.prefix
        row["uri_prefix"] = resource.get_uri_prefix(priority)
        row["pattern"] = resource.get_pattern() or ""
        rows.append(row)
    return rows


def write_prefixes(directory: Path = LEXICON_DIR) -> None:
    from .store import atomic_file
    rows = refreshed_prefix_rows(directory)
    text = "\t".join(PREFIX_COLUMNS) + "\n" + "".join(
        "\t".join(r[c] for c in PREFIX_COLUMNS) + "\n" for r in rows)
    with atomic_file(Path(directory) / "prefixes.tsv", "w") as f:
        f.write(text)


@lru_cache(maxsize=4)
def _converter(directory: str):
    import curies
    prefixes = read_prefixes(Path(directory))
    records = {}
    for p in prefixes.values():
        record = records.setdefault(p.curie_prefix, curies.Record(
            prefix=p.curie_prefix, uri_prefix=p.uri_prefix, prefix_synonyms=[]))
        for syn in {p.prefix, p.column, p.prefix.upper(), p.column.upper()} - {p.curie_prefix}:
            if syn not in record.prefix_synonyms:
                record.prefix_synonyms.append(syn)
    return curies.Converter(list(records.values())), prefixes


def converter(directory: Path = LEXICON_DIR):
    """A :class:`curies.Converter` for the external vocabularies."""
    return _converter(str(directory))[0]


def curie_map(directory: Path = LEXICON_DIR) -> dict[str, str]:
    return {p.curie_prefix: p.uri_prefix for p in _converter(str(directory))[1].values()}


def parse_cell(cell: str, column: str, directory: Path, path: Path, line: int
               ) -> list[tuple[str, str, str]]:
    """``(predicate, CURIE, IRI)`` for each identifier in one cell."""
    conv, prefixes = _converter(str(directory))
    if column not in prefixes:
        raise LexiconError(f"column '{column}' has no row in prefixes.tsv", path, line)
    p = prefixes[column]
    out = []
    for item in split_list(cell):
        marker = item[0] if item[0] in "~^" else ""
        local = item[len(marker):].strip()
        if ":" in local:
            given, local = local.split(":", 1)
            if given.lower() not in {p.curie_prefix.lower(), p.prefix.lower(), column.lower()}:
                raise LexiconError(f"'{item}' in column {column} has prefix '{given}' "
                                   f"(expected {p.curie_prefix})", path, line)
        if p.pattern and not re.fullmatch(p.pattern.strip("^$"), local):
            raise LexiconError(f"'{item}' is not a valid {p.curie_prefix} identifier "
                               f"(pattern {p.pattern})", path, line)
        curie = f"{p.curie_prefix}:{local}"
        out.append((MARKERS[marker], curie, conv.expand(curie, strict=True)))
    return out


# --- mappings, targets, generations --------------------------------------------------------

def _isoform_rows(directory: Path) -> list[dict[str, str]]:
    return read_tsv(Path(directory) / "isoforms.tsv", ["label", *ID_COLUMNS["isoforms.tsv"], "source"])


def isoform_iri(label: str) -> str:
    return JAKKG + label


def mappings(lexicon: Lexicon) -> list[Mapping]:
    """Every external identifier of every drug, disease, adverse event and isoform."""
    from .graph import disease_iri, drug_iri, event_iri

    directory = lexicon.directory
    out: list[Mapping] = []

    def add(subject: str, label: str, kind: str, row: dict, columns: list[str], path: Path):
        line = int(row["_line"])
        for column in columns:
            for predicate, curie, iri in parse_cell(row.get(column, ""), column, directory,
                                                    path, line):
                out.append(Mapping(subject, label, kind, predicate, curie, iri,
                                   row.get("source", ""), path.name, line))

    for file, vocab, iri, kind in (("drugs.tsv", lexicon.drugs, drug_iri, "drug"),
                                   ("diseases.tsv", lexicon.diseases, disease_iri, "disease"),
                                   ("adverse_events.tsv", lexicon.adverse_events, event_iri,
                                    "adverse-event")):
        for e in vocab:
            add(iri(e.id).value, e.label, kind, e.row, ID_COLUMNS[file], vocab.path)
    path = Path(directory) / "isoforms.tsv"
    for row in _isoform_rows(directory):
        add(isoform_iri(row["label"]), row["label"], "isoform", row, ID_COLUMNS["isoforms.tsv"],
            path)
    return out


def isoforms(directory: Path = LEXICON_DIR) -> list[str]:
    return [row["label"] for row in _isoform_rows(directory)]


def targets(lexicon: Lexicon) -> list[Target]:
    path = lexicon.directory / "targets.tsv"
    known = set(isoforms(lexicon.directory))
    out = []
    for row in read_tsv(path, ["drug", "isoform", "source"]):
        line = int(row["_line"])
        if lexicon.drugs.lookup(row["drug"]) is None:
            raise LexiconError(f"unknown drug '{row['drug']}'", path, line)
        if row["isoform"] not in known:
            raise LexiconError(f"unknown isoform '{row['isoform']}' (known: "
                               f"{', '.join(sorted(known))})", path, line)
        if not row["source"]:
            raise LexiconError("a target needs a source", path, line)
        out.append(Target(lexicon.drugs.lookup(row["drug"]).id, row["isoform"], row["source"]))
    return out


def generations(lexicon: Lexicon, sources: Path = DATA_DIR / "sources") -> list[Generation]:
    path = lexicon.directory / "generations.tsv"
    out = []
    texts: dict[str, str] = {}
    for row in read_tsv(path, ["drug", "generation", "document", "quote", "source"]):
        line = int(row["_line"])
        entry = lexicon.drugs.lookup(row["drug"])
        if entry is None:
            raise LexiconError(f"unknown drug '{row['drug']}'", path, line)
        if row["generation"] not in ("1", "2"):
            raise LexiconError(f"generation must be 1 or 2, not '{row['generation']}'", path, line)
        doc = Path(sources) / f"{row['document']}.txt"
        if row["document"] not in texts:
            if not doc.exists():
                raise LexiconError(f"no source document '{row['document']}'", path, line)
            texts[row["document"]] = doc.read_text(encoding="utf-8")
        if row["quote"] not in texts[row["document"]]:
            raise LexiconError(f"quote not found in {doc.name}", path, line)
        out.append(Generation(entry.id, int(row["generation"]), row["document"], row["quote"],
                              row["source"]))
    return out


def vocabulary_quads(w, lexicon: Lexicon) -> None:
    """Add external-vocabulary links, targets and generations to the lexicon graph writer."""
    from pyoxigraph import NamedNode

    from .graph import J, drug_iri, typed

    for m in mappings(lexicon):
        w.add(NamedNode(m.subject), NamedNode(m.predicate_iri), NamedNode(m.object_iri))
    for t in targets(lexicon):
        w.add(drug_iri(t.drug), J("inhibits"), NamedNode(isoform_iri(t.isoform)))
    for g in generations(lexicon):
        w.add(drug_iri(g.drug), J("jakInhibitorGeneration"), typed(g.generation, "integer"))


if __name__ == "__main__":  # python -m jakkg.vocab: refresh prefixes.tsv from bioregistry
    write_prefixes(Path(sys.argv[1]) if len(sys.argv) > 1 else LEXICON_DIR)
    print("updated", (Path(sys.argv[1]) if len(sys.argv) > 1 else LEXICON_DIR) / "prefixes.tsv")
