"""The MARC 21 → model mapping, as a table of rules.

Each :class:`Rule` matches a field label written as Invenio prints it (tag then
both indicators, ``_`` for blank: ``0247_``, ``264_1``) with a regular
expression, and hands the field to one small function that fills the
:class:`Draft`.  ``docs/mapping.md`` is generated from this table
(``make docs``), so the documentation cannot drift from the code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

import pymarc
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from marcconv.crosswalk import language
from marcconv.crosswalk.dates import parse_date, year_from_008
from marcconv.crosswalk.host import normalise_pages, page_count, parse_enumeration
from marcconv.crosswalk.names import (
    NAMES_COLLABORATION,
    collaboration_names,
    corporate_name,
    orcid_of,
    person_name,
    personal_name,
    role_of,
)
from marcconv.crosswalk.text import (
    clean,
    collapse_spaces,
    is_all_caps,
    join_statements,
    strip_isbd,
    title_case,
    unpaired_brackets,
)
from marcconv.crosswalk.types import EU_REPO_PREFIX
from marcconv.marc.record import SourceField
from marcconv.model import Date, Name, Reference


@dataclass(slots=True)
class Draft:
    """A reference being built, with the evidence that is settled only at the end."""

    ref: Reference
    dates: dict[str, Date] = field(default_factory=dict)  # by source: "260", "773", "008"
    # names with no role of their own (710, 720): the authors when the record names
    # no one else, else contributors
    bodies: list[Name] = field(default_factory=list)
    related_titles: list[str] = field(default_factory=list)  # 740
    control_agency: str | None = None  # 003: whose control number the 001 is
    report_numbers: list[str] = field(default_factory=list)  # 088
    numbers_037: list[str] = field(default_factory=list)  # see convert._settle
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

    uniform_titles: dict[str, str] = field(default_factory=dict)  # by tag: 240, 130, 740
    vernacular_titles: list[str] = field(default_factory=list)  # 880 $6 245
    main_entries: int = 0  # names from 1XX, which come before every 7XX name
    event_from_main: bool = False  # the event title came from a 111

    def date(self, source: str, value: Date | None) -> None:
        if value is not None:
            self.dates.setdefault(source, value)

    def add_name(self, tag: str, name: Name) -> None:
        """Main entry (1XX) names first, then added entries (7XX), each in record order."""
        if tag.startswith("1"):
            self.ref.names.insert(self.main_entries, name)
            self.main_entries += 1
        else:
            self.ref.names.append(name)


Apply = Callable[[pymarc.Field, Draft], None]


@dataclass(frozen=True, slots=True)
class Rule:
    label: str  # regex over TAG + IND1 + IND2, "_" for a blank indicator
    targets: str  # the model fields it feeds (for the documentation)
    apply: Apply
    # the subfields it reads once (the first): a repeat of one is reported, never
    # dropped in silence (every other subfield it reads, it reads every time)
    single: str = ""


def text_of(value: str) -> str:
    """A subfield value as the model holds text: Unicode NFC, spaces collapsed, and
    without the half of a cataloguer's brackets that another subfield holds.

    Every rule reads subfields through this (by :func:`first`, :func:`every`,
    :func:`by_code`), so MARC-8 conversions with separate combining marks come
    out composed, and ``260 $a[San Francisco?, $c1883]`` (brackets that span
    subfields: information the cataloguer supplied) gives "San Francisco?" and
    "1883".
    """
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    text = collapse_spaces(value)
    if "[" in text or "]" in text:
        text = unpaired_brackets(text)
    return text


def _pairs(fld: pymarc.Field, codes: str) -> list[tuple[str, str]] | list[pymarc.Subfield]:
    """(code, value) of the subfields with any of ``codes``: read straight from the
    text of a field not yet split (:meth:`SourceField.select`)."""
    if isinstance(fld, SourceField):
        wanted = _CODES.get(codes)
        if wanted is None:
            wanted = _CODES[codes] = frozenset(codes)
        return fld.select(wanted)
    return fld.subfields


_CODES: dict[str, frozenset[str]] = {}


def every(fld: pymarc.Field, codes: str) -> list[str]:
    """The non-empty values of the subfields with any of ``codes``, in field order."""
    found = []
    for code, value in _pairs(fld, codes):
        if code in codes:
            text = text_of(value)
            if text:
                found.append(text)
    return found


def first(fld: pymarc.Field, code: str) -> str | None:
    for sub_code, value in _pairs(fld, code):
        if sub_code == code:
            text = text_of(value)
            if text:
                return text
    return None


def by_code(fld: pymarc.Field, codes: frozenset[str]) -> dict[str, list[str]]:
    """Every non-empty value of the subfields with one of ``codes``, by code, in
    one pass over the field."""
    found: dict[str, list[str]] = {}
    if isinstance(fld, SourceField):
        pairs = fld.select(codes)
    else:
        pairs = [(code, value) for code, value in fld.subfields if code in codes]
    for code, value in pairs:
        text = text_of(value)
        if text:
            found.setdefault(code, []).append(text)
    return found


def _line(fld: pymarc.Field) -> int | None:
    return getattr(fld, "line", None) or None  # a binary record has no lines


# ----------------------------------------------------------------- control and numbers
def record_id(fld: pymarc.Field, draft: Draft) -> None:
    """001: the record's control number."""
    if fld.data and fld.data.strip():
        draft.ref.source_record = fld.data.strip()


def control_agency(fld: pymarc.Field, draft: Draft) -> None:
    """003: the agency whose control number the 001 is ("OCoLC": the 001 is the
    record's OCLC number, an identifier of the work's record worth keeping)."""
    if fld.data and fld.data.strip():
        draft.control_agency = fld.data.strip()


def lccn(fld: pymarc.Field, draft: Draft) -> None:
    """010 $a: the Library of Congress Control Number, in its normalized form."""
    for value in every(fld, "a"):
        if number := normalized_lccn(value):
            draft.ref.add_identifier("lccn", number)


