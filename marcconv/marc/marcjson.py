"""MARC-in-JSON (the code4lib proposal pymarc and YAZ write).

A record is ``{"leader": "...", "fields": [{"001": "value"}, {"245": {"ind1":
"1", "ind2": "0", "subfields": [{"a": "Title"}]}}]}``.  The input may hold one
record, an array of records, or records one after another (JSON lines).

Records are decoded one at a time from a sliding buffer (``raw_decode``), so an
array of a million records is never held whole.

:class:`MarcJsonWriter` writes an array with one record a line, as pymarc's
``JSONReader`` and this reader read it, in UTF-8 (leader/09 ``a``); every record
has a leader, which pymarc requires.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO, TextIO

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.marc.record import (
    SourceField,
    SourceRecord,
    add_field,
    control_number,
    is_control_tag,
    label_problem,
    reads_bytes,
    record_from,
    set_leader,
)
from marcconv.marc.writing import MarcWriter, utf8_leader
from marcconv.options import WriterOptions

BLOCK = 1 << 16
#: a single record larger than this is refused rather than buffered
MAX_RECORD = 1 << 26
SEPARATORS = " \t\r\n,"


def _text(value: Any, out: SourceRecord) -> str:
    """A JSON string as text: a lone surrogate (``"\\ud800"``), which no output can
    encode, becomes U+FFFD, reported."""
    text = str(value)
    if not text.isascii() and _SURROGATE.search(text):
        out.warn("a lone surrogate (\\ud800-\\udfff) replaced by U+FFFD")
        text = _SURROGATE.sub("\ufffd", text)
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def _record(obj: Any, ordinal: int, line: int, source: str) -> SourceRecord | Diagnostic:
    if not isinstance(obj, dict) or not isinstance(obj.get("fields", []), list):
        return Diagnostic(
            Severity.ERROR,
            f"record {ordinal}: not a MARC-in-JSON record (an object with 'leader' and"
            " 'fields'); skipped",
            source,
            line,
        )
    out = record_from(source, str(ordinal), line)
    leader = obj.get("leader")
    if isinstance(leader, str):
        set_leader(out, _text(leader, out), line)
    for position, entry in enumerate(obj.get("fields", []), 1):
        if not isinstance(entry, dict) or len(entry) != 1:
            out.warn(f"field {position}: not an object with one tag; skipped")
            continue
        ((key, body),) = entry.items()
        tag = _text(key, out)
        if isinstance(body, str):
            problem = label_problem(tag, None, ())
            if problem is None:
                add_field(out, SourceField(tag, line, data=_text(body, out)))
            else:
                out.warn(f"field {position}: {problem}; skipped")
            continue
        subfields = body.get("subfields", []) if isinstance(body, dict) else None
        if not isinstance(subfields, list):
            out.warn(f"field {tag}: neither a string nor an object with 'subfields'; skipped")
            continue
        assert isinstance(body, dict)
        pairs = [
            pymarc.Subfield(_text(code, out), _text(value, out))
            for sub in subfields
            if isinstance(sub, dict)
            for code, value in sub.items()
        ]
        indicators = (
            _text(body.get("ind1", " "), out).strip() or " ",
            _text(body.get("ind2", " "), out).strip() or " ",
        )
        problem = label_problem(tag, indicators, [pair.code for pair in pairs])
        if problem is not None:
            out.warn(f"field {position}: {problem}; skipped")
            continue
        add_field(out, SourceField(tag, line, indicators, pairs))
    number = control_number(out.record)
    if number is not None:
        out.record_id = number
        out.diagnostics = [replace(d, record_id=number) for d in out.diagnostics]
    return out


@reads_bytes
def read_marcjson(stream: BinaryIO, source: str = "<stdin>") -> Iterator[SourceRecord | Diagnostic]:
    """Yield each record of a MARC-in-JSON input as soon as it is decoded."""
    decoder = json.JSONDecoder(strict=False)  # tabs inside strings occur, as pymarc allows
    reader = _TextBuffer(stream)
    ordinal = 0
    in_array = False
    while True:
        if not reader.skip(SEPARATORS if in_array or ordinal else " \t\r\n"):
            return
        if not in_array and ordinal == 0 and reader.peek() == "[":
            in_array = True
            reader.advance(1)
            continue
        if in_array and reader.peek() == "]":
            reader.advance(1)
            in_array = False
            continue
        line = reader.line
        try:
            obj = reader.decode(decoder)
        except ValueError as exc:
            yield Diagnostic(
                Severity.ERROR,
                f"MARC-in-JSON is not valid JSON: {exc}; the rest of the input is skipped",
                source,
                line,
            )
            return
        ordinal += 1
        yield _record(obj, ordinal, line, source)


class _TextBuffer:
    """Decoded text with just enough look-ahead to decode the next JSON value."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")

    def _fill(self, size: int = BLOCK) -> bool:
        """Read at least ``size`` more bytes (or to the end); False at the end."""
        if self.eof:
            return False
        block = self.stream.read(size)
        self.eof = not block
        self.text = self.text[self.pos :] + self._decoder.decode(block, final=self.eof)
        self.pos = 0
        return bool(block)

    def skip(self, chars: str) -> bool:
        """Skip ``chars``; False at the end of the input."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in chars:
                if self.text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.text):
                return True
            if not self._fill():
                return False

    def peek(self) -> str:
        return self.text[self.pos]

    def advance(self, count: int) -> None:
        self.pos += count

    def decode(self, decoder: json.JSONDecoder) -> Any:
        """The next JSON value.  When the text at hand ends inside it, as much again
        is read before the next try, so a value of n bytes is decoded in O(n)."""
        while True:
            try:
                obj, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                pending = len(self.text) - self.pos
                if pending > MAX_RECORD:
                    limit = MAX_RECORD >> 20
                    raise ValueError(f"a record larger than {limit} MiB (the limit)") from None
                if self._fill(max(BLOCK, pending)):
                    continue
                raise
            except RecursionError:
                raise ValueError(
                    f"values nested more than {sys.getrecursionlimit()} deep (the limit)"
                ) from None
            self.line += self.text.count("\n", self.pos, end)
            self.pos = end
            return obj


class MarcJsonWriter(MarcWriter):
    """MARC-in-JSON: ``[`` then one record a line, separated by commas, then ``]``."""

    name = "marc-json"
    extension = "json"
    holds_empty = True  # a leader and no fields

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        super().__init__(out, options)
        self._opened = False

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        entries: list[dict[str, Any]] = []
        for fld in fields:
            if fld.control_field or is_control_tag(fld.tag):
                entries.append({fld.tag: fld.data or ""})
            else:
                entries.append(
                    {
                        fld.tag: {  # a no-break space for a blank is a blank (as read)
                            "ind1": fld.indicator1 if not fld.indicator1.isspace() else " ",
                            "ind2": fld.indicator2 if not fld.indicator2.isspace() else " ",
                            "subfields": [{sub.code: sub.value} for sub in fld.subfields],
                        }
                    }
                )
        record = {"leader": utf8_leader(source), "fields": entries}
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    def emit(self, text: str) -> None:
        self.out.write(",\n" if self._opened else "[\n")
        self._opened = True
        super().emit(text)

    def close(self) -> None:
        self.out.write("\n]\n" if self._opened else "[]\n")
