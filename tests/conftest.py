"""Shared fixtures: the real documents, built once per test session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
LETTER = SOURCES / "muntaner-virgili-2025-jaki-combination-letter.txt"
REVIEW = SOURCES / "nussbaum-offlabel-jaki-review.txt"


@pytest.fixture(scope="session")
def lexicon():
    from jakkg.lexicon import load_lexicon
    return load_lexicon()


@pytest.fixture(scope="session")
def letter_doc():
    from jakkg.document import Document
    return Document.from_path(LETTER)


@pytest.fixture(scope="session")
def letter(letter_doc, lexicon):
    from jakkg.extract.case_table import extract_case_series
    return extract_case_series(letter_doc, lexicon)


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    import jakkg
    path = tmp_path_factory.mktemp("store") / "store"
    jakkg.build(SOURCES, path)
    return path


@pytest.fixture(scope="session")
def store(store_path):
    from jakkg.store import open_store
    return open_store(store_path)


@pytest.fixture
def sources_copy(tmp_path) -> Path:
    """A writable copy of data/sources for tests that break a document."""
    dst = tmp_path / "sources"
    shutil.copytree(SOURCES, dst)
    return dst


def select(store, sparql: str, **params) -> list[dict]:
    """Rows of a SELECT as {var: python value}."""
    from jakkg.query import python_value, run, term_from_text
    result = run(store, sparql, {k: term_from_text(v) for k, v in params.items()})
    return [{k: python_value(v) for k, v in row.items()} for row in result.rows]
