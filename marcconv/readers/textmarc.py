"""Invenio text MARC: ``RECID TAG IND1IND2 VALUE``, one field per line.

Grammar and the rules of Invenio's own reader and writer: ``FORMATS.md`` §1 of
the project's reference notes, summarised here.

* RECID is a run of digits (Invenio pads it to 9); a change of RECID starts a
  new record.
* TAG is three characters, digits or letters (``LDR``, ``FMT``, ``FFT``).
* Each indicator is one character; ``_`` and space both mean blank.
* ``00X``, ``LDR`` and ``FMT`` carry a raw value, kept with its blanks (they are
  positions in ``008``); a raw value of any other tag is written ``$$_value`` by
  Invenio's ``xmlmarc2textmarc``.  Data field values lose edge white space, as
  in Invenio.
* Data fields carry ``$$`` + one-character code + value.  The first code is
  whatever follows the leading ``$$``; further subfields start only at ``$$``
  followed by a letter or digit, because Invenio never escapes ``$$`` and real
  abstracts hold LaTeX ``$$...$$`` and single ``$``.
* A line that does not start with a field label continues the previous value
  (Invenio prints multi-line values raw); it is joined with one space.
* The *collapsed* form, in which every line break was flattened to a space, is
  split again before each `` RECID TAG IND1IND2 `` token with an id of the same
  width.  It gives exactly the same records as the one-field-per-line form.
* A UTF-8 BOM, CRLF line ends and blank lines are accepted.

The reader is a generator: it holds one record at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.readers.base import (
    MAX_FIELDS,
    SourceField,
    SourceRecord,
    add_field,
    is_control_tag,
    set_leader,
)

BLANK_INDICATORS = {"_": " ", " ": " "}
# a field label glued to the previous value in the collapsed form
_COLLAPSED_CACHE: dict[int, re.Pattern[str]] = {}


def _collapsed_pattern(width: int) -> re.Pattern[str]:
    pattern = _COLLAPSED_CACHE.get(width)
    if pattern is None:
        pattern = re.compile(rf" (\d{{{width}}}) ([0-9A-Za-z]{{3}})(.)(.)(?: |$)")
        _COLLAPSED_CACHE[width] = pattern
    return pattern


class _Line:
    """A field line being assembled (it may still receive continuation lines)."""

    __slots__ = ("ind1", "ind2", "number", "recid", "tag", "value")

    def __init__(self, number: int, recid: str, tag: str, ind1: str, ind2: str, value: str):
        self.number = number
        self.recid = recid
        self.tag = tag
        self.ind1 = ind1
        self.ind2 = ind2
        self.value = value


def _looks_like_field(tag: str, value: str) -> bool:
    """Is a line with a new record id a field line, rather than continued text?

    A numeric tag in the exact label shape is a field (and is reported if its
    value is malformed); a letter tag ("2019 was ...") only when its value has a
    field's shape.
    """
    if tag.isdigit():
        return True
    return not tag.islower() and (value == "" or value.startswith("$$") or is_control_tag(tag))


def _split_collapsed(pending: _Line) -> list[_Line]:
    """Undo the collapsed form: one value that holds further ``RECID LABEL`` tokens."""
    pattern = _collapsed_pattern(len(pending.recid))
    value = pending.value
    if " " not in value or pattern.search(value) is None:
        return [pending]
    parts: list[_Line] = []
    current = pending
    start = 0
    for match in pattern.finditer(value):
        recid, tag = match.group(1), match.group(2)
        following = value[match.end() :]
        if recid != current.recid and not _looks_like_field(tag, following):
            continue
        if match.start() < start:
            continue
        current.value = value[start : match.start()]
        parts.append(current)
        current = _Line(pending.number, recid, tag, match.group(3), match.group(4), "")
        start = match.end()
    current.value = value[start:]
    parts.append(current)
    return parts


def _to_field(item: _Line, out: SourceRecord) -> SourceField | None:
    tag = item.tag
    if is_control_tag(tag):  # kept exactly: blanks are data in 008 and the leader
        return SourceField(tag, item.number, data=item.value)
    value = item.value.strip()
    if value.startswith("$$_"):
        return SourceField(tag, item.number, data=value[3:])
    indicators = (
        BLANK_INDICATORS.get(item.ind1, item.ind1),
        BLANK_INDICATORS.get(item.ind2, item.ind2),
    )
    if not value:
        return SourceField(tag, item.number, indicators=indicators, subfields=[])
    if not value.startswith("$$") or len(value) < 3:
        out.warn(
            f"field {tag}: subfield code missing (value must start with $$ and a code);"
            " field skipped",
            item.number,
        )
        return None
    return SourceField.dollar_field(tag, item.number, indicators, value)


def _build(lines: list[_Line], source: str) -> SourceRecord:
    first = lines[0]
    out = SourceRecord(pymarc.Record(), first.recid, source, first.number)
    for item in lines:
        field = _to_field(item, out)
        if field is None:
            continue
        if field.tag == "LDR" and field.data is not None:
            set_leader(out, field.data.replace("^", " "), item.number)
            continue
        add_field(out, field)
    return out


def is_collapsed(recid: str, value: str) -> bool:
    """Does the first field line of an input hold further fields (the collapsed form)?"""
    return _collapsed_pattern(len(recid)).search(value) is not None


def _label(line: str) -> tuple[str, str, str, str, str] | None:
    """``RECID TAG I1I2 VALUE`` split, if ``line`` has a field label's shape."""
    space = line.find(" ")
    recid = line[:space]
    if space > 0 and recid.isascii() and recid.isdigit() and len(line) >= space + 6:
        tag = line[space + 1 : space + 4]
        end = space + 6
        if tag.isascii() and tag.isalnum() and (len(line) == end or line[end] == " "):
            return recid, tag, line[space + 4], line[space + 5], line[end + 1 :]
    return None


