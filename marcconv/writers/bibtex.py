"""BibTeX, through bibtexparser 2's model and writer.

Entry types follow btxdoc (Patashnik); the field table below is the whole
mapping from the model.  Values are escaped by :mod:`marcconv.writers.latex`
(no TeX command can come from a record), titles keep acronyms in braces,
page ranges use ``--`` and months are the standard macros (``month = may``).
"""

from __future__ import annotations

from collections.abc import Callable

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from marcconv.model import Name, Reference
from marcconv.writers.base import Writer
from marcconv.writers.latex import escape, protect_title

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


def _person(name: Name, unicode: bool) -> str:
    if name.literal is not None:
        return "{" + escape(name.literal, unicode) + "}"
    parts = [escape(name.family_with_particle(), unicode)]
    if name.suffix:
        parts.append(escape(name.suffix, unicode))
    if name.given:
        parts.append(escape(name.given, unicode))
    return ", ".join(parts)


def _names(ref: Reference, role: str, unicode: bool) -> str | None:
    names = ref.names_in(role)
    return " and ".join(_person(n, unicode) for n in names) if names else None


def _container_field(ref: Reference) -> str:
    return "journal" if entry_type(ref) == "article" else "booktitle"


def _publisher_field(ref: Reference) -> str:
    kind = entry_type(ref)
    if kind.endswith("thesis"):
        return "school"
    if kind == "techreport":
        return "institution"
    return "publisher"


def _verbatim(text: str) -> str:
    """URLs and DOIs are not escaped for TeX; braces, backslashes and spaces are %-encoded."""
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


# (field, how to get its braced value from the reference); None/empty values are left out.
Getter = Callable[[Reference, bool], str | None]


def _text(attribute: str) -> Getter:
    def get(ref: Reference, unicode: bool) -> str | None:
        value = getattr(ref, attribute)
        return escape(value, unicode) if value else None

    return get


def _thesis_type(ref: Reference, unicode: bool) -> str | None:
    if ref.type != "thesis" or not ref.genre:
        return None
    if ref.genre in ("PhD thesis", "Master's thesis"):
        return None  # the entry type says it
    return escape(ref.genre, unicode)


FIELDS: tuple[tuple[str, Getter], ...] = (
    ("author", lambda r, u: _names(r, "author", u)),
    ("editor", lambda r, u: _names(r, "editor", u)),
    ("translator", lambda r, u: _names(r, "translator", u)),
    ("title", lambda r, u: protect_title(r.title, u) if r.title else None),
    ("@container", lambda r, u: escape(r.container_title, u) if r.container_title else None),
    ("year", lambda r, u: str(r.issued.year) if r.issued and r.issued.year else None),
    ("edition", _text("edition")),
    ("volume", _text("volume")),
    ("number", lambda r, u: escape(r.issue or r.number or "", u) or None),
    ("pages", lambda r, u: escape(r.page, u).replace("-", "--") if r.page else None),
    ("series", _text("collection_title")),
    ("@publisher", _text("publisher")),
    ("address", _text("publisher_place")),
    ("type", _thesis_type),
    ("isbn", lambda r, u: ", ".join(r.isbn) or None),
    ("issn", lambda r, u: ", ".join(r.issn) or None),
    ("doi", lambda r, u: _verbatim(r.doi) if r.doi else None),
    ("url", lambda r, u: _verbatim(r.url[0]) if r.url else None),
    ("language", _text("language")),
    ("keywords", lambda r, u: escape(", ".join(r.keyword), u) if r.keyword else None),
    ("note", lambda r, u: escape("; ".join(r.note), u) if r.note else None),
    ("abstract", _text("abstract")),
)


def to_entry(ref: Reference, unicode: bool = False) -> Entry:
    """The bibtexparser entry for ``ref``, values already braced."""
    fields: list[Field] = []
    for name, get in FIELDS:
        value = get(ref, unicode)
        if not value:
            continue
        if name == "@container":
            name = _container_field(ref)
        elif name == "@publisher":
            name = _publisher_field(ref)
        fields.append(Field(name, "{" + value + "}"))
        if name == "year" and ref.issued and ref.issued.month and ref.issued.month <= 12:
            fields.append(Field("month", MONTH_MACROS[ref.issued.month - 1]))
    return Entry(entry_type(ref), ref.id, fields)


class BibtexWriter(Writer):
    """BibTeX entries; LaTeX accents by default, UTF-8 with ``--unicode``."""

    name = "bibtex"
    extension = ".bib"

    separator = "\n"
    _format: BibtexFormat | None = None

    def render(self, ref: Reference) -> str:
        if self._format is None:
            self._format = BibtexFormat()  # type: ignore[no-untyped-call]
            self._format.indent = "  "
            self._format.block_separator = "\n"
        entry = to_entry(ref, self.options.unicode)
        return str(write_string(Library([entry]), unparse_stack=[], bibtex_format=self._format))
