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

#: a quotation's opening and closing marks, whose level (outer or inner) is set
#: once the entry is whole (:func:`resolve_quotes`), as citeproc-js alternates them
OPEN_QUOTE, CLOSE_QUOTE = "\ue000", "\ue001"
#: the closing mark of a quotation the style makes (``quotes="true"``)
STYLE_CLOSE_QUOTE = "\ue002"
CLOSING = CLOSE_QUOTE + STYLE_CLOSE_QUOTE
_DOUBLE_PUNCTUATION = re.compile("([?!][\u201d\u2019\ue001\ue002]*)[.]")


#: a period after markup that closes on punctuation: "<i>Phys. Rev.</i>." (HTML)
_PERIOD_AFTER_MARKUP = re.compile(r"([.?!])((?:</(?:i|b|span|sup|sub)>)+)\.")
#: ... and "*Phys. Rev.*." (Markdown; an escaped "\*" is text)
_PERIOD_AFTER_EMPHASIS = re.compile(r"([.?!])((?<!\\)\*{1,2})\.")


def no_double_punctuation(text: str, markdown: bool = False) -> str:
    """No period after a question or exclamation mark ("Why?”." → "Why?”"), nor
    after italics that end on one ("<i>Phys. Rev.</i>." → "<i>Phys. Rev.</i>",
    in Markdown "*Phys. Rev.*"), as citeproc-js writes them."""
    if "?" in text or "!" in text:
        text = _DOUBLE_PUNCTUATION.sub(lambda m: m[1], text)
    if "</" in text:
        text = _PERIOD_AFTER_MARKUP.sub(r"\1\2", text)
    if markdown and "*" in text:
        text = _PERIOD_AFTER_EMPHASIS.sub(r"\1\2", text)
    return text


#: HTML's closing tags, Markdown's closing emphasis
_CLOSING_MARKUP = r"((?:</(?:i|b|span|sup|sub)>|\*{1,2})*)"


def punctuation_in_quote(text: str, closes: str = CLOSING, final: bool = True) -> str:
    """Move a period or comma that follows closing quotation marks (any of
    ``closes``, one or several) inside them; a quotation that already ends in
    . ? or ! takes no second period.  At the very end of the entry, after the
    style's own quotation marks, the period moves only when it is the layout's
    suffix (``final``), as in citeproc-js; after a record's, it always does."""
    if not any(char in text for char in closes):
        return text
    run = f"([{re.escape(closes)}]+)"

    def inside(match: re.Match[str]) -> str:
        at_end = match.end() == len(text)
        if at_end and not final and match[1][-1] != CLOSE_QUOTE:
            return match[0]
        return match[3] + match[1] + match[2]

    # also across the markup that closes after the quotation ("’”</i>.")
    text = re.sub(run + _CLOSING_MARKUP + "([.,])", inside, text)
    return re.sub("([.?!])[.]" + run, lambda m: m[1] + m[2], text)


class markdown:  # named and shaped as citeproc.formatter.plain
    """citeproc-py output formatter for Markdown (CommonMark, pandoc, GitHub)."""

    _SPECIAL = re.compile(r"([\\`*_\[\]<>])")
    #: what pandoc's smart punctuation would change: "--" (a dash), "..." (…)
    _SMART = re.compile(r"([-.])(?=\1)")

    #: what would open a list or a heading at the start of an entry ("1. Doe J.")
    _BLOCK_START = re.compile(r"^(\d+)([.)])(?=\s)|^([-+#])(?=\s)")

    @staticmethod
    def entry(text: str) -> str:
        """An entry as Markdown reads it back: a citation number is text, not
        an ordered list's ("1\\. Doe J.")."""
        return markdown._BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)

    @staticmethod
    def preformat(text: str) -> str:
        escaped = markdown._SPECIAL.sub(r"\\\1", str(text))
        if "--" in escaped or ".." in escaped:
            escaped = markdown._SMART.sub(r"\1\\", escaped)
        return escaped

    Italic = Oblique = staticmethod(lambda text: f"*{text}*")
    Bold = staticmethod(lambda text: f"**{text}**")
    Light = Underline = SmallCaps = str
    Superscript = staticmethod(lambda text: f"<sup>{text}</sup>")
    Subscript = staticmethod(lambda text: f"<sub>{text}</sub>")


