"""jakkg: a knowledge graph of JAK inhibitors in dermatology, read from source documents.

Python API (mirrors the CLI)::

    import jakkg
    jakkg.build()                                  # data/sources → .jakkg/store
    rows = jakkg.query("SELECT ?d WHERE { ?d a jakkg:JAKInhibitor }")
    jakkg.export("turtle", "graph.ttl")
"""
from __future__ import annotations

# Submodules named like API functions (query, export, stats) are imported first so the
# functions below, not the modules, are what ``jakkg.query`` etc. name.
from . import export as _export_module  # noqa: F401,E402
from . import query as _query_module  # noqa: F401,E402
from . import stats as _stats_module  # noqa: F401,E402
from .api import build, export, open_store, query, stats  # noqa: E402

__version__ = "0.1.0"
__all__ = ["build", "query", "export", "open_store", "stats"]
