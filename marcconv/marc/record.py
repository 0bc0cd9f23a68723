"""The MARC view every serialisation shares: a pymarc record that remembers where it
came from, its fields, and the record-aligned chunks an input is cut into."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypeVar

import pymarc

from marcconv.errors import Diagnostic, Severity

#: Limits that keep hostile input from exhausting memory (see the README).
MAX_LINE_BYTES = 1 << 24  # 16 MiB: a longer line is reported and skipped
MAX_FIELDS = 100_000  # per record; HEP papers with 3,000 authors use about 3,100

#: Non-numeric tags that carry a raw value, not subfields (Aleph and Invenio).
LOCAL_CONTROL_TAGS = frozenset({"LDR", "FMT"})

F = TypeVar("F", bound=Callable[..., Any])


class SourceField(pymarc.Field):
    """A pymarc field that knows the input line it was read from.

    Unlike :class:`pymarc.Field`, it also keeps local control fields such as
    Aleph's ``FMT`` as control fields (pymarc treats only ``001``-``009`` so).
    """

    __slots__ = ("_raw", "line")

    def __init__(
        self,
        tag: str,
        line: int,
        indicators: tuple[str, str] | None = None,
        subfields: list[pymarc.Subfield] | None = None,
        data: str | None = None,
    ) -> None:
        # pymarc's own __init__ is bypassed: it costs more than the whole parse of a
        # line, and it would turn a local control field (FMT) into a data field
        self.tag = tag
        self.line = line
        self._raw: str | None = None
        if data is not None:
            self.control_field = True
            self.data = data
            self._indicators = None
            self.subfields = []
        else:
            self.control_field = False
            self.data = None
            self._indicators = indicator_pair(indicators or BLANKS)
            self.subfields = subfields if subfields is not None else []

    @property
    def subfields(self) -> list[pymarc.Subfield]:
        raw = self._raw
        if raw is not None:
            self._raw = None
            _SUBFIELDS.__set__(self, split_dollar_subfields(raw))
        return _SUBFIELDS.__get__(self)  # type: ignore[no-any-return]

    @subfields.setter
    def subfields(self, value: list[pymarc.Subfield]) -> None:
        self._raw = None
        _SUBFIELDS.__set__(self, value)

    def select(self, codes: frozenset[str]) -> list[tuple[str, str]]:
        """(code, value) of the subfields whose code is in ``codes``, in field order.

        While the field is unsplit its ``$$`` text is read directly, and only the
        wanted subfields are made: a HEP author field has a dozen subfields of
        which a converter wants four.
        """
        raw = self._raw
        if raw is not None and "$$$" not in raw:
            found = []
            for chunk in raw[2:].split("$$"):
                code = chunk[:1]
                if not code.isalnum():
                    break  # "$$" inside a value: split_dollar_subfields settles it
                if code in codes:
                    found.append((code, chunk[1:]))
            else:
                return found
        return [(code, value) for code, value in self.subfields if code in codes]

    def get_subfields(self, *codes: str) -> list[str]:
        """pymarc's ``get_subfields``, without splitting the field (see :meth:`select`)."""
        wanted = _CODE_SETS.get(codes)
        if wanted is None:
            wanted = _CODE_SETS[codes] = frozenset(codes)
        return [value for _, value in self.select(wanted)]


#: the code sets asked of ``get_subfields``, made once
_CODE_SETS: dict[tuple[str, ...], frozenset[str]] = {}


class FieldIndex:
    """A record's fields by tag, for the many lookups of one conversion: pymarc's
    ``get_fields`` and ``get`` look at every field each time."""

    __slots__ = ("by_tag", "leader")

    def __init__(self, record: pymarc.Record) -> None:
        self.leader = record.leader
        by_tag: dict[str, list[pymarc.Field]] = {}
        for fld in record.fields:
            found = by_tag.get(fld.tag)
            if found is None:
                by_tag[fld.tag] = [fld]
            else:
                found.append(fld)
        self.by_tag = by_tag

    def get_fields(self, *tags: str) -> list[pymarc.Field]:
        """The fields with these tags, tag by tag (each tag's in record order)."""
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        return [f for tag in tags for f in self.by_tag.get(tag, ())]

    def get(self, tag: str) -> pymarc.Field | None:
        found = self.by_tag.get(tag)
        return found[0] if found else None


#: pymarc's own storage of a field's subfields, under the lazy property above
_SUBFIELDS: Any = pymarc.Field.__dict__["subfields"]
_new_field = object.__new__


def dollar_field(tag: str, line: int, indicators: pymarc.Indicators, raw: str) -> SourceField:
    """A data field whose ``$$a...$$b...`` text is split only when first used.

    The bibliographic crosswalk never looks at most fields of a large record
    (references, local fields), so their subfields are never split.  This is the
    readers' hot path (one call per line): it sets the slots directly.
    """
    fld: SourceField = _new_field(SourceField)
    fld.tag = tag
    fld.line = line
    fld._raw = raw
    fld.control_field = False
    fld.data = None
    fld._indicators = indicators
    return fld


