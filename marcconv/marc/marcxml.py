"""MARCXML (``http://www.loc.gov/MARC21/slim``), streamed with expat.

The document is fed to expat in blocks, and each ``<record>`` is yielded as soon
as its end tag is read, so memory holds one record whatever the file size.
Every field keeps the line of its start tag.  The namespace may be the MARC 21
slim one, another, or none; the element names decide.

Real exports are not always well-formed XML.  Two faults common in catalogue
dumps are repaired line by line, each reported once with its line and counted:
a ``&`` that starts no entity reference (``Science & Technology``) is escaped,
an HTML entity (``&eacute;``) becomes its character reference, and ``--`` inside
a comment (``<!------>`` banners) is blanked.

Safety: a document type declaration is refused outright, and with it every
entity declaration, external entity and entity expansion ("billion laughs");
expat itself never fetches anything.  Text before the first ``<`` (a pasted
banner, a log line) is reported and skipped.

pymarc's ``parse_xml_to_array`` is not used: it builds the whole file in memory
and loses line numbers.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO, TextIO
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import pymarc

from marcconv.errors import Diagnostic, Severity
from marcconv.marc.record import (
    MAX_LINE_BYTES,
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
from marcconv.marc.writing import MarcWriter
from marcconv.options import WriterOptions

BLOCK = 1 << 16
DECLARATION = re.compile(rb"<\?xml\s[^>]*\?>")
ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
#: concatenated documents and misplaced declarations are read inside one wrapper
WRAPPER = b"marcconv-documents"
XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
AMPERSAND = re.compile(rb"&(?:([A-Za-z][A-Za-z0-9]*);|#[0-9]+;|#x[0-9A-Fa-f]+;)?")
#: sections whose text is not markup: comments (repaired) and CDATA (kept as it is)
SECTIONS = {b"<!--": b"-->", b"<![CDATA[": b"]]>"}
#: elements nested deeper than this are refused (MARCXML needs four, in a collection)
MAX_DEPTH = 64
#: the elements of a MARCXML record
MARC_ELEMENTS = frozenset({"leader", "controlfield", "datafield", "subfield"})
#: bytes at the end of a block that wait for the next one (an entity cut in two)
CARRY = 40


class _Repairs:
    """Fixes the faults listed in the module notes and remembers where."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}  # kind → first line
        self.count: dict[str, int] = {}
        self.line = 0
        self.seen_declaration = False
        self.within: bytes | None = None  # the opening of the comment or CDATA we are in

    def _note(self, kind: str) -> None:
        self.first.setdefault(kind, self.line)
        self.count[kind] = self.count.get(kind, 0) + 1

    def _ampersand(self, match: re.Match[bytes]) -> bytes:
        whole = match.group(0)
        if whole == b"&":
            self._note("'&' that starts no entity escaped as '&amp;'")
            return b"&amp;"
        name = match.group(1)
        if name is None or name in XML_ENTITIES:
            return whole
        code = html.entities.name2codepoint.get(name.decode("ascii"))
        if code is None:
            self._note("unknown entity escaped ('&amp;name;')")
            return b"&amp;" + whole[1:]
        self._note("HTML entity replaced by its character")
        return b"&#%d;" % code

    def _declaration(self, match: re.Match[bytes]) -> bytes:
        if self.seen_declaration:
            self._note("XML declaration not at the start of the file dropped")
        self.seen_declaration = True
        return b""

    def _comment(self, body: bytes, closed: bool) -> bytes:
        """The inside of a comment, ``-`` blanked where XML forbids ``--``."""
        if b"--" in body or (closed and body.endswith(b"-")):
            self._note("'--' inside a comment blanked")
            return body.replace(b"-", b" ")
        return body

    def _text(self, text: bytes) -> bytes:
        """Markup and character data outside comments and CDATA sections."""
        if b"<?xml" in text:
            text = DECLARATION.sub(self._declaration, text)
        if b"&" in text:
            text = AMPERSAND.sub(self._ampersand, text)
        return text

    def __call__(self, text: bytes, line: int) -> bytes:
        """One piece of the document, repaired; comments and CDATA sections (which
        may span pieces) are told apart from the rest, and CDATA is left as it is."""
        self.line = line
        if b"<!" in text and any(word in text for word in FORBIDDEN):
            raise RefusedXml("a DTD or entity declaration (<!DOCTYPE, <!ENTITY) is not accepted")
        if self.within is None and b"<!" not in text:  # the usual line
            return self._text(text)
        out: list[bytes] = []
        pos = 0
        while pos < len(text):
            if self.within is None:
                starts = [(text.find(opening, pos), opening) for opening in SECTIONS]
                found = [(at, opening) for at, opening in starts if at >= 0]
                if not found:
                    out.append(self._text(text[pos:]))
                    break
                at, opening = min(found)
                out.append(self._text(text[pos:at]) + opening)
                pos, self.within = at + len(opening), opening
                continue
            closing = SECTIONS[self.within]
            end = text.find(closing, pos)
            body = text[pos:] if end < 0 else text[pos:end]
            out.append(self._comment(body, end >= 0) if self.within == b"<!--" else body)
            if end < 0:
                break
            out.append(closing)
            pos, self.within = end + len(closing), None
        return b"".join(out)

    def report(self, source: str) -> Iterator[Diagnostic]:
        for kind, line in self.first.items():
            times = self.count[kind]
            more = f" ({times} times in this file)" if times > 1 else ""
            yield Diagnostic(
                Severity.WARNING, f"not well-formed XML repaired: {kind}{more}", source, line
            )


