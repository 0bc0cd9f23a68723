"""What the crosswalk leaves out of a catalogue: ``marcconv unmapped``.

Every record is converted as ``convert`` converts it, with its fields watched:
a field that no rule takes (by its label, as ``marcconv mapping`` lists the
rules) and that nothing read is *unmapped*; in a field a rule takes, a subfield
no code asked for is *unread*.  Asking counts as reading: a rule that reads a
whole field (every subfield, as a heading's text) reads every code.  Then come
the records that gave no title, no year or no creator.

A cataloguer evaluating marcconv on their own dump sees, with counts and an
example record for each, what would not reach any output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pymarc

from marcconv.crosswalk import to_reference
from marcconv.crosswalk.rules import label_of, rule_for
from marcconv.errors import Diagnostic, NotBibliographic, RecordError
from marcconv.marc.record import _SUBFIELDS, SourceField, SourceRecord
from marcconv.model import Reference
from marcconv.sources import read_records

#: examples kept per finding
EXAMPLES = 3


class WatchedField(SourceField):
    """A data field that remembers which subfield codes were asked of it."""

    __slots__ = ("asked", "whole")

    def __init__(self, original: pymarc.Field) -> None:
        super().__init__(
            original.tag,
            getattr(original, "line", 0),
            (original.indicator1, original.indicator2),
            list(original.subfields),
        )
        self.asked: set[str] = set()
        self.whole = False

    @property
    def subfields(self) -> list[pymarc.Subfield]:
        self.whole = True  # read as a whole: every code counts as read
        return _SUBFIELDS.__get__(self)  # type: ignore[no-any-return]

    @subfields.setter
    def subfields(self, value: list[pymarc.Subfield]) -> None:
        _SUBFIELDS.__set__(self, value)

    def select(self, codes: frozenset[str]) -> list[tuple[str, str]]:
        self.asked.update(codes)
        return [(code, value) for code, value in _SUBFIELDS.__get__(self) if code in codes]

    def codes(self) -> list[str]:
        """Its codes, without counting as a read."""
        return [sub.code for sub in _SUBFIELDS.__get__(self)]


@dataclass(slots=True)
class Example:
    record: str
    source: str
    line: int | None

    def __str__(self) -> str:
        where = f"{self.source}, line {self.line}" if self.line else self.source
        return f"{self.record} ({where})"

    def as_json(self) -> dict[str, Any]:
        return {"record": self.record, "source": self.source, "line": self.line}


@dataclass(slots=True)
class Finding:
    """One unmapped label, unread subfield or missing element, over the whole input."""

    what: str  # "595__", "700 $v", "title"
    records: int = 0
    occurrences: int = 0
    examples: list[Example] = field(default_factory=list)
    _last: object = None  # the record counted last, so that each counts once

    def add(self, record: SourceRecord, line: int | None, times: int = 1) -> None:
        self.occurrences += times
        if self._last is not record:
            self._last = record
            self.records += 1
            if len(self.examples) < EXAMPLES:
                self.examples.append(Example(record.record_id, record.source, line))

    def as_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "occurrences": self.occurrences,
            "examples": [e.as_json() for e in self.examples],
        }


#: what a record may lack, and how to tell
MISSING: dict[str, Callable[[Reference], bool]] = {
    "title": lambda ref: not ref.title,
    "year": lambda ref: ref.issued is None or not ref.issued.year,
    "creator": lambda ref: (
        not (ref.names_in("author") or ref.names_in("editor") or ref.collaborations)
    ),
}


@dataclass(slots=True)
class Report:
    read: int = 0
    converted: int = 0
    left_out: int = 0  # not bibliographic items (authority, holdings ...)
    failed: int = 0  # records that could not be read or converted
    fields: dict[str, Finding] = field(default_factory=dict)  # by label
    subfields: dict[str, Finding] = field(default_factory=dict)  # by "TAG $code"
    missing: dict[str, Finding] = field(
        default_factory=lambda: {name: Finding(name) for name in MISSING}
    )

    def take(self, record: SourceRecord) -> None:
        """Convert one record with its fields watched, and count what was left."""
        self.read += 1
        if record.failure is not None:
            self.failed += 1
            return
        watched: list[WatchedField] = []
        fields: list[pymarc.Field] = []
        for fld in record.record.fields:
            if fld.control_field:
                fields.append(fld)
            else:
                copy = WatchedField(fld)
                watched.append(copy)
                fields.append(copy)
        record.record.fields = fields
        try:
            ref = to_reference(record)
        except NotBibliographic:
            self.left_out += 1
            return
        except RecordError:
            self.failed += 1
            return
        self.converted += 1
        for fld in record.record.fields:
            line = getattr(fld, "line", None) or record.line
            if rule_for(fld) is None:
                if isinstance(fld, WatchedField) and (fld.whole or fld.asked):
                    continue  # no rule of its own, but read (type detection, dates)
                label = label_of(fld)
                self.fields.setdefault(label, Finding(label)).add(record, line)
            elif isinstance(fld, WatchedField) and not fld.whole:
                for code, times in Counter(fld.codes()).items():
                    if code not in fld.asked:
                        what = f"{fld.tag} ${code}"
                        self.subfields.setdefault(what, Finding(what)).add(record, line, times)
        for name, lacks in MISSING.items():
            if lacks(ref):
                self.missing[name].add(record, record.line)

    def as_json(self) -> dict[str, Any]:
        return {
            "records": {
                "read": self.read,
                "converted": self.converted,
                "left_out": self.left_out,
                "failed": self.failed,
            },
            "unmapped_fields": {k: f.as_json() for k, f in _ranked(self.fields)},
            "unread_subfields": {k: f.as_json() for k, f in _ranked(self.subfields)},
            "missing": {name: f.as_json() for name, f in self.missing.items()},
        }

    def as_text(self) -> str:
        lines = [
            f"read {self.read} records: {self.converted} converted, {self.left_out} left out"
            f" (not bibliographic), {self.failed} could not be read or converted",
            "",
        ]
        for title, table in (
            ("fields no rule takes", self.fields),
            ("subfields no rule reads, in fields a rule takes", self.subfields),
        ):
            if not table:
                lines += [f"{title}: none", ""]
                continue
            lines.append(f"{title}: {len(table)}")
            width = max(len(k) for k in table)
            lines.append(f"  {'':<{width}}  records  occurrences  example")
            for key, found in _ranked(table):
                lines.append(
                    f"  {key:<{width}}  {found.records:>7}  {found.occurrences:>11}"
                    f"  {found.examples[0]}"
                )
            lines.append("")
        for name, found in self.missing.items():
            text = f"records without a {name}: {found.records}"
            if found.examples:
                text += ", e.g. " + "; ".join(str(e) for e in found.examples)
            lines.append(text)
        return "\n".join(lines) + "\n"


def _ranked(table: dict[str, Finding]) -> list[tuple[str, Finding]]:
    return sorted(table.items(), key=lambda item: (-item[1].records, item[0]))


def survey(
    paths: Iterable[str],
    source_format: str = "auto",
    encoding: str = "utf-8",
    report: Callable[[Diagnostic], None] = lambda diagnostic: None,
) -> Report:
    """The :class:`Report` of every record of ``paths`` (``-`` for standard input)."""
    result = Report()
    for path in paths:
        for item in read_records(path, source_format, report, encoding):
            if isinstance(item, SourceRecord):
                result.take(item)
    return result
