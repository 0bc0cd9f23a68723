"""Apply the rule table to one record and settle what needs the whole record."""

from __future__ import annotations

import pymarc

from marcconv.crosswalk.rules import Draft, rule_for
from marcconv.crosswalk.types import detect_type, not_bibliographic
from marcconv.errors import Diagnostic, NotBibliographic, RecordError, Severity
from marcconv.model import Reference
from marcconv.readers.base import SourceRecord

# where the date of publication comes from, best first
DATE_SOURCES: tuple[str, ...] = ("260", "264", "502", "773", "269", "909C0", "008")
REPORT_TYPES = frozenset({"report", "article"})


def to_reference(source: SourceRecord, *, all_records: bool = False) -> Reference:
    """The :class:`Reference` a record describes; warnings go to ``source.diagnostics``.

    Raises :class:`RecordError` when the record holds nothing to convert, and
    :class:`NotBibliographic` for an authority, holdings, deleted or UNIMARC record
    (unless ``all_records``).
    """
    record = source.record
    if not record.fields:
        raise RecordError("record has no fields", source.record_id)
    if not all_records and (what := not_bibliographic(record)) is not None:
        raise NotBibliographic(what, source.record_id)
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
    # 037 holds report numbers in Invenio records (980 names their collection), and
    # stock numbers in library catalogues (MARC 21: source of acquisition)
    if record.get("980") is not None:
        draft.report_numbers[:0] = [n for n in draft.numbers_037 if n not in draft.report_numbers]
    else:
        for number in draft.numbers_037:
            ref.add_identifier("stock-number", number)
    preprint = ref.type == "article" and bool(ref.identifiers.get("arxiv"))
    for number in draft.report_numbers:
        if ref.type in REPORT_TYPES and ref.number is None and not preprint:
            ref.number = number
        ref.add_identifier("report-number", number)
    arxiv = ref.identifiers.get("arxiv")
    if ref.type == "article" and arxiv:  # a preprint: cited by its archive and number
        ref.publisher = ref.publisher or "arXiv"
        # an old-style number ("hep-ph/0204140") is left out: citation styles
        # capitalise a number that starts with a letter ("Hep-Ph/0204140")
        if arxiv[0][:1].isdigit():
            ref.number = arxiv[0]
    if ref.source_record:
        ref.id = ref.source_record
    return ref
