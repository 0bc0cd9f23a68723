"""MARC-in-JSON (the code4lib proposal pymarc and YAZ write).

A record is ``{"leader": "...", "fields": [{"001": "value"}, {"245": {"ind1":
"1", "ind2": "0", "subfields": [{"a": "Title"}]}}]}``.  The input may hold one
record, an array of records, or records one after another (JSON lines).

Records are decoded one at a time from a sliding buffer (``raw_decode``), so an
array of a million records is never held whole.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.readers.base import (
    SourceField,
    SourceRecord,
    add_field,
    control_number,
    reads_bytes,
    record_from,
)

BLOCK = 1 << 16
#: a single record larger than this is refused rather than buffered
MAX_RECORD = 1 << 26
SEPARATORS = " \t\r\n,"


def _record(obj: Any, ordinal: int, line: int, source: str) -> SourceRecord | Diagnostic:
    if not isinstance(obj, dict) or not isinstance(obj.get("fields", []), list):
        return Diagnostic(
            Severity.ERROR,
            f"record {ordinal}: not a MARC-in-JSON record (an object with 'leader' and"
            " 'fields'); skipped",
            source,
            line,
        )
    leader = obj.get("leader")
    out = record_from(source, str(ordinal), line, leader if isinstance(leader, str) else None)
    for position, entry in enumerate(obj.get("fields", []), 1):
        if not isinstance(entry, dict) or len(entry) != 1:
            out.warn(f"field {position}: not an object with one tag; skipped")
            continue
        ((tag, body),) = entry.items()
        if isinstance(body, str):
            add_field(out, SourceField(tag, line, data=body))
            continue
        subfields = body.get("subfields", []) if isinstance(body, dict) else None
        if not isinstance(subfields, list):
            out.warn(f"field {tag}: neither a string nor an object with 'subfields'; skipped")
            continue
        assert isinstance(body, dict)
        pairs = [item for sub in subfields if isinstance(sub, dict) for item in sub.items()]
        add_field(
            out,
            SourceField(
                tag,
                line,
                (str(body.get("ind1", " ") or " "), str(body.get("ind2", " ") or " ")),
                [pymarc.Subfield(str(code), str(value)) for code, value in pairs],
            ),
        )
    out.record_id = control_number(out.record) or out.record_id
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

    def _fill(self) -> bool:
        if self.eof:
            return False
        block = self.stream.read(BLOCK)
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
        while True:
            try:
                obj, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if len(self.text) - self.pos > MAX_RECORD:
                    raise ValueError("a record larger than 64 MB") from None
                if self._fill():
                    continue
                raise
            self.line += self.text.count("\n", self.pos, end)
            self.pos = end
            return obj