def label_of_line(line: str) -> tuple[str, str, str] | None:
    """(record id, tag, value) of a line that starts a field, else None."""
    label = _label(line.rstrip("\r\n"))
    if label is not None and _looks_like_field(label[1], label[4]):
        return label[0], label[1], label[4]
    return None


class _Assembler:
    """Gathers field lines into records; a record is complete when the id changes."""

    __slots__ = ("collapsed", "current", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.current: list[_Line] = []
        # Is the input in the collapsed form?  Its first field line says so; a line
        # of the one-field-per-line form is split only if it repeats its own id.
        self.collapsed: bool | None = None

    def add(self, pending: _Line) -> list[SourceRecord]:
        """Take a finished field line; return the records it completes."""
        if self.collapsed is None:
            self.collapsed = is_collapsed(pending.recid, pending.value)
        split = self.collapsed or f" {pending.recid} " in pending.value
        done = []
        for item in _split_collapsed(pending) if split else (pending,):
            if self.current and item.recid != self.current[0].recid:
                done.append(self.flush())
            if len(self.current) <= MAX_FIELDS:  # one more than the limit marks the record
                self.current.append(item)
        return done

    def complete_before(self, recid: str) -> SourceRecord | None:
        """The record in hand, if a line with ``recid`` cannot belong to it."""
        if self.current and recid != self.current[0].recid:
            return self.flush()
        return None

    def flush(self) -> SourceRecord:
        record, self.current = _build(self.current, self.source), []
        return record


def read_textmarc(
    lines: Iterable[str],
    source: str = "<stdin>",
    first_line: int = 1,
    collapsed: bool | None = None,
) -> Iterator[SourceRecord | Diagnostic]:
    """Yield one :class:`SourceRecord` per run of lines with the same record id.

    For a batch cut from a longer input, ``first_line`` numbers its first line and
    ``collapsed`` passes on what the input's first line said (see :func:`is_collapsed`).
    """
    records = _Assembler(source)
    records.collapsed = collapsed
    pending: _Line | None = None
    number = first_line - 1
    for raw in lines:
        number += 1
        line = raw.rstrip("\r\n")
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line or line.isspace():
            continue
        label = _label(line)
        if label is not None:
            recid, tag, ind1, ind2, value = label
            if pending is None or recid == pending.recid or _looks_like_field(tag, value):
                if pending is not None:
                    yield from records.add(pending)
                done = records.complete_before(recid)
                if done is not None:
                    yield done  # complete: no later line can join it
                pending = _Line(number, recid, tag, ind1, ind2, value)
                continue
        if pending is None:
            yield Diagnostic(
                Severity.WARNING,
                "text before the first field line (no record id and field label); skipped",
                source,
                number,
            )
            continue
        pending.value = f"{pending.value} {line.strip()}"
    if pending is not None:
        yield from records.add(pending)
    if records.current:
        yield records.flush()
