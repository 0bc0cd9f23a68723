"""MARC out again: Invenio text MARC, Aleph sequential, the YAZ line format, MARCXML.

These writers take the record as read (see :class:`RecordWriter`), so a dump can
be normalised, split or merged without losing a field, an indicator or the
order of subfields.  What a line format cannot hold is reported, never dropped
silently: a line break inside a value becomes a space, and in text MARC a
``$$`` followed by a letter inside a value would be read back as a new subfield.
"""

from __future__ import annotations

import re
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

import pymarc

from marcconv.chars import CONTROL
from marcconv.errors import RecordError
from marcconv.readers.base import SourceRecord, is_control_tag, label_problem
from marcconv.writers.base import RecordWriter, WriterOptions

LINE_BREAK = re.compile(r"[\r\n]+")
DOLLAR_CODE = re.compile(r"\$\$[^\W_]")
#: characters XML 1.0 cannot hold
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CARET_BLANK_TAGS = frozenset({"LDR", "006", "007", "008"})
#: a carriage return survives an XML parser only as a character reference
XML_TEXT_ENTITIES = {"\r": "&#13;"}
MARCXML_NAMESPACE = "http://www.loc.gov/MARC21/slim"


def system_number(source: SourceRecord, ordinal: int) -> str:
    """The 9-digit record number: the 001 if numeric, else the id read, else the position."""
    control = source.record.get("001")
    for candidate in (
        control.data.strip() if control is not None and control.data else "",
        source.record_id,
    ):
        if candidate.isascii() and candidate.isdigit():  # not "¹"
            return f"{int(candidate):09d}"
    return f"{ordinal:09d}"


class _MarcWriter(RecordWriter):
    """What every MARC writer does before it writes a record: a field whose label is
    not MARC (a line break in an indicator or a subfield code would forge a line of
    its own; a tag that is not three letters or digits reads back as something
    else) is left out and reported, and a line format must have something to write."""

    holds_empty = False  # can an empty record (no leader, no fields) be written?

    def write_record(self, record: SourceRecord) -> None:
        fields = []
        for fld in record.record.fields:
            control = fld.control_field or is_control_tag(fld.tag)
            problem = label_problem(
                fld.tag,
                None if control else (fld.indicator1, fld.indicator2),
                () if control else [sub.code for sub in fld.subfields],
            )
            if problem is None:
                fields.append(fld)
            else:
                record.warn(f"field {fld.tag!r}: {problem}; the field is left out")
        if not self.holds_empty and not fields and not record.has_leader:
            raise RecordError("record has no fields and no leader: nothing to write")
        self.write_fields(record, fields)

    def write_fields(self, record: SourceRecord, fields: list[pymarc.Field]) -> None:
        """Write ``record`` with ``fields``, whose labels are all MARC."""
        raise NotImplementedError


class _LineWriter(_MarcWriter):
    """What text MARC and Aleph sequential share: one line per field."""

    dollar_hazard = False  # text MARC: "$$" + letter inside a value splits it on reading
    caret_blanks = False  # Aleph: "^" for a blank in the leader and 006-008

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        super().__init__(out, options)
        self.ordinal = 0
        self.previous = ""

    def _number(self, source: SourceRecord) -> str:
        """The record's number, never the one before it (which would merge the two)."""
        sysno = system_number(source, self.ordinal)
        if sysno == self.previous:
            sysno = f"{self.ordinal:09d}"
            if sysno == self.previous:
                sysno = f"{self.ordinal + 1:09d}"
        self.previous = sysno
        return sysno

    def _value(self, text: str, tag: str, source: SourceRecord) -> str:
        return _one_line(text, tag, source)

    def _data(self, fld: pymarc.Field, source: SourceRecord) -> str:
        parts = []
        for position, sub in enumerate(fld.subfields):
            value = self._value(sub.value, fld.tag, source)
            if self.dollar_hazard and (
                DOLLAR_CODE.search(value) or (position and not sub.code[:1].isalnum())
            ):
                source.warn(
                    f"field {fld.tag}: subfield ${sub.code} cannot be told apart from"
                    " the one before it when read back ('$$' + letter or an odd code)"
                )
            parts.append(f"$${sub.code}{value}")
        return "".join(parts)

    def write_fields(self, source: SourceRecord, fields: list[pymarc.Field]) -> None:
        record = source.record
        self.ordinal += 1
        sysno = self._number(source)
        lines = []
        if source.has_leader:
            leader = self._value(str(record.leader), "LDR", source)
            lines.append(self._line(sysno, "LDR", " ", " ", leader.replace(" ", "^")))
        for fld in fields:
            if fld.control_field or is_control_tag(fld.tag):
                value = self._value(fld.data or "", fld.tag, source)
                if fld.tag in CARET_BLANK_TAGS and self.caret_blanks:
                    value = value.replace(" ", "^")
                lines.append(self._line(sysno, fld.tag, " ", " ", value))
            else:
                lines.append(
                    self._line(
                        sysno, fld.tag, fld.indicator1, fld.indicator2, self._data(fld, source)
                    )
                )
        self.out.write("".join(lines))

    def _line(self, sysno: str, tag: str, ind1: str, ind2: str, data: str) -> str:
        raise NotImplementedError