def normalized_lccn(value: str) -> str | None:
    """The Library of Congress's normalization of an LCCN: no blanks (nor the stray
    marks a conversion leaves), nothing after a slash, and the part after a hyphen
    zero-padded to six digits ("sc 83-3257" → "sc83003257", "  75002321 " →
    "75002321"); None for what is not one."""
    text = re.sub(r"[^0-9a-z/-]", "", value.lower()).split("/")[0]  # blanks, stray marks
    prefix, hyphen, serial = text.partition("-")
    if hyphen and serial.isdigit() and len(serial) <= 6:
        text = prefix + serial.zfill(6)
    return text if re.fullmatch(r"[a-z]{0,3}\d{6,10}", text) else None  # as given if short


def fixed_length_data(fld: pymarc.Field, draft: Draft) -> None:
    """008: Date 1 (07-10) as a fall-back year, language (35-37) as a fall-back."""
    data = fld.data or ""
    draft.date("008", year_from_008(data))
    if len(data) >= 38 and not draft.ref.language:
        draft.ref.language = language.to_bcp47(data[35:38])


def isbn(fld: pymarc.Field, draft: Draft) -> None:
    """020 $a: ISBN, qualifiers such as "(pbk.)" dropped, validated and hyphenated."""
    for value in every(fld, "a"):
        _add_isbn(draft, value, fld)


def _add_isbn(draft: Draft, value: str, fld: pymarc.Field) -> None:
    candidate = value.split(" ")[0].split("(")[0].strip(" :;.")
    _add_number(draft, fld, value, candidate, stdnum_isbn, "ISBN", draft.ref.isbn)


def issn(fld: pymarc.Field, draft: Draft) -> None:
    """022 $a: ISSN."""
    for value in every(fld, "a"):
        _add_issn(draft, value, fld)


def _add_issn(draft: Draft, value: str, fld: pymarc.Field) -> None:
    _add_number(draft, fld, value, value.strip(" .;"), stdnum_issn, "ISSN", draft.ref.issn)


def _add_number(
    draft: Draft,
    fld: pymarc.Field,
    value: str,
    candidate: str,
    scheme: ModuleType,
    label: str,
    numbers: list[str],
) -> None:
    """A standard number validated and formatted by python-stdnum; one that does
    not validate is kept as catalogued, with a warning; each number once."""
    try:
        formatted = scheme.format(scheme.validate(candidate))
    except Exception:
        draft.warnings.append(
            (_line(fld), f"{fld.tag}: {value!r} is not a valid {label}; kept as is")
        )
        formatted = candidate
    if formatted and formatted not in numbers:
        numbers.append(formatted)


# 024 $2 source → identifier scheme (compared in lower case)
IDENTIFIER_SOURCES: dict[str, str] = {
    "doi": "doi", "hdl": "handle", "handle": "handle", "urn": "urn", "arxiv": "arxiv",
    "pmid": "pmid", "pubmed": "pmid", "pmcid": "pmcid", "isni": "isni", "ismn": "ismn",
    "upc": "upc", "ean": "ean", "uri": "uri",
}  # fmt: skip
# 024 first indicator → scheme (MARC 21: 0 ISRC, 1 UPC, 2 ISMN, 3 EAN, 4 SICI)
IDENTIFIER_INDICATORS: dict[str, str] = {
    "0": "isrc",
    "1": "upc",
    "2": "ismn",
    "3": "ean",
    "4": "sici",
}
_DOI = re.compile(r"(10\.\d{4,9}/\S+)")
_ISSN_SHAPE = re.compile(r"\d{4}-?\d{3}[\dXx]")


def bare_doi(value: str) -> str | None:
    match = _DOI.search(value.strip())
    return match[1].rstrip(".") if match else None


def other_identifier(fld: pymarc.Field, draft: Draft) -> None:
    """024: DOI, Handle, URN, arXiv... typed by $2 (any case) or by the first indicator."""
    value = first(fld, "a")
    if not value:
        return
    ind1 = (fld.indicators or (" ", " "))[0]
    source = (first(fld, "2") or "").lower()
    scheme = IDENTIFIER_SOURCES.get(source) if ind1 == "7" else IDENTIFIER_INDICATORS.get(ind1)
    if scheme is None and source:
        scheme = source  # a local scheme, such as Zaguan's "sideral"
    if scheme == "doi":
        _add_doi(draft, bare_doi(value))
        return
    if scheme == "arxiv":
        value = arxiv_id(value) or value
    if scheme:
        draft.ref.add_identifier(scheme, value)


# an arXiv identifier: new style (1506.03091, 0804.0037v2) or old (hep-ph/0204140,
# math.GT/0309136), with or without "arXiv:" or an OAI prefix
_ARXIV = re.compile(
    r"(?:oai:arxiv\.org:|arxiv:)?((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)",
    re.IGNORECASE,
)
#: 035 $9 sources whose $a is the INSPIRE (formerly SPIRES) citation key
TEXKEY_SOURCES = frozenset({"inspiretex", "spirestex"})


def arxiv_id(value: str) -> str | None:
    """ "arXiv:1506.03091" → "1506.03091", "hep-ph/0204140" → itself; else None."""
    found = _ARXIV.fullmatch(value.strip())
    return found[1] if found else None


def system_number(fld: pymarc.Field, draft: Draft) -> None:
    """035 $a: system control numbers, "(OCoLC)12345"; with $9 INSPIRETeX or
    SPIRESTeX the INSPIRE citation key ("Aad:2012tfa"); with $9 arXiv the arXiv
    identifier.  $z numbers are cancelled ones and are left out."""
    source = (first(fld, "9") or "").lower()
    for value in every(fld, "a"):
        if source in TEXKEY_SOURCES:
            draft.ref.add_identifier("texkey", value)
        elif source == "arxiv" and (found := arxiv_id(value)):
            draft.ref.add_identifier("arxiv", found)
        else:
            draft.ref.add_identifier("system", value)