class RefusedXml(Exception):
    """The document holds a construct we never parse (DTD, entities)."""


class _Handler:
    """expat callbacks that assemble records into ``self.done``.

    Only the MARC elements of a record, in their places and in the record's own
    namespace, are read; anything else inside a record is skipped with its
    content and reported, and a ``<record>`` inside a record makes the outer one
    unusable (reported, skipped), never silently replaces it.
    """

    def __init__(self, parser: expat.XMLParserType, source: str, offset: int) -> None:
        self.parser = parser
        self.offset = offset  # lines skipped before the document
        self.source = source
        self.done: list[SourceRecord] = []
        self.ordinal = 0
        self.depth = 0  # of the element being read
        self.record: SourceRecord | None = None
        self.record_depth = 0
        self.has_fields = False  # has the record a field (or leader) yet?
        self.namespace = ""  # the record's
        self.skip_depth: int | None = None  # inside an element skipped with its content
        self.in_datafield = False
        self.text: list[str] | None = None  # collecting character data
        self.text_size = 0
        self.tag = ""
        self.indicators = (" ", " ")
        self.code = ""
        self.subfields: list[pymarc.Subfield] = []
        self.field_line = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RefusedXml(f"elements nested more than {MAX_DEPTH} deep (the limit)")
        if self.skip_depth is not None:
            return
        namespace, _, local = name.rpartition(" ")
        line = self.parser.CurrentLineNumber + self.offset
        record = self.record
        wraps = record is not None and not self.has_fields and namespace == self.namespace
        if local == "record" and (record is None or wraps):
            # a <record> in one that holds no field yet: that one only wrapped it (SRU)
            self.ordinal += record is None
            self.record = record_from(self.source, str(self.ordinal), line)
            self.record_depth, self.namespace = self.depth, namespace
            self.has_fields = False
            return
        if record is None:
            return
        level = self.depth - self.record_depth  # 1: a field, 2: a subfield
        if not self.has_fields and local not in MARC_ELEMENTS:
            return  # a wrapper's own elements (SRU's recordSchema, recordData)
        if local == "record" and namespace == self.namespace:
            if record.failure is None:
                record.failure = f"it holds another <record> (line {line}), which is not MARCXML"
            self.skip_depth = self.depth
        elif namespace != self.namespace or local not in MARC_ELEMENTS:
            shown = f"{{{namespace}}}{local}" if namespace != self.namespace else local
            record.warn(f"element <{shown}> is not MARCXML; skipped with its content", line)
            self.skip_depth = self.depth
        elif (local == "subfield") != (level == 2) or (level == 2 and not self.in_datafield):
            where = "outside a <datafield>" if local == "subfield" else "inside a field"
            record.warn(f"<{local}> {where}; skipped with its content", line)
            self.skip_depth = self.depth
        elif local in ("leader", "controlfield"):
            self.has_fields = True
            self.tag = attrs.get("tag", "") if local == "controlfield" else "LDR"
            self.text, self.field_line, self.text_size = [], line, 0
        elif local == "datafield":
            self.has_fields = True
            self.tag = attrs.get("tag", "")
            self.indicators = (
                attrs.get("ind1", " ").strip() or " ",
                attrs.get("ind2", " ").strip() or " ",
            )
            self.subfields, self.field_line, self.in_datafield = [], line, True
        else:  # a subfield
            self.code = attrs.get("code", "")
            self.text, self.text_size = [], 0

    def chars(self, data: str) -> None:
        if self.text is None or self.skip_depth is not None:
            return
        self.text_size += len(data)
        if self.text_size <= MAX_LINE_BYTES:
            self.text.append(data)
        elif self.record is not None and self.record.failure is None:
            self.text.clear()
            limit = MAX_LINE_BYTES >> 20
            self.record.failure = (
                f"a value longer than {limit} MiB (the limit), line {self.field_line}"
            )

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.skip_depth is not None:
            if depth == self.skip_depth:
                self.skip_depth = None
            return
        record = self.record
        if record is None or depth < self.record_depth:
            return
        local = name.rpartition(" ")[2]
        if depth == self.record_depth:  # </record>
            number = control_number(record.record)
            if number is not None and number != record.record_id:
                record.record_id = number
                record.diagnostics = [replace(d, record_id=number) for d in record.diagnostics]
            self.done.append(record)
            self.record = None
        elif local in ("leader", "controlfield") and self.text is not None:
            value = "".join(self.text)
            self.text = None
            if self.tag == "LDR":
                set_leader(record, value, self.field_line)
            elif (problem := label_problem(self.tag, None, ())) is not None:
                record.warn(f"controlfield: {problem}; skipped", self.field_line)
            else:
                add_field(record, SourceField(self.tag, self.field_line, data=value))
        elif local == "subfield" and self.text is not None:
            self.subfields.append(pymarc.Subfield(self.code, "".join(self.text)))
            self.text = None
        elif local == "datafield":
            self.in_datafield = False
            codes = [sub.code for sub in self.subfields]
            problem = label_problem(self.tag, self.indicators, codes)
            if problem is not None:
                record.warn(f"datafield: {problem}; skipped", self.field_line)
                return
            add_field(
                record, SourceField(self.tag, self.field_line, self.indicators, self.subfields)
            )

    def refuse_doctype(self, *_: object) -> None:
        raise RefusedXml("a document type declaration (<!DOCTYPE ...>) is not accepted")

    def refuse_entity(self, *_: object) -> None:
        raise RefusedXml("entity declarations are not accepted")

    def refuse_external(self, *_: object) -> int:
        raise RefusedXml("external entities are not accepted")


