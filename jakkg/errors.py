"""Errors a user sees as one line: ``file:line: what is wrong``."""
from __future__ import annotations

from pathlib import Path


class JakkgError(Exception):
    """An error caused by the user's input or environment, reported without a traceback."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class SourceError(JakkgError):
    """A source document that cannot be read or interpreted."""


class LexiconError(JakkgError):
    """A curated lexicon file that is malformed."""


class QueryError(JakkgError):
    """A SPARQL query that cannot be parsed or run."""

    exit_code = 2


class StoreError(JakkgError):
    """A store that is missing or cannot be opened."""
