"""The curated external-identifier mappings as an SSSOM TSV (https://w3id.org/sssom/):
a YAML metadata block (``#``-prefixed lines: mapping_set_id, license, curie_map, ...)
followed by one TSV row per mapping.

The rows are the same mappings the lexicon graph carries as skos:exactMatch / closeMatch /
broadMatch (both come from :func:`jakkg.vocab.mappings`); the curator's ``source`` cell
becomes the SSSOM ``comment``.
"""
from __future__ import annotations

from pathlib import Path

from .lexicon import Lexicon, load_lexicon
from .namespaces import ID, JAKKG, SKOS
from .store import atomic_file
from .vocab import Mapping, curie_map, mappings

MAPPING_SET_ID = "https://w3id.org/jakkg/mappings/jakkg.sssom.tsv"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
JUSTIFICATION = "semapv:ManualMappingCuration"
COLUMNS = ["subject_id", "subject_label", "subject_category", "predicate_id", "object_id",
           "mapping_justification", "comment"]
# CURIE prefixes for jakkg's own IRIs (one per kind of lexicon entry)
OWN_PREFIXES = {
    "jakkg": JAKKG,
    "jakkg.drug": ID + "drug/",
    "jakkg.disease": ID + "disease/",
    "jakkg.adverse-event": ID + "adverse-event/",
}
CATEGORIES = {"drug": "jakkg:Drug", "disease": "jakkg:Disease",
              "adverse-event": "jakkg:AdverseEvent", "isoform": "jakkg:JAKIsoform"}


def _subject_curie(m: Mapping) -> str:
    best = max((p for p, base in OWN_PREFIXES.items() if m.subject.startswith(base)),
               key=lambda p: len(OWN_PREFIXES[p]))
    return f"{best}:{m.subject[len(OWN_PREFIXES[best]):]}"


def _cell(text: str) -> str:
    return " ".join(str(text).split())   # no tabs or newlines inside a cell


def _yaml_scalar(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sssom_text(lexicon: Lexicon | None = None) -> str:
    lexicon = lexicon or load_lexicon()
    rows = sorted(mappings(lexicon), key=lambda m: (m.subject, m.predicate, m.object_curie))
    prefixes = {**OWN_PREFIXES, **curie_map(lexicon.directory),
                "skos": SKOS, "semapv": "https://w3id.org/semapv/vocab/"}
    meta = [
        f"mapping_set_id: {_yaml_scalar(MAPPING_SET_ID)}",
        f"mapping_set_title: {_yaml_scalar('jakkg: drugs, diseases, adverse events and JAK isoforms mapped to external vocabularies')}",
        f"license: {_yaml_scalar(LICENSE)}",
        f"mapping_set_description: {_yaml_scalar('Curated in data/lexicon/*.tsv; each row comment says where the identifier was taken from.')}",
        "curie_map:",
        *[f"  {p}: {_yaml_scalar(uri)}" for p, uri in sorted(prefixes.items())],
    ]
    lines = ["# " + line for line in meta]
    lines.append("\t".join(COLUMNS))
    for m in rows:
        lines.append("\t".join(_cell(v) for v in (
            _subject_curie(m), m.subject_label, CATEGORIES[m.kind], f"skos:{m.predicate}",
            m.object_curie, JUSTIFICATION, m.source)))
    return "\n".join(lines) + "\n"


def export_sssom(output: str | Path | None = None, lexicon: Lexicon | None = None) -> bytes | None:
    data = sssom_text(lexicon).encode("utf-8")
    if output is None:
        return data
    with atomic_file(Path(output)) as f:
        f.write(data)
    return None