def report_number(fld: pymarc.Field, draft: Draft) -> None:
    """088 $a, and 037 $a as Invenio uses it: report numbers, every one; an arXiv
    identifier ($9 arXiv, or its shape: "hep-ph/0204140") is the arXiv identifier,
    and $c its primary category.  In MARC 21 037 is the source of acquisition (a
    stock number: "LC-DIG-prok-01711"); whether a record uses it so is settled by
    :func:`marcconv.crosswalk.convert.to_reference`."""
    arxiv_source = (first(fld, "9") or "").lower() == "arxiv"
    for value in every(fld, "a"):
        found = arxiv_id(value)
        if found and (arxiv_source or "/" in found or value.lower().startswith("arxiv")):
            draft.ref.add_identifier("arxiv", found)
            category = first(fld, "c")
            if category and draft.ref.arxiv_class is None:
                draft.ref.arxiv_class = category
        else:
            numbers = draft.numbers_037 if fld.tag == "037" else draft.report_numbers
            if value not in numbers:
                numbers.append(value)


def language_code(fld: pymarc.Field, draft: Draft) -> None:
    """041 $a: language of the text, ISO 639-2 → BCP 47 ("eng" → "en"); also the
    forms records hold beside the standard: a two-letter code ("pl"), a name
    ("Portuguese"), several in one value ("Russian / English": the first)."""
    for value in every(fld, "a"):
        for part in re.split(r"\s*[/,;]\s*|\s+and\s+", value):
            code = language.to_bcp47(part)
            if code:
                draft.ref.language = code
                return


# ----------------------------------------------------------------- names
PERSON_CODES = frozenset("ace4u0jk")  # what person() reads; INSPIRE adds $v $w $m $x $y $i
PERSON_AND_TITLE_CODES = PERSON_CODES | {"t"}  # $t: a name/title entry
_NO_VALUES: list[str] = []  # never appended to


def person(fld: pymarc.Field, draft: Draft) -> None:
    """100/700: a person; $e/$4 relators decide the role, $u affiliations, $0 ORCID."""
    add_person(fld, draft, "author")


def analytical(fld: pymarc.Field) -> bool:
    """A 7XX name/title entry with second indicator 2 (MARC 21: analytical entry):
    the item contains that work, so its author is one of the item's."""
    indicators = fld.indicators
    return indicators is not None and indicators[1] == "2"


def uncontrolled_name(fld: pymarc.Field, draft: Draft) -> None:
    """720 (name, uncontrolled): a person (first indicator 1) or another name, in the
    role its relator ($e, $4) gives; one with no role we map is one of the record's
    names with no role of its own."""
    heading = first(fld, "a")
    if not heading:
        return
    role = role_of(every(fld, "e"), every(fld, "4"), "")
    ind1 = (fld.indicators or (" ", " "))[0]
    if ind1 == "1":
        name = personal_name(heading, role=role or "author")
    else:
        name = corporate_name([heading], role or "author")
    if role:
        draft.add_name(fld.tag, name)
    else:
        draft.bodies.append(name)


def supervisor(fld: pymarc.Field, draft: Draft) -> None:
    """701 (INSPIRE, Invenio): a thesis supervisor, a contributor unless a relator
    says otherwise (CSL has no thesis-advisor variable; Zotero's is contributor)."""
    add_person(fld, draft, "contributor")


def add_person(fld: pymarc.Field, draft: Draft, default_role: str) -> None:
    """A person of a 100/700/701.  Every $a is a name (MARC 21 makes $a not
    repeatable, but INSPIRE records hold "$aGumplinger, P.$aHadley, D.R.");
    a 700 with a title ($t) names a related work, not a creator: it is kept as
    an annotation ("Related work: Congreve, William. Love for love").

    The names of a field are remembered by its text: a catalogue repeats its
    author fields (INSPIRE's collaboration papers share thousands, affiliations
    and all), and a :class:`Name` cannot change.
    """
    raw = fld._raw if isinstance(fld, SourceField) else None
    if raw is not None:
        key = (fld.tag, fld.indicators, raw, default_role)
        known = _PERSON_FIELDS.get(key)
        if known is not None:
            for name in known:
                draft.add_name(fld.tag, name)
            return
        before = len(draft.ref.names), len(draft.ref.annote)
        _add_person(fld, draft, default_role)
        if len(draft.ref.annote) == before[1]:  # no related work: the names are all
            if len(_PERSON_FIELDS) >= _PERSON_FIELDS_HELD:
                _PERSON_FIELDS.clear()
            _PERSON_FIELDS[key] = _added(draft, fld.tag, before[0])
        return
    _add_person(fld, draft, default_role)


#: the names each person field's text gave (see :func:`add_person`)
_PERSON_FIELDS: dict[tuple[str, object, str, str], tuple[Name, ...]] = {}
_PERSON_FIELDS_HELD = 50_000


def _added(draft: Draft, tag: str, before: int) -> tuple[Name, ...]:
    """The names a field added: main entries go before the added ones."""
    names = draft.ref.names
    if tag.startswith("1"):
        count = len(names) - before
        start = draft.main_entries - count
        return tuple(names[start : draft.main_entries])
    return tuple(names[before:])


def _add_person(fld: pymarc.Field, draft: Draft, default_role: str) -> None:
    sub = by_code(fld, PERSON_AND_TITLE_CODES)
    if "t" in sub and fld.tag.startswith("7"):
        related_work(fld, draft)
        if not analytical(fld):
            return
    headings = sub.get("a")
    if not headings:
        return
    indicators = fld.indicators
    direct = indicators is not None and indicators[0] == "0"
    role = role_of(sub.get("e", _NO_VALUES), sub.get("4", _NO_VALUES), default_role)
    identifiers = sub.get("0", _NO_VALUES) + sub.get("j", _NO_VALUES) + sub.get("k", _NO_VALUES)
    orcid = orcid_of(identifiers) if identifiers else None
    titles = tuple(sub.get("c", ()))
    affiliations = tuple(sub.get("u", ()))
    for position, heading in enumerate(headings):
        if position == 0:
            name = person_name(heading, direct, titles, role, orcid, affiliations)
        else:
            name = person_name(heading, direct, (), role, None, ())
        draft.add_name(fld.tag, name)