def _parser(source: str, offset: int, head: bytes) -> tuple[expat.XMLParserType, _Handler]:
    declaration = DECLARATION.search(head)
    declared = ENCODING.search(declaration.group(0)) if declaration else None
    encoding = declared.group(1).decode("ascii") if declared else None
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise RefusedXml(f"unknown encoding {encoding!r} in the XML declaration") from None
    parser = expat.ParserCreate(encoding, namespace_separator=" ")
    handler = _Handler(parser, source, offset)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = handler.refuse_doctype
    parser.EntityDeclHandler = handler.refuse_entity
    parser.ExternalEntityRefHandler = handler.refuse_external
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    return parser, handler


def _skip_preamble(stream: BinaryIO) -> tuple[bytes, int, bool]:
    """The first block from the first ``<`` on, the line breaks before it, and
    whether anything but white space came before it."""
    block = stream.read(BLOCK)
    newlines, junk = 0, False
    while block:
        start = block.find(b"<")
        head = block if start < 0 else block[:start]
        newlines += head.count(b"\n")
        junk = junk or bool(head.strip(b" \t\r\n\xef\xbb\xbf"))
        if start >= 0:
            return block[start:], newlines, junk
        block = stream.read(BLOCK)
    return b"", newlines, junk


def _pieces(first: bytes, stream: BinaryIO, offset: int) -> Iterator[tuple[int, bytes]]:
    """The document as (line number, bytes) pieces: whole lines, or blocks of a long
    line cut where no entity reference can be split."""
    pending = first
    number = offset + 1
    while True:
        start = 0
        end = pending.find(b"\n")
        while end >= 0:
            yield number, pending[start : end + 1]
            number += 1
            start = end + 1
            end = pending.find(b"\n", start)
        rest = pending[start:]
        more = stream.read(BLOCK)
        if not more:
            if rest:
                yield number, rest
            return
        if len(rest) >= BLOCK:  # a very long line: pass it on in blocks
            cut = rest.rfind(b"&", -CARRY)
            cut = len(rest) if cut < 0 else cut
            yield number, rest[:cut]
            rest = rest[cut:]
        pending = rest + more


