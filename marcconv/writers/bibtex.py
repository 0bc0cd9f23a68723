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
from marcconv.writers.base import Writer, WriterOptions
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


def bib_name(name: Name, unicode: bool) -> str:
    """One name as BibTeX and biber read it: "von Last, Jr., First"; a body double-braced."""
    if name.literal is not None:
        return "{" + escape(name.literal, unicode) + "}"
    family = escape(name.family_with_particle(), unicode).strip()
    # a part that is nothing once escaped (lone combining marks in ASCII output)
    # is left out: "Family, " is an error to BibTeX
    rest = [escape(part, unicode).strip() for part in (name.suffix, name.given) if part]
    rest = [part for part in rest if part]
    if not family:
        return "{" + " ".join(rest) + "}" if rest else ""
    return ", ".join([family, *rest])


def bib_names(ref: Reference, role: str, unicode: bool, limit: int | None = None) -> str | None:
    """The names in ``role`` joined by "and"; past ``limit`` names, "and others"."""
    names = ref.names_in(role)
    if not names:
        return None
    shown = [text for text in (bib_name(n, unicode) for n in names[:limit]) if text]
    if not shown:
        return None
    if limit is not None and len(names) > limit:
        shown.append("others")
    return " and ".join(shown)


def _publisher_field(kind: str) -> str:
    if kind.endswith("thesis"):
        return "school"
    if kind == "techreport":
        return "institution"
    return "publisher"


def verbatim(text: str) -> str:
    """URLs and DOIs are not escaped for TeX; braces, backslashes and spaces are %-encoded."""
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


# (field, how to get its braced value from the reference); None/empty values are left out.
Getter = Callable[[Reference, WriterOptions], str | None]


def text_of(attribute: str) -> Getter:
    """A getter for a plain string attribute of the model, escaped."""

    def get(ref: Reference, options: WriterOptions) -> str | None:
        value = getattr(ref, attribute)
        return escape(value, options.unicode) if value else None

    return get


def names_of(role: str) -> Getter:
    return lambda r, o: bib_names(r, role, o.unicode, o.max_authors)


def _thesis_type(ref: Reference, options: WriterOptions) -> str | None:
    if ref.type != "thesis" or not ref.genre:
        return None
    if ref.genre in ("PhD thesis", "Master's thesis"):
        return None  # the entry type says it
    return escape(ref.genre, options.unicode)


def title_of(ref: Reference, options: WriterOptions) -> str | None:
    return protect_title(ref.title, options.unicode) if ref.title else None


def pages_of(ref: Reference, options: WriterOptions) -> str | None:
    return escape(ref.page, options.unicode).replace("-", "--") if ref.page else None


def joined(attribute: str, joiner: str = ", ") -> Getter:
    """A getter for a list attribute written as one field."""

    def get(ref: Reference, options: WriterOptions) -> str | None:
        values = getattr(ref, attribute)
        return escape(joiner.join(values), options.unicode) if values else None

    return get


def doi_of(ref: Reference, options: WriterOptions) -> str | None:
    return verbatim(ref.doi) if ref.doi else None


def url_of(ref: Reference, options: WriterOptions) -> str | None:
    return verbatim(ref.url[0]) if ref.url else None


FIELDS: tuple[tuple[str, Getter], ...] = (
    ("author", names_of("author")),
    ("editor", names_of("editor")),
    ("translator", names_of("translator")),
    ("title", title_of),
    ("@container", text_of("container_title")),
    ("year", lambda r, o: str(r.issued.year) if r.issued and r.issued.year else None),
    ("edition", text_of("edition")),
    ("volume", text_of("volume")),
    ("number", lambda r, o: escape(r.issue or r.number or "", o.unicode) or None),
    ("pages", pages_of),
    ("series", text_of("collection_title")),
    ("@publisher", text_of("publisher")),
    ("address", text_of("publisher_place")),
    ("type", _thesis_type),
    ("isbn", lambda r, o: ", ".join(r.isbn) or None),
    ("issn", lambda r, o: ", ".join(r.issn) or None),
    ("doi", doi_of),
    ("url", url_of),
    ("language", text_of("language")),
    ("keywords", joined("keyword")),
    ("note", joined("note", "; ")),
    ("abstract", text_of("abstract")),
)


def to_entry(ref: Reference, options: WriterOptions | None = None) -> Entry:
    """The bibtexparser entry for ``ref``, values already braced."""
    options = options or WriterOptions()
    kind = entry_type(ref)
    fields: list[Field] = []
    for name, get in FIELDS:
        value = get(ref, options)
        if not value:
            continue
        if name == "@container":
            name = "journal" if kind == "article" else "booktitle"
        elif name == "@publisher":
            name = _publisher_field(kind)
        fields.append(Field(name, "{" + value + "}"))
        if name == "year" and ref.issued and ref.issued.month and ref.issued.month <= 12:
            fields.append(Field("month", MONTH_MACROS[ref.issued.month - 1]))
    return Entry(kind, ref.id, fields)


def render_entry(entry: Entry) -> str:
    """One entry as bibtexparser 2 writes it (two-space indent)."""
    return str(write_string(Library([entry]), unparse_stack=[], bibtex_format=_FORMAT))


_FORMAT = BibtexFormat()  # type: ignore[no-untyped-call]
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"


class BibtexWriter(Writer):
    """BibTeX entries; LaTeX accents by default, UTF-8 with ``--unicode``."""

    name = "bibtex"
    extension = ".bib"

    separator = "\n"

    def render(self, ref: Reference) -> str:
        return render_entry(to_entry(ref, self.options))
