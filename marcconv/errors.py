"""Diagnostics and exceptions: every problem names its file, line and record."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum

from marcconv.chars import shown


class Severity(str, Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the input, worded for a cataloguer."""

    severity: Severity
    message: str
    source: str | None = None  # file name, or "<stdin>"
    line: int | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(shown(self.source))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record_id:
            where.append(f"record {shown(self.record_id)}")
        prefix = ", ".join(where)
        message = shown(self.message)
        return (
            f"{self.severity.value}: {prefix}: {message}"
            if prefix
            else (f"{self.severity.value}: {message}")
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["severity"] = self.severity.value
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


class MarcconvError(Exception):
    """An error that ends the run (unreadable input, unknown style, ...)."""


class NotBibliographic(MarcconvError):
    """A record that describes no bibliographic item (an authority or holdings record):
    left out of bibliographic output, reported and counted, and not an error."""

    def __init__(self, what: str, record_id: str | None = None):
        super().__init__(what)
        self.what = what
        self.record_id = record_id


class RecordError(MarcconvError):
    """A record that cannot be converted; the run goes on without it."""

    def __init__(self, message: str, record_id: str | None = None, tag: str | None = None):
        super().__init__(message)
        self.record_id = record_id
        self.tag = tag