@reads_bytes
def read_marcxml(stream: BinaryIO, source: str = "<stdin>") -> Iterator[SourceRecord | Diagnostic]:
    """Yield each ``<record>`` of a MARCXML document as soon as it is complete."""
    block, offset, junk = _skip_preamble(stream)
    if junk:
        yield Diagnostic(Severity.WARNING, "text before the XML document skipped", source, 1)
    repair = _Repairs()
    try:
        parser, handler = _parser(source, offset, block[:4096])
    except RefusedXml as exc:
        yield Diagnostic(Severity.ERROR, f"MARCXML refused: {exc}", source, offset + 1)
        return
    try:
        parser.Parse(b"<" + WRAPPER + b">", False)
        for number, piece in _pieces(block, stream, offset):
            parser.Parse(repair(piece, number), False)
            if handler.done:
                yield from handler.done
                handler.done.clear()
        parser.Parse(b"</" + WRAPPER + b">", True)
        yield from handler.done
        yield from repair.report(source)
    except ValueError as exc:  # a multi-byte encoding expat cannot use
        yield from handler.done
        yield Diagnostic(Severity.ERROR, f"MARCXML cannot be read: {exc}", source, offset + 1)
    except (expat.ExpatError, RefusedXml) as exc:
        yield from repair.report(source)
        yield from handler.done
        line = repair.line if isinstance(exc, RefusedXml) else parser.CurrentLineNumber + offset
        reason = (
            f"MARCXML refused: {exc}"
            if isinstance(exc, RefusedXml)
            else f"MARCXML is not well-formed: {expat.ErrorString(exc.code)}"
            f" (column {exc.offset + 1})"
        )
        open_record = handler.record
        if open_record is not None:
            line = line or open_record.line or 0
            reason += (
                f"; record {open_record.record_id} (from line {open_record.line}) is incomplete"
            )
        yield Diagnostic(
            Severity.ERROR, f"{reason}; the rest of the input is skipped", source, line
        )


#: characters XML 1.0 cannot hold
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: a carriage return survives an XML parser only as a character reference
XML_TEXT_ENTITIES = {"\r": "&#13;"}
MARCXML_NAMESPACE = "http://www.loc.gov/MARC21/slim"


def _xml_text(text: str, tag: str, source: SourceRecord) -> str:
    if XML_INVALID.search(text):
        source.warn(f"field {tag}: a control character XML cannot hold written as U+FFFD")
        text = XML_INVALID.sub("\ufffd", text)
    return escape(text, XML_TEXT_ENTITIES)


class MarcxmlWriter(MarcWriter):
    """A MARCXML ``<collection>`` (MARC 21 slim schema), one record at a time."""

    name = "marcxml"
    extension = "xml"
    holds_empty = True  # <record> with its leader

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        super().__init__(out, options)
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NAMESPACE}">\n'
        )

    def render_fields(self, source: SourceRecord, fields: list[pymarc.Field], number: str) -> str:
        record = source.record
        parts = [
            "  <record>\n",
            f"    <leader>{_xml_text(str(record.leader), 'LDR', source)}</leader>\n",
        ]
        for fld in fields:
            tag = quoteattr(fld.tag)
            if fld.control_field or is_control_tag(fld.tag):
                text = _xml_text(fld.data or "", fld.tag, source)
                parts.append(f"    <controlfield tag={tag}>{text}</controlfield>\n")
                continue
            ind1 = quoteattr(_xml_text(fld.indicator1, fld.tag, source))
            ind2 = quoteattr(_xml_text(fld.indicator2, fld.tag, source))
            parts.append(f"    <datafield tag={tag} ind1={ind1} ind2={ind2}>\n")
            for sub in fld.subfields:
                code = quoteattr(_xml_text(sub.code, fld.tag, source))
                text = _xml_text(sub.value, fld.tag, source)
                parts.append(f"      <subfield code={code}>{text}</subfield>\n")
            parts.append("    </datafield>\n")
        parts.append("  </record>\n")
        return "".join(parts)

    def close(self) -> None:
        self.out.write("</collection>\n")