BLANKS = (" ", " ")
_INDICATORS: dict[tuple[str, str], pymarc.Indicators] = {}


def indicator_pair(pair: tuple[str, str]) -> pymarc.Indicators:
    """One shared (immutable) :class:`pymarc.Indicators` per pair of characters."""
    found = _INDICATORS.get(pair)
    if found is None:
        found = _INDICATORS[pair] = pymarc.Indicators(*pair)
        if len(_INDICATORS) > 10_000:  # hostile input with endless indicator pairs
            _INDICATORS.clear()
    return found


@dataclass(slots=True)
class SourceRecord:
    """A record as read: the pymarc record plus its origin and the reader's findings."""

    record: pymarc.Record
    record_id: str
    source: str
    line: int | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    has_leader: bool = False  # False: pymarc's default leader stands in
    failure: str | None = None  # why the record cannot be used (it is reported, skipped)

    def warn(self, message: str, line: int | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(Severity.WARNING, message, self.source, line or self.line, self.record_id)
        )


#: A reader turns decoded input lines (numbered from 1) into records, and reports
#: input that belongs to no record as a bare diagnostic.  A reader of a binary
#: serialisation (ISO 2709, MARCXML) takes the byte stream instead; it is marked
#: with :func:`reads_bytes`.
Reader = Callable[[Any, str], Iterator[SourceRecord | Diagnostic]]

Subfield = pymarc.Subfield
# "$$" followed by a letter or digit; used where a run of three or more "$" occurs
ODD_DOLLARS = re.compile(r"\$\$(?=[^\W_])")


def control_number(record: pymarc.Record) -> str | None:
    """The record's 001, trimmed, if it holds anything."""
    control = record.get("001")
    if control is not None and control.data and control.data.strip():
        return str(control.data.strip())
    return None


def add_field(out: SourceRecord, fld: SourceField) -> None:
    """Append ``fld`` unless the record already holds :data:`MAX_FIELDS` fields."""
    fields = out.record.fields
    if len(fields) < MAX_FIELDS:
        fields.append(fld)
    elif out.failure is None:
        out.failure = f"record has more than {MAX_FIELDS} fields (the limit)"


def label_problem(tag: str, indicators: tuple[str, str] | None, codes: Iterable[str]) -> str | None:
    """Why a field's label cannot be MARC, if it cannot: a tag is three ASCII letters or
    digits, an indicator one character, a subfield code one character other than
    white space, and neither a control character or a line separator.

    Readers of the formats where any text can stand in a label (MARCXML attributes,
    MARC-in-JSON keys) skip such a field; the MARC writers refuse it, since a line
    break in a label would start a forged line of its own.
    """
    if len(tag) != 3 or not (tag.isascii() and tag.isalnum()):
        return f"tag {tag!r} is not three letters or digits"
    for indicator in indicators or ():
        if len(indicator) != 1 or _breaks_line(indicator):
            return f"indicator {indicator!r} is not one character"
    for code in codes:
        if len(code) != 1 or _breaks_line(code) or code.isspace():
            return f"subfield code {code!r} is not one character"
    return None


