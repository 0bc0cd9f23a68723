"""ISO 2709 ("binary MARC", ``.mrc``), UTF-8 or MARC-8.

Records are cut at the record terminator (0x1D) rather than by the length the
leader states, so a leader that lies about the length costs only a warning and
not every record after it.  Each record is then decoded by pymarc: MARC-8
records (leader/09 blank) are converted to Unicode, UTF-8 ones decoded, with an
invalid byte reported and replaced.  When the directory itself is wrong, the
fields are recovered by splitting the data at the field terminators (0x1E) and
taking the tags from the directory in order.

Binary records have no lines: a diagnostic names the record by its ``001`` (or
its position in the file) and gives its byte offset.

:class:`Iso2709Writer` writes records in UTF-8 (leader/09 ``a``, whatever the
input's encoding), assembled by pymarc; a record or field longer than the
format's lengths can state (99,999 and 9,999 bytes) is refused, and a
terminator character inside a value, which would cut the record, is replaced.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

import pymarc

from marcconv.errors import Diagnostic, RecordError, Severity
from marcconv.marc.record import (
    LOCAL_CONTROL_TAGS,
    Chunk,
    Cutting,
    SourceField,
    SourceRecord,
    add_field,
    control_number,
    is_control_tag,
    reads_bytes,
    record_from,
)
from marcconv.marc.writing import MarcWriter, utf8_leader

RECORD_END = b"\x1d"
FIELD_END = b"\x1e"
SUBFIELD_START = b"\x1f"
BLOCK = 1 << 16
#: ISO 2709 allows 99,999 bytes; input with no terminator in this many is not MARC
MAX_RECORD = 1 << 24
LEADER_LENGTH = 24


def _chunks(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(byte offset, record bytes without the terminator) for each record."""
    pending = b""
    offset = 0
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        pending += block
        start = 0
        end = pending.find(RECORD_END)
        while end >= 0:
            yield offset, pending[start:end]
            offset += end + 1 - start
            start = end + 1
            end = pending.find(RECORD_END, start)
        pending = pending[start:]
        if len(pending) > MAX_RECORD:
            yield offset, pending  # reported as not MARC; reading goes on after it
            offset += len(pending)
            pending = b""
    if pending.strip(b" \r\n\x00\x1a"):
        yield offset, pending


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_PYMARC_LOG = logging.getLogger("pymarc")


def _directory_consistent(data: bytes) -> bool:
    """Does every directory entry end on a field terminator?"""
    try:
        base = int(data[12:17])
        end = data.index(FIELD_END)
    except ValueError:
        return False
    directory = data[LEADER_LENGTH:end]
    if base != end + 1 or len(directory) % 12:
        return False
    for i in range(0, len(directory), 12):
        entry = directory[i : i + 12]
        if not entry[3:12].isdigit():
            return False
        last = base + int(entry[7:12]) + int(entry[3:7]) - 1
        if data[last : last + 1] != FIELD_END:
            return False
    return True


#: the mark some catalogues end a field with when they continue it in the next
WRAP_MARK = b"++" + FIELD_END


def _join_wrapped(data: bytes, out: SourceRecord) -> bytes:
    """The record with its wrapped fields joined again.

    Some catalogues split a long field into several with the same tag: each but
    the last ends in "++", each after the first starts with two blank indicators
    and goes on with the text, with no subfield code (Open Library's test record
    ``wrapped_lines.mrc``; Open Library's parser joins them so).  Read as they
    stand, the text after the split would be lost.  ``data`` has a consistent
    directory.
    """
    base = int(data[12:17])
    directory = data[LEADER_LENGTH : base - 1]
    entries = [directory[i : i + 12] for i in range(0, len(directory), 12)]
    bodies = [data[base + int(e[7:12]) : base + int(e[7:12]) + int(e[3:7])] for e in entries]
    tags: list[bytes] = []
    joined: list[bytes] = []
    for entry, body in zip(entries, bodies, strict=True):
        tag = entry[:3]
        if (
            joined
            and tags[-1] == tag
            and joined[-1].endswith(WRAP_MARK)
            and SUBFIELD_START not in body[:3]
        ):
            joined[-1] = joined[-1][: -len(WRAP_MARK)] + body[2:]
            continue
        tags.append(tag)
        joined.append(body)
    if len(joined) == len(bodies):
        return data
    out.warn(
        f'{len(bodies) - len(joined)} wrapped fields (ending in "++") joined to the field before'
    )
    start = 0
    new_directory = b""
    for tag, body in zip(tags, joined, strict=True):
        new_directory += tag + b"%04d%05d" % (len(body), start)
        start += len(body)
    new_base = LEADER_LENGTH + len(new_directory) + 1
    length = new_base + start + 1
    leader = b"%05d" % length + data[5:12] + b"%05d" % new_base + data[17:LEADER_LENGTH]
    return leader + new_directory + FIELD_END + b"".join(joined) + RECORD_END


