"""Small helpers the tests share."""

from __future__ import annotations

from collections.abc import Iterable

from marcconv.crosswalk import to_reference
from marcconv.errors import Diagnostic
from marcconv.marc.record import SourceRecord
from marcconv.marc.textmarc import read_textmarc
from marcconv.model import Reference


def records(text: str | Iterable[str]) -> list[SourceRecord]:
    lines = text.splitlines(keepends=True) if isinstance(text, str) else list(text)
    return [r for r in read_textmarc(lines, "test.txt") if isinstance(r, SourceRecord)]


def diagnostics(text: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for item in read_textmarc(text.splitlines(keepends=True), "test.txt"):
        found.extend([item] if isinstance(item, Diagnostic) else item.diagnostics)
    return found


def reference(text: str) -> Reference:
    (record,) = records(text)
    return to_reference(record)
