"""The options of a run that writers honour, whatever they write."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WriterOptions:
    """Options a writer may honour; each ignores those that do not concern it."""

    unicode: bool = False  # bibtex: keep UTF-8 instead of LaTeX accents
    style: str = "apa"  # citation: CSL style id or path
    locale: str | None = None  # citation: CSL locale; None: the style's default-locale, else en-US
    output_format: str = "text"  # citation: text | html | markdown
    mode: str = "bibliography"  # citation: bibliography | citation (in-text)
    max_authors: int | None = None  # bibtex, biblatex, ris: names kept per list
    all_authors: bool = False  # bibtex, biblatex: never cut a long list of names
    newline: str = "\n"  # ris: "\n" or "\r\n"
    jobs: int = 1  # citation: processes that render the bibliography's entries
    omit: frozenset[str] = frozenset()  # bibtex, biblatex, ris: fields left out, by their names