def _parse(data: bytes, utf8: bool, handling: str) -> pymarc.Record:
    return pymarc.Record(
        data=data,
        to_unicode=True,
        force_utf8=utf8,
        hide_utf8_warnings=True,
        utf8_handling=handling,
    )


def _decode_fields(data: bytes, out: SourceRecord, utf8: bool) -> list[SourceField]:
    """pymarc's decoding, with the warnings, log lines and stderr notes it gives
    turned into ours."""
    capture = _LogCapture()
    stderr = io.StringIO()
    _PYMARC_LOG.addHandler(capture)
    _PYMARC_LOG.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(stderr):
            warnings.simplefilter("always")
            try:
                parsed = _parse(data, utf8, "strict")
            except UnicodeDecodeError as exc:
                out.warn(f"invalid UTF-8 byte 0x{exc.object[exc.start]:02x} (replaced by U+FFFD)")
                parsed = _parse(data, utf8, "replace")
    finally:
        _PYMARC_LOG.removeHandler(capture)
    for warning in caught:
        out.warn(f"{type(warning.message).__name__}: {warning.message}")
    for message in [*capture.messages, *stderr.getvalue().splitlines()]:
        out.warn(f"MARC decoding: {message}")
    return [_source_field(fld) for fld in parsed.fields]


def _source_field(fld: pymarc.Field) -> SourceField:
    if fld.control_field:
        return SourceField(fld.tag, 0, data=fld.data)
    return SourceField(fld.tag, 0, (fld.indicator1, fld.indicator2), list(fld.subfields))


def _recover_fields(data: bytes, out: SourceRecord, utf8: bool) -> list[SourceField]:
    """Fields from the field terminators when the directory's lengths are wrong."""
    first_end = data.find(FIELD_END)
    directory = data[LEADER_LENGTH:first_end]
    tags = [directory[i : i + 3].decode("ascii", "replace") for i in range(0, len(directory), 12)]
    bodies = data[first_end + 1 :].split(FIELD_END)
    encoding = "utf-8" if utf8 else "latin-1"
    fields: list[SourceField] = []
    for tag, body in zip(tags, bodies, strict=False):
        if is_control_tag(tag):
            fields.append(SourceField(tag, 0, data=body.decode(encoding, "replace")))
            continue
        indicators, *subfields = body.split(SUBFIELD_START)
        ind = (indicators.decode(encoding, "replace") + "  ")[:2]
        fields.append(
            SourceField(
                tag,
                0,
                (ind[0], ind[1]),
                [
                    pymarc.Subfield(s[:1].decode("latin-1"), _text(s[1:], utf8, out))
                    for s in subfields
                    if s
                ],
            )
        )
    return fields


def _text(value: bytes, utf8: bool, out: SourceRecord | None = None) -> str:
    if utf8:
        return value.decode("utf-8", "replace")
    try:
        return str(pymarc.marc8_to_unicode(value, hide_utf8_warnings=True))
    except UnicodeDecodeError:  # a broken MARC-8 escape sequence
        if out is not None:
            out.warn("a value is not valid MARC-8; its undecodable bytes written as U+FFFD")
        return value.decode("ascii", "replace")


