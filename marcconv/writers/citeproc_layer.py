"""What marcconv changes in citeproc-py 0.11.1, in one place, each change with its reason.

citeproc-py is the engine; these are targeted changes that do not alter its
output (the golden files and the comparison with citeproc-js hold them to that):

* :class:`Bibliography` registers items with a set beside citeproc-py's list:
  its ``register`` tests ``key not in list`` for every item, which is quadratic;
  and it finds an item's place with a dictionary, not ``keys.index``, when it
  renders a citation.
* :func:`install` makes ``get_macro`` look a macro up once per style, instead of
  running an XPath search over the whole style on every call (it is called for
  every ``<text macro=...>`` of every item, and by ``calls_variable`` when
  ``<group>`` decides whether to print; it was half of the time of an APA run).

These bring citeproc-py's output to what citeproc-js, the reference CSL
processor, writes for the same style (``check compare`` in the conformance kit
measures it):

* :func:`_render_bibliography`: a bibliography with ``second-field-align``
  sets its first field (the citation number) apart, as CSL 1.0.2 says: in text
  a space follows it ("[1] A. Author", not "[1]A. Author"), in HTML it is a
  ``csl-left-margin`` block beside a ``csl-right-inline`` one.
* :func:`punctuation_in_quote`: a locale with ``punctuation-in-quote="true"``
  (American English) puts a period or comma that follows a closing quotation
  mark inside it ("Title." not "Title".); citeproc-py 0.11 has the option but
  never applies it (its ``Quoted.quote`` leaves it commented out).  The change
  is made on each rendered entry, at the seams where a closing quote meets
  punctuation.
* :func:`escaped`: citeproc-py escapes the terms of a style for HTML but
  writes the item's own values as they are, so a title holding ``<script>``
  would reach the page; values are escaped before citeproc-py sees them, as
  citeproc-js does (numeric entities, which survive a style's text-case).
* :data:`markdown`: an output formatter for Markdown beside citeproc-py's text
  and HTML ones.

The layer checks the version it was written for and changes nothing on another.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from citeproc import CitationStylesBibliography
from citeproc import formatter as citeproc_formatters
from citeproc.model import Choose, CitationStylesElement, Layout, VariableError
from citeproc.string import join

PINNED = "0.11.1"


class Bibliography(CitationStylesBibliography):  # type: ignore[misc]
    """citeproc-py's bibliography with linear registration; entries get the
    locale's punctuation-in-quote rule."""

    def __init__(self, style: Any, source: Any, formatter: Any) -> None:
        super().__init__(style, source, formatter)
        self._registered: set[str] = set()
        self.keys = _Keys()

    def sort(self) -> None:
        super().sort()
        self.keys = _Keys(self.keys)

    def register(self, citation: Any, callback: Any = None) -> None:
        citation.bibliography = self
        for item in citation.cites:
            if item.key in self.source:
                if item.key not in self._registered:
                    self._registered.add(item.key)
                    self.keys.append(item.key)
                    self.items.append(item)
            elif callback is not None:
                callback(item)

    def bibliography(self) -> list[Any]:
        entries = super().bibliography()
        if self.style.root.get_locale_option("punctuation-in-quote").lower() != "true":
            return list(entries)
        close = str(self.style.root.get_single_term(name="close-quote") or "\u201d")
        return [punctuation_in_quote(str(entry), close) for entry in entries]

    def cite(self, citation: Any, callback: Any) -> Any:
        text = super().cite(citation, callback)
        if self.style.root.get_locale_option("punctuation-in-quote").lower() != "true":
            return text
        close = str(self.style.root.get_single_term(name="close-quote") or "\u201d")
        return punctuation_in_quote(str(text), close)


def punctuation_in_quote(text: str, close: str) -> str:
    """Move a period or comma that follows ``close`` inside it; a quotation that
    already ends in . ? or ! takes no second period."""
    if close not in text:
        return text
    quoted = re.escape(close)
    text = re.sub(quoted + "([.,])", lambda m: m[1] + close, text)
    return re.sub("([.?!])[.]" + quoted, lambda m: m[1] + close, text)


def _margin_text(margin: str, body: str) -> str:
    return f"{margin} {body}"


def _margin_html(margin: str, body: str) -> str:
    return f'<div class="csl-left-margin">{margin}</div><div class="csl-right-inline">{body}</div>'


_original_render_bibliography = Layout.render_bibliography


def _render_bibliography(self: Any, citation_items: Any) -> list[Any]:
    """``second-field-align``: the first rendered field apart from the rest."""
    if self.getparent().get("second-field-align") is None:
        return list(_original_render_bibliography(self, citation_items))
    join_margin = _margin_html if self.get_formatter() is citeproc_formatters.html else _margin_text
    entries = []
    for item in citation_items:
        self.repressed = {}
        fields = []
        for child in self.iterchildren():
            try:
                if isinstance(child, Choose):
                    text = child.render(item, delimiter="")
                else:
                    text = child.render(item)
            except VariableError:
                continue
            if text is not None:
                fields.append(text)
        if not fields:
            continue
        if len(fields) == 1:
            entries.append(self.format(self.wrap(fields[0])))
            continue
        body = self.format(self.wrap(join(fields[1:], self.get("delimiter", ""))))
        entries.append(join_margin(str(fields[0]), str(body)))
    return entries


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


def escaped(items: list[dict[str, Any]], output_format: str) -> list[dict[str, Any]]:
    """The CSL items with every string value escaped for ``output_format``."""
    if output_format == "text":
        return items
    escape = _escape_html if output_format == "html" else markdown.preformat

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return escape(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return [{k: v if k in _KEEP else walk(v) for k, v in item.items()} for item in items]


def formatter(name: str) -> Any:
    """citeproc-py's output formatter for ``text``, ``html`` or ``markdown``."""
    return {"text": citeproc_formatters.plain, "html": citeproc_formatters.html}.get(name, markdown)


class _Keys(list):  # type: ignore[type-arg]
    """The registered keys with a dictionary beside them: citeproc-py places each
    cited item with ``keys.index(key)``, a linear search per citation."""

    def __init__(self, keys: Any = ()) -> None:
        super().__init__(keys)
        self._at = {key: i for i, key in enumerate(self)}

    def append(self, key: Any) -> None:
        self._at.setdefault(key, len(self))
        super().append(key)

    def index(self, key: Any, *_: Any) -> int:
        try:
            return self._at[key]
        except KeyError:
            raise ValueError(f"{key!r} is not registered") from None


_MACROS: dict[tuple[int, str], Any] = {}
#: the style roots seen; holding them keeps their ids (the cache keys) unique
_ROOTS: dict[int, Any] = {}
_original_get_macro = CitationStylesElement.get_macro


def _get_macro(self: Any, name: str) -> Any:
    root = self.get_root()  # lxml gives back the same proxy while one is alive
    _ROOTS.setdefault(id(root), root)
    key = (id(root), name)
    macro = _MACROS.get(key)
    if macro is None:
        macro = _MACROS[key] = _original_get_macro(self, name)
    return macro


def install() -> bool:
    """Apply the changes to citeproc-py if it is the version they were written for."""
    if version("citeproc-py") != PINNED:
        return False
    CitationStylesElement.get_macro = _get_macro
    Layout.render_bibliography = _render_bibliography
    return True
