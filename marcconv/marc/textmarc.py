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
from typing import BinaryIO

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.marc import record as record_module
from marcconv.marc.dialects import foreign_line_message
from marcconv.marc.record import (
    LOCAL_CONTROL_TAGS,
    MAX_FIELDS,
    MAX_LINE_BYTES,
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

BLANK_INDICATORS = {"_": " ", " ": " "}
# a field label glued to the previous value in the collapsed form
_COLLAPSED_CACHE: dict[int, re.Pattern[str]] = {}


def _collapsed_pattern(width: int) -> re.Pattern[str]:
    pattern = _COLLAPSED_CACHE.get(width)
    if pattern is None:
        pattern = re.compile(rf" (\d{{{width}}}) ([0-9A-Za-z]{{3}})(.)(.)(?: |$)")
        _COLLAPSED_CACHE[width] = pattern
    return pattern


#: A field line being assembled: (line number, record id, tag, ind1, ind2, value).
#: A tuple, not an object: a dump has millions of them.
_Line = tuple[int, str, str, str, str, str]


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
    number, recid, tag, ind1, ind2, value = pending
    pattern = _collapsed_pattern(len(recid))
    if " " not in value or pattern.search(value) is None:
        return [pending]
    parts: list[_Line] = []
    start = 0
    for match in pattern.finditer(value):
        new_recid, new_tag = match.group(1), match.group(2)
        following = value[match.end() :]
        if new_recid != recid and not _looks_like_field(new_tag, following):
            continue
        if match.start() < start:
            continue
        parts.append((number, recid, tag, ind1, ind2, value[start : match.start()]))
        recid, tag, ind1, ind2 = new_recid, new_tag, match.group(3), match.group(4)
        start = match.end()
    parts.append((number, recid, tag, ind1, ind2, value[start:]))
    return parts


_new_field = object.__new__

#: raw indicator characters → the field's indicators ("_" and space are blank)
_INDICATOR_PAIRS: dict[tuple[str, str], pymarc.Indicators] = {}


def _indicators_of(ind1: str, ind2: str) -> pymarc.Indicators:
    pair = _INDICATOR_PAIRS.get((ind1, ind2))
    if pair is None:
        pair = indicator_pair((BLANK_INDICATORS.get(ind1, ind1), BLANK_INDICATORS.get(ind2, ind2)))
        if len(_INDICATOR_PAIRS) > 10_000:  # hostile input with endless indicator pairs
            _INDICATOR_PAIRS.clear()
        _INDICATOR_PAIRS[ind1, ind2] = pair
    return pair


def _add_line(item: _Line, out: SourceRecord) -> None:
    """Turn one field line into a field of ``out`` (or a warning)."""
    if out.failure is not None:  # over the field limit: the record is reported, not read on
        return
    number, _, tag, ind1, ind2, value = item
    if is_control_tag(tag):  # kept exactly: blanks are data in 008 and the leader
        if tag == "LDR":
            set_leader(out, value.replace("^", " "), number)
        else:
            add_field(out, SourceField(tag, number, data=value))
        return
    value = value.strip()
    if value[:2] == "$$" and len(value) > 2 and value[2] != "_":
        add_field(out, dollar_field(tag, number, _indicators_of(ind1, ind2), value))
    elif value[:3] == "$$_":
        add_field(out, SourceField(tag, number, data=value[3:]))
    elif not value:
        add_field(out, SourceField(tag, number, _indicators_of(ind1, ind2), subfields=[]))
    else:
        out.warn(
            f"field {tag}: subfield code missing (value must start with $$ and a code);"
            " field skipped",
            number,
        )


def is_collapsed(recid: str, value: str) -> bool:
    """Does the first field line of an input hold further fields (the collapsed form)?"""
    return _collapsed_pattern(len(recid)).search(value) is not None


#: a field line: ASCII digits, a space, a three-character tag, two indicators,
#: then nothing or a space and the value
_FIELD_LINE = re.compile(r"(\d+) ([0-9A-Za-z]{3})(.)(.)(?: (.*))?", re.ASCII | re.DOTALL)


def _label(line: str) -> tuple[str, str, str, str, str] | None:
    """``RECID TAG I1I2 VALUE`` split, if ``line`` has a field label's shape."""
    match = _FIELD_LINE.fullmatch(line)
    return None if match is None else match.groups("")  # type: ignore[return-value]


def label_of_line(line: str) -> tuple[str, str, str] | None:
    """(record id, tag, value) of a line that starts a field, else None."""
    label = _label(line.rstrip("\r\n"))
    if label is not None and _looks_like_field(label[1], label[4]):
        return label[0], label[1], label[4]
    return None


_NONE: list[SourceRecord] = []  # what most lines complete (never appended to)


class _Assembler:
    """Gathers field lines into records; a record is complete when the id changes."""

    __slots__ = ("collapsed", "current", "source")

    def __init__(self, source: str, collapsed: bool | None) -> None:
        self.source = source
        self.current: SourceRecord | None = None
        # Is the input in the collapsed form?  Its first field line says so; a line
        # of the one-field-per-line form is split only if it repeats its own id.
        self.collapsed = collapsed

    def add(self, pending: _Line) -> list[SourceRecord]:
        """Take a finished field line; return the records it completes."""
        recid, value = pending[1], pending[5]
        if self.collapsed is None:
            self.collapsed = is_collapsed(recid, value)
        current = self.current
        if (
            current is not None
            and current.record_id == recid
            and not self.collapsed
            and f" {recid} " not in value
        ):
            _add_line(pending, current)
            return _NONE
        done = []
        for item in _split_collapsed(pending):
            current = self.current
            if current is not None and item[1] != current.record_id:
                done.append(current)
                current = None
            if current is None:
                current = self.current = record_from(self.source, item[1], item[0])
            _add_line(item, current)
        return done


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
    records = _Assembler(source, collapsed)
    pending: _Line | None = None
    pending_recid = None
    more = _Continued()  # lines that continue the pending field's value
    indicator_pairs = _INDICATOR_PAIRS
    new_field = _new_field
    fields: list[pymarc.Field] = []  # the fields of the record being read
    marker = ""  # " RECID ": a value holding it may hide fields (the collapsed form)
    for number, (recid, tag, ind1, ind2, value, line) in enumerate(
        _rows(lines, first_line), first_line
    ):
        if recid:
            if pending_recid is None or recid == pending_recid or _looks_like_field(tag, value):
                if pending is not None:
                    if more.parts:
                        pending = more.joined(pending)
                    # the common line, done here: a data field of the record being read
                    p_number, p_recid, p_tag, p_ind1, p_ind2, held = pending
                    current = records.current
                    if (
                        held[:2] == "$$"
                        and held[2:3] not in ("", "_")
                        and current is not None
                        and current.record_id == p_recid
                        and current.failure is None
                        and records.collapsed is False
                        and p_tag[:2] != "00"
                        and p_tag not in LOCAL_CONTROL_TAGS
                        and not held[-1].isspace()
                        and marker not in held
                        and len(fields) < MAX_FIELDS
                    ):
                        pair = indicator_pairs.get((p_ind1, p_ind2))
                        if pair is None:
                            pair = _indicators_of(p_ind1, p_ind2)
                        fld = new_field(SourceField)
                        fld.tag = p_tag
                        fld.line = p_number
                        fld._raw = held
                        fld.control_field = False
                        fld.data = None
                        fld._indicators = pair
                        fields.append(fld)
                    else:
                        done = records.add(pending)
                        if done:
                            yield from done
                current = records.current
                if current is not None and current.record_id != recid:
                    records.current = None
                    yield current  # complete: no later line can join it
                if recid != pending_recid:
                    marker = f" {recid} "
                pending = (number, recid, tag, ind1, ind2, value)
                pending_recid = recid
                current = records.current
                if current is not None:
                    fields = current.record.fields
                continue
            line = f"{recid} {tag}{ind1}{ind2}" + (f" {value}" if value else "")
        elif not line or line.isspace():
            continue
        if pending is None:
            yield Diagnostic(
                Severity.WARNING,
                "text before the first field line (no record id and field label); skipped",
                source,
                number,
            )
            continue
        problem = foreign_line_message(line, "textmarc") or more.add(line.strip())
        if problem is not None:
            yield Diagnostic(Severity.ERROR, problem, source, number, pending_recid)
    if pending is not None:
        yield from records.add(more.joined(pending))
    if records.current is not None:
        yield records.current


#: a line of a chunk: a field line's label and value, or any other line
_ROW = re.compile(r"^(?:(\d+) ([0-9A-Za-z]{3})(.)(.)(?: (.*))?|(.*))$", re.ASCII | re.MULTILINE)


def _rows(lines: Iterable[str], first_line: int) -> Iterable[tuple[str, str, str, str, str, str]]:
    """(record id, tag, indicators, value, "") of each field line, ("", ..., line)
    of any other, in order.  A chunk's lines (a list with no carriage return) are
    split by one regular expression pass; a stream, line by line."""
    if isinstance(lines, list):
        text = "".join(lines)
        ends = text.count("\n")  # each line ends with one (the last may not)
        whole = ends == len(lines) or (ends == len(lines) - 1 and not text.endswith("\n"))
        if whole and "\r" not in text:
            if first_line == 1 and text.startswith("\ufeff"):
                text = text[1:]
            rows: list[tuple[str, str, str, str, str, str]] = _ROW.findall(text)
            return rows[: len(lines)]  # not the empty match after the last line end
    return _rows_of_lines(lines, first_line)


def _rows_of_lines(
    lines: Iterable[str], first_line: int
) -> Iterator[tuple[str, str, str, str, str, str]]:
    match = _FIELD_LINE.fullmatch
    for number, raw in enumerate(lines, first_line):
        line = raw.rstrip("\r\n")
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        found = match(line)
        if found is None:
            yield "", "", "", "", "", line
        else:
            recid, tag, ind1, ind2, value = found.groups("")
            yield recid, tag, ind1, ind2, value, ""


class _Continued:
    """The lines that continue a value, joined once the field is complete (joining
    them one by one would copy the value at every line: quadratic)."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> str | None:
        """Take a continuation line; a message if the value is past the limit."""
        self.size += len(text) + 1
        if self.size > MAX_LINE_BYTES:
            return f"a value longer than {MAX_LINE_BYTES >> 20} MiB (the limit); line skipped"
        self.parts.append(text)
        return None

    def joined(self, pending: _Line) -> _Line:
        """``pending`` with its continuation lines; ready for the next field."""
        if not self.parts:
            return pending
        value = " ".join([pending[5], *self.parts])
        self.parts, self.size = [], 0
        return (*pending[:5], value)


# ------------------------------------------------------------------------- cutting
def chunks(
    lines: Iterable[str], source: str, notes: list[Diagnostic], size: int | None = None
) -> Iterator[Chunk]:
    """Text MARC lines cut before a line that starts a new record for certain.

    That is a field line whose id differs from the previous field line's, when
    nothing since that line could be split as the collapsed form (whose pieces may
    carry other ids).  A collapsed input is never cut.  Lines are only looked at
    once a batch is full, so this costs next to nothing.
    """
    size = size or record_module.CHUNK_LINES
    batch = Chunk(source, "textmarc")
    first: tuple[str, list[str]] | None = None  # the input's first field: id, value parts
    # once the batch is full: its last field line's id, and whether a line since
    # holds a field of the collapsed form (whose pieces may carry other ids)
    tail: tuple[str | None, bool] | None = None
    for number, line in enumerate(lines, 1):
        if batch.collapsed is None:  # until the input's first field is complete
            label = label_of_line(line)
            if label is None:
                if first is not None:
                    first[1].append(line.strip())
            elif first is None:
                first = (label[0], [label[2]])
            else:
                batch.collapsed = is_collapsed(first[0], " ".join(first[1]))
        elif len(batch.lines) >= size and not batch.collapsed:
            if tail is None:
                tail = _tail(batch.lines)
            label = label_of_line(line)
            if label is None:
                if tail[0] is not None and not tail[1]:
                    tail = (tail[0], is_collapsed(tail[0], line))
            elif tail[0] is not None and label[0] != tail[0] and not tail[1]:
                hand_over(notes, batch, number)
                yield batch
                batch = Chunk(source, "textmarc", number, collapsed=False)
                tail = None
            else:
                tail = (label[0], is_collapsed(label[0], line))
        batch.lines.append(line)
    if batch.lines or notes:
        batch.notes = list(notes)
        yield batch


def _tail(lines: list[str]) -> tuple[str | None, bool]:
    """The id of the last field line of ``lines`` and whether a line from it on
    holds a field of the collapsed form: a field line with another id starts a
    record for certain only when it does not."""
    for back in range(len(lines) - 1, -1, -1):
        label = label_of_line(lines[back])
        if label is not None:
            return label[0], any(is_collapsed(label[0], text) for text in lines[back:])
    return None, False


def read_chunk(chunk: Chunk) -> Iterator[SourceRecord | Diagnostic]:
    return read_textmarc(chunk.lines, chunk.source, chunk.first_line, chunk.collapsed)


def _record_id(line: bytes) -> bytes | None:
    label = label_of_line(line.decode("utf-8", "replace"))
    return None if label is None else label[0].encode()


def _hides(recid: bytes, line: bytes) -> bool:
    return is_collapsed(recid.decode(), line.decode("utf-8", "replace"))


def record_start(stream: BinaryIO, offset: int) -> int:
    """The first byte at or after ``offset`` where a record starts (see :class:`Cutting`)."""
    return line_record_start(stream, offset, _record_id, _hides)


CUTTING = Cutting(chunks, read_chunk, record_start=record_start)


class TextmarcWriter(LineWriter):
    """``000000001 245__ $$aTitle``: blank indicators as ``_``, the leader as ``LDR``."""

    name = "textmarc"
    extension = "txt"
    dollar_hazard = True

    def _line(self, sysno: str, tag: str, ind1: str, ind2: str, data: str) -> str:
        if tag == "LDR":
            return f"{sysno} LDR__ {data}\n"
        ind = f"{ind1 if ind1 != ' ' else '_'}{ind2 if ind2 != ' ' else '_'}"
        return f"{sysno} {tag}{ind} {data}\n"