def related_work(fld: pymarc.Field, draft: Draft) -> None:
    """A name/title added entry (7XX with $t): a work related to this one (analytics,
    a text it contains), kept as an annotation."""
    heading = " ".join(strip_isbd(v) for v in every(fld, "abcdqgn") if strip_isbd(v))
    work = " ".join(strip_isbd(v) for v in every(fld, "tnplfkm") if strip_isbd(v))
    text = ". ".join(part for part in (heading, work) if part)
    if text and f"Related work: {text}" not in draft.ref.annote:
        draft.ref.annote.append(f"Related work: {text}")


def body(fld: pymarc.Field, draft: Draft) -> None:
    """110/710: a corporate body; a body with a relator is a name.

    A collaboration ($g, every one; or a heading that names one: "CMS
    Collaboration", "on behalf of the ATLAS Collaboration") is a collaboration,
    named bare as INSPIRE does ("CMS"), each once.  A 710 with neither (Zaguan's
    7102_ department of the university) is kept as an author only when the record
    names no person.
    """
    if fld.tag.startswith("7") and first(fld, "t"):
        related_work(fld, draft)  # a body's work: "Catholic Church. Pope. Syllabus errorum"
        if not analytical(fld):
            return
    parts = every(fld, "a") + every(fld, "b")
    named = every(fld, "g")
    if not named and parts and NAMES_COLLABORATION.search(parts[-1]):
        named = [" ".join(parts)]
    if named:
        known = {c.casefold() for c in draft.ref.collaborations}
        for text in named:
            for name in collaboration_names(text):
                if name.casefold() not in known:
                    known.add(name.casefold())
                    draft.ref.collaborations.append(name)
        return
    if not parts:
        return
    relators = every(fld, "e") + every(fld, "4")
    if fld.tag == "110" or relators:
        role = role_of(every(fld, "e"), every(fld, "4"), "author")
        draft.add_name(fld.tag, corporate_name(parts, role))
    else:
        draft.bodies.append(corporate_name(parts, "author"))


def meeting(fld: pymarc.Field, draft: Draft) -> None:
    """111/711: the meeting's name is the event title; a 111 wins over any 711."""
    name = first(fld, "a")
    if not name:
        return
    main = fld.tag.startswith("1")
    if draft.ref.event_title is None or (main and not draft.event_from_main):
        draft.ref.event_title = clean(name)
        draft.event_from_main = main


# ----------------------------------------------------------------- titles and edition
def title_text(fld: pymarc.Field) -> tuple[str, str | None] | None:
    """(title, short title) of a 245, 246 or 880: $a $b $n $p, ISBD punctuation
    and brackets removed; the short title is $a when there is a subtitle.  A
    repeated $a (titles of works without a collective title, a parallel series
    title) is joined as :func:`join_statements` does.

    An archival record may have no $a but a $k (form: "Scrapbooks of mounted
    views ..."), which is then its title.
    """
    main = join_statements(every(fld, "a")) or clean(first(fld, "k") or "")
    if not main:
        return None
    text = short = main
    subtitle = first(fld, "b")
    if subtitle:
        text = f"{text}: {clean(subtitle)}"
    previous = ""  # parts in field order: "Annual report. Part 1, Introduction"
    for code, value in fld.subfields:
        if code in "np":
            part = clean(text_of(value))
            if part:
                text = f"{text}{', ' if code == 'p' and previous == 'n' else '. '}{part}"
                previous = code
    return text, short if subtitle else None


def title(fld: pymarc.Field, draft: Draft) -> None:
    """245 $a $b $n $p: title and subtitle, ISBD punctuation and brackets removed."""
    found = title_text(fld)
    if found:
        draft.ref.title, short = found
        if short:
            draft.ref.title_short = short


def related_title(fld: pymarc.Field, draft: Draft) -> None:
    """740 $a $n $p: an uncontrolled related or analytical title, kept with the
    variant titles; the title only when the record gives no other."""
    found = title_text(fld)
    if found:
        draft.uniform_titles.setdefault("740", found[0])
        if found[0] not in draft.related_titles:
            draft.related_titles.append(found[0])


def variant_title(fld: pymarc.Field, draft: Draft) -> None:
    """246 $a $b $n $p: a varying form of the title (parallel, cover, spine title).

    It is the title itself when the record's 245 gives none.
    """
    found = title_text(fld)
    if found and found[0] not in draft.ref.variant_titles:
        draft.ref.variant_titles.append(found[0])


def uniform_title(fld: pymarc.Field, draft: Draft) -> None:
    """130/240 $a $n $p: the uniform title of the work ("2 diversions. Dance").

    It is the title only when the record's 245 and 246 give none; a 240 (the
    work of the main entry's author) before a 130.
    """
    found = title_text(fld)
    if found:
        draft.uniform_titles.setdefault(fld.tag, found[0])


def alternate_script(fld: pymarc.Field, draft: Draft) -> None:
    """880: a field in another script, whose $6 names the field it renders ("245-01").

    The title in its original script is the same title, not the title of an
    original work (CSL original-title, which APA prints as "Original work
    published as"): it joins the title as a parallel title, as ISBD and the
    catalogue display write it ("Aṣṭādhyāyī = अष्टाध्यायी").  A publication
    statement (260/264) gives the place and publisher a record gives nowhere
    else (an 880 with no field of its own: "260-00").
    """
    link = first(fld, "6") or ""
    if link.startswith("245"):
        found = title_text(fld)
        if found and found[0] not in draft.vernacular_titles:
            draft.vernacular_titles.append(found[0])
    elif link.startswith(("260", "264")):
        imprint(fld, draft)