def _breaks_line(char: str) -> bool:
    """A control character or a line or paragraph separator."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def is_control_tag(tag: str) -> bool:
    return tag.startswith("00") or tag in LOCAL_CONTROL_TAGS


def reads_bytes(reader: F) -> F:
    """Mark ``reader`` as taking a binary stream rather than decoded lines."""
    setattr(reader, "reads_bytes", True)  # noqa: B010 - an attribute on a function
    return reader


def takes_bytes(reader: Any) -> bool:
    return bool(getattr(reader, "reads_bytes", False))


def split_dollar_subfields(value: str) -> list[pymarc.Subfield]:
    """``$$aTitle$$bSub`` → subfields (Invenio and Aleph); ``value`` starts with ``$$``.

    The first code is whatever follows the leading ``$$``; a further subfield
    starts only at ``$$`` + letter or digit, since ``$$`` is never escaped and
    values hold LaTeX ``$$...$$`` and single ``$``.
    """
    new = tuple.__new__
    # a plain split, with the runs the regular expression settles left to it
    if "$$$" in value:
        rest = ODD_DOLLARS.split(value[3:])
        subfields = [new(Subfield, (value[2], rest[0]))]
        chunks = rest[1:]
    else:
        chunks = value[2:].split("$$")
        first = chunks.pop(0)
        subfields = [new(Subfield, (first[0], first[1:]))]
    for chunk in chunks:
        if chunk[:1].isalnum():
            subfields.append(new(Subfield, (chunk[0], chunk[1:])))
        else:  # "$$" inside a value (LaTeX display math), or at its end
            code, text = subfields[-1]
            subfields[-1] = new(Subfield, (code, f"{text}$${chunk}"))
    return subfields


def view_of(record: pymarc.Record, source: str = "<record>") -> SourceRecord:
    """A plain pymarc record (one read or made elsewhere) as the MARC view the
    crosswalk and the writers take: its id is its 001, else "1"."""
    number = control_number(record)
    return SourceRecord(record, number or "1", source, None, has_leader=True)


def record_from(
    source: str, record_id: str, line: int | None, leader: str | None = None
) -> SourceRecord:
    """An empty :class:`SourceRecord`; ``leader`` is set when it has 24 characters."""
    out = SourceRecord(pymarc.Record(), record_id, source, line)
    if leader is not None:
        set_leader(out, leader, line)
    return out


def set_leader(out: SourceRecord, leader: str, line: int | None) -> None:
    if len(leader) != 24:
        out.warn(f"leader has {len(leader)} characters, not 24; ignored", line)
        return
    out.record.leader = pymarc.Leader(leader)
    out.has_leader = True


# ------------------------------------------------------------------------- cutting
@dataclass(slots=True)
class Chunk:
    """A record-aligned piece of one input, which its serialisation's reader reads
    the same wherever it runs: in this process, a worker process or a cluster node.

    A line serialisation's chunk holds decoded lines (``first_line`` numbers the
    first); a binary one's, whole records as bytes with their place in the input.
    """

    source: str  # the input's display name
    format: str  # the reader's name
    first_line: int = 1
    lines: list[str] = field(default_factory=list)
    records: list[tuple[int, int, bytes, bool]] = field(default_factory=list)
    collapsed: bool | None = None  # text MARC: what the input's first line said
    notes: list[Diagnostic] = field(default_factory=list)  # found while cutting

    def __len__(self) -> int:
        return len(self.lines) + len(self.records)


@dataclass(frozen=True, slots=True)
class Cutting:
    """How a serialisation says where its input may be cut: ``chunks`` cuts decoded
    lines (or, ``binary``, a byte stream) into :class:`Chunk` objects, each of
    which ``read`` reads alone; reading every chunk in order gives what the reader
    gives for the whole input.  A reader without one reads its input whole.

    For a file cut into byte ranges (a cluster's partitions), ``record_start``
    gives the first byte at or after an offset where a record starts (as Hadoop's
    line readers find lines): a range then holds the records that start in it.
    """

    chunks: Callable[..., Iterator[Chunk]]
    read: Callable[[Chunk], Iterator[SourceRecord | Diagnostic]]
    binary: bool = False
    record_start: Callable[[BinaryIO, int], int] | None = None


def line_record_start(
    stream: BinaryIO,
    offset: int,
    record_id: Callable[[bytes], bytes | None],
    hides: Callable[[bytes, bytes], bool] | None = None,
) -> int:
    """The first line at or after byte ``offset`` that starts a record for certain,
    in a line serialisation where a record's field lines carry its id (``record_id``
    of a line; None for a line that continues a value): a field line whose id
    differs from the field line before it, unless a line since that one ``hides``
    fields of other records (text MARC's collapsed form).  The end if none does."""
    if offset <= 0:
        return 0
    start = _line_start_before(stream, offset)  # the line holding byte offset - 1
    back = start
    while True:  # back to the last field line
        stream.seek(back)
        if record_id(stream.readline()) is not None or back == 0:
            break
        back = _line_start_before(stream, back - 1) if back > 1 else 0
    current: bytes | None = None
    hidden = False
    stream.seek(back)
    position = back
    for line in iter(stream.readline, b""):
        found = record_id(line)
        if found is not None:
            if position >= offset and found != current and current is not None and not hidden:
                return position
            current = found
            hidden = hides is not None and hides(found, line)
        elif current is not None and hides is not None and not hidden:
            hidden = hides(current, line)
        position += len(line)
    return position


def _line_start_before(stream: BinaryIO, offset: int) -> int:
    """Where the line holding byte ``offset - 1`` starts."""
    end = offset
    window = 1 << 12
    while end > 0:
        begin = max(0, end - window)
        stream.seek(begin)
        block = stream.read(end - begin)
        cut = block.rfind(b"\n", 0, offset - 1 - begin if end == offset else len(block))
        if cut >= 0:
            return begin + cut + 1
        end = begin
        window *= 2
    return 0


#: lines in a chunk: about a hundred records of a large repository dump
CHUNK_LINES = 5000


def cutting_of(reader: Any) -> Cutting | None:
    """The :class:`Cutting` a reader's module declares (``CUTTING``), if any."""
    module = sys.modules.get(getattr(reader, "__module__", ""))
    found = getattr(module, "CUTTING", None)
    return found if isinstance(found, Cutting) else None


def hand_over(notes: list[Diagnostic], batch: Chunk, next_line: int) -> None:
    """Give ``batch`` the decoding notes of its own lines (not of the next batch's first)."""
    batch.notes = [d for d in notes if d.line is None or d.line < next_line]
    notes[:] = [d for d in notes if d.line is not None and d.line >= next_line]
