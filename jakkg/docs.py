"""Ontology documentation: ``ontology/jakkg.ttl`` rendered as one HTML page with pyLODE
(classes, properties, definitions, examples), written atomically to ``<dir>/index.html``."""
from __future__ import annotations

import logging
from pathlib import Path

from .errors import JakkgError
from .store import ONTOLOGY_FILE, atomic_file


def ontology_html(ontology: Path = ONTOLOGY_FILE) -> str:
    try:
        from pylode import OntPub
    except Exception as e:  # noqa: BLE001 - pyLODE 3.4.1's wheel fails at import
        raise JakkgError(f"pyLODE is not usable ({type(e).__name__}: {e}); "
                         "install pylode>=3.2,<3.4") from None
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)          # pyLODE logs every step at INFO
    try:
        return OntPub(ontology=str(ontology)).make_html()
    finally:
        root.setLevel(level)


def write_docs(output_dir: str | Path, ontology: Path = ONTOLOGY_FILE) -> Path:
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise JakkgError("output exists and is not a folder", out)
    html = ontology_html(ontology)
    target = out / "index.html"
    with atomic_file(target, "w") as f:
        f.write(html)
    return target