def edition(fld: pymarc.Field, draft: Draft) -> None:
    """250 $a: edition statement."""
    value = first(fld, "a")
    if value:
        draft.ref.edition = clean(value)


_NO_PLACE = re.compile(r"\[?s\.\s?l\.?\]?:?", re.IGNORECASE)  # sine loco
_NO_NAME = re.compile(r"\[?s\.\s?n\.?\]?,?", re.IGNORECASE)  # sine nomine


def imprint(fld: pymarc.Field, draft: Draft) -> None:
    """260, or 264 with second indicator 1 (publication): places, publishers, date.
    $a and $b are repeatable: every place and every publisher, joined by "; "
    ("New York; London").  A year alone in $a (CDS: "260 $a2017") is the date."""
    places, publishers, date = every(fld, "a"), every(fld, "b"), first(fld, "c")
    if len(places) == 1 and not date and re.fullmatch(r"\[?\d{4}\]?\.?", places[0]):
        places, date = [], places[0]
    places = [clean(p) for p in places if not _NO_PLACE.fullmatch(p.strip(" :;"))]
    publishers = [clean(p) for p in publishers if not _NO_NAME.fullmatch(p.strip(" :;,"))]
    if places and not draft.ref.publisher_place:
        draft.ref.publisher_place = "; ".join(p for p in places if p)
    if publishers and not draft.ref.publisher:
        draft.ref.publisher = "; ".join(p for p in publishers if p)
    if date:
        draft.date(fld.tag, parse_date(date))


def preprint_date(fld: pymarc.Field, draft: Draft) -> None:
    """269 $c (Invenio, INSPIRE, CDS): the date of a preprint or report ("2016-11-09"),
    the date of the work when no publication gives one."""
    value = first(fld, "c")
    if value:
        draft.date("269", parse_date(value))


def extent(fld: pymarc.Field, draft: Draft) -> None:
    """300 $a: the number of pages, from the first extent that counts pages (see
    :func:`~marcconv.crosswalk.host.page_count`: "xii, 345 p." → 345, "320, 11 p."
    → 320, never plates; INSPIRE's bare "10" is 10 pages)."""
    for value in every(fld, "a"):
        count = page_count(value)
        if count:
            draft.ref.number_of_pages = count
            return


def series(fld: pymarc.Field, draft: Draft) -> None:
    """490/830 (and 440, their obsolete predecessor) $a $n $p $v: series title
    ("IFIP transactions. B, Applications in technology") and number."""
    found = title_text(fld)
    if found and draft.ref.collection_title is None:
        draft.ref.collection_title = found[0]
        number = first(fld, "v")
        if number:
            draft.ref.collection_number = clean(number)


# ----------------------------------------------------------------- notes
def general_note(fld: pymarc.Field, draft: Draft) -> None:
    """500 $a: general notes.  An arXiv comment ($9 arXiv: "17 pages, 3 figures") and
    INSPIRE's cataloguing flags ("*Temporary entry*") describe the record rather than
    the work: they are kept as annotations, which citations do not print."""
    aside = (first(fld, "9") or "").lower() == "arxiv"
    for value in every(fld, "a"):
        if aside or (value.startswith("*") and value.endswith("*")):
            draft.ref.annote.append(value)
        else:
            draft.ref.note.append(value)


_OLD_THESIS = re.compile(
    r"^(?:Thesis|Tesis|Thèse|Dissertation|Diss)\.?\s*\((?P<degree>[^)]*)\)\s*[-—–]+\s*"
    r"(?P<institution>.*?)(?:,\s*(?P<year>\d{4}))?\.?$",
    re.IGNORECASE,
)


def thesis(fld: pymarc.Field, draft: Draft) -> None:
    """502: $b degree, $c institution, $d year, or free text in $a.

    Free text: "Thesis (Ph.D.)--University, 1990." (AACR2) or "Ph.D. : University : 1999".
    """
    degree, institution, year = first(fld, "b"), first(fld, "c"), first(fld, "d")
    free = first(fld, "a")
    if free and not (degree or institution):
        match = _OLD_THESIS.match(free)
        parts = [p.strip() for p in free.split(" : ")]
        if match:
            degree, institution, year = match["degree"], match["institution"], match["year"]
        elif len(parts) == 3:  # Invenio demo: "Ph.D. : Univ. Central Florida : 1999"
            degree, institution, year = parts
    if degree:
        draft.ref.genre = degree_genre(degree)
    if institution and not draft.ref.publisher:
        draft.ref.publisher = clean(institution)
    if year:
        draft.date("502", parse_date(year))


def degree_genre(degree: str) -> str:
    """ "Ph.D." → "PhD thesis", "M.A." → "Master's thesis"; others kept."""
    key = re.sub(r"[\s.]", "", degree).lower()
    if key in {"phd", "dphil", "doctoral", "doctorate", "doctorat", "doctorado", "dr", "edd"}:
        return "PhD thesis"
    if key.startswith(("ma", "ms", "msc", "master", "mphil", "mba")):
        return "Master's thesis"
    if key.startswith(("ba", "bs", "bsc", "bachelor", "diploma", "laurea")):
        return f"{clean(degree)} thesis"
    return clean(degree)


def abstract(fld: pymarc.Field, draft: Draft) -> None:
    """520 $a: summary, every $a.  The first 520 is the abstract; a later one with a
    source ($9: INSPIRE gives the arXiv and the publisher's version of the same
    abstract) is left out, a later one without is another part of the summary (a
    library's scope note), kept as an annotation."""
    value = " ".join(every(fld, "a"))
    if not value:
        return
    if draft.ref.abstract is None:
        draft.ref.abstract = value
    elif not first(fld, "9") and value not in draft.ref.annote:
        draft.ref.annote.append(value)


