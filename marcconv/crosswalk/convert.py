"""Apply the rule table to one record and settle what needs the whole record."""

from __future__ import annotations

import pymarc

from marcconv.crosswalk.rules import Draft, rule_for
from marcconv.crosswalk.types import detect_type
from marcconv.errors import Diagnostic, RecordError, Severity
from marcconv.model import Reference
from marcconv.readers.base import SourceRecord

# where the date of publication comes from, best first
DATE_SOURCES: tuple[str, ...] = ("260", "264", "502", "773", "008")
REPORT_TYPES = frozenset({"report", "article"})


def to_reference(source: SourceRecord) -> Reference:
    """The :class:`Reference` a record describes; warnings go to ``source.diagnostics``.

    Raises :class:`RecordError` when the record holds nothing to convert.
    """
    record = source.record
    if not record.fields:
        raise RecordError("record has no fields", source.record_id)
    draft = Draft(Reference(id=source.record_id))
    for fld in record.fields:
        rule = rule_for(fld)
        if rule is not None:
            rule.apply(fld, draft)
    for line, message in draft.warnings:
        source.diagnostics.append(
            Diagnostic(Severity.WARNING, message, source.source, line, source.record_id)
        )
    return _settle(draft, record)


def _settle(draft: Draft, record: pymarc.Record) -> Reference:
    ref = draft.ref
    ref.type = detect_type(record)
    for origin in DATE_SOURCES:
        if origin in draft.dates:
            ref.issued = draft.dates[origin]
            break
    if ref.title is None and ref.variant_titles:
        ref.title = ref.variant_titles.pop(0)
    if ref.title is None:
        ref.title = draft.uniform_titles.get("240") or draft.uniform_titles.get("130")
    if ref.title is not None:
        same = ref.title.casefold()
        ref.variant_titles = [t for t in ref.variant_titles if t.casefold() != same]
    if not ref.names and draft.bodies:
        ref.names.extend(draft.bodies)
    for number in draft.report_numbers:
        if ref.type in REPORT_TYPES and ref.number is None:
            ref.number = number
        else:
            ref.add_identifier("report-number", number)
    if ref.source_record:
        ref.id = ref.source_record
    return ref
