"""RIS, as the RIS specification describes it and Zotero, EndNote and Mendeley read it.

Each record starts with ``TY  - `` and ends with ``ER  - ``; one tag per line,
``XX  - value``; repeated tags (``AU``, ``KW``, ``UR``) one per line.  Lines end
with LF, or CR LF as the RIS specification writes them (``--newline crlf``, for
EndNote on Windows); Zotero and Mendeley read both.  ``PY`` is the year, ``DA``
the full date as ``YYYY/MM/DD/``.  ``--max-authors N`` keeps the first N names of
each list: RIS has no way to say "and others".  Editors are ``A2`` for every
type, as the RIS specification lists them (``ED`` is a legacy tag that rispy
and the specification do not know).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from marcconv.model import Name, Reference
from marcconv.writers.base import Writer, WriterOptions

# CSL item type → RIS reference type
RIS_TYPES: dict[str, str] = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "review": "JOUR", "review-book": "JOUR", "book": "BOOK", "chapter": "CHAP",
    "paper-conference": "CPAPER", "thesis": "THES", "report": "RPRT", "article": "UNPB",
    "dataset": "DATA", "software": "COMP", "map": "MAP", "musical_score": "MUSIC",
    "song": "SOUND", "motion_picture": "VIDEO", "graphic": "ART", "webpage": "ELEC",
    "patent": "PAT", "manuscript": "MANSCPT", "periodical": "JFULL", "speech": "GEN",
    "document": "GEN",
}  # fmt: skip


def ris_name(name: Name) -> str:
    if name.literal is not None:
        return name.literal
    return ", ".join(p for p in (name.family_with_particle(), name.given, name.suffix) if p)


def _date(ref: Reference) -> str | None:
    date = ref.issued
    if date is None or date.year is None:
        return None
    month = f"{date.month:02d}" if date.month and date.month <= 12 else ""
    day = f"{date.day:02d}" if month and date.day else ""
    return f"{date.year:04d}/{month}/{day}/"


def _pages(ref: Reference) -> tuple[str | None, str | None]:
    if not ref.page:
        return None, None
    start, _, end = ref.page.partition("-")
    return start or None, end or None


def _names(role: str) -> Callable[[Reference], Iterable[str]]:
    return lambda ref: [ris_name(n) for n in ref.names_in(role)]


def _one(value: str | None) -> list[str]:
    return [value] if value else []


# (tag, values): the whole mapping, in output order
TAGS: tuple[tuple[str, Callable[[Reference], Iterable[str]]], ...] = (
    ("ID", lambda r: [r.id]),
    ("AU", _names("author")),
    ("A2", _names("editor")),  # the RIS specification's editor, of a book or of a chapter's host
    ("A4", _names("translator")),
    ("TI", lambda r: _one(r.title)),
    ("T2", lambda r: _one(r.container_title or r.event_title)),
    ("J2", lambda r: _one(r.container_title_short)),
    # a whole periodical (JFULL): its title is the journal's name
    ("JF", lambda r: _one(r.title) if r.type == "periodical" else []),
    ("T3", lambda r: _one(r.collection_title)),
    ("PY", lambda r: _one(str(r.issued.year) if r.issued and r.issued.year else None)),
    ("DA", lambda r: _one(_date(r))),
    ("VL", lambda r: _one(r.volume)),
    ("IS", lambda r: _one(r.issue or r.number)),
    ("SP", lambda r: _one(_pages(r)[0])),
    ("EP", lambda r: _one(_pages(r)[1])),
    ("ET", lambda r: _one(r.edition)),
    ("PB", lambda r: _one(r.publisher)),
    ("CY", lambda r: _one(r.publisher_place)),
    ("M3", lambda r: _one(r.genre)),
    ("SN", lambda r: r.isbn + r.issn),
    ("DO", lambda r: _one(r.doi)),
    ("UR", lambda r: r.url),
    ("LA", lambda r: _one(r.language)),
    ("CN", lambda r: _one(r.call_number)),
    ("KW", lambda r: r.keyword),
    ("N1", lambda r: r.note + r.annote),
    ("AB", lambda r: _one(r.abstract)),
)


NAME_TAGS = frozenset({"AU", "A2", "A4"})


def to_ris(ref: Reference, options: WriterOptions | None = None) -> str:
    options = options or WriterOptions()
    lines = [f"TY  - {RIS_TYPES.get(ref.type, 'GEN')}"]
    omit = options.omit
    for tag, values in TAGS:
        if omit and tag in omit:
            continue
        found = list(values(ref))
        if tag in NAME_TAGS and options.max_authors is not None:
            found = found[: options.max_authors]
        for value in found:
            text = " ".join(value.split())  # one line per tag: no line breaks inside
            if text:
                lines.append(f"{tag}  - {text}")
    lines.append("ER  - ")
    return options.newline.join(lines) + options.newline


def field_names() -> tuple[str, ...]:
    """Every tag a RIS record may have between TY and ER (``--omit`` takes these)."""
    return tuple(tag for tag, _ in TAGS)


class RisWriter(Writer):
    name = "ris"
    extension = ".ris"

    field_names = staticmethod(field_names)

    @property
    def separator(self) -> str:  # type: ignore[override]
        return self.options.newline

    def render(self, ref: Reference) -> str:
        return to_ris(ref, self.options)
