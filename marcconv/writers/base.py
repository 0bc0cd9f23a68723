"""The interface every writer implements, built-in or from a plugin."""

from __future__ import annotations

from abc import ABC
from collections.abc import Iterable
from typing import Any, ClassVar, TextIO

from marcconv.errors import MarcconvError
from marcconv.model import Reference
from marcconv.options import WriterOptions

#: a list of more names than this (the collaboration papers of particle physics, with
#: hundreds or thousands) is cut, by default, in BibTeX and BibLaTeX to its first
#: name and "others", as INSPIRE's own export does: 3,000 names make a bibliography
#: of 30 pages and biber minutes slower
LONG_NAME_LIST = 100


def name_limit(count: int, options: WriterOptions) -> int | None:
    """How many of ``count`` names a BibTeX list shows (None: every one)."""
    if options.max_authors is not None:
        return options.max_authors
    if options.all_authors or count <= LONG_NAME_LIST:
        return None
    return 1


class Writer(ABC):
    """Writes references to a text stream, one at a time.

    A writer receives only :class:`Reference` objects, never MARC.  ``write`` is
    called once per reference in input order and ``close`` once at the end; a
    writer that needs the whole set (a sorted bibliography) keeps it until then.

    A writer whose items do not depend on each other implements :meth:`render`
    (one item as text) and sets :attr:`opening` and :attr:`separator`; it then
    works with ``--jobs``, where items are rendered in other processes and only
    :meth:`emit` runs here.
    """

    name: ClassVar[str]
    extension: ClassVar[str]
    opening: ClassVar[str] = ""  # before the first item
    separator: ClassVar[str] = ""  # between two items

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        self.out = out
        self.options = options or WriterOptions()
        self.count = 0

    @property
    def renders_items(self) -> bool:
        return type(self).render is not Writer.render

    def cuts_names(self, ref: Reference) -> bool:
        """Does this writer cut a list of ``ref``'s names by default (LONG_NAME_LIST)?"""
        return False

    def write(self, ref: Reference) -> None:
        """Write one reference."""
        self.emit(self.render(ref))

    def render(self, ref: Reference) -> str:
        """One reference as text, independent of the others."""
        raise NotImplementedError(f"{type(self).__name__} writes only whole sets")

    def emit(self, text: str) -> None:
        """Write one rendered item, with what goes before it."""
        self.out.write(self.separator if self.count else self.opening)
        self.out.write(text)
        self.count += 1

    def close(self) -> None:  # noqa: B027 - most writers need no closing step
        """Finish the output (closing brackets, a sorted bibliography...)."""


__all__ = ["LONG_NAME_LIST", "Writer", "WriterOptions", "name_limit"]


def omitted_fields(writer_class: Any, target: str, omit: Iterable[str]) -> frozenset[str]:
    """The fields to leave out (``--omit``), each one the writer writes; a writer
    that names its fields has ``field_names``.  Raises :class:`MarcconvError`
    naming the valid ones."""
    names = [name.strip() for name in omit if name.strip()]
    if not names:
        return frozenset()
    known = getattr(writer_class, "field_names", None)
    if known is None:
        raise MarcconvError(f"--omit applies to bibtex, biblatex and ris, not to -t {target}")
    unknown = [name for name in names if name not in known()]
    if unknown:
        raise MarcconvError(
            f"-t {target} writes no field {', '.join(map(repr, unknown))}; its fields:"
            f" {', '.join(known())}"
        )
    return frozenset(names)