def _record(offset: int, data: bytes, ordinal: int, source: str) -> SourceRecord | Diagnostic:
    leader = data[:LEADER_LENGTH].decode("ascii", "replace")
    if len(data) < LEADER_LENGTH + 1 or len(data) > MAX_RECORD or FIELD_END not in data:
        return Diagnostic(
            Severity.ERROR,
            f"record {ordinal} at byte {offset} is not MARC ({len(data)} bytes with no leader,"
            " field terminator or record terminator where expected); skipped",
            source,
        )
    out = record_from(source, str(ordinal), None, leader)
    actual = f"{len(data) + 1:05d}"
    if not leader[:5].isdigit() or int(leader[:5]) != len(data) + 1:
        out.warn(
            f"leader gives record length {leader[:5]!r}, the record has {actual} bytes"
            f" (at byte {offset})"
        )
        data = actual.encode() + data[5:]
    data += RECORD_END
    utf8 = leader[9:10] == "a"
    if _directory_consistent(data):
        if WRAP_MARK in data:
            data = _join_wrapped(data, out)
        try:
            fields = _decode_fields(data, out, utf8)
            if any(fld.tag in LOCAL_CONTROL_TAGS for fld in fields):
                fields = _recover_fields(data, out, utf8)  # pymarc reads FMT as a data field
        except pymarc.exceptions.NoFieldsFound:
            fields = []
        except Exception as exc:
            out.warn(
                f"pymarc cannot decode the record ({exc}); fields recovered from the"
                f" field terminators (at byte {offset})"
            )
            fields = _recover_fields(data, out, utf8)
    else:
        out.warn(
            f"directory does not match the field terminators; fields recovered from"
            f" the terminators (at byte {offset})"
        )
        fields = _recover_fields(data, out, utf8)
    for fld in fields:
        add_field(out, fld)
    number = control_number(out.record)
    if number is not None:
        out.record_id = number
        out.diagnostics = [replace(d, record_id=number) for d in out.diagnostics]
    return out


def _next_leader_at(data: bytes) -> int | None:
    """Where a record that lost its terminator ends and the next one's leader starts:
    at the length its leader gives, when a field terminator ends it there and a
    leader (five digits, then "22" at 10-11) follows."""
    length = data[:5]
    if not length.isdigit():
        return None
    end = int(length) - 1  # the stated length counts the missing terminator
    if not LEADER_LENGTH < end < len(data) - LEADER_LENGTH or data[end - 1 : end] != FIELD_END:
        return None
    following = data[end : end + LEADER_LENGTH]
    return end if following[:5].isdigit() and following[10:12] == b"22" else None


