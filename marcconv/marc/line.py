"""The YAZ / Catmandu line format (``yaz-marcdump -o line``).

Grammar (``FORMATS.md`` §3), as YAZ's own reader takes it:

* a record is a leader line (24 characters starting with five digits), then one
  line per field, then a blank line;
* a control field is ``TAG SP value`` (the value may start with spaces);
* a data field is ``TAG SP I1 I2`` then, per subfield, ``" $" CODE SP value``
  (``245 10 $a Title $c Author``); indicators are literal, blank is a space;
* a line that starts with four spaces continues the previous one (joined with
  a space); a line starting with ``(`` is a comment.

A subfield marker counts only when it starts the field or follows a space, and
its code is followed by a space or the end of the line, so ``$5`` inside a
value stays text (Catmandu's punctuation codes such as ``$=`` are accepted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.marc.dialects import mixed_dialect_message
from marcconv.marc.record import (
    MAX_FIELDS,
    MAX_LINE_BYTES,
    SourceField,
    SourceRecord,
    add_field,
    is_control_tag,
    record_from,
)
from marcconv.marc.writing import MarcWriter, one_line

LEADER = re.compile(r"\d{5}.{19}")
FIELD = re.compile(r"([0-9A-Za-z]{3}) (.*)")
SUBFIELD_MARKER = re.compile(r"(?:^| )\$(\S)(?: |$)")
CONTINUATION = "    "


def _subfields(text: str) -> list[pymarc.Subfield] | None:
    parts = SUBFIELD_MARKER.split(text)
    if parts[0]:
        return None  # text before the first marker
    return [pymarc.Subfield(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


class _Record:
    """The lines of one record, gathered until the blank line that ends it."""

    __slots__ = ("continued", "fields", "leader", "leader_line", "start", "too_long")

    def __init__(self, start: int) -> None:
        self.start = start
        self.leader: str | None = None
        self.leader_line = start
        # (line number, the field's text and the lines that continue it)
        self.fields: list[tuple[int, list[str]]] = []
        self.continued = 0  # characters in the last field's continuation lines
        self.too_long: int | None = None  # the line of a field past the limit

    def continue_last(self, text: str) -> None:
        """Add a continuation line to the last field (joined once, in :func:`_build`)."""
        number, parts = self.fields[-1]
        if len(parts) == 1:
            self.continued = 0
        self.continued += len(text) + 1
        if self.continued > MAX_LINE_BYTES:
            self.too_long = self.too_long or number
            return
        parts.append(text)


def _build(rec: _Record, source: str, ordinal: int) -> SourceRecord:
    record_id = str(ordinal)
    fields = [(number, " ".join(parts)) for number, parts in rec.fields]
    for _number, text in fields:
        if text.startswith("001 ") and text[4:].strip():
            record_id = text[4:].strip()
            break
    out = record_from(source, record_id, rec.start, rec.leader)
    if rec.too_long is not None:
        limit = MAX_LINE_BYTES >> 20
        out.failure = f"a value longer than {limit} MiB (the limit), line {rec.too_long}"
    for number, text in fields:
        tag, rest = text[:3], text[4:]
        if is_control_tag(tag):
            add_field(out, SourceField(tag, number, data=rest))
            continue
        if len(rest) < 2 or (len(rest) > 2 and rest[2] != " "):
            out.warn(
                f"field {tag}: indicators missing (expected 'TAG I1I2 $a ...'); skipped", number
            )
            continue
        subfields = _subfields(rest[3:])
        if subfields is None:
            out.warn(f"field {tag}: text before the first subfield marker ' $a '; skipped", number)
            continue
        add_field(out, SourceField(tag, number, indicators=(rest[0], rest[1]), subfields=subfields))
    return out


def read_line(lines: Iterable[str], source: str = "<stdin>") -> Iterator[SourceRecord | Diagnostic]:
    """Yield one :class:`SourceRecord` per blank-line-separated block."""
    current: _Record | None = None
    ordinal = 0

    def finish() -> SourceRecord | None:
        nonlocal current, ordinal
        if current is None:
            return None
        done, current = current, None
        if done.leader is None and not done.fields:
            return None
        ordinal += 1
        return _build(done, source, ordinal)

    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line.strip() or line.startswith("$"):
            record = finish()
            if record is not None:
                yield record
            continue
        if line.startswith("("):
            continue
        if line.startswith(CONTINUATION) and current is not None and current.fields:
            current.continue_last(line.strip())
            continue
        if LEADER.fullmatch(line):
            record = finish()
            if record is not None:
                yield record
            current = _Record(number)
            current.leader = line
            continue
        if FIELD.fullmatch(line) is None:
            yield Diagnostic(
                Severity.ERROR,
                mixed_dialect_message(line, "line")
                or "not a line-format field (TAG I1I2 $a value); line skipped",
                source,
                number,
            )
            continue
        if current is None:
            current = _Record(number)
        if len(current.fields) <= MAX_FIELDS:  # one more than the limit marks the record
            current.fields.append((number, [line]))
    record = finish()
    if record is not None:
        yield record


LINE_MARKER = re.compile(r"(?:^| )\$\S(?: |$)")


class YazLineWriter(MarcWriter):
    """The YAZ line format: a leader line, ``245 10 $a Title $c Author``, a blank line."""

    name = "line"
    extension = "line"

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        record = source.record
        leader = one_line(str(record.leader), "LDR", source)
        lines = [f"{leader}\n"] if source.has_leader else []
        for fld in fields:
            if fld.control_field or is_control_tag(fld.tag):
                lines.append(f"{fld.tag} {one_line(fld.data or '', fld.tag, source)}\n")
                continue
            parts = []
            for sub in fld.subfields:
                value = one_line(sub.value, fld.tag, source)
                if LINE_MARKER.search(value):
                    source.warn(
                        f"field {fld.tag}: subfield ${sub.code} holds ' $x ', which"
                        " reads back as a subfield mark"
                    )
                parts.append(f"${sub.code} {value}")
            lines.append(f"{fld.tag} {fld.indicator1}{fld.indicator2} {' '.join(parts)}\n")
        lines.append("\n")
        return "".join(lines)
