"""An example marcconv writer: key, type, year, DOI and title, tab-separated.

A writer subclasses :class:`marcconv.writers.base.Writer`, names itself, and
implements ``render`` (one reference as text).  It receives the bibliographic
model, never MARC, and works with ``--jobs`` as the built-in writers do.
"""

from __future__ import annotations

from marcconv.model import Reference
from marcconv.writers.base import Writer

COLUMNS = ("id", "type", "year", "doi", "title")


class TsvWriter(Writer):
    """One line per record: id, type, year, DOI, title."""

    name = "tsv"
    extension = ".tsv"
    opening = "\t".join(COLUMNS) + "\n"

    def render(self, ref: Reference) -> str:
        year = str(ref.issued.year) if ref.issued and ref.issued.year else ""
        cells = (ref.id, ref.type, year, ref.doi or "", ref.title or "")
        return "\t".join(" ".join(cell.split()) for cell in cells) + "\n"
