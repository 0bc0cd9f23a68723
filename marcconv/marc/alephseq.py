"""Aleph sequential: ``SYS TAG I1I2 L DATA``, one field per line.

Grammar (``FORMATS.md`` §2): a run of digits (the system number, 9 wide in
Aleph), a space, a three-character tag (``245``, or a local ``FMT``, ``CAT``,
``OWN``...), two indicator characters (blank is a space; Invenio writes ``_``),
one or more spaces, the one-letter ``L`` column, a space and the data.

* ``FMT``, ``LDR`` and ``00X`` carry a raw value; in ``LDR``, ``006``, ``007``
  and ``008`` a ``^`` stands for a blank.
* Other fields carry ``$$`` + code + value, split as in text MARC.
* A record ends when the system number changes, or at an ``FMT`` line once the
  record has fields (Aleph opens every record with ``FMT``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.marc import record as record_module
from marcconv.marc.dialects import mixed_dialect_message
from marcconv.marc.record import (
    Chunk,
    Cutting,
    SourceField,
    SourceRecord,
    add_field,
    dollar_field,
    hand_over,
    indicator_pair,
    is_control_tag,
    line_record_start,
    record_from,
    set_leader,
)
from marcconv.marc.writing import LineWriter

ALEPH_LINE = re.compile(r"(\d+) ([0-9A-Za-z]{3})(.)(.) +([A-Za-z]) ?(.*)")
BLANK_INDICATORS = {"_": " "}
#: fixed-length fields in which Aleph writes ``^`` for a blank
CARET_BLANK_TAGS = frozenset({"LDR", "006", "007", "008"})


def _field(
    tag: str, ind1: str, ind2: str, data: str, number: int, out: SourceRecord
) -> SourceField | None:
    if is_control_tag(tag):
        value = data.replace("^", " ") if tag in CARET_BLANK_TAGS else data
        return SourceField(tag, number, data=value)
    indicators = (BLANK_INDICATORS.get(ind1, ind1), BLANK_INDICATORS.get(ind2, ind2))
    if not data:
        return SourceField(tag, number, indicators=indicators, subfields=[])
    if not data.startswith("$$") or len(data) < 3:
        out.warn(
            f"field {tag}: subfield code missing (data must start with $$ and a code);"
            " field skipped",
            number,
        )
        return None
    return dollar_field(tag, number, indicator_pair(indicators), data)


def read_alephseq(
    lines: Iterable[str], source: str = "<stdin>", first_line: int = 1
) -> Iterator[SourceRecord | Diagnostic]:
    """Yield one :class:`SourceRecord` per system number (or per ``FMT`` line).

    ``first_line`` numbers the first of ``lines`` (a batch cut from a longer input).
    """
    current: SourceRecord | None = None
    for number, raw in enumerate(lines, first_line):
        line = raw.rstrip("\r\n")
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line.strip():
            continue
        match = ALEPH_LINE.fullmatch(line)
        if match is None:
            yield Diagnostic(
                Severity.ERROR,
                mixed_dialect_message(line, "alephseq")
                or "not an Aleph sequential line (SYS TAG I1I2 L DATA); line skipped",
                source,
                number,
                current.record_id if current is not None else None,
            )
            continue
        sysno, tag, ind1, ind2, _column, data = match.groups()
        if current is not None and (
            sysno != current.record_id or (tag == "FMT" and current.record.fields)
        ):
            yield current
            current = None
        if current is None:
            current = record_from(source, sysno, number)
        if tag == "LDR":
            set_leader(current, data.replace("^", " "), number)
            continue
        fld = _field(tag, ind1, ind2, data, number, current)
        if fld is not None:
            add_field(current, fld)
    if current is not None:
        yield current


# ------------------------------------------------------------------------- cutting
def chunks(
    lines: Iterable[str], source: str, notes: list[Diagnostic], size: int | None = None
) -> Iterator[Chunk]:
    """Aleph sequential lines cut where the system number changes."""
    size = size or record_module.CHUNK_LINES
    batch = Chunk(source, "alephseq")
    previous: str | None = None
    for number, line in enumerate(lines, 1):
        match = ALEPH_LINE.match(line)
        if match is not None:
            sysno = match.group(1)
            if len(batch.lines) >= size and previous is not None and sysno != previous:
                hand_over(notes, batch, number)
                yield batch
                batch = Chunk(source, "alephseq", number)
            previous = sysno
        batch.lines.append(line)
    if batch.lines or notes:
        batch.notes = list(notes)
        yield batch


def read_chunk(chunk: Chunk) -> Iterator[SourceRecord | Diagnostic]:
    return read_alephseq(chunk.lines, chunk.source, chunk.first_line)


def _record_id(line: bytes) -> bytes | None:
    match = ALEPH_LINE.match(line.decode("utf-8", "replace"))
    return None if match is None else match.group(1).encode()


def record_start(stream: BinaryIO, offset: int) -> int:
    """The first byte at or after ``offset`` where a record starts (see :class:`Cutting`)."""
    return line_record_start(stream, offset, _record_id)


CUTTING = Cutting(chunks, read_chunk, record_start=record_start)


#: Aleph's record format (``FMT``) by the leader's type of record (06)
FORMAT_BY_TYPE = {
    "a": "BK", "t": "BK",  # language material; serial when 07 is b, i or s
    "c": "MU", "d": "MU", "i": "MU", "j": "MU",  # music, sound recordings
    "e": "MP", "f": "MP",  # maps
    "g": "VM", "k": "VM", "o": "VM", "r": "VM",  # visual materials
    "m": "CF",  # computer files
    "p": "MX",  # mixed materials
}  # fmt: skip
SERIAL_LEVELS = frozenset("bis")


def aleph_format(source: SourceRecord) -> str:
    """The ``FMT`` Aleph gives a record: from its leader, ``BK`` without one."""
    if not source.has_leader:
        return "BK"
    leader = str(source.record.leader)
    kind = FORMAT_BY_TYPE.get(leader[6:7], "BK")
    return "SE" if kind == "BK" and leader[7:8] in SERIAL_LEVELS else kind


class AlephseqWriter(LineWriter):
    """``000000001 FMT   L BK``, ``000000001 24510 L $$aTitle``: every record opens
    with its ``FMT`` line as in Aleph (readers such as Catmandu's start a record
    there), made from the leader when the record has none; blank indicators as
    spaces, ``^`` for blanks in the leader and 006-008."""

    name = "alephseq"
    extension = "seq"
    caret_blanks = True

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        formats = [fld for fld in fields if fld.tag == "FMT"]
        for extra in formats[1:]:
            source.warn(f"second FMT field {extra.data!r} left out: an FMT line opens a record")
        fmt = formats[0].data if formats and formats[0].data else aleph_format(source)
        rest = [fld for fld in fields if fld.tag != "FMT"]
        opening = self._line(number, "FMT", " ", " ", self._value(fmt, "FMT", source))
        return opening + super().render_fields(source, rest, number)

    def _line(self, sysno: str, tag: str, ind1: str, ind2: str, data: str) -> str:
        return f"{sysno} {tag}{ind1}{ind2} L {data}\n"