class TextmarcWriter(_LineWriter):
    """``000000001 245__ $$aTitle``: blank indicators as ``_``, the leader as ``LDR``."""

    name = "textmarc"
    extension = "txt"
    dollar_hazard = True

    def _line(self, sysno: str, tag: str, ind1: str, ind2: str, data: str) -> str:
        if tag == "LDR":
            return f"{sysno} LDR__ {data}\n"
        ind = f"{ind1 if ind1 != ' ' else '_'}{ind2 if ind2 != ' ' else '_'}"
        return f"{sysno} {tag}{ind} {data}\n"


class AlephseqWriter(_LineWriter):
    """``000000001 24510 L $$aTitle``: blank indicators as spaces, ``^`` for blanks in
    the leader and 006-008."""

    name = "alephseq"
    extension = "seq"
    caret_blanks = True

    def _line(self, sysno: str, tag: str, ind1: str, ind2: str, data: str) -> str:
        return f"{sysno} {tag}{ind1}{ind2} L {data}\n"


def _xml_text(text: str, tag: str, source: SourceRecord) -> str:
    if XML_INVALID.search(text):
        source.warn(f"field {tag}: a control character XML cannot hold written as U+FFFD")
        text = XML_INVALID.sub("\ufffd", text)
    return escape(text, XML_TEXT_ENTITIES)


class MarcxmlWriter(_MarcWriter):
    """A MARCXML ``<collection>`` (MARC 21 slim schema), one record at a time."""

    name = "marcxml"
    extension = "xml"
    holds_empty = True  # <record> with its leader

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        super().__init__(out, options)
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NAMESPACE}">\n'
        )

    def write_fields(self, source: SourceRecord, fields: list[pymarc.Field]) -> None:
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
        self.out.write("".join(parts))

    def close(self) -> None:
        self.out.write("</collection>\n")


LINE_MARKER = re.compile(r"(?:^| )\$\S(?: |$)")


class LineWriter(_MarcWriter):
    """The YAZ line format: a leader line, ``245 10 $a Title $c Author``, a blank line."""

    name = "line"
    extension = "line"

    def write_fields(self, source: SourceRecord, fields: list[pymarc.Field]) -> None:
        record = source.record
        leader = _one_line(str(record.leader), "LDR", source)
        lines = [f"{leader}\n"] if source.has_leader else []
        for fld in fields:
            if fld.control_field or is_control_tag(fld.tag):
                lines.append(f"{fld.tag} {_one_line(fld.data or '', fld.tag, source)}\n")
                continue
            parts = []
            for sub in fld.subfields:
                value = _one_line(sub.value, fld.tag, source)
                if LINE_MARKER.search(value):
                    source.warn(
                        f"field {fld.tag}: subfield ${sub.code} holds ' $x ', which"
                        " reads back as a subfield mark"
                    )
                parts.append(f"${sub.code} {value}")
            lines.append(f"{fld.tag} {fld.indicator1}{fld.indicator2} {' '.join(parts)}\n")
        lines.append("\n")
        self.out.write("".join(lines))


def _one_line(text: str, tag: str, source: SourceRecord) -> str:
    """A value as one line of a line format: a line break becomes a space and any
    other control character U+FFFD, each reported."""
    if text.isprintable():
        return text
    if "\n" in text or "\r" in text:
        source.warn(f"field {tag}: line break in a value written as a space")
        text = LINE_BREAK.sub(" ", text)
    if CONTROL.search(text):
        source.warn(f"field {tag}: a control character written as U+FFFD")
        text = CONTROL.sub("\ufffd", text)
    return text
