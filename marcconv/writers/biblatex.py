"""BibLaTeX for biber: UTF-8, ISO dates, ``journaltitle``, ``location``, ``eprint``.

Entry types and field names follow the biblatex manual (§2.1, §2.2) and its
default data model (``blx-dm.def``).  A field is written only where that data
model allows it for the entry type, so ``biber --validate-datamodel`` has
nothing to say about a field in the wrong place.  Values are UTF-8, as biber
expects; TeX's special characters are still escaped, so no record can inject a
command.
"""

from __future__ import annotations

from collections.abc import Callable

from bibtexparser.model import Entry, Field
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from marcconv.model import Date, Reference
from marcconv.writers.base import Writer, WriterOptions
from marcconv.writers.bibtex import (
    FIXED,
    NAMES,
    PROSE,
    TEXT,
    TITLE,
    VERBATIM,
    BibField,
    cuts_long_lists,
    field_value,
    joined,
    names_in,
    page_range,
    primary_class,
    render_entry,
)
from marcconv.writers.latex import braced

# CSL item type → biblatex entry type (books and chapters are refined in entry_type)
ENTRY_TYPES: dict[str, str] = {
    "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "review": "article", "review-book": "article",
    "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "thesis": "thesis", "report": "report", "webpage": "online", "post": "online",
    "post-weblog": "online", "dataset": "dataset", "software": "software",
    "patent": "patent", "periodical": "periodical", "manuscript": "unpublished",
}  # fmt: skip
# biblatex entrysubtype for the kinds of periodical article it tells apart
ENTRY_SUBTYPES: dict[str, str] = {"article-magazine": "magazine", "article-newspaper": "newspaper"}
# thesis degree as the model words it → biblatex's localised type keys
THESIS_TYPES: dict[str, str] = {"PhD thesis": "phdthesis", "Master's thesis": "mathesis"}
# BCP 47 primary language → babel/polyglossia name for langid (biblatex §2.2.3)
LANGIDS: dict[str, str] = {
    "en": "english", "es": "spanish", "fr": "french", "de": "german", "it": "italian",
    "pt": "portuguese", "ca": "catalan", "nl": "dutch", "sv": "swedish", "da": "danish",
    "nb": "norsk", "nn": "nynorsk", "no": "norsk", "fi": "finnish", "pl": "polish",
    "cs": "czech", "sk": "slovak", "sl": "slovene", "hr": "croatian", "sr": "serbian",
    "ru": "russian", "uk": "ukrainian", "el": "greek", "la": "latin", "hu": "magyar",
    "ro": "romanian", "tr": "turkish", "et": "estonian", "lv": "latvian",
    "lt": "lithuanian", "eu": "basque", "gl": "galician", "he": "hebrew", "bg": "bulgarian",
}  # fmt: skip
# identifier schemes biblatex knows as eprinttype (§3.13.7), in order of preference
EPRINT_TYPES: tuple[tuple[str, str], ...] = (("arxiv", "arxiv"), ("handle", "hdl"))

# Fields of the default data model that are not valid for every type, by entry type:
# the part of blx-dm.def (\DeclareDatamodelEntryfields) for the fields written here.
_BOOKISH = frozenset({"author", "editor", "translator", "edition", "volume", "number", "pages",
                      "pagetotal", "series", "publisher", "location", "isbn", "note"})  # fmt: skip
TYPE_FIELDS: dict[str, frozenset[str]] = {
    "article": frozenset({"author", "editor", "translator", "journaltitle", "shortjournal",
                          "volume", "number", "pages", "series", "issn", "note"}),
    "book": _BOOKISH,
    "collection": _BOOKISH - {"author"},
    "incollection": (_BOOKISH | {"booktitle"}) - {"pagetotal"},
    "inproceedings": (_BOOKISH | {"booktitle", "eventtitle", "organization"})
    - {"pagetotal", "edition", "translator"},
    "proceedings": (_BOOKISH | {"eventtitle", "organization"})
    - {"author", "edition", "translator"},
    "thesis": frozenset({"author", "institution", "location", "type", "pages",
                         "pagetotal", "note"}),
    "report": frozenset({"author", "institution", "location", "number", "type", "pages",
                         "pagetotal", "note"}),
    "dataset": frozenset({"author", "editor", "edition", "location", "number",
                          "organization", "publisher", "series", "type", "note"}),
    "software": frozenset({"author", "editor", "howpublished", "location", "organization",
                           "type", "note"}),
    "online": frozenset({"author", "editor", "organization", "note"}),
    "patent": frozenset({"author", "location", "number", "type", "note"}),
    "periodical": frozenset({"editor", "issn", "number", "series", "volume", "note"}),
    "unpublished": frozenset({"author", "eventtitle", "howpublished", "location", "type",
                              "note"}),
}  # fmt: skip
TYPE_FIELDS["misc"] = TYPE_FIELDS["software"]
# valid for every entry type (the data model's global fields, and the date)
GLOBAL_FIELDS = frozenset({"title", "date", "entrysubtype", "doi", "eprint", "eprinttype",
                           "eprintclass", "url", "langid", "keywords", "abstract",
                           "annotation"})  # fmt: skip


def entry_type(ref: Reference) -> str:
    kind = ENTRY_TYPES.get(ref.type)
    if kind == "book" and not ref.names_in("author"):
        if ref.event_title:
            return "proceedings"
        if ref.names_in("editor"):
            return "collection"
    if kind is None and ref.type == "article":  # preprints and working papers
        return "online" if ref.url or ref.doi or ref.identifiers.get("arxiv") else "misc"
    return kind or "misc"


