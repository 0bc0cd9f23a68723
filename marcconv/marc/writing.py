"""Writing MARC again: what every serialisation's writer shares.

A MARC writer takes the record as read, not a :class:`marcconv.model.Reference`:
its job is to keep every field, indicator and subfield in order, which the
bibliographic model does not hold, so a dump can be normalised or merged
without losing a field.  What a line format cannot hold is reported, never
dropped silently: a line break inside a value becomes a space, and in text MARC
a ``$$`` followed by a letter inside a value would be read back as a new
subfield.  Each serialisation's writer is in its module, beside its reader.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar, TextIO

import pymarc

from marcconv.chars import CONTROL
from marcconv.errors import RecordError
from marcconv.marc.record import SourceRecord, is_control_tag, label_problem
from marcconv.options import WriterOptions

LINE_BREAK = re.compile(r"[\r\n]+")
DOLLAR_CODE = re.compile(r"\$\$[^\W_]")
CARET_BLANK_TAGS = frozenset({"LDR", "006", "007", "008"})


class RecordWriter(ABC):
    """Writes MARC records back out (text MARC, Aleph sequential, MARCXML ...).

    As a :class:`marcconv.writers.base.Writer` renders a reference, a record
    writer renders a record (:meth:`render_record`), anywhere, and :meth:`emit`
    writes the rendered text in input order.  A format that numbers its records
    (``numbered``) renders ``number`` where the record's number goes; the run
    gives the numbers in input order (:class:`RecordNumbers`).
    """

    name: ClassVar[str]
    extension: ClassVar[str]
    numbered: ClassVar[bool] = False  # does every line carry the record's number?

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        self.out = out
        self.options = options or WriterOptions()
        self.count = 0
        self._numbers = RecordNumbers()

    @abstractmethod
    def render_record(self, record: SourceRecord, number: str) -> str:
        """One record as text; raise :class:`RecordError` if it cannot be written."""

    def emit(self, text: str) -> None:
        self.out.write(text)
        self.count += 1

    def write_record(self, record: SourceRecord) -> None:
        """Render and write one record, numbered after the records before it."""
        number = self._numbers.unique(own_number(record) or "") if self.numbered else ""
        self.emit(self.render_record(record, number))

    def close(self) -> None:  # noqa: B027 - most writers need no closing step
        """Finish the output."""


#: the widest record number a line format holds: readers cut lines at column 9
NUMBER_WIDTH = 9


def own_number(source: SourceRecord) -> str | None:
    """The record's own 9-digit number: its 001 if numeric, else the id it was read
    with if numeric; None if it has none, or a number wider than 9 digits (an
    OCLC or Alma id), which Invenio and Aleph readers would cut (its position in
    the output is used)."""
    control = source.record.get("001")
    for candidate in (
        control.data.strip() if control is not None and control.data else "",
        source.record_id,
    ):
        if candidate.isascii() and candidate.isdigit():  # not "¹"
            number = f"{int(candidate):0{NUMBER_WIDTH}d}"
            if len(number) == NUMBER_WIDTH:
                return number
    return None


class RecordNumbers:
    """The number of each record written, in output order: its own, else its
    position; never the same as the record's before it, which would merge the two
    when read back."""

    def __init__(self) -> None:
        self.ordinal = 0
        self.previous = ""

    def unique(self, own: str) -> str:
        self.ordinal += 1
        number = own or f"{self.ordinal:09d}"
        if number == self.previous:
            number = f"{self.ordinal:09d}"
            if number == self.previous:
                number = f"{self.ordinal + 1:09d}"
        self.previous = number
        return number


class MarcWriter(RecordWriter):
    """What every MARC writer does before it writes a record: a field whose label is
    not MARC (a line break in an indicator or a subfield code would forge a line of
    its own; a tag that is not three letters or digits reads back as something
    else) is left out and reported, and a line format must have something to write."""

    holds_empty = False  # can an empty record (no leader, no fields) be written?

    def render_record(self, record: SourceRecord, number: str) -> str:
        fields = []
        for fld in record.record.fields:
            control = fld.control_field or is_control_tag(fld.tag)
            problem = label_problem(
                fld.tag,
                None if control else (fld.indicator1, fld.indicator2),
                () if control else [sub.code for sub in fld.subfields],
            )
            if problem is None:
                fields.append(fld)
            else:
                record.warn(f"field {fld.tag!r}: {problem}; the field is left out")
        if not self.holds_empty and not fields and not record.has_leader:
            raise RecordError("record has no fields and no leader: nothing to write")
        return self.render_fields(record, fields, number)

    def render_fields(self, record: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        """``record`` with ``fields``, whose labels are all MARC, as text."""
        raise NotImplementedError


class LineWriter(MarcWriter):
    """What text MARC and Aleph sequential share: one line per field."""

    numbered = True
    dollar_hazard = False  # text MARC: "$$" + letter inside a value splits it on reading
    caret_blanks = False  # Aleph: "^" for a blank in the leader and 006-008

    def _value(self, text: str, tag: str, source: SourceRecord) -> str:
        return one_line(text, tag, source)

    def _data(self, fld: pymarc.Field, source: SourceRecord) -> str:
        parts = []
        for position, sub in enumerate(fld.subfields):
            value = self._value(sub.value, fld.tag, source)
            if self.dollar_hazard and (
                DOLLAR_CODE.search(value) or (position and not sub.code[:1].isalnum())
            ):
                source.warn(
                    f"field {fld.tag}: subfield ${sub.code} cannot be told apart from"
                    " the one before it when read back ('$$' + letter or an odd code)"
                )
            parts.append(f"$${sub.code}{value}")
        return "".join(parts)

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        record = source.record
        sysno = number
        lines = []
        if source.has_leader:
            leader = self._value(str(record.leader), "LDR", source)
            lines.append(self._line(sysno, "LDR", " ", " ", leader.replace(" ", "^")))
        for fld in fields:
            if fld.control_field or is_control_tag(fld.tag):
                value = self._value(fld.data or "", fld.tag, source)
                if fld.tag in CARET_BLANK_TAGS and self.caret_blanks:
                    value = value.replace(" ", "^")
                lines.append(self._line(sysno, fld.tag, " ", " ", value))
            else:
                lines.append(
                    self._line(
                        sysno, fld.tag, fld.indicator1, fld.indicator2, self._data(fld, source)
                    )
                )
        return "".join(lines)

    def _line(self, sysno: str, tag: str, ind1: str, ind2: str, data: str) -> str:
        raise NotImplementedError


#: the leader written for a record read without one (Invenio text MARC): a new record
#: (05 ``n``) of no stated type (06-07 blank: the crosswalk reads it as no leader), UTF-8
DEFAULT_LEADER = "00000n   a2200000   4500"
LEADER_LENGTH = 24


def utf8_leader(source: SourceRecord) -> str:
    """The record's leader as written with the record in UTF-8: position 09 ``a``
    (a MARC-8 record was decoded on reading), 24 characters; a record without one
    gets :data:`DEFAULT_LEADER`."""
    if not source.has_leader:
        return DEFAULT_LEADER
    leader = str(source.record.leader)
    if len(leader) != LEADER_LENGTH or not leader.isascii() or not leader.isprintable():
        source.warn(f"leader {leader!r} is not 24 printable ASCII characters; written padded")
        leader = "".join(c if c.isascii() and c.isprintable() else " " for c in leader)
        leader = leader[:LEADER_LENGTH].ljust(LEADER_LENGTH)
    return leader[:9] + "a" + leader[10:]


def one_line(text: str, tag: str, source: SourceRecord) -> str:
    """A value as one line of a line format: a line break becomes a space and any
    other control character U+FFFD, each reported."""
    if text.isprintable():
        return text
    if "\n" in text or "\r" in text:
        source.warn(f"field {tag}: line break in a value written as a space")
        text = LINE_BREAK.sub(" ", text)
    if CONTROL.search(text):
        source.warn(f"field {tag}: a control character written as U+FFFD")
        text = CONTROL.sub("\ufffd", text)
    return text