def _records(stream: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(byte offset, record bytes, whether its terminator was missing) of each record."""
    for offset, chunk in _chunks(stream):
        data = chunk.lstrip(b"\r\n")
        offset += len(chunk) - len(data)
        while (end := _next_leader_at(data)) is not None:
            yield offset, data[:end], True
            offset, data = offset + end, data[end:]
        yield offset, data, False


@reads_bytes
def read_iso2709(stream: BinaryIO, source: str = "<stdin>") -> Iterator[SourceRecord | Diagnostic]:
    """Yield each record of a binary MARC file."""
    for ordinal, (offset, data, unterminated) in enumerate(_records(stream), 1):
        yield _framed(ordinal, offset, data, unterminated, source)


def _framed(
    ordinal: int, offset: int, data: bytes, unterminated: bool, source: str
) -> SourceRecord | Diagnostic:
    record = _record(offset, data, ordinal, source)
    if unterminated and isinstance(record, SourceRecord):
        record.warn(
            f"record terminator (0x1D) missing at byte {offset + len(data)}; the next"
            " record starts there"
        )
    return record


# ------------------------------------------------------------------------- cutting
#: records in a chunk
CHUNK_RECORDS = 200


def chunks(
    stream: BinaryIO, source: str, notes: list[Diagnostic], size: int | None = None
) -> Iterator[Chunk]:
    """The records of a binary MARC stream, cut at their terminators (found without
    decoding a record), ``size`` to a chunk, each with its ordinal and offset."""
    size = size or CHUNK_RECORDS
    chunk = Chunk(source, "iso2709")
    for ordinal, (offset, data, unterminated) in enumerate(_records(stream), 1):
        chunk.records.append((ordinal, offset, data, unterminated))
        if len(chunk.records) >= size:
            yield chunk
            chunk = Chunk(source, "iso2709")
    if chunk.records:
        yield chunk


def read_chunk(chunk: Chunk) -> Iterator[SourceRecord | Diagnostic]:
    for ordinal, offset, data, unterminated in chunk.records:
        yield _framed(ordinal, offset, data, unterminated, chunk.source)


def record_start(stream: BinaryIO, offset: int) -> int:
    """The first byte at or after ``offset`` where a record starts: after a record
    terminator (the stream's end if none follows)."""
    if offset <= 0:
        return 0
    stream.seek(offset - 1)
    position = offset - 1
    while block := stream.read(BLOCK):
        found = block.find(RECORD_END)
        if found >= 0:
            return position + found + 1
        position += len(block)
    return position


CUTTING = Cutting(chunks, read_chunk, binary=True, record_start=record_start)


#: the largest record and field ISO 2709's leader and directory can state
MAX_WRITTEN_RECORD = 99_999
MAX_WRITTEN_FIELD = 9_999
_STRUCTURE = str.maketrans({"\x1d": "\ufffd", "\x1e": "\ufffd", "\x1f": "\ufffd"})


class Iso2709Writer(MarcWriter):
    """Binary MARC (``.mrc``) in UTF-8.

    The text a record renders to is its bytes decoded as UTF-8, so it passes
    through the run's text streams, which write UTF-8, unchanged."""

    name = "iso2709"
    extension = "mrc"
    holds_empty = True  # a leader and an empty directory

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        record = pymarc.Record(leader=utf8_leader(source), force_utf8=True)
        record.fields = [self._safe(fld, source) for fld in fields]
        data = record.as_marc()
        if len(data) > MAX_WRITTEN_RECORD:
            raise RecordError(
                f"the record is {len(data):,} bytes; ISO 2709 holds at most"
                f" {MAX_WRITTEN_RECORD:,} (-t marcxml or marc-json hold it)"
            )
        base = int(data[12:17])
        if (base - 25) % 12:  # a directory entry grew past 12 bytes: a field over 9,999
            raise RecordError(
                f"a field is over {MAX_WRITTEN_FIELD:,} bytes, more than an ISO 2709"
                " directory entry can state (-t marcxml or marc-json hold it)"
            )
        return data.decode("utf-8")

    @staticmethod
    def _safe(fld: pymarc.Field, source: SourceRecord) -> pymarc.Field:
        """The field with any record, field or subfield terminator in a value replaced
        (a :class:`SourceField`, which keeps Aleph's FMT a control field)."""
        if fld.control_field or is_control_tag(fld.tag):
            data = fld.data or ""
            if data.translate(_STRUCTURE) != data:
                source.warn(f"field {fld.tag}: a MARC terminator character written as U+FFFD")
                data = data.translate(_STRUCTURE)
            return SourceField(fld.tag, 0, data=data)
        subfields = []
        for sub in fld.subfields:
            if not sub.code.isascii() or sub.code in "\x1d\x1e\x1f":
                source.warn(
                    f"field {fld.tag}: subfield code {sub.code!r} is not one ASCII character,"
                    " which ISO 2709 cannot hold; the subfield is left out"
                )
                continue
            value = sub.value.translate(_STRUCTURE)
            if value != sub.value:
                source.warn(f"field {fld.tag}: a MARC terminator character written as U+FFFD")
            subfields.append(pymarc.Subfield(sub.code, value))
        indicators = [
            i if i.isascii() and i not in "\x1d\x1e\x1f" else " "
            for i in (fld.indicator1, fld.indicator2)
        ]
        if indicators != [fld.indicator1, fld.indicator2]:
            source.warn(
                f"field {fld.tag}: an indicator that is not one ASCII character, which"
                " ISO 2709 cannot hold, written as a blank"
            )
        return SourceField(fld.tag, 0, (indicators[0], indicators[1]), subfields)
