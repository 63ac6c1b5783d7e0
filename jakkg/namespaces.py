"""IRIs of the project and of the vocabularies it reuses."""
from __future__ import annotations

import re
import unicodedata

JAKKG = "https://w3id.org/jakkg/ontology#"
ID = "https://w3id.org/jakkg/id/"
GRAPH = "https://w3id.org/jakkg/graph/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
LEXICON_GRAPH = GRAPH + "lexicon"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "jakkg": JAKKG, "id": ID, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
    "dcterms": DCTERMS, "prov": PROV, "oa": OA, "sh": SH,
}


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def entity_iri(kind: str, *parts: str | int) -> str:
    return ID + kind + "/" + "/".join(str(p) for p in parts)


def graph_iri(doc_id: str) -> str:
    return GRAPH + doc_id


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