def iso_date(date: Date) -> str | None:
    """biblatex's ISO 8601-2 form: ``2025-03-14``, ``1990/1995``, ``1900~``."""
    if date.year is None:
        return None
    text = "-".join(f"{part:02d}" if i else f"{part:04d}" for i, part in enumerate(date.parts()))
    if date.end_year is not None:
        text += f"/{date.end_year:04d}"
    return text + "~" if date.approximate else text


def _type(ref: Reference) -> str | None:
    if ref.type == "thesis":
        genre = ref.genre or "PhD thesis"
        return THESIS_TYPES.get(genre) or genre
    if ref.type == "report":
        return ref.genre or "techreport"
    return None


def _number(ref: Reference) -> str | None:
    """The issue; else a report's or patent's number, or a book's number in its series."""
    return ref.issue or ref.number or ref.collection_number


def _eprint(ref: Reference) -> tuple[str, str] | None:
    for scheme, eprinttype in EPRINT_TYPES:
        values = ref.identifiers.get(scheme)
        if values:
            return values[0], eprinttype
    return None


def _first_valid(values: list[str], is_valid: Callable[[str], bool]) -> str | None:
    """biblatex's isbn and issn hold one number, which biber checks: the first
    valid one (the model keeps every number, valid or not, for CSL-JSON and RIS)."""
    return next((value for value in values if is_valid(value)), None)


def _langid(ref: Reference) -> str | None:
    if not ref.language:
        return None
    return LANGIDS.get(ref.language.split("-")[0].lower())


FIELDS: tuple[BibField, ...] = (
    BibField("author", NAMES, names_in("author")),
    BibField("editor", NAMES, names_in("editor")),
    BibField("translator", NAMES, names_in("translator")),
    BibField("title", TITLE, lambda r: r.title),
    BibField("journaltitle", TEXT, lambda r: r.container_title),
    BibField("booktitle", TEXT, lambda r: r.container_title),
    BibField("shortjournal", TEXT, lambda r: r.container_title_short),
    BibField("eventtitle", TEXT, lambda r: r.event_title),
    BibField("date", FIXED, lambda r: iso_date(r.issued) if r.issued else None),
    BibField("edition", TEXT, lambda r: r.edition),
    BibField("volume", TEXT, lambda r: r.volume),
    BibField("number", TEXT, _number),
    BibField("pages", TEXT, page_range),
    BibField("pagetotal", TEXT, lambda r: r.number_of_pages),
    BibField("series", TEXT, lambda r: r.collection_title),
    BibField("publisher", TEXT, lambda r: r.publisher),
    BibField("institution", TEXT, lambda r: r.publisher),
    BibField("location", TEXT, lambda r: r.publisher_place),
    BibField("type", TEXT, _type),
    BibField("isbn", TEXT, lambda r: _first_valid(r.isbn, stdnum_isbn.is_valid)),
    BibField("issn", TEXT, lambda r: _first_valid(r.issn, stdnum_issn.is_valid)),
    BibField("doi", VERBATIM, lambda r: r.doi),
    BibField("eprint", VERBATIM, lambda r: e[0] if (e := _eprint(r)) else None),
    BibField("eprinttype", FIXED, lambda r: e[1] if (e := _eprint(r)) else None),
    BibField("eprintclass", TEXT, primary_class),
    BibField("url", VERBATIM, lambda r: r.url[0] if r.url else None),
    BibField("langid", FIXED, _langid),
    BibField("keywords", TEXT, joined("keyword")),
    BibField("note", PROSE, joined("note", "; ")),
    BibField("annotation", PROSE, joined("annote", "; ")),
    BibField("abstract", PROSE, lambda r: r.abstract),
)
_UTF8 = WriterOptions(unicode=True)


def to_entry(ref: Reference, options: WriterOptions | None = None) -> Entry:
    """The biblatex entry for ``ref``: only the fields its entry type allows."""
    options = (
        WriterOptions(
            unicode=True,
            max_authors=options.max_authors,
            all_authors=options.all_authors,
            omit=options.omit,
        )
        if options
        else _UTF8
    )
    kind = entry_type(ref)
    allowed = TYPE_FIELDS.get(kind, frozenset()) | GLOBAL_FIELDS
    omit = options.omit
    if omit:
        allowed = allowed - omit
    fields: list[Field] = []
    subtype = ENTRY_SUBTYPES.get(ref.type)
    if subtype and "entrysubtype" not in omit:
        fields.append(Field("entrysubtype", braced(subtype)))
    for field in FIELDS:
        if field.name in allowed:
            value = field_value(field, ref, options)
            if value is not None:
                fields.append(Field(field.name, value))
    return Entry(kind, ref.id, fields)


def field_names() -> tuple[str, ...]:
    """Every field a BibLaTeX entry may have (``--omit`` takes these)."""
    return ("entrysubtype", *(field.name for field in FIELDS))


class BiblatexWriter(Writer):
    """BibLaTeX entries in UTF-8, for biber."""

    name = "biblatex"
    extension = ".bib"

    separator = "\n"

    field_names = staticmethod(field_names)

    def render(self, ref: Reference) -> str:
        return render_entry(to_entry(ref, self.options))

    def cuts_names(self, ref: Reference) -> bool:
        return cuts_long_lists(ref, self.options)
