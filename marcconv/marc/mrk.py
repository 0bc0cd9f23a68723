"""MARCMaker / MarcEdit mnemonic format (``.mrk``).

Grammar (``FORMATS.md`` §4): ``=TAG`` + two spaces + data, one field per line,
records separated by a blank line, ``=LDR`` first.  A blank indicator, and a
blank in the leader and in control fields, is written ``\\`` (some exporters
write ``/`` for a blank indicator).  Data fields are ``I1I2$aValue$bValue``:
since a literal ``$`` is written ``{dollar}``, every ``$`` starts a subfield.

Mnemonics decoded: ``{dollar}``, ``{lcub}``, ``{rcub}``, ``{bsol}``, MarcEdit's
``{U+00E9}`` code points and the HTML character names (``{eacute}``).  Any other
``{...}`` is kept as written and reported once per record.

pymarc's ``MARCMakerReader`` is not used: it decodes no mnemonics and reads the
whole file at once.

:class:`MrkWriter` writes what this reader reads back: ``$ { } \\`` in values as
their mnemonics, blanks in the leader, control fields and indicators as ``\\``,
records in UTF-8 (leader/09 ``a``), each followed by a blank line, as MarcEdit
writes them.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.marc.dialects import mixed_dialect_message
from marcconv.marc.record import (
    SourceField,
    SourceRecord,
    add_field,
    is_control_tag,
    record_from,
    set_leader,
)
from marcconv.marc.writing import MarcWriter, one_line, utf8_leader

FIELD = re.compile(r"=([0-9A-Za-z]{3})  (.*)")
MNEMONIC = re.compile(r"\{([^{}\s]{1,32})\}")
ESCAPES = {"dollar": "$", "lcub": "{", "rcub": "}", "bsol": "\\"}
BLANK_INDICATORS = {"\\": " ", "/": " ", "#": " "}


def _mnemonic(name: str) -> str | None:
    if name in ESCAPES:
        return ESCAPES[name]
    if name[:2].upper() == "U+":
        try:
            return chr(int(name[2:], 16))
        except (ValueError, OverflowError):
            return None
    code = html.entities.name2codepoint.get(name)
    return chr(code) if code is not None else None


class _Decoder:
    """Decodes mnemonics for one record and remembers the ones it did not know."""

    def __init__(self) -> None:
        self.unknown: set[str] = set()

    def __call__(self, text: str) -> str:
        if "{" not in text:
            return text
        return MNEMONIC.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        value = _mnemonic(match.group(1))
        if value is None:
            self.unknown.add(match.group(0))
            return match.group(0)
        return value


def _field(
    tag: str, data: str, number: int, out: SourceRecord, decode: _Decoder
) -> SourceField | None:
    if is_control_tag(tag):
        return SourceField(tag, number, data=decode(data.replace("\\", " ")))
    if len(data) < 2:
        out.warn(f"field {tag}: indicators missing; field skipped", number)
        return None
    indicators = (BLANK_INDICATORS.get(data[0], data[0]), BLANK_INDICATORS.get(data[1], data[1]))
    body = data[2:]
    if body and not body.startswith("$"):
        out.warn(f"field {tag}: text before the first $ subfield; field skipped", number)
        return None
    subfields = [
        pymarc.Subfield(chunk[:1], decode(chunk[1:])) for chunk in body.split("$")[1:] if chunk
    ]
    return SourceField(tag, number, indicators=indicators, subfields=subfields)


def _finish(out: SourceRecord, decode: _Decoder, ordinal: int) -> SourceRecord:
    control = out.record.get("001")
    out.record_id = control.data.strip() if control is not None and control.data else str(ordinal)
    out.diagnostics = [replace(d, record_id=out.record_id) for d in out.diagnostics]
    for known in sorted(decode.unknown):
        out.warn(f"unknown mnemonic {known} kept as written")
    return out


def read_mrk(lines: Iterable[str], source: str = "<stdin>") -> Iterator[SourceRecord | Diagnostic]:
    """Yield one :class:`SourceRecord` per blank-line-separated block."""
    current: SourceRecord | None = None
    decode = _Decoder()
    ordinal = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        match = FIELD.fullmatch(line)
        if not line.strip() or (match is not None and match.group(1) == "LDR"):
            if current is not None and (current.record.fields or not line.strip()):
                ordinal += 1
                yield _finish(current, decode, ordinal)
                current, decode = None, _Decoder()
            if not line.strip():
                continue
        if match is None:
            yield Diagnostic(
                Severity.ERROR,
                mixed_dialect_message(line, "mrk") or "not a mnemonic field (=TAG  data); skipped",
                source,
                number,
            )
            continue
        tag, data = match.groups()
        if current is None:
            current = record_from(source, "", number)
        if tag == "LDR":
            set_leader(current, decode(data.replace("\\", " ")), number)
            continue
        fld = _field(tag, data, number, current, decode)
        if fld is not None:
            add_field(current, fld)
    if current is not None:
        ordinal += 1
        yield _finish(current, decode, ordinal)


_ESCAPES = str.maketrans({"$": "{dollar}", "{": "{lcub}", "}": "{rcub}", "\\": "{bsol}"})


class MrkWriter(MarcWriter):
    """MarcEdit / MARCMaker mnemonic format: ``=245  10$aTitle``, a blank line after
    each record."""

    name = "mrk"
    extension = "mrk"
    holds_empty = True  # its =LDR line

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        lines = [f"=LDR  {_blanks(utf8_leader(source))}\n"]
        for fld in fields:
            if fld.control_field or is_control_tag(fld.tag):
                value = one_line(fld.data or "", fld.tag, source)
                lines.append(f"={fld.tag}  {_blanks(value)}\n")
                continue
            indicators = "".join(
                self._indicator(i, fld.tag, source) for i in (fld.indicator1, fld.indicator2)
            )
            parts = []
            for sub in fld.subfields:
                if sub.code in "${}\\":
                    source.warn(
                        f"field {fld.tag}: subfield code {sub.code!r} left out"
                        " (.mrk cannot hold it)"
                    )
                    continue
                parts.append(
                    f"${sub.code}{one_line(sub.value, fld.tag, source).translate(_ESCAPES)}"
                )
            lines.append(f"={fld.tag}  {indicators}{''.join(parts)}\n")
        lines.append("\n")
        return "".join(lines)

    @staticmethod
    def _indicator(indicator: str, tag: str, source: SourceRecord) -> str:
        if indicator == " ":
            return "\\"
        if indicator in BLANK_INDICATORS or indicator in "$=":
            source.warn(
                f"field {tag}: indicator {indicator!r} written as a blank (.mrk reads it so)"
            )
            return "\\"
        return indicator


def _blanks(text: str) -> str:
    """A leader or control field: mnemonics escaped, then each blank written ``\\``."""
    return text.translate(_ESCAPES).replace(" ", "\\")
