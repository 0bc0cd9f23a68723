"""BibTeX, through bibtexparser 2's model and writer.

Entry types follow btxdoc (Patashnik); the field table below is the whole
mapping from the model.  Each row says how its value is written, and every
value goes through :mod:`marcconv.writers.latex` (text escaped, verbatim fields
percent-encoded, braces checked), so no record can inject a TeX command; titles
are braced whole (their case kept, as INSPIRE's export does), page ranges use
``--`` and months are the standard macros (``month = may``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from marcconv.errors import RecordError
from marcconv.model import Name, Reference
from marcconv.writers.base import LONG_NAME_LIST, Writer, WriterOptions, name_limit
from marcconv.writers.latex import (
    braced,
    escape,
    escape_prose,
    keep_case,
    protect_title,
    verbatim,
)

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def entry_type(ref: Reference) -> str:
    """The BibTeX entry type for a CSL type (theses by degree)."""
    if ref.type == "thesis":
        genre = (ref.genre or "").lower()
        return "mastersthesis" if "master" in genre else "phdthesis"
    if ref.type == "chapter":
        return "incollection" if ref.container_title else "inbook"
    return ENTRY_TYPES.get(ref.type, "misc")


ENTRY_TYPES: dict[str, str] = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "review": "article", "review-book": "article", "book": "book",
    "paper-conference": "inproceedings", "report": "techreport", "manuscript": "unpublished",
    "periodical": "misc",
}  # fmt: skip


#: a letter or sign escape() writes as a braced command ({\\textbackslash}, {\\CYRA})
_BRACED_COMMAND = re.compile(r"(?<!\\ensuremath)\{(\\[A-Za-z]+)\}")
#: ... of which biber knows these, and reads them as the letter they stand for
BIBER_LETTERS = frozenset(
    r"\L \l \O \o \AA \aa \AE \ae \OE \oe \ss \DH \dh \TH \th \NG \ng \DJ \dj \i \j".split()
)


#: square brackets in names: BibTeX styles put names in ``\\bibitem[label]``, where
#: a bare ``]`` would end the label
_BRACKETS = str.maketrans({"[": "\\lbrack{}", "]": "\\rbrack{}"})


def escape_name(text: str, unicode: bool) -> str:
    """A name part escaped as :func:`escape` does, but with ``\\textbackslash{}``
    for ``{\\textbackslash}`` and ``\\CYRA{}`` for ``{\\CYRA}`` (biber takes the
    initial of a part that starts with a braced command it does not know to be
    ``{``, and writes a .bbl with a brace too many; BibTeX reads both forms), and
    square brackets as ``\\lbrack{}`` ``\\rbrack{}``."""
    escaped = escape(text, unicode)
    if "{\\" in escaped:
        escaped = _BRACED_COMMAND.sub(_unbraced, escaped)
    if "{`}" in escaped or "{'}" in escaped:
        escaped = _MARK_BEFORE_LETTER.sub(r"\1{\2\3}", escaped)
    return escaped.translate(_BRACKETS) if "[" in escaped or "]" in escaped else escaped


#: an ʻayn or alif (``{`}``, ``{'}``) that starts a word, before its letter: biber
#: takes the mark alone for the initial and writes a .bbl with a brace too many;
#: braced with the letter (``{`A}bd``) the initial is "`A", and BibTeX sorts "Abd"
_MARK_BEFORE_LETTER = re.compile(r"(^|[\s~-])\{([`'])\}([A-Za-z]|\{\\[^{}]*(?:\{[^{}]*\})?\})")


def _unbraced(match: re.Match[str]) -> str:
    return match[0] if match[1] in BIBER_LETTERS else f"{match[1]}{{}}"


#: initials run together ("S.L."), which BibTeX reads as one name ("S."), as INSPIRE's
#: export spaces them ("S. L."); hyphenated ones ("J.-P.") stay
_RUN_INITIALS = re.compile(r"\.(?=[^\W\d_])")


def bib_name(name: Name, unicode: bool) -> str:
    """One name as BibTeX and biber read it: "von Last, Jr., First"; a body double-braced."""
    if name.literal is not None:
        return "{" + escape_name(name.literal, unicode) + "}"
    family = escape_name(name.family_with_particle(), unicode).strip()
    # a part that is nothing once escaped (lone combining marks in ASCII output)
    # is left out: "Family, " is an error to BibTeX
    given = _RUN_INITIALS.sub(". ", name.given) if name.given else None
    rest = [escape_name(part, unicode).strip() for part in (name.suffix, given) if part]
    rest = [part for part in rest if part]
    if not family:
        return "{" + " ".join(rest) + "}" if rest else ""
    return ", ".join([family, *rest])


def bib_names(names: list[Name], unicode: bool, limit: int | None = None) -> str | None:
    """``names`` joined by "and"; past ``limit`` names, "and others"."""
    shown = [text for text in (bib_name(n, unicode) for n in names[:limit]) if text]
    if not shown:
        return None
    if limit is not None and len(names) > limit:
        shown.append("others")
    return " and ".join(shown)


# ------------------------------------------------------------------ how a value is written
#: a value from the model (text, or a list of names) → the field's TeX, or None
Render = Callable[[Any, WriterOptions], str | None]


def _text(value: Any, options: WriterOptions) -> str | None:
    return escape(value, options.unicode) or None


def _title(value: Any, options: WriterOptions) -> str | None:
    return protect_title(value, options.unicode) or None


def _case_kept(value: Any, options: WriterOptions) -> str | None:
    return keep_case(value, options.unicode) if value else None


def _prose(value: Any, options: WriterOptions) -> str | None:
    return escape_prose(value, options.unicode) or None


def _names(value: Any, options: WriterOptions) -> str | None:
    return bib_names(value, options.unicode, name_limit(len(value), options))


def _verbatim(value: Any, options: WriterOptions) -> str | None:
    return verbatim(value, options.unicode) or None


#: what marcconv itself makes from numbers and fixed words (dates, type keys)
_FIXED_SHAPE = re.compile(r"[A-Za-z0-9/~.:-]+")


def _fixed(value: Any, options: WriterOptions) -> str | None:
    if not _FIXED_SHAPE.fullmatch(value):
        raise ValueError(f"not a value marcconv makes: {value[:60]!r}")
    return str(value)


#: the kinds of field value; every field of the tables below is one of these
TEXT, PROSE, TITLE, KEPT_CASE = "text", "prose", "title", "kept-case"
NAMES, VERBATIM, FIXED = "names", "verbatim", "fixed"
RENDER: dict[str, Render] = {
    TEXT: _text,
    PROSE: _prose,
    TITLE: _title,
    KEPT_CASE: _case_kept,
    NAMES: _names,
    VERBATIM: _verbatim,
    FIXED: _fixed,
}


@dataclass(frozen=True, slots=True)
class BibField:
    """One row of a field table: the field, how its value is written, where it comes from."""

    name: str
    kind: str  # TEXT, PROSE (text with math), TITLE, KEPT_CASE, NAMES, VERBATIM or FIXED
    get: Callable[[Reference], Any]  # the model's value; None or empty: no field


def joined(attribute: str, joiner: str = ", ") -> Callable[[Reference], str | None]:
    return lambda r: joiner.join(getattr(r, attribute)) or None


def names_in(role: str) -> Callable[[Reference], list[Name]]:
    return lambda r: r.names_in(role)


def _year(ref: Reference) -> str | None:
    return str(ref.issued.year) if ref.issued and ref.issued.year else None


def page_range(ref: Reference) -> str | None:
    return ref.page.replace("-", "--") if ref.page else None


def eprint(ref: Reference) -> str | None:
    """The arXiv identifier, as INSPIRE gives it: "1506.03091", "hep-ph/0204140"."""
    return next(iter(ref.identifiers.get("arxiv", ())), None)


def primary_class(ref: Reference) -> str | None:
    """The arXiv category of a new-style identifier (an old one holds it: "hep-ph/...")."""
    identifier = eprint(ref)
    return ref.arxiv_class if identifier and "/" not in identifier else None


def _thesis_type(ref: Reference) -> str | None:
    if ref.type != "thesis" or ref.genre in ("PhD thesis", "Master's thesis"):
        return None  # the entry type says it
    return ref.genre


FIELDS: tuple[BibField, ...] = (
    BibField("author", NAMES, names_in("author")),
    BibField("editor", NAMES, names_in("editor")),
    BibField("translator", NAMES, names_in("translator")),
    BibField("collaboration", TEXT, joined("collaborations")),
    BibField("title", KEPT_CASE, lambda r: r.title),
    BibField("@container", TEXT, lambda r: r.container_title),
    BibField("year", FIXED, _year),
    BibField("edition", TEXT, lambda r: r.edition),
    BibField("volume", TEXT, lambda r: r.volume),
    # the issue; a report's number (every other report number is in reportNumber)
    BibField("number", TEXT, lambda r: r.issue or (r.number if r.type == "report" else None)),
    BibField("pages", TEXT, page_range),
    BibField("series", TEXT, lambda r: r.collection_title),
    BibField("@publisher", TEXT, lambda r: r.publisher),
    BibField("address", TEXT, lambda r: r.publisher_place),
    BibField("type", TEXT, _thesis_type),
    BibField("isbn", TEXT, joined("isbn")),
    BibField("issn", TEXT, joined("issn")),
    BibField("doi", VERBATIM, lambda r: r.doi),
    BibField("eprint", VERBATIM, eprint),
    BibField("archivePrefix", FIXED, lambda r: "arXiv" if eprint(r) else None),
    BibField("primaryClass", TEXT, primary_class),
    BibField("reportNumber", TEXT, lambda r: ", ".join(r.identifiers.get("report-number", ()))),
    BibField("url", VERBATIM, lambda r: r.url[0] if r.url else None),
    BibField("language", TEXT, lambda r: r.language),
    BibField("keywords", TEXT, joined("keyword")),
    BibField("note", PROSE, joined("note", "; ")),
    BibField("annote", PROSE, joined("annote", "; ")),
    BibField("abstract", PROSE, lambda r: r.abstract),
)


def field_value(field: BibField, ref: Reference, options: WriterOptions) -> str | None:
    """The braced value of ``field`` for ``ref``, or None when it has none."""
    value = field.get(ref)
    if not value:
        return None
    try:
        text = RENDER[field.kind](value, options)
        return braced(text) if text else None
    except ValueError as exc:  # never from the escaping above: refused, not written
        raise RecordError(f"{field.name}: {exc}") from None


PUBLISHER_FIELDS = ("publisher", "school", "institution")


def _publisher_field(kind: str) -> str:
    if kind.endswith("thesis"):
        return "school"
    if kind == "techreport":
        return "institution"
    return "publisher"


def to_entry(ref: Reference, options: WriterOptions | None = None) -> Entry:
    """The bibtexparser entry for ``ref``, values already braced."""
    options = options or WriterOptions()
    kind = entry_type(ref)
    fields: list[Field] = []
    omit = options.omit
    for field in FIELDS:
        value = field_value(field, ref, options)
        if value is None:
            continue
        name = field.name
        if name == "@container":
            name = "journal" if kind == "article" else "booktitle"
        elif name == "@publisher":
            name = _publisher_field(kind)
        if omit and name in omit:
            continue
        fields.append(Field(name, value))
        month = ref.issued.month if name == "year" and ref.issued else None
        if month and month <= 12 and not (omit and "month" in omit):
            fields.append(Field("month", MONTH_MACROS[month - 1]))
    return Entry(kind, ref.id, fields)


#: where a row of :data:`FIELDS` has a name decided by the entry type
_NAMES_BY_TYPE = {"@container": ("journal", "booktitle"), "@publisher": PUBLISHER_FIELDS}


def field_names() -> tuple[str, ...]:
    """Every field a BibTeX entry may have, as written (``--omit`` takes these)."""
    names: list[str] = []
    for field in FIELDS:
        names.extend(_NAMES_BY_TYPE.get(field.name, (field.name,)))
        if field.name == "year":
            names.append("month")
    return tuple(names)


def render_entry(entry: Entry) -> str:
    """One entry as bibtexparser 2 writes it (two-space indent), made here directly:
    its whole library writer took a fifth of a BibTeX run.  A test holds the two
    equal (:func:`render_with_bibtexparser`)."""
    lines = [f"@{entry.entry_type}{{{entry.key},\n"]
    lines.extend(f"  {field.key} = {field.value},\n" for field in entry.fields)
    if entry.fields:
        lines[-1] = lines[-1][:-2] + "\n"  # no comma after the last field
    lines.append("}\n")
    return "".join(lines)


def render_with_bibtexparser(entry: Entry) -> str:
    """The entry as bibtexparser's own writer writes it."""
    return str(write_string(Library([entry]), unparse_stack=[], bibtex_format=_FORMAT))


_FORMAT = BibtexFormat()  # type: ignore[no-untyped-call]
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"


class BibtexWriter(Writer):
    """BibTeX entries; LaTeX accents by default, UTF-8 with ``--unicode``."""

    name = "bibtex"
    extension = ".bib"

    separator = "\n"

    field_names = staticmethod(field_names)

    def render(self, ref: Reference) -> str:
        return render_entry(to_entry(ref, self.options))

    def cuts_names(self, ref: Reference) -> bool:
        return cuts_long_lists(ref, self.options)


def cuts_long_lists(ref: Reference, options: WriterOptions) -> bool:
    """Is a list of ``ref``'s names longer than LONG_NAME_LIST cut by default?"""
    if options.max_authors is not None or options.all_authors:
        return False
    return any(len(ref.names_in(role)) > LONG_NAME_LIST for role in _NAME_FIELDS)


_NAME_FIELDS = ("author", "editor", "translator")