_HTML_SPECIAL = {ord("&"): "&#38;", ord("<"): "&#60;", ord(">"): "&#62;"}
_KEEP = frozenset({"id", "type", "issued", "accessed"})


def _escape_html(text: str) -> str:
    return text.translate(_HTML_SPECIAL)


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


_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019")
_BEFORE_OPENING = frozenset(" \t\n([{\u00a0" + OPEN_QUOTE)


def mark_quotes(text: str, quotes: tuple[str, str] = ("\u201c", "\u201d")) -> str:
    """Quotations in a value (straight or curly, single or double) as
    :data:`OPEN_QUOTE` and :data:`CLOSE_QUOTE`, as citeproc-js reads them;
    apostrophes as ’.  A mark that closes nothing is a closing quotation mark
    and one never closed an opening one (``quotes``)."""
    if not any(char in _QUOTES for char in text):
        return text
    out: list[str] = []
    opened: list[tuple[int, str]] = []  # (place in out, "double" or "single")
    for i, char in enumerate(text):
        if char not in _QUOTES:
            out.append(char)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        kind = "double" if char in '"\u201c\u201d' else "single"
        starts = (before in _BEFORE_OPENING or char in "\u201c\u2018") and not after.isspace()
        if kind == "single" and starts and not (after.isalpha() or after in '"\u201c'):
            starts = False
        if opened and opened[-1][1] == kind and not (starts and char in "\u201c\u2018"):
            closes = kind == "double" or not (after.isalnum())
            if closes:
                opened.pop()
                out.append(CLOSE_QUOTE)
                continue
        if starts and (kind == "double" or _closed_later(text, i + 1)):
            opened.append((len(out), kind))
            out.append(OPEN_QUOTE)
        elif kind == "double":
            out.append(quotes[1] if before not in _BEFORE_OPENING else quotes[0])
        else:
            out.append("\u2019")  # an apostrophe
    for place, kind in opened:  # never closed
        out[place] = quotes[0] if kind == "double" else "\u2018"
    return "".join(out)


def _closed_later(text: str, start: int) -> bool:
    """Is there a single quotation mark after ``start`` that ends a word?"""
    for i in range(start, len(text)):
        if text[i] in "'\u2019":
            after = text[i + 1] if i + 1 < len(text) else " "
            if not after.isalnum():
                return True
    return False


def resolve_quotes(text: str, outer: tuple[str, str], inner: tuple[str, str]) -> str:
    """Each quotation mark by its level: the outermost the locale's quotes,
    the next the inner ones, and so on alternately."""
    if OPEN_QUOTE not in text:
        return text
    out = []
    depth = 0
    for char in text:
        if char == OPEN_QUOTE:
            out.append((outer if depth % 2 == 0 else inner)[0])
            depth += 1
        elif char in (CLOSE_QUOTE, STYLE_CLOSE_QUOTE):
            depth = max(depth - 1, 0)
            out.append((outer if depth % 2 == 0 else inner)[1])
        else:
            out.append(char)
    return "".join(out)


def typographic_quotes(text: str, quotes: tuple[str, str] = ("\u201c", "\u201d")) -> str:
    """Quotations as the locale's quotation marks (``quotes`` outside, the
    other pair inside) and apostrophes as ’."""
    inner = ("\u2018", "\u2019") if quotes[0] != "\u2018" else ("\u201c", "\u201d")
    return resolve_quotes(mark_quotes(text, quotes), quotes, inner)


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
            # pandoc reads it as TeX math, with no space inside the dollars
            self.math = lambda piece: f"${piece.text.strip()}$"

    def __call__(self, item: dict[str, Any]) -> dict[str, Any]:
        escape, walk, delimiter = self.escape, self._walk, self.range_delimiter
        return {
            key: escape(value)
            if key in _VERBATIM
            else value
            if key in _KEEP
            else walk(
                printed(value, delimiter, key)
                if key in _NUMBERS and isinstance(value, str)
                else value
            )
            for key, value in item.items()
        }

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            if "$" in value or "\\(" in value:
                return self._with_math(value)
            return self.escape(narrow_spaces(mark_quotes(value, self.quotes)))
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
                out.append(self.escape(narrow_spaces(mark_quotes(piece.text, self.quotes))))
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