def other_note(fld: pymarc.Field, draft: Draft) -> None:
    """The other notes about the work (bibliography, contents, language,
    reproduction, source of the description ...: WORK_NOTES): facts about the item
    that citations do not print, kept as annotations, each the text of its
    subfields."""
    value = " ".join(t for code, v in fld.subfields if code.isalpha() and (t := text_of(v)))
    if value and value not in draft.ref.annote:
        draft.ref.annote.append(value)


def licence(fld: pymarc.Field, draft: Draft) -> None:
    """540: terms of use, as the licence URL ($u) or its name ($a)."""
    value = first(fld, "u") or first(fld, "a")
    if value and draft.ref.license is None:
        draft.ref.license = value


#: the subfields of a 6XX heading, by tag (MARC 21): a person's name with its
#: numeration, titles, dates and fuller form; a body's subordinate units; a meeting's
#: number, date and place; a uniform title's parts
SUBJECT_HEADINGS: dict[str, frozenset[str]] = {
    "600": frozenset("abcdq"), "610": frozenset("ab"), "611": frozenset("acdn"),
    "630": frozenset("anp"), "650": frozenset("a"), "651": frozenset("a"),
    "655": frozenset("a"), "689": frozenset("a"),
}  # fmt: skip
SUBDIVISIONS = frozenset("vxyz")  # form, general, period, place


def subject(fld: pymarc.Field, draft: Draft) -> None:
    """600-651: the heading (with its parts: "United States. Congress. House") and its
    subdivisions ($v form, $x general, $y period, $z place), in record order, as
    "Heading -- Subdivision"; 655 genre/form terms ("Konferenzschrift -- 2015 --
    Basel") and 689 (the subject chains of German catalogues) likewise; 653
    uncontrolled keywords, each $a one."""
    if fld.tag == "653":
        values = [strip_isbd(text) for code, value in fld.subfields if code == "a"
                  if (text := text_of(value))]  # fmt: skip
    elif fld.tag == "655" and (first(fld, "a") or "").startswith(EU_REPO_PREFIX):
        return  # an OpenAIRE type term: the kind of work (crosswalk/types.py)
    else:
        heading_codes = SUBJECT_HEADINGS.get(fld.tag, frozenset("a"))
        heading: list[str] = []
        parts: list[str] = []
        for code, value in fld.subfields:
            text = text_of(value)
            if not text:
                continue
            if code in heading_codes and not parts:
                heading.append(text)
            elif code in SUBDIVISIONS:
                parts.append(strip_isbd(text))
        if heading:
            parts.insert(0, strip_isbd(" ".join(heading)))
        values = [" -- ".join(parts)] if parts else []
    for value in values:
        if value and value not in draft.ref.keyword:
            draft.ref.keyword.append(value)


# ----------------------------------------------------------------- host item and links
# a journal section letter written with the volume number: "D94", "B 754" (INSPIRE),
# and "40B" (the older form of Phys.Lett.)
_JOURNAL_SECTION = re.compile(r"([A-Z])\s?(\d+)|(\d+)\s?([A-Z])")
# a period run into the next word of an abbreviated title: "Phys.Rev.Lett."
_RUN_IN_PERIOD = re.compile(r"\.(?=[^\s.,;:)\]])")


def spaced_abbreviation(title: str) -> str:
    """ "Phys.Rev.Lett." → "Phys. Rev. Lett.", as ISO 4 writes abbreviated titles and
    INSPIRE's own BibTeX export prints them."""
    return _RUN_IN_PERIOD.sub(". ", title) if "." in title else title


def host_item(fld: pymarc.Field, draft: Draft) -> None:
    """773: the host (journal, book) with its enumeration.

    MARC 21: $t title, $p abbreviated title, $g enumeration (free text), $x ISSN,
    $z ISBN, $d imprint.  Invenio/INSPIRE variant: $p journal, $v volume, $n issue,
    $c pages, $y year.  The first 773 that names a host is the host; a later one
    (a reprint, an erratum: INSPIRE lists them so) is kept as an annotation, never
    mixed into the first.
    """
    ref = draft.ref
    long_title, short_title = first(fld, "t"), first(fld, "p")
    if (long_title or short_title) and ref.container_title is not None:
        also = f"Also in: {_host_citation(fld)}"
        same = clean(long_title) if long_title else spaced_abbreviation(short_title or "")
        if also not in ref.annote and same not in (ref.container_title, ref.container_title_short):
            ref.annote.append(also)
        return
    if long_title:
        text = clean(long_title)
        ref.container_title = title_case(text) if is_all_caps(text) else text
    if short_title:
        ref.container_title_short = spaced_abbreviation(short_title.rstrip(",;:/ "))
        if not long_title:
            ref.container_title = ref.container_title_short
    for enumeration in every(fld, "g"):
        parsed = parse_enumeration(enumeration)
        ref.volume = ref.volume or parsed.volume
        ref.issue = ref.issue or parsed.issue
        ref.page = ref.page or parsed.pages
        draft.date("773", parsed.date)
    volume, number, pages, year = first(fld, "v"), first(fld, "n"), first(fld, "c"), first(fld, "y")
    if volume:
        section = _JOURNAL_SECTION.fullmatch(volume.strip())
        if section and short_title and not long_title and not ref.volume:
            # INSPIRE's older forms: $p Phys.Rev. $v D94 and $p Phys.Lett. $v 40B
            # are Phys. Rev. D, volume 94, and Phys. Lett. B, volume 40
            letter, volume = section[1] or section[4], section[2] or section[3]
            ref.container_title_short = f"{ref.container_title_short} {letter}"
            ref.container_title = ref.container_title_short
        if _YEAR_IN_VOLUME.fullmatch(volume) and _unspaced(ref.container_title_short) in (
            _JOURNALS_WITH_YEAR_IN_VOLUME
        ):
            volume = volume[2:]  # INSPIRE's JHEP 1508 is volume 08 (of 2015), as it cites it
        ref.volume = ref.volume or volume
    if number:  # INSPIRE's issue; in MARC 21 a note, kept as one when it is not a number
        if len(number) <= 12 and any(c.isdigit() for c in number):
            ref.issue = ref.issue or number
        else:
            ref.annote.append(number)
    if pages:
        ref.page = ref.page or normalise_pages(pages)
    if year:
        draft.date("773", parse_date(year))
    for value in every(fld, "x"):
        if _ISSN_SHAPE.fullmatch(value.strip(" .;")):  # INSPIRE puts free text in $x
            _add_issn(draft, value, fld)
    for value in every(fld, "z"):  # the host's ISBN (a chapter's book, a paper's proceedings)
        _add_isbn(draft, value, fld)


