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
    Getter,
    doi_of,
    joined,
    names_of,
    pages_of,
    render_entry,
    text_of,
    title_of,
    verbatim,
)
from marcconv.writers.latex import escape

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
                           "url", "langid", "keywords", "abstract"})  # fmt: skip


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


def _date(ref: Reference, options: WriterOptions) -> str | None:
    return iso_date(ref.issued) if ref.issued else None


def _container(ref: Reference, options: WriterOptions) -> str | None:
    return escape(ref.container_title, True) if ref.container_title else None


def _type(ref: Reference, options: WriterOptions) -> str | None:
    if ref.type == "thesis":
        genre = ref.genre or "PhD thesis"
        return THESIS_TYPES.get(genre) or escape(genre, True)
    if ref.type == "report":
        return escape(ref.genre, True) if ref.genre else "techreport"
    return None


def _number(ref: Reference, options: WriterOptions) -> str | None:
    """A report's or patent's number, or a book's number in its series."""
    value = ref.number or ref.collection_number
    return escape(value, True) if value else None


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


def _langid(ref: Reference, options: WriterOptions) -> str | None:
    if not ref.language:
        return None
    return LANGIDS.get(ref.language.split("-")[0].lower())


FIELDS: tuple[tuple[str, Getter], ...] = (
    ("author", names_of("author")),
    ("editor", names_of("editor")),
    ("translator", names_of("translator")),
    ("title", title_of),
    ("journaltitle", _container),
    ("booktitle", _container),
    ("shortjournal", text_of("container_title_short")),
    ("eventtitle", text_of("event_title")),
    ("date", _date),
    ("edition", text_of("edition")),
    ("volume", text_of("volume")),
    ("number", lambda r, o: escape(r.issue, True) if r.issue else _number(r, o)),
    ("pages", pages_of),
    ("pagetotal", text_of("number_of_pages")),
    ("series", text_of("collection_title")),
    ("publisher", text_of("publisher")),
    ("institution", text_of("publisher")),
    ("location", text_of("publisher_place")),
    ("type", _type),
    ("isbn", lambda r, o: _first_valid(r.isbn, stdnum_isbn.is_valid)),
    ("issn", lambda r, o: _first_valid(r.issn, stdnum_issn.is_valid)),
    ("doi", doi_of),
    ("eprint", lambda r, o: verbatim(e[0]) if (e := _eprint(r)) else None),
    ("eprinttype", lambda r, o: e[1] if (e := _eprint(r)) else None),
    ("url", lambda r, o: verbatim(r.url[0]) if r.url else None),
    ("langid", _langid),
    ("keywords", joined("keyword")),
    ("note", joined("note", "; ")),
    ("abstract", text_of("abstract")),
)
_UTF8 = WriterOptions(unicode=True)


def to_entry(ref: Reference, options: WriterOptions | None = None) -> Entry:
    """The biblatex entry for ``ref``: only the fields its entry type allows."""
    options = WriterOptions(unicode=True, max_authors=options.max_authors) if options else _UTF8
    kind = entry_type(ref)
    allowed = TYPE_FIELDS.get(kind, frozenset()) | GLOBAL_FIELDS
    fields: list[Field] = []
    subtype = ENTRY_SUBTYPES.get(ref.type)
    if subtype:
        fields.append(Field("entrysubtype", "{" + subtype + "}"))
    for name, get in FIELDS:
        if name in allowed:
            value = get(ref, options)
            if value:
                fields.append(Field(name, "{" + value + "}"))
    return Entry(kind, ref.id, fields)


class BiblatexWriter(Writer):
    """BibLaTeX entries in UTF-8, for biber."""

    name = "biblatex"
    extension = ".bib"

    separator = "\n"

    def render(self, ref: Reference) -> str:
        return render_entry(to_entry(ref, self.options))
