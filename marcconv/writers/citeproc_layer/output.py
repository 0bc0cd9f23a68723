"""What the layer does outside citeproc-py: items prepared as citeproc-js prints
values, the entry's punctuation settled, and the output formatters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import citeproc
from citeproc import formatter as citeproc_formatters
from citeproc.source import Name as CitationName
from citeproc.source.json import CiteProcJSON

from marcconv.writers.citeproc_layer.numbers import NUMBER_VARIABLES, printed
from marcconv.writers.texmath import Piece, math_as_text, pieces

_DOUBLE_PUNCTUATION = re.compile("([?!][\u201d\u2019]?)[.]")


#: a period after markup that closes on punctuation: "<i>Phys. Rev.</i>." (HTML)
_PERIOD_AFTER_MARKUP = re.compile(r"([.?!])((?:</(?:i|b|span|sup|sub)>)+)\.")


def no_double_punctuation(text: str) -> str:
    """No period after a question or exclamation mark ("Why?”." → "Why?”"), nor
    after italics that end on one ("<i>Phys. Rev.</i>." → "<i>Phys. Rev.</i>"),
    as citeproc-js writes them."""
    if "?" in text or "!" in text:
        text = _DOUBLE_PUNCTUATION.sub(lambda m: m[1], text)
    if "</" in text:
        text = _PERIOD_AFTER_MARKUP.sub(r"\1\2", text)
    return text


def punctuation_in_quote(text: str, close: str, final: bool = True) -> str:
    """Move a period or comma that follows ``close`` inside it; a quotation that
    already ends in . ? or ! takes no second period.  At the very end of the
    entry the period moves only when it is the layout's own suffix (``final``),
    as in citeproc-js."""
    if close not in text:
        return text
    quoted = re.escape(close)
    text = re.sub(quoted + ("([.,])" if final else "([.,])(?!$)"), lambda m: m[1] + close, text)
    return re.sub("([.?!])[.]" + quoted, lambda m: m[1] + close, text)


class markdown:  # named and shaped as citeproc.formatter.plain
    """citeproc-py output formatter for Markdown (CommonMark, pandoc, GitHub)."""

    _SPECIAL = re.compile(r"([\\`*_\[\]<>])")

    @staticmethod
    def preformat(text: str) -> str:
        return markdown._SPECIAL.sub(r"\\\1", str(text))

    Italic = Oblique = staticmethod(lambda text: f"*{text}*")
    Bold = staticmethod(lambda text: f"**{text}**")
    Light = Underline = SmallCaps = str
    Superscript = staticmethod(lambda text: f"<sup>{text}</sup>")
    Subscript = staticmethod(lambda text: f"<sub>{text}</sub>")


_HTML_SPECIAL = {ord("&"): "&#38;", ord("<"): "&#60;", ord(">"): "&#62;"}
_KEEP = frozenset({"id", "type", "issued", "accessed"})


def _escape_html(text: str) -> str:
    return text.translate(_HTML_SPECIAL)


_OPENING_DOUBLE = re.compile(r'(^|[\s(\[{])"')
# an opening single quotation mark: before a letter, with a closing one later on
_OPENING_SINGLE = re.compile(r"(^|[\s(\[{])'(?=[^\W\d_][^']*'(?!\w))")
_VERBATIM = frozenset({"URL", "DOI", "ISBN", "ISSN"})
#: number variables citeproc-js prints as it parses them (the page is
#: citeproc-py's, with the page-range-format)
_NUMBERS = frozenset(
    name.replace("_", "-") for name in NUMBER_VARIABLES if name not in ("page", "locator")
)


_SPACE_BEFORE = re.compile(" ([:;?!\u00bb])")


def narrow_spaces(text: str) -> str:
    """A space before : ; ? ! » as a narrow no-break space, as citeproc-js sets
    every string it prints ("VII : Rio" → "VII\u202f: Rio")."""
    if " " not in text:
        return text
    return _SPACE_BEFORE.sub("\u202f\\1", text).replace("\u00ab ", "\u00ab\u202f")


def typographic_quotes(text: str, quotes: tuple[str, str] = ("\u201c", "\u201d")) -> str:
    """Straight quotes as the locale's quotation marks (double ones: opening after
    a space or bracket, else closing) and apostrophes as ’."""
    if '"' not in text and "'" not in text:
        return text
    text = _OPENING_DOUBLE.sub(lambda m: m[1] + quotes[0], text).replace('"', quotes[1])
    return _OPENING_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")


def term_text(element: Any, name: str, default: str, form: str | None = None) -> str:
    """A locale term's text (citeproc-py's ``get_single_term`` gives None for a
    term without ``<single>``, such as ``open-quote``)."""
    term = element.get_term(name, form)
    return str(term.text) if term is not None and term.text else default


def capitalize_opening_term(entry: str, terms: set[str]) -> str:
    """An entry that opens with a term ("(n.d.). Title") starts with a capital,
    as citeproc-js writes it ("(N.d.). Title"); data keeps its case."""
    head = entry.lstrip("([")
    for term in terms:
        if term and head.startswith(term) and term[0].islower():
            cut = len(entry) - len(head)
            return entry[:cut] + term[0].upper() + entry[cut + 1 :]
    return entry


def locale_quotes(style: Any) -> tuple[str, str]:
    """The style's locale's outer quotation marks ("“”" in en-US, "‘’" in en-GB)."""
    root = style.root
    return term_text(root, "open-quote", "\u201c"), term_text(root, "close-quote", "\u201d")


def range_delimiter(style: Any) -> str:
    """The style's locale's delimiter of number ranges (``page-range-delimiter``:
    "–" in most, "-" in AMA's own locale)."""
    return term_text(style.root, "page-range-delimiter", "\u2013")


class Source(CiteProcJSON):  # type: ignore[misc]
    """citeproc-py's references, taken one CSL item at a time (its own reader
    takes the whole list, which would then be held twice).

    Equal names are one shared (never modified) object: the author lists of a
    repository's papers repeat the same thousands of names, which were most
    of the memory of a large run.
    """

    def __init__(self) -> None:
        super().__init__([])
        self._names: dict[tuple[tuple[str, Any], ...], Any] = {}

    def take(self, item: dict[str, Any]) -> str:
        """Add ``item``; its key, as citeproc-py looks it up.  The CSL 1.0.2 name
        variables citeproc-py does not list (a director, a producer) are made names
        here, as the listed ones are."""
        key = str(item["id"]).lower()
        newer = {k: v for k, v in item.items() if k.replace("-", "_") in _CSL_102_SET}
        if newer:
            item = {k: v for k, v in item.items() if k not in newer}
        CiteProcJSON.__init__(self, [item])  # it adds the items it is given
        for name, value in newer.items():
            self[key][name.replace("-", "_")] = self.parse_names(value)
        return key

    def parse_names(self, json_data: list[dict[str, Any]]) -> list[Any]:
        shared = self._names
        names = []
        for data in json_data:
            key = tuple(sorted(data.items()))
            name = shared.get(key)
            if name is None:
                name = shared[key] = CitationName(**data)
            names.append(name)
        return names


class Preparer:
    """Each CSL item as citeproc-js would print its values: the locale's
    quotation marks, number variables as citeproc-js parses them (ranges with
    the locale's delimiter, ``expanded&updated``), and every string escaped for
    the output format."""

    def __init__(
        self,
        output_format: str,
        quotes: tuple[str, str] = ("\u201c", "\u201d"),
        range_delimiter: str = "\u2013",
    ):
        self.quotes = quotes
        self.range_delimiter = range_delimiter
        self.escape: Callable[[str], str] = str
        self.math: Callable[[Piece], str] = lambda piece: math_as_text(piece.source)
        if output_format == "html":
            self.escape = _escape_html
            self.math = lambda piece: _escape_html(math_as_text(piece.source))
        elif output_format == "markdown":
            self.escape = markdown.preformat
            self.math = lambda piece: f"${piece.text}$"  # pandoc reads it as TeX math

    def __call__(self, item: dict[str, Any]) -> dict[str, Any]:
        escape, walk, delimiter = self.escape, self._walk, self.range_delimiter
        return {
            key: escape(value)
            if key in _VERBATIM
            else value
            if key in _KEEP
            else walk(
                printed(value, delimiter) if key in _NUMBERS and isinstance(value, str) else value
            )
            for key, value in item.items()
        }

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            if "$" in value or "\\(" in value:
                return self._with_math(value)
            return self.escape(narrow_spaces(typographic_quotes(value, self.quotes)))
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, dict):
            return {k: self._walk(v) for k, v in value.items()}
        return value

    def _with_math(self, value: str) -> str:
        """A value holding TeX math: each harmless span readable in text and HTML,
        kept as ``$…$`` for pandoc in Markdown, and never changed by text-case."""
        out = []
        for piece in pieces(value):
            if piece.math:
                out.append(f'<span class="nocase">{self.math(piece)}</span>')
            else:
                out.append(self.escape(narrow_spaces(typographic_quotes(piece.text, self.quotes))))
        return "".join(out)


def formatter(name: str) -> Any:
    """citeproc-py's output formatter for ``text``, ``html`` or ``markdown``."""
    return {"text": citeproc_formatters.plain, "html": citeproc_formatters.html}.get(name, markdown)


#: CSL 1.0.2 name variables citeproc-py 0.11 does not list
CSL_102_NAMES = (
    "chair", "compiler", "contributor", "curator", "director", "executive_producer",
    "guest", "host", "narrator", "organizer", "performer", "producer", "script_writer",
    "series_creator",
)  # fmt: skip
_CSL_102_SET = frozenset(CSL_102_NAMES)
#: the name variables the layer renders: citeproc-py's and CSL 1.0.2's
NAME_VARIABLES = frozenset(citeproc.NAMES) | _CSL_102_SET