#: journals whose volume INSPIRE's records write with the year before it (JHEP 1508:
#: 2015, volume 08; inspire-schemas, _JOURNALS_WITH_YEAR_ADDED_TO_VOLUME)
_JOURNALS_WITH_YEAR_IN_VOLUME = frozenset({"JHEP", "JCAP"})
_YEAR_IN_VOLUME = re.compile(r"\d{4}")


def _unspaced(title: str | None) -> str:
    return (title or "").replace(" ", "").upper()


#: 856 $x and $y that mark a link to a picture of the record, not to the work
_PICTURE_NOTES = re.compile(r"^(?:icon|thumbnail|figure|fig\b|fig\.|plot|image)", re.IGNORECASE)
#: ... and the file names of pictures ("files/Fig3f.png", INSPIRE's figures)
_PICTURE_FILE = re.compile(r"\.(?:png|jpe?g|gif|svg|eps|tiff?|bmp|webp)(?:[?#].*)?$", re.I)


def _host_citation(fld: pymarc.Field) -> str:
    """A 773 as a journal reference: "Adv. Theor. Math. Phys. 2 (1998) 231-252"."""
    title = first(fld, "t") or spaced_abbreviation(first(fld, "p") or "")
    year = first(fld, "y")
    parts = [title, first(fld, "v"), f"({year})" if year else None, first(fld, "c")]
    return " ".join(part for part in [*parts, *every(fld, "ng")] if part)


def older_host_item(fld: pymarc.Field, draft: Draft) -> None:
    """909C4 (CDS and the Invenio demo, before 773 was used): the host journal, read
    as a 773 ($p $v $n $c $y).  With a link in $d it is a related page, not a host;
    a journal with no volume, pages or year (a preprint's "submitted to") is kept
    as an annotation."""
    if every(fld, "d"):
        return
    if every(fld, "vcy"):
        host_item(fld, draft)
    elif journal := first(fld, "p"):
        draft.ref.annote.append(f"Journal: {journal}")


def cds_year(fld: pymarc.Field, draft: Draft) -> None:
    """909C0 $y (CDS): the year of publication, when nothing else dates the work."""
    value = first(fld, "y")
    if value:
        draft.date("909C0", parse_date(value))


def _add_doi(draft: Draft, doi: str | None) -> None:
    """The first DOI is the work's; others (a conference's, a repository's copy) are
    kept among its identifiers."""
    if not doi:
        return
    if draft.ref.doi is None:
        draft.ref.doi = doi
    elif doi.casefold() != draft.ref.doi.casefold():
        draft.ref.add_identifier("doi", doi)


def electronic_location(fld: pymarc.Field, draft: Draft) -> None:
    """856 $u: URL (a doi.org URL gives the DOI).  Links to pictures (an icon, a
    thumbnail, the figures INSPIRE lists: $x/$y or the file name say so) are not the
    work and are left out."""
    notes = every(fld, "x") + [y.lstrip("0123456789 ") for y in every(fld, "y")]
    if any(_PICTURE_NOTES.match(note) for note in notes):
        return
    for url in every(fld, "u"):
        if _PICTURE_FILE.search(url):
            continue
        if "doi.org/" in url:
            doi = bare_doi(url)
            if doi and draft.ref.doi is None:
                draft.ref.doi = doi
                continue
            _add_doi(draft, doi)  # another DOI; its link stays a URL
        if url not in draft.ref.url:
            draft.ref.url.append(url)


def oai_identifier(fld: pymarc.Field, draft: Draft) -> None:
    """909CO $o: the OAI-PMH identifier of an Invenio record, its repository the source.

    "oai:zaguan.unizar.es:161903" gives the source "zaguan.unizar.es"."""
    value = first(fld, "o")
    if value:
        draft.ref.add_identifier("oai", value)
        scheme, _, rest = value.partition(":")
        repository = rest.rpartition(":")[0]
        if scheme.lower() == "oai" and repository and not draft.ref.source:
            draft.ref.source = repository


def call_number(fld: pymarc.Field, draft: Draft) -> None:
    """050 / 090 $a $b (Library of Congress), else 082 $a (Dewey): the call number."""
    parts = [v for code, v in fld.subfields if code in "ab" and v.strip()]
    if fld.tag == "082":
        parts = parts[:1]
    if parts and not draft.ref.call_number:
        draft.ref.call_number = " ".join(p.strip() for p in parts)


def ignored(fld: pymarc.Field, draft: Draft) -> None:
    """Read by type detection or administrative only; nothing to copy."""


#: the 5XX notes about the work with no rule of their own (MARC 21): with, bibliography,
#: contents, scale, creation credits, citation, participants, report type, data
#: quality, numbering peculiarities, event, audience, geographic coverage, cited as,
#: supplement, other formats, reproduction, original version, funding, system
#: details, originals, biography, language, form, issuing body, entity information,
#: index, finding aid, cumulative index, case file, linking entry, exhibitions,
#: source of the description.  Notes about a library's copy (access restrictions,
#: provenance, acquisition, actions) and local 59X notes (Invenio's internal ones)
#: are not facts of the work and are left out.
WORK_NOTES = (501, 503, 504, 505, 507, 508, 510, 511, 513, 514, 515, 516, 518, 521, 522, 524,
              525, 526, 530, 533, 534, 536, 538, 544, 545, 546, 547, 550, 552, 555, 556, 565,
              567, 580, 581, 585, 586, 588)  # fmt: skip
