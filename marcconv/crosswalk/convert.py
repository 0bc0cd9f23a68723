"""Apply the rule table to one record and settle what needs the whole record."""

from __future__ import annotations

from dataclasses import fields, replace

import pymarc

from marcconv.crosswalk.rules import TAG_RULES, Draft, rule_for
from marcconv.crosswalk.types import detect_type, not_bibliographic
from marcconv.errors import Diagnostic, NotBibliographic, RecordError, Severity
from marcconv.marc.record import FieldIndex, SourceField, SourceRecord, view_of
from marcconv.model import Name, Reference

# where the date of publication comes from, best first
DATE_SOURCES: tuple[str, ...] = ("260", "264", "502", "773", "269", "909C0", "008")
REPORT_TYPES = frozenset({"report", "article"})


def to_reference(source: SourceRecord | pymarc.Record, *, all_records: bool = False) -> Reference:
    """The :class:`Reference` a record describes; warnings go to ``source.diagnostics``.

    ``source`` is the MARC view readers give (:class:`SourceRecord`) or a plain
    ``pymarc.Record`` (read by pymarc itself, or built in code).

    Raises :class:`RecordError` when the record holds nothing to convert, and
    :class:`NotBibliographic` for an authority, holdings, deleted or UNIMARC record
    (unless ``all_records``).
    """
    if isinstance(source, pymarc.Record):
        source = view_of(source)
    record = source.record
    if not record.fields:
        raise RecordError("record has no fields", source.record_id)
    index = FieldIndex(record)
    if not all_records and (what := not_bibliographic(index)) is not None:
        raise NotBibliographic(what, source.record_id)
    draft = Draft(Reference(id=source.record_id))
    known = TAG_RULES
    for fld in record.fields:
        tag = fld.tag
        rule = known[tag] if tag in known else rule_for(fld)
        if rule is not None:
            rule.apply(fld, draft)
            if rule.single:
                _report_repeats(fld, rule.single, draft)
    for line, message in draft.warnings:
        source.diagnostics.append(
            Diagnostic(Severity.WARNING, message, source.source, line, source.record_id)
        )
    return _settle(draft, index)


def _report_repeats(fld: pymarc.Field, codes: str, draft: Draft) -> None:
    """A warning for each subfield the rule reads once that the field repeats."""
    pairs = fld.select(frozenset(codes)) if isinstance(fld, SourceField) else fld.subfields
    found = [code for code, value in pairs if code in codes and value.strip()]
    if len(found) == len(set(found)):
        return
    for code in sorted({c for c in found if found.count(c) > 1}):
        draft.warnings.append(
            (
                getattr(fld, "line", None) or None,
                f"field {fld.tag}: ${code} appears {found.count(code)} times; only the first"
                " is read",
            )
        )


def _contributing(bodies: list[Name], names: list[Name]) -> list[Name]:
    """The bodies with no role of their own that contribute beside the named people:
    not those that are the people's affiliation (Zaguan's 7102_ "Universidad de
    Zaragoza. Dpto. Medicina ..." beside authors from "Universidad de Zaragoza")."""
    workplaces = {a.casefold() for name in names for a in name.affiliations}
    return [
        body
        for body in bodies
        if not any((body.literal or "").casefold().startswith(w) for w in workplaces if w)
    ]


def _once_per_role(names: list[Name]) -> list[Name]:
    """Each name once in each role: a person named in 100 and again in 700 (or twice
    in 700) is one author; the first occurrence, with what it knows, stays."""
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    kept = []
    for name in names:
        key = (name.role, name.family, name.given, name.literal)
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


#: what says nothing of the work itself: a reference with nothing else would be an
#: empty entry, which every output writes as an id alone and a citation processor
#: prints as nothing (citeproc-js leaves it out of a bibliography while still
#: listing its id, and consumers that pair the two fail)
NOT_CONTENT = frozenset({"id", "type", "source_record", "source", "language"})
_CONTENT = tuple(f.name for f in fields(Reference) if f.name not in NOT_CONTENT)


def citable(ref: Reference) -> bool:
    """Does the reference say anything of the work (a title, a name, a date, an
    identifier, a note...)?"""
    return any(getattr(ref, name) for name in _CONTENT)


def reference_to_write(
    source: SourceRecord | pymarc.Record, *, all_records: bool = False
) -> Reference:
    """:func:`to_reference`, refusing (:class:`RecordError`) a reference that says
    nothing of the work (see :func:`citable`) unless ``all_records``: what every
    output is made of."""
    ref = to_reference(source, all_records=all_records)
    if not all_records and not citable(ref):
        record_id = source.record_id if isinstance(source, SourceRecord) else None
        raise RecordError(
            "the record says nothing of the work (no title, name, date, identifier,"
            " note or link): an empty entry",
            record_id,
        )
    return ref


def _settle(draft: Draft, record: FieldIndex) -> Reference:
    ref = draft.ref
    ref.type = detect_type(record)
    for origin in DATE_SOURCES:
        if origin in draft.dates:
            ref.issued = draft.dates[origin]
            break
    if ref.title is None and ref.variant_titles:
        ref.title = ref.variant_titles.pop(0)
    if ref.title is None:
        uniform = draft.uniform_titles
        ref.title = uniform.get("240") or uniform.get("130") or uniform.get("740")
    for vernacular in draft.vernacular_titles:
        if ref.title is None:
            ref.title = vernacular
        elif vernacular not in ref.title:
            ref.title = f"{ref.title} = {vernacular}"
    ref.variant_titles.extend(t for t in draft.related_titles if t not in ref.variant_titles)
    if ref.title is not None:
        same = ref.title.casefold()
        ref.variant_titles = [t for t in ref.variant_titles if t.casefold() != same]
    uniform_title = draft.uniform_titles.get("240") or draft.uniform_titles.get("130")
    if uniform_title and uniform_title != ref.title:
        ref.uniform_title = uniform_title
    if ref.names:
        ref.names.extend(
            replace(body, role="contributor") for body in _contributing(draft.bodies, ref.names)
        )
    else:
        ref.names.extend(draft.bodies)
    ref.names = _once_per_role(ref.names)
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
        if draft.control_agency == "OCoLC":  # OCLC's 001: "ocm12345678", "on1183349983"
            number = ref.source_record.removeprefix("ocm").removeprefix("ocn")
            ref.add_identifier("system", f"(OCoLC){number.removeprefix('on')}")
    return ref