OTHER_NOTES = "|".join(f"{tag}.." for tag in WORK_NOTES)

RULES: tuple[Rule, ...] = (
    Rule("001..", "source_record", record_id),
    Rule("003..", "identifiers[system] (with the 001: an OCLC number)", control_agency),
    Rule("010..", "identifiers[lccn]", lccn),
    Rule("005..|LDR..|FMT..", "(administrative)", ignored),
    Rule("008..", "issued (fall-back), language (fall-back)", fixed_length_data),
    Rule("020..", "ISBN", isbn),
    Rule("022..", "ISSN", issn),
    Rule("024..", "DOI, identifiers[handle|urn|arxiv|...]", other_identifier, single="a2"),
    Rule("035..", "identifiers[system|texkey|arxiv]", system_number),
    Rule("050..|090..|082..", "call-number", call_number),
    Rule(
        "037..|088..",
        "number (reports), identifiers[report-number|arxiv], arxiv-class",
        report_number,
    ),
    Rule("041..", "language", language_code),
    Rule("100..|700..", "author, editor, translator, ... (by relator), annote", person),
    Rule("701..", "contributor (thesis supervisor)", supervisor),
    Rule(
        "110..|710..",
        "author, contributor (bodies), collaborations ($g, or a heading naming one), annote",
        body,
    ),
    Rule("720..", "author, contributor (uncontrolled names)", uncontrolled_name),
    Rule("730..", "annote (a related work)", related_work),
    Rule("111..|711..", "event-title", meeting, single="a"),
    Rule("245..", "title, title-short", title, single="b"),
    Rule("130..|240..", "title (when 245 and 246 give none)", uniform_title, single="b"),
    Rule("246..", "variant-titles, title (when there is no 245)", variant_title, single="b"),
    Rule(
        "740..", "variant-titles, title (when no other field gives one)", related_title, single="b"
    ),
    Rule(
        "880..",
        "title (245 in its original script, as a parallel title), publisher, place (260/264)",
        alternate_script,
    ),
    Rule("250..", "edition", edition, single="a"),
    Rule("260..|264.1", "publisher-place, publisher, issued", imprint, single="c"),
    Rule("269..", "issued (when no publication dates the work)", preprint_date, single="c"),
    Rule("300..", "number-of-pages", extent),
    Rule("440..|490..|830..", "collection-title, collection-number", series, single="bv"),
    Rule("500..", "note, annote (arXiv comments)", general_note),
    Rule("502..", "genre, publisher (institution), issued", thesis, single="abcd"),
    Rule("520..", "abstract, annote (a later summary)", abstract),
    Rule(OTHER_NOTES, "annote (bibliography, contents, reproduction ... notes)", other_note),
    Rule("540..", "license", licence, single="au"),
    Rule("600..|610..|611..|630..|650..|651..|653..|655..|689..", "keyword", subject),
    Rule("980..", "type (see crosswalk/types.py)", ignored),
    Rule(
        "773..",
        "container-title(-short), volume, issue, page, ISSN, ISBN, issued",
        host_item,
        single="tpvncy",
    ),
    Rule("856..", "URL (not pictures), DOI", electronic_location),
    Rule("909CO", "identifiers[oai], source", oai_identifier, single="o"),
    Rule("909C4", "as 773 (CDS's older host item)", older_host_item, single="tpvncy"),
    Rule("909C0", "issued (CDS year, when nothing else dates the work)", cds_year, single="y"),
)


def _index(rules: tuple[Rule, ...]) -> dict[str, list[tuple[re.Pattern[str], Rule]]]:
    by_tag: dict[str, list[tuple[re.Pattern[str], Rule]]] = {}
    for rule in rules:
        for alternative in rule.label.split("|"):
            by_tag.setdefault(alternative[:3], []).append((re.compile(alternative), rule))
    return by_tag


RULES_BY_TAG = _index(RULES)


def label_of(fld: pymarc.Field) -> str:
    """ "245__"-style label: tag and both indicators, blank as "_"."""
    if fld.control_field or fld.indicators is None:
        return f"{fld.tag}__"
    ind1, ind2 = fld.indicators
    return f"{fld.tag}{ind1.replace(' ', '_') or '_'}{ind2.replace(' ', '_') or '_'}"


#: (tag, indicators) → its rule (None: no rule), for the labels seen so far
_RULE_CACHE: dict[tuple[str, object], Rule | None] = {}
#: the tags of the rules whose labels look at the indicators: the others are known by tag
_BY_INDICATORS = frozenset(
    alternative[:3]
    for rule in RULES
    for alternative in rule.label.split("|")
    if alternative[3:] != ".."
)
#: tag → its rule (None: no rule) for the tags whose rule does not look at indicators
TAG_RULES: dict[str, Rule | None] = {}


def rule_for(fld: pymarc.Field) -> Rule | None:
    """The rule for a field's label; labels seen before are looked up, not matched."""
    tag = fld.tag
    if tag in TAG_RULES:
        return TAG_RULES[tag]
    key = (tag, fld.indicators)
    try:
        return _RULE_CACHE[key]
    except KeyError:
        pass
    found = None
    for pattern, rule in RULES_BY_TAG.get(fld.tag, ()):
        if pattern.fullmatch(label_of(fld)):
            found = rule
            break
    if len(_RULE_CACHE) < 100_000:  # hostile input with endless labels
        _RULE_CACHE[key] = found
    if tag not in _BY_INDICATORS and len(TAG_RULES) < 100_000:
        TAG_RULES[tag] = found
    return found
