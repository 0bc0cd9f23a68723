"""What marcconv changes in citeproc-py 0.11.1, in one place, each change with its reason.

citeproc-py is the engine; these are targeted changes that do not alter its
output (the golden files and the comparison with citeproc-js hold them to that):

* :class:`Bibliography` registers items with a set beside citeproc-py's list:
  its ``register`` tests ``key not in list`` for every item, which is quadratic;
  and when it renders a citation it finds an item's place (``keys.index``) and
  checks that the item is registered (``key in keys``, in ``is_bad``) with a
  dictionary (:class:`_Keys`): the scan made 40,000 APA items spend 18 s of 24
  in that one test.
* :func:`_if_render` reads the ``type`` and ``variable`` tests of each
  ``cs:if`` once, instead of asking lxml for each attribute at every test
  (APA makes about a hundred tests per entry).
* :func:`_get_macro` looks a macro up once per style, instead of
  running an XPath search over the whole style on every call (it is called for
  every ``<text macro=...>`` of every item, and by ``calls_variable`` when
  ``<group>`` decides whether to print; it was half of the time of an APA run).

* :func:`_xpath_search`, :func:`_get_root` and :func:`_reference` keep what
  citeproc-py looks up again and again on a
  style that does not change while it renders: each element's XPath searches
  (the enclosing layout, the citation or bibliography, a locale's terms: 15%
  of an APA run), each element's root, and a citation item's reference (a
  chain of four dictionary lookups behind properties, made a million times for
  800 items).  Its dictionaries raise ``VariableError`` through ``__missing__``
  rather than a Python ``__getitem__``, so a found variable costs a plain
  dictionary lookup.  The only attributes the layer sets while rendering
  (``variable`` on ``cs:names``, ``disambiguate`` on ``cs:if``, options on
  ``cs:name``) are tested by none of those searches.  Whether an element calls
  a variable (asked by every ``cs:group`` of every entry) is found once.
* :meth:`Bibliography.sort` renders an item's single-item citation only where
  a disambiguation step compares it: for year suffixes, only works whose
  shown names another work shares can read alike; a style with no
  ``<if disambiguate>`` and no year suffixes (ieee, vancouver) compares none.
* :class:`Source` makes each item citeproc-py's reference as it is written,
  so a run holds it once, and shares equal names between references.
* With ``--jobs N``, the work done item by item runs in slices in N forked
  processes (:func:`in_slices`): the sort keys, the single-item citations that
  disambiguation compares, and the entries.  Each process inherits the state
  the earlier steps settled (order, numbers, year suffixes, given names), and
  a slice first renders the entry before it, which
  ``subsequent-author-substitute`` compares with.  The output is that of one
  process, byte for byte.

These bring citeproc-py's output to what citeproc-js, the reference CSL
processor, writes for the same style (``check compare`` in the conformance kit
measures it):

* :func:`_render_bibliography`: a bibliography with ``second-field-align``
  sets its first field (the citation number) apart, as CSL 1.0.2 says: in text
  a space follows it ("[1] A. Author", not "[1]A. Author"), in HTML it is a
  ``csl-left-margin`` block beside a ``csl-right-inline`` one.
* :func:`_substitute_render`: the variables a ``cs:substitute`` rendered
  (a title through its macro, editors in place of authors) are left out of the
  rest of the entry (CSL 1.0.2, "Substitution"); citeproc-py suppressed only a
  plain ``<text variable>``, so an authorless record's title or an edited
  book's editors came out twice.
* :func:`_sort_keys`: the bibliography is sorted with accents and case set
  aside, as citeproc-js's collator sorts it (citeproc-py compared code points:
  "Ėti͡ud" came after "Z"); year suffixes follow that order.
* :func:`narrow_spaces`: a space before ``: ; ? !`` in a value becomes a narrow
  no-break space, as citeproc-js prints every string.
* :func:`capitalize_opening_term`: an entry that opens with the "no date"
  term is capitalised ("(N.d.-b)."), as citeproc-js does.
* :func:`_quote`: quotation marks inside a quoted title become the inner
  ones (“What is the ‘militia’?”).
* :func:`no_double_punctuation`: no period after a question or exclamation
  mark ("Why?”." → "Why?”").
* :func:`_names_process`: ``subsequent-author-substitute`` (MLA's "———" for
  the author of the entry before), which citeproc-py does not have.
* :func:`punctuation_in_quote`: a locale with ``punctuation-in-quote="true"``
  (American English) puts a period or comma that follows a closing quotation
  mark inside it ("Title." not "Title".); citeproc-py 0.11 has the option but
  never applies it (its ``Quoted.quote`` leaves it commented out).  The change
  is made on each rendered entry, at the seams where a closing quote meets
  punctuation.
* :class:`Preparer`: citeproc-py escapes the terms of a style for HTML but
  writes the item's own values as they are, so a title holding ``<script>``
  would reach the page; values are escaped before citeproc-py sees them, as
  citeproc-js does (numeric entities, which survive a style's text-case).
  Straight quotation marks and apostrophes in values become typographic ones
  ("O'Reilly" → "O’Reilly", "the \"militia\"" → "the “militia”"), as
  citeproc-js prints them.
* :func:`_name_process`: two names of which the second is a body ("Senate
  Committee on Finance & Joint Committee on Taxation") take no delimiter
  before "and"/"&", as citeproc-js joins a list that ends with an institution;
  and the names of a work in Chinese, Japanese, Vietnamese or Hungarian keep
  the family name first ("Liu S."), as citeproc-js orders them.
* :meth:`Bibliography.sort` adds year suffixes (2001a, 2001b) where the style
  asks for them (``disambiguate-add-year-suffix``).
* :func:`_group_process`: a ``cs:group`` is left out when the variables it
  calls are all empty (CSL 1.0.2, "Group"); for a ``cs:choose`` inside it,
  citeproc-py counts the variables of every branch, so APA's thesis entry
  printed "(Publication)" for a number it did not have.  Only the branch taken
  counts now.
* :func:`_label_process`: a ``cs:label`` whose variable is empty prints
  nothing (CSL 1.0.2, "Label"); citeproc-py printed the term anyway
  (Chicago's "Edition." after an article with no edition).
* :func:`_is_plural`: citeproc-py looked a ``number-of-pages`` label's value
  up on the citation instead of the item, failed, and dropped the label
  (Vancouver's "141 p." came out "141.").
* :func:`_render_single_date`: a localized date format that a style defines
  with ``delimiter=" "`` (Vancouver's "1996 Jan") is joined with that
  delimiter; citeproc-py used the citing ``cs:date``'s, which has none
  ("1996Jan").
* :func:`_initialize`: ``initialize="false"`` keeps given names whole
  ("William Rose", not "W. R."); citeproc-py initialised them whenever the
  style set ``initialize-with``.
* :class:`TitleCase`: ``text-case="title"`` as citeproc-js does it: words are
  also split at hyphens, slashes and brackets ("Astro-Ph"), its longer list of
  words left in lower case ("along", "between", "via"...) unless one ends the
  title, one-letter words left alone, and a capital after ``:``, ``?`` and
  ``!``.  Only items in English, or with no language, are title-cased; a
  name's label ("(Ed.)") is English, and so, for citeproc-js, is the
  original-script title ("Originally published as …").
  ``capitalize-first`` on ``number`` capitalises each hyphenated part, as
  citeproc-js, which reads the variable as numbers, does ("Astro-Ph/9812226").
* :data:`CSL_102_NAMES`: the name variables CSL 1.0.2 added (``director``,
  ``producer``, ``performer``, ``organizer``, ``contributor``...) are names to
  citeproc-py too, so a video's director stands in for its author as in
  citeproc-js.
* :meth:`Bibliography._add_given_names`: ``disambiguate-add-givenname`` under a
  primary-name rule: first authors who share a family name show their given
  names or initials in citations ("(R. B. Abbott et al., 1985)").
* :func:`_first_rendering`: a ``cs:choose`` inside ``cs:substitute`` offers
  its branch's children one by one, the first that renders standing in (not
  a director and a producer run together: "CERN Video ProductionsCERN …").
* :func:`_if_render`: ``<if disambiguate="true">`` holds only for a cite that
  needs it (citeproc-py ignored the test, so MLA's in-text citations all
  carried the title: "(Galliher, America without …)" for "(Galliher)").
* :data:`markdown`: an output formatter for Markdown beside citeproc-py's text
  and HTML ones.

Every change to a citeproc-py class is a row of :data:`PATCHES`, with its
reason and, for the fixes, the canary test that fails on plain citeproc-py; the
changes are applied only while a :class:`Bibliography` works
(:meth:`Bibliography.active`) and undone after, and what they keep belongs to
that bibliography (:class:`RenderState`).  On any citeproc-py but the version
they were verified with, :func:`check_version` refuses to render at all.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, ClassVar, TypeVar

import citeproc
from citeproc import CitationStylesBibliography
from citeproc import formatter as citeproc_formatters
from citeproc.model import (
    Choose,
    CitationStylesElement,
    ConditionFailed,
    Date,
    Else,
    Group,
    If,
    Key,
    Label,
    Layout,
    Name,
    Names,
    Parent,
    Quoted,
    Substitute,
    Text,
    TextCased,
    VariableError,
)
from citeproc.source import CitationItem, CustomDict
from citeproc.source import Name as CitationName
from citeproc.source.json import CiteProcJSON
from citeproc.string import MixedString, NoCase, String, join

from marcconv.errors import MarcconvError
from marcconv.keys import letter_suffix
from marcconv.workers import Workers, can_fork
from marcconv.writers.texmath import Piece, math_as_text, pieces

PINNED = "0.11.1"
CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
T = TypeVar("T")


class _AuthorSubstitute:
    """``subsequent-author-substitute`` (rule complete-all): the first names of an
    entry that repeat those of the entry before are replaced by the substitute."""

    def __init__(self) -> None:
        self.substitute: str | None = None
        self.previous: str | None = None
        self.seen = False
        self.substituted: set[str] = set()  # what the last cs:substitute rendered


@dataclass
class RenderState:
    """What the layer keeps while one bibliography renders: it belongs to that
    bibliography (:attr:`Bibliography.state`), and is the current one only
    while the bibliography works (:meth:`Bibliography.active`)."""

    authors: _AuthorSubstitute = field(default_factory=_AuthorSubstitute)
    #: the variables rendered while a cs:substitute child renders (a stack: they nest)
    recording: list[set[str]] = field(default_factory=list)
    #: cs:substitute trying a cs:choose (see _first_rendering), nested
    choosing: int = 0
    #: the keys whose cites read alike after year suffixes (see Bibliography.sort)
    ambiguous: set[str] = field(default_factory=set)
    #: key → (family name, the name with its given name or initials) for its citation
    given_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: cs:key → each item's value, found before citeproc-py sorts (see _find_sort_keys)
    sort_keys: dict[Any, list[Any]] = field(default_factory=dict)
    # what is read from the style once (it does not change while it renders); the
    # keys hold the elements, so lxml keeps their proxies (and ids) alive
    calls: dict[Any, bool] = field(default_factory=dict)  # element → calls a variable?
    macros: dict[tuple[Any, str], Any] = field(default_factory=dict)  # (root, name) → macro
    simple_tests: dict[Any, Any] = field(default_factory=dict)  # cs:if → its tests
    searches: dict[tuple[Any, str], list[Any]] = field(default_factory=dict)  # XPath results
    root_of: dict[Any, Any] = field(default_factory=dict)  # element → the style or locale


_STATE: ContextVar[RenderState | None] = ContextVar("marcconv_citeproc_state", default=None)


def _state() -> RenderState:
    """The state of the bibliography rendering now (the layer's functions run only
    inside :meth:`Bibliography.active`)."""
    state = _STATE.get()
    assert state is not None, "citeproc layer used outside Bibliography.active()"
    return state


class Bibliography(CitationStylesBibliography):  # type: ignore[misc]
    """citeproc-py's bibliography with linear registration; entries get the
    locale's punctuation-in-quote rule."""

    def __init__(self, style: Any, source: Any, formatter: Any, jobs: int = 1) -> None:
        check_version()
        self.state = RenderState()
        with self.active():
            super().__init__(style, source, formatter)
        self._registered: set[str] = set()
        self.keys = _Keys()
        self.jobs = jobs  # processes for the work done item by item (see in_slices)

    @contextmanager
    def active(self) -> Iterator[None]:
        """The layer's changes applied to citeproc-py, with this bibliography's state
        the current one; it may be entered again from inside."""
        token = _STATE.set(self.state)
        try:
            with applied():
                yield
        finally:
            _STATE.reset(token)

    def sort(self) -> None:
        with self.active():
            self._sort()

    def _sort(self) -> None:
        """The style's bibliography order, then year suffixes in that order, then
        the cites that still read alike (for ``<if disambiguate="true">``)."""
        state = self.state
        self._find_sort_keys()
        try:
            super().sort()
        finally:
            state.sort_keys.clear()
        self.keys = _Keys(self.keys)
        state.ambiguous.clear()
        state.given_names.clear()
        citation = self.style.root.citation
        if citation is None:
            return
        # each item's citation is rendered only where a step below compares them
        disambiguates = _tests_disambiguation(self.style.root)
        texts = self._citation_texts(self.keys) if disambiguates else None
        if citation.get("disambiguate-add-year-suffix") == "true":
            self._add_year_suffixes(citation, texts)
        if texts is not None:
            readings: dict[tuple[str, str], list[str]] = {}
            for key in self.keys:
                suffix = str(self.source[key].get("year_suffix") or "")
                readings.setdefault((texts[key], suffix), []).append(key)
            for keys in readings.values():
                if len(keys) > 1:
                    state.ambiguous.update(keys)
        self._add_given_names(citation)

    def _add_given_names(self, citation: Any) -> None:
        """``disambiguate-add-givenname`` under a primary-name rule, which citeproc-js
        applies across the whole document: a first author whose family name
        another first author shares shows the given name, as initials under
        primary-name-with-initials ("(R. B. Abbott et al., 1985)" beside
        "(E. A. Abbott, 1884)")."""
        rule = citation.get("givenname-disambiguation-rule") or "by-cite"
        if citation.get("disambiguate-add-givenname") != "true" or not rule.startswith("primary"):
            return
        only_initials = rule.endswith("with-initials")
        initials = only_initials or any(
            element.get("initialize-with") for element in (self.style.root, citation)
        )
        firsts = {key: name for key in self.keys if (name := _first_person(self.source[key]))}
        persons: dict[str, set[str]] = {}
        for family, given in firsts.values():
            persons.setdefault(family, set()).add(given)
        for key, (family, given) in firsts.items():
            if len(persons[family]) < 2:
                continue
            shown = given
            if initials:
                by_initials = {_initials(g) for g in persons[family]}
                if len(by_initials) == len(persons[family]):
                    shown = _initials(given)  # initials tell them apart
                elif only_initials:
                    continue  # they would not: the style adds nothing
            language = str(self.source[key].get("language") or "")[:2].lower()
            if language in FAMILY_FIRST_LANGUAGES:
                self.state.given_names[key] = (family, f"{family} {shown}")
            else:
                self.state.given_names[key] = (family, f"{shown} {family}")

    def _find_sort_keys(self) -> None:
        """Each item's values for the keys of the bibliography's ``cs:sort``, found
        item by item (in slices, with --jobs) before citeproc-py sorts with them."""
        bibliography = self.style.root.bibliography
        sort = None if bibliography is None else bibliography.find("cs:sort", bibliography.nsmap)
        if sort is None:
            return
        keys = sort.findall("cs:key", sort.nsmap)
        items = self.items
        if not keys or not items:
            return

        def rows(start: int, stop: int) -> list[tuple[Any, ...]]:
            part = items[start:stop]
            columns = [_sort_keys(key, part, bibliography.layout) for key in keys]
            return list(zip(*columns, strict=True))

        found = in_slices(rows, len(items), self.jobs)
        for column, key in enumerate(keys):
            self.state.sort_keys[key] = [row[column] for row in found]

    def _citation_texts(self, keys: list[str]) -> dict[str, str]:
        """How each of these works' single-item citation reads, before disambiguation."""
        from citeproc import Citation, CitationItem

        keys = list(keys)

        def texts(start: int, stop: int) -> list[str]:
            found = []
            for key in keys[start:stop]:
                probe = Citation([CitationItem(key)])
                probe.bibliography = self
                found.append(str(self.style.render_citation(probe, [], lambda item: None)))
            return found

        return dict(zip(keys, in_slices(texts, len(keys), self.jobs), strict=True))

    def _add_year_suffixes(self, citation: Any, texts: dict[str, str] | None) -> None:
        """``disambiguate-add-year-suffix``: works whose citations read the same
        ("Smith, 2001") and whose names are the same, as far as the style would
        show them (up to the citation's et-al-min), get 2001a, 2001b... in
        bibliography order, as citeproc-js gives them.  (Works told apart by
        their names are left to the style's other disambiguation steps, which
        citeproc-py does not have.)  ``texts`` holds every work's citation, or is
        None: then only those of works whose names another work shares are
        rendered, since no other work can read alike."""
        # names past the citation's et-al-min are never shown to tell works apart
        shown = int(citation.get("et-al-min") or 0) or None
        # given names tell works apart only where the style adds them to citations
        rule = citation.get("givenname-disambiguation-rule") or "by-cite"
        primary_only = rule.startswith("primary-name")
        names = {key: _names_of(self.source[key], shown, primary_only) for key in self.keys}
        if texts is None:  # only works whose names another work shares can read alike
            sharing = Counter(names.values())
            texts = self._citation_texts([key for key in self.keys if sharing[names[key]] > 1])
        groups: dict[tuple[str, str], list[str]] = {}
        for key in self.keys:
            if key in texts:
                groups.setdefault((texts[key], names[key]), []).append(key)
        for keys in groups.values():
            if len(keys) > 1:
                for number, key in enumerate(keys):
                    self.source[key]["year_suffix"] = String(letter_suffix(number))

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

    def bibliography(self, start: int = 0, stop: int | None = None) -> list[Any]:
        """The entries of the sorted items ``start:stop`` (all by default)."""
        with self.active():
            return self._bibliography(start, stop)

    def _bibliography(self, start: int, stop: int | None) -> list[Any]:
        layout = self.style.root.bibliography.layout
        no_date = {term_text(self.style.root, "no date", "no date", form)
                   for form in (None, "short")}  # fmt: skip
        lead_in = 1 if start > 0 else 0  # the entry before, for subsequent-author-substitute
        items = self.items[start - lead_in : stop]
        return [
            self._punctuated(capitalize_opening_term(str(entry), no_date), layout)
            for entry in _render_bibliography(layout, items, lead_in)
        ]

    def entries(self) -> list[str]:
        """Every entry as text, in slices (see :func:`in_slices`): an entry depends
        on no other but the one before it, which each slice renders first."""

        def between(start: int, stop: int) -> list[str]:
            return [str(entry) for entry in self._bibliography(start, stop)]

        with self.active():
            return in_slices(between, len(self.items), self.jobs)

    def cite(self, citation: Any, callback: Any) -> Any:
        with self.active():
            text = str(super().cite(citation, callback))
        given_names = self.state.given_names
        if len(citation.cites) == 1 and citation.cites[0].key in given_names:
            family, full = given_names[citation.cites[0].key]
            text = text.replace(family, full, 1)
        return self._punctuated(text, self.style.root.citation.layout)

    def _punctuated(self, text: Any, layout: Any) -> Any:
        """The punctuation rules citeproc-js applies to the whole entry."""
        text = no_double_punctuation(str(text))
        if self.style.root.get_locale_option("punctuation-in-quote").lower() != "true":
            return text
        close = term_text(self.style.root, "close-quote", "\u201d")
        final = (layout.get("suffix") or "")[:1] in (".", ",")
        return punctuation_in_quote(text, close, final)


#: items per slice handed to a process (--jobs)
SLICE = 200
#: slices a forked process renders before a fresh one takes over: a process copies
#: the pages of the inherited objects it touches, and would in time copy them all
RECYCLE = 8
#: what forked processes inherit: the function they run on slices
_FORKED: dict[str, Callable[[int, int], list[Any]]] = {}


def in_slices(work: Callable[[int, int], list[T]], count: int, jobs: int) -> list[T]:
    """``work(start, stop)`` over ``range(count)``, joined in order.

    With ``jobs`` > 1 the slices run in forked processes, which inherit the
    registered, sorted and disambiguated bibliography, so each renders exactly
    what this process would.  Only the slice bounds and the resulting text
    cross between processes.  A process renders :data:`RECYCLE` slices and
    then ends: touching an inherited object copies its page, and a process that
    lived through the whole run would end up with a copy of every item.
    """
    if jobs < 2 or count < 2 * SLICE or not can_fork():
        return work(0, count)
    _FORKED["work"] = work
    try:
        bounds = [(start, min(start + SLICE, count)) for start in range(0, count, SLICE)]
        with Workers(_forked_work, jobs, recycle=RECYCLE) as workers:
            parts = list(workers.map(bounds))
    finally:
        _FORKED.clear()
    return [value for part in parts for value in part]


def _forked_work(bounds: tuple[int, int]) -> list[Any]:
    return _FORKED["work"](*bounds)


def _names_of(reference: Any, limit: int | None = None, primary_only: bool = False) -> str:
    """The names of a work that could tell it apart in a citation, as one string:
    the first ``limit`` of each role; given names of the first only when the
    style's givenname-disambiguation-rule is a primary-name one."""
    from citeproc import NAMES

    shown = []
    for variable in NAMES:
        for position, name in enumerate((reference.get(variable) or [])[:limit]):
            given = name.get("given") if position == 0 or not primary_only else None
            shown.append((variable, name.get("family"), name.get("literal"), given))
    return repr(shown)


_DOUBLE_PUNCTUATION = re.compile("([?!][\u201d\u2019]?)[.]")


def no_double_punctuation(text: str) -> str:
    """No period after a question or exclamation mark ("Why?”." → "Why?”")."""
    return _DOUBLE_PUNCTUATION.sub(lambda m: m[1], text) if "?" in text or "!" in text else text


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


def _margin_text(margin: str, body: str) -> str:
    return f"{margin} {body}"


def _margin_html(margin: str, body: str) -> str:
    return f'<div class="csl-left-margin">{margin}</div><div class="csl-right-inline">{body}</div>'


_original_render_bibliography = Layout.render_bibliography


def _render_bibliography(self: Any, citation_items: Any, lead_in: int = 0) -> list[Any]:
    """Each entry alone, with ``second-field-align`` and
    ``subsequent-author-substitute`` as the bibliography asks.

    The first ``lead_in`` items are rendered and left out: a slice of a
    bibliography starts after the entry it follows, whose authors
    ``subsequent-author-substitute`` compares with its first entry's.
    """
    bibliography = self.getparent()
    aligned = bibliography.get("second-field-align") is not None
    authors = _state().authors
    authors.substitute = bibliography.get("subsequent-author-substitute")
    authors.previous = None
    entries = []
    try:
        for index, item in enumerate(citation_items):
            authors.seen = False
            if aligned:
                found = _aligned_entry(self, item)
                entry = [] if found is None else [found]
            else:
                entry = _original_render_bibliography(self, [item])
            if index >= lead_in:
                entries += entry
    finally:
        authors.substitute = None
    return entries


def _aligned_entry(self: Any, item: Any) -> Any:
    """One entry whose first field is set apart from the rest."""
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
        return None
    if len(fields) == 1:
        return self.format(self.wrap(fields[0]))
    join_margin = _margin_html if self.get_formatter() is citeproc_formatters.html else _margin_text
    body = self.format(self.wrap(join(fields[1:], self.get("delimiter", ""))))
    return join_margin(str(fields[0]), str(body))


_original_names_process = Names.process
_TEXT_TAG = f"{{{CSL_NAMESPACE}}}text"
_NAMES_TAG = f"{{{CSL_NAMESPACE}}}names"
_original_text_variable = Text._variable


def _text_variable(self: Any, item: Any, context: Any) -> Any:
    text = _original_text_variable(self, item, context)
    recording = _state().recording
    if recording and text:
        recording[-1].add(self.get("variable"))
    return text


def _first_rendering(self: Any, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
    """While a cs:substitute tries a cs:choose, the branch's children are
    candidates in turn, as the substitute's own children are (citeproc-js):
    the first that renders stands in, not all of them run together."""
    if not _state().choosing:
        return Parent.render_children(self, item, delimiter=delimiter, **kwargs)
    for child in self.iterchildren():
        try:
            if isinstance(child, Choose):
                text = child.render(item, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, **kwargs)
        except VariableError:
            continue
        if text:
            return text
    return None


def _substitute_render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
    """citeproc-py's ``Substitute.render``; what the chosen child rendered is
    left out of the rest of the entry."""
    state = _state()
    state.authors.substituted = set()
    for child in self.getchildren():
        state.recording.append(set())
        try:
            if isinstance(child, Choose):
                # a cs:names inside takes the cs:name and cs:label of the names
                # it stands in for; the branch's first rendering child stands in
                names = self.xpath_search("./parent::cs:names[1]")[0]
                state.choosing += 1
                try:
                    text = child.render(item, names_context=names, context=context, **kwargs)
                finally:
                    state.choosing -= 1
            elif isinstance(child, Names) and child.name is None:
                names = self.xpath_search("./parent::cs:names[1]")[0]
                text = child.render(item, names_context=names, context=context, **kwargs)
            else:
                text = child.render(item, context=context, **kwargs)
        except VariableError:
            continue
        finally:
            used = state.recording.pop()
        if text:
            state.authors.substituted = used
            repressed = (context if context is not None else self).get_layout().repressed
            for variable in used:
                repressed.setdefault(_TEXT_TAG, []).append(variable)
                repressed.setdefault(_NAMES_TAG, []).append(variable)
            if state.recording:  # a substitute inside a substitute: the outer one used these
                state.recording[-1].update(used)
            return text
    return None


def _names_process(
    self: Any, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any
) -> Any:
    """citeproc-py's, without the names a substitute has already printed."""
    roles = (self.get("variable") or "").split()
    layout = (context if context is not None else self).get_layout()
    repressed = layout.repressed.get(_NAMES_TAG, ())
    if repressed and any(role in repressed for role in roles):
        kept = [role for role in roles if role not in repressed]
        if not kept:
            raise VariableError
        with _attributes(self, {"variable": " ".join(kept)}):
            text = _original_names_process(self, item, names_context, context, **kwargs)
    else:
        text = _original_names_process(self, item, names_context, context, **kwargs)
    own = [role for role in roles if role in item.reference]
    state = _state()
    if state.recording:  # inside a cs:substitute: the enclosing names decide
        if text is not None:
            state.recording[-1].update(own)
        return text
    authors = state.authors
    if not own:  # rendered by its cs:substitute
        if "author" in authors.substituted:  # the authors, standing in for composers
            return _author_substitute(text, authors)
        if authors.substitute is not None and text is not None and not authors.seen:
            authors.seen = True  # a title or editors: no author to substitute
            authors.previous = None
        return text
    return _author_substitute(text, authors)


def _author_substitute(text: Any, authors: _AuthorSubstitute) -> Any:
    if authors.substitute is None or authors.seen or text is None:
        return text
    authors.seen = True
    rendered = str(text)
    repeated = rendered == authors.previous
    authors.previous = rendered
    return String(authors.substitute) if repeated else text


_original_name_process = Name.process
#: languages whose names citeproc-js writes family name first ("Liu S.")
FAMILY_FIRST_LANGUAGES = frozenset({"zh", "ja", "vi", "hu"})


@contextmanager
def _attributes(element: Any, values: dict[str, str]) -> Iterator[None]:
    """Style attributes set on ``element`` for the time of one rendering."""
    saved = {name: element.get(name) for name in values}
    for name, value in values.items():
        element.set(name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del element.attrib[name]
            else:
                element.set(name, value)


def _name_process(
    self: Any, item: Any, variable: str, context: Any = None, sort_options: Any = None, **kw: Any
) -> Any:
    """Names as citeproc-js orders and joins them: two names ending with a body
    take no delimiter before "and"; names of a Chinese, Japanese, Vietnamese or
    Hungarian work keep their family name first, with no comma ("Liu S.")."""
    overrides: dict[str, str] = {}
    names = item.reference.get(variable, [])
    if len(names) == 2 and "literal" in names[1]:
        overrides["delimiter-precedes-last"] = "never"
    language = str(item.reference.get("language", ""))[:2].lower()
    if language in FAMILY_FIRST_LANGUAGES and sort_options is None:
        overrides.update({"name-as-sort-order": "all", "sort-separator": " "})
    if not overrides:
        return _original_name_process(self, item, variable, context, sort_options, **kw)
    with _attributes(self, overrides):
        return _original_name_process(self, item, variable, context, sort_options, **kw)


def _choose_render(
    self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any
) -> Any:
    """citeproc-py's ``Choose.render``, remembering the branch it took."""
    self.taken = None
    for child in self.getchildren():
        try:
            text = child.render(item, context=context, delimiter=delimiter, **kwargs)
        except ConditionFailed:
            continue
        except VariableError:  # the branch was taken; its variables were empty
            self.taken = child
            raise
        self.taken = child
        return text
    return None


def _calls_variable(child: Any) -> bool:
    if isinstance(child, Choose):
        taken = getattr(child, "taken", None)
        return taken is not None and _calls_any(taken)
    return _calls_any(child)


def _calls_any(element: Any) -> bool:
    """Does the element (or a macro it names) call a variable: a property of the style."""
    calls = _state().calls
    found = calls.get(element)
    if found is None:
        found = calls[element] = bool(element.calls_variable())
    return found


def _group_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
    """citeproc-py's ``Group.process``, where a ``cs:choose`` calls only the
    variables of the branch it took."""
    output = []
    variable_called = variable_rendered = False
    delimiter = self.get("delimiter", "")
    for child in self.iterchildren():
        try:
            if isinstance(child, Choose):
                text = child.render(item, context=context, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, context=context, **kwargs)
        except VariableError:
            variable_called = variable_called or _calls_variable(child)
            continue
        called = _calls_variable(child)
        variable_called = variable_called or called
        if text is not None:
            output.append(text)
            variable_rendered = variable_rendered or called
    if output and (not variable_called or variable_rendered):
        return self.join(output)
    raise VariableError


_original_label_process = Label.process


def _label_process(self: Any, item: Any, variable: Any = None, *args: Any, **kwargs: Any) -> Any:
    own = self.get("variable")
    empty = own and own != "locator" and not item.reference.get(own.replace("-", "_"))
    if variable is None and empty:
        return None
    return _original_label_process(self, item, variable, *args, **kwargs)


_original_render_single_date = Date.render_single_date


def _render_single_date(self: Any, date: Any, show_parts: Any = None, context: Any = None) -> Any:
    if context is None or context is self or self.get("delimiter") is None:
        return _original_render_single_date(self, date, show_parts, context)
    if not self.is_locale_date():
        return _original_render_single_date(self, date, show_parts, context)
    parts = self.parts(date, show_parts, context)
    return self.join(parts) if parts else None


def _is_plural(self: Any, item: Any) -> bool:
    """Whether a label's variable holds more than one (citeproc-py's, reading
    ``number-of-*`` from the item, where citeproc-py read the citation)."""
    variable = self.get("variable")
    if variable == "locator":
        value = item.locator.identifier
    else:
        try:
            value = item.reference[variable.replace("-", "_")]
        except VariableError:
            return False
    if variable.startswith("number-of"):
        count = re.match(r"\d+", str(value))
        return count is not None and int(count[0]) > 1
    return Label.RE_MULTIPLE_NUMBERS.search(str(value)) is not None


_INITIAL = re.compile(r"^\w\.?$")
_original_initialize = Name.initialize


def _starts_with_a_letter(text: str) -> bool:
    """Whether a name starts as citeproc-js's "romanesque" names do: with a cased
    letter (not "ʻ", a modifier letter, nor a CJK character)."""
    return bool(text) and unicodedata.category(text[0]) in ("Lu", "Ll", "Lt")


def _initialize(self: Any, given: str, mark: str, context: Any) -> str:
    """``initialize="false"``: given names stay whole; only initials are spaced.
    A given name that does not start with a letter ("ʻAbd al-Raḥīm") stays whole,
    an abbreviated one ("M. Tim.", "Alph. de") is kept, and a lower-case word
    keeps no stray initial mark ("A. de", not "A. de ."), as in citeproc-js."""
    whole = self.get("initialize", "true").lower() == "false"
    if whole and not all(_INITIAL.match(part) for part in given.replace(".", ". ").split()):
        # initials inside a longer name take the mark: "Sergey T" → "Sergey T."
        parts = given.split(" ")
        stop = mark.strip()
        return " ".join(
            part + stop if len(parts) > 1 and len(part) == 1 and part.isupper() else part
            for part in parts
        )
    if not _starts_with_a_letter(given):
        return given
    parts = given.split()
    if any(len(part) > 2 and part.endswith(".") and part[:-1].isalpha() for part in parts):
        # an abbreviated name ("Tim.", "Alph.", "Wm.") is kept as catalogued
        stop = mark.strip()
        return " ".join(
            part if part.endswith(".") or not part[0].isupper() else part[0] + stop
            for part in parts
        )
    text = str(_original_initialize(self, given, mark, context))
    stray = mark.strip()
    if stray and text.endswith(" " + stray):
        text = text[: -len(stray) - 1]
    return text


_original_sort_keys = Key.sort_keys


_NOT_SORTED = re.compile(r"[^\w\s]+")


def collation_key(text: str) -> str:
    """A text as a collator compares it at the first level: accents, case and
    punctuation set aside ("Ėti͡ud" beside "Etude", not after "Z")."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NOT_SORTED.sub(" ", bare).split())


def _sort_keys(self: Any, items: Any, context: Any) -> list[Any]:
    """citeproc-py's sort keys, text compared as citeproc-js's collator does."""
    found = _state().sort_keys.get(self)
    if found is not None and len(found) == len(items):
        return found
    keys = _original_sort_keys(self, items, context)
    return [
        String(collation_key(str(key))) if isinstance(key, (str, MixedString)) else key
        for key in keys
    ]


class TitleCase:
    """citeproc-js's title case (``CSL.Output.Formatters.title``), word by word."""

    # citeproc-js CSL.SKIP_WORDS, the single words of it
    SKIP_WORDS = frozenset(
        "about above across afore after against al along alongside amid amidst among amongst"
        " anenst apropos apud around as aside astride at athwart atop barring before behind"
        " below beneath beside besides between beyond but by circa despite down during et"
        " except for forenenst from given in inside into lest like modulo near next"
        " notwithstanding of off on onto out over per plus pro qua sans since than through"
        " thru throughout thruout till to toward towards under underneath until unto up upon"
        " versus vs. v. vs v via vis-à-vis with within without or yet so and nor a an the de"
        " d' von van c ca".split()
    )
    # what splits a title into chunks of words (citeproc-js _tagRex, without markup)
    TAGS = re.compile(r"(‘|’|“|”| \"| '|\"|'|[-\u2013\u2014/.,;?!:]|\[|\]|\(|\))")
    SPACES = re.compile(r"(\s+)")

    def __init__(self) -> None:
        self.first = True
        self.after_punctuation = False

    def segment(self, text: str) -> str:
        pieces = self.TAGS.split(text)
        for i in range(0, len(pieces), 2):
            following = pieces[i + 1] if i + 1 < len(pieces) else ""
            words = self.SPACES.split(pieces[i])
            for j, word in enumerate(words):
                if not word.strip():
                    continue
                lower = word.lower()
                capitalize = (
                    (len(word) > 1 and lower not in self.SKIP_WORDS)
                    or self.first
                    or self.after_punctuation
                )
                if capitalize and word == lower:
                    words[j] = word[0].upper() + word[1:]
                self.first = self.after_punctuation = False
            pieces[i] = "".join(words)
            if following[-1:] in ("!", "?", ":"):
                self.after_punctuation = True
        return "".join(pieces)

    LAST_WORD = re.compile(r"(\w+)(\W*)$")

    def last_word(self, text: str) -> str:
        """A stop word that ends the title is capitalised ("Review Given At")."""
        match = self.LAST_WORD.search(text)
        if match and len(match[1]) > 1 and match[1] in self.SKIP_WORDS:
            return text[: match.start()] + match[1].capitalize() + match[2]
        return text

    def apply(self, text: Any) -> Any:
        if isinstance(text, MixedString):
            out = []
            for part in text:
                if isinstance(part, NoCase):
                    self.first = self.after_punctuation = False
                    out.append(part)
                else:
                    out.append(type(part)(self.segment(str(part))))
            if out and not isinstance(out[-1], NoCase):
                out[-1] = type(out[-1])(self.last_word(str(out[-1])))
            return MixedString(out)
        if isinstance(text, String):
            return type(text)(self.last_word(self.segment(str(text))))
        return text


_original_quote = Quoted.quote


def _quote(self: Any, string: Any) -> Any:
    """Quotation marks inside a quoted value become the inner ones ("What is the
    ‘militia’?" inside “…”), as citeproc-js alternates them."""
    if self.get("quotes", "false").lower() == "true" and string is not None:
        open_quote = term_text(self, "open-quote", "")
        close_quote = term_text(self, "close-quote", "")
        inner_open = term_text(self, "open-inner-quote", "")
        inner_close = term_text(self, "close-inner-quote", "")
        if open_quote and inner_open and open_quote in str(string):
            string = string.replace(open_quote, inner_open).replace(close_quote, inner_close)
    return _original_quote(self, string)


_original_case = TextCased.case


def _case(self: Any, text: Any, language: Any = None) -> Any:
    """Title case in English; an element that does not pass the item's language
    (a name's label: "(Ed.)") is taken to be in English, as in citeproc-js.
    citeproc-js reads ``number`` as numbers joined by hyphens and capitalises
    each ("astro-ph/9812226" → "Astro-Ph/9812226")."""
    text_case = self.get("text-case")
    # citeproc-js checks the item's language for "title" but not "original-title"
    english = language in ("en", None) or self.get("variable") == "original-title"
    if text_case == "title" and english:
        return TitleCase().apply(text)
    if text_case == "capitalize-first" and self.get("variable") == "number" and "-" in str(text):
        parts = str(text).split("-")
        return String("-".join(p[:1].upper() + p[1:] if p.islower() else p for p in parts))
    return _original_case(self, text, language)


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
    quotation marks, and every string escaped for the output format."""

    def __init__(self, output_format: str, quotes: tuple[str, str] = ("\u201c", "\u201d")):
        self.quotes = quotes
        self.escape: Callable[[str], str] = str
        self.math: Callable[[Piece], str] = lambda piece: math_as_text(piece.source)
        if output_format == "html":
            self.escape = _escape_html
            self.math = lambda piece: _escape_html(math_as_text(piece.source))
        elif output_format == "markdown":
            self.escape = markdown.preformat
            self.math = lambda piece: f"${piece.text}$"  # pandoc reads it as TeX math

    def __call__(self, item: dict[str, Any]) -> dict[str, Any]:
        escape, walk = self.escape, self._walk
        return {
            key: escape(value) if key in _VERBATIM else value if key in _KEEP else walk(value)
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


class _Keys(list):  # type: ignore[type-arg]
    """The registered keys with a dictionary beside them: citeproc-py places each
    cited item with ``keys.index(key)`` and checks it with ``key in keys``, two
    linear searches per citation."""

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

    def __contains__(self, key: object) -> bool:
        return key in self._at


_original_get_macro = CitationStylesElement.get_macro


def _get_macro(self: Any, name: str) -> Any:
    macros = _state().macros
    key = (self.get_root(), name)  # the key holds the root, so lxml keeps its proxy
    macro = macros.get(key)
    if macro is None:
        macro = macros[key] = _original_get_macro(self, name)
    return macro


#: CSL 1.0.2 name variables citeproc-py 0.11 does not list
CSL_102_NAMES = (
    "chair", "compiler", "contributor", "curator", "director", "executive_producer",
    "guest", "host", "narrator", "organizer", "performer", "producer", "script_writer",
    "series_creator",
)  # fmt: skip
_CSL_102_SET = frozenset(CSL_102_NAMES)
#: the name variables the layer renders: citeproc-py's and CSL 1.0.2's
NAME_VARIABLES = frozenset(citeproc.NAMES) | _CSL_102_SET
_CONDITIONS = ("type", "variable", "is-numeric", "is-uncertain-date", "locator", "position")
_original_if_render = If.render


def _initials(given: str) -> str:
    """ "Robert B" → "R. B." """
    return " ".join(part[0] + "." for part in re.split(r"[\s.]+", given) if part)


def _tests_disambiguation(style: Any) -> bool:
    """Does the style have an ``<if disambiguate="true">`` (or ``else-if``)?"""
    tests = style.iter(f"{{{CSL_NAMESPACE}}}if", f"{{{CSL_NAMESPACE}}}else-if")
    return any(element.get("disambiguate") is not None for element in tests)


def _first_person(reference: Any) -> tuple[str, str] | None:
    """(family with particle, given) of a work's first author or editor."""
    for variable in ("author", "editor"):
        names = reference.get(variable)
        if names:
            name = names[0]
            family, given = name.get("family"), name.get("given")
            if not family or not given:
                return None
            particle = name.get("non_dropping_particle")
            return (f"{particle} {family}" if particle else str(family)), str(given)
    return None


#: the tests of a ``cs:if`` or ``cs:else-if`` that tests only ``type`` and
#: ``variable``: (match, types, variables), read once from the style
_Tests = tuple[str, tuple[str, ...], tuple[str, ...]]
_OTHER_TESTS = (*(name for name in _CONDITIONS if name not in ("type", "variable")), "disambiguate")


def _simple_tests(element: Any) -> _Tests | None:
    attrib = element.attrib
    if any(name in attrib for name in _OTHER_TESTS):
        return None
    types = tuple(name.lower() for name in attrib.get("type", "").split())
    variables = tuple(name.replace("-", "_") for name in attrib.get("variable", "").split())
    return attrib.get("match", "all"), types, variables


def _holds(tests: _Tests, item: Any) -> bool:
    """citeproc-py's evaluation of ``type`` and ``variable`` tests, as ``If.render`` does it."""
    match, types, variables = tests
    reference = item.reference
    results = [name == reference.type for name in types]
    for name in variables:
        results.append(name in item if name == "locator" else name in reference)
    if match == "any":
        return any(results)
    if match == "none":
        return not any(results)
    return all(results)


def _if_render(self: Any, item: Any, context: Any = None, delimiter: str = "", **kw: Any) -> Any:
    """citeproc-py's ``If.render``, with the usual tests read from the style once.

    ``disambiguate="true"`` holds for a cite that reads like another one's once
    year suffixes are given (MLA then adds the title)."""
    state = _state()
    try:
        tests = state.simple_tests[self]  # its tests, or None when it has others
    except KeyError:
        tests = state.simple_tests[self] = _simple_tests(self)
    if tests is not None:
        if not _holds(tests, item):
            raise ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kw)
    if self.get("disambiguate") is None:
        return _original_if_render(self, item, context, delimiter, **kw)
    ambiguous = item.key in state.ambiguous
    others = any(name in self.attrib for name in _CONDITIONS)
    match = self.get("match", "all")
    if match == "none" and ambiguous:
        raise ConditionFailed
    if match == "any" and ambiguous:
        return self.render_children(item, context=context, delimiter=delimiter, **kw)
    if (match == "all" and not ambiguous) or (match == "any" and not others):
        raise ConditionFailed
    saved = self.get("disambiguate")
    del self.attrib["disambiguate"]
    try:
        return _original_if_render(self, item, context, delimiter, **kw)
    finally:
        self.set("disambiguate", saved)


_original_xpath_search = CitationStylesElement.xpath_search


def _xpath_search(self: Any, expression: str) -> list[Any]:
    searches = _state().searches
    key = (self, expression)  # the key holds the element, so lxml keeps its proxy
    found = searches.get(key)
    if found is None:
        found = searches[key] = _original_xpath_search(self, expression)
    return list(found)


def _get_root(self: Any) -> Any:
    root_of = _state().root_of
    root = root_of.get(self)
    if root is None:
        root = root_of[self] = self.getroottree().getroot()
    return root


def _reference(self: Any) -> Any:
    """A citation item's reference, found once."""
    found = self.__dict__.get("reference")
    if found is None:
        found = self.__dict__["reference"] = self.citation.bibliography.source[self.key]
    return found


def _bibliography(self: Any) -> Any:
    return self.citation.bibliography


def _missing(self: Any, key: Any) -> Any:
    raise VariableError


@dataclass(frozen=True)
class Patch:
    """One change to a citeproc-py class, applied only while a bibliography renders."""

    owner: type
    name: str
    value: Any  # _REMOVED: the class's own attribute is taken away (its base's serves)
    why: str  # the CSL rule or citeproc-js behaviour it matches, or what it saves
    canary: str = ""  # the test that fails on plain citeproc-py ("": output unchanged)


_REMOVED = object()
_ABSENT = object()
SPEED = "speed only: the golden files and the citeproc-js comparison hold the output unchanged"

#: every change the layer makes to citeproc-py, in one table
PATCHES: tuple[Patch, ...] = (
    Patch(If, "render", _if_render,
          "CSL 1.0.2 Choose: disambiguate=\"true\" holds only for a cite that needs it"
          " (MLA's in-text citations); type/variable tests read once (speed)",
          "test_canary_disambiguate_only_where_needed"),
    Patch(If, "render_children", _first_rendering,
          "citeproc-js: in cs:substitute, a cs:choose branch's first child that renders"
          " stands in, not all of them run together"),
    Patch(Else, "render_children", _first_rendering, "as If.render_children"),
    Patch(CitationStylesElement, "get_macro", _get_macro, SPEED),
    Patch(CitationStylesElement, "xpath_search", _xpath_search, SPEED),
    Patch(CitationStylesElement, "get_root", _get_root, SPEED),
    Patch(CitationItem, "reference", property(_reference), SPEED),
    Patch(CitationItem, "bibliography", property(_bibliography), SPEED),
    Patch(CustomDict, "__getitem__", _REMOVED,
          "speed only: dict's own lookup, with __missing__ raising VariableError as before"),
    Patch(CustomDict, "__missing__", _missing, "see CustomDict.__getitem__"),
    Patch(Layout, "render_bibliography", _render_bibliography,
          "CSL 1.0.2 second-field-align sets the citation number apart ('[1] A. Author');"
          " subsequent-author-substitute (MLA's '———')",
          "test_canary_second_field_align"),
    Patch(Name, "process", _name_process,
          "citeproc-js: no delimiter before 'and' when the last of two names is a body;"
          " family name first for Chinese, Japanese, Vietnamese, Hungarian names"),
    Patch(TextCased, "case", _case,
          "citeproc-js text-case='title': its word list, hyphens, English items only",
          "test_canary_title_case"),
    Patch(Choose, "render", _choose_render, "remembers the branch taken (for Group.process)"),
    Patch(Group, "process", _group_process,
          "CSL 1.0.2 Group: left out when the variables it calls are empty, counting only"
          " the cs:choose branch taken (APA's '(Publication)' for a missing number)"),
    Patch(Label, "process", _label_process,
          "CSL 1.0.2 Label: a label whose variable is empty prints nothing"),
    Patch(Label, "_is_plural", _is_plural,
          "number-of-pages looked up on the item (Vancouver's '141 p.')",
          "test_canary_number_of_pages_label"),
    Patch(Date, "render_single_date", _render_single_date,
          "a localized date format's own delimiter (Vancouver's '1996 Jan', not '1996Jan')"),
    Patch(Names, "process", _names_process,
          "CSL 1.0.2 Substitution: names a cs:substitute printed are not printed again;"
          " subsequent-author-substitute"),
    Patch(Substitute, "render", _substitute_render,
          "CSL 1.0.2 Substitution: what the substitute rendered is left out of the rest of"
          " the entry (an authorless record's title printed once)",
          "test_canary_substituted_title_printed_once"),
    Patch(Text, "_variable", _text_variable, "records what a cs:substitute rendered"),
    Patch(Key, "sort_keys", _sort_keys,
          "citeproc-js collation: accents and case set aside ('Ėti͡ud' before 'Z')",
          "test_canary_collation"),
    Patch(Quoted, "quote", _quote,
          "citeproc-js: quotation marks inside a quoted title become the inner ones"),
    Patch(Name, "initialize", _initialize,
          "CSL 1.0.2 initialize='false' keeps given names whole",
          "test_canary_initialize_false"),
)  # fmt: skip


def check_version() -> None:
    """Refuse any citeproc-py but the one the layer was verified with: on another, its
    changes could apply in part and change the output without a word."""
    installed = version("citeproc-py")
    if installed != PINNED:
        raise MarcconvError(
            f"-t citation needs citeproc-py {PINNED}, the version marcconv's citation layer"
            f" was verified with, and citeproc-py {installed} is installed"
            f" (pip install 'citeproc-py=={PINNED}')"
        )


class _Applied:
    """How many bibliographies are rendering, and what the patches replaced."""

    lock = threading.Lock()
    depth = 0
    saved: ClassVar[list[tuple[Patch, Any]]] = []


@contextmanager
def applied() -> Iterator[None]:
    """The changes of :data:`PATCHES` (and the CSL 1.0.2 name variables) applied to
    citeproc-py while the block runs, and undone when the last such block ends:
    citeproc-py used by other code in the same process, before or after, is
    untouched."""
    with _Applied.lock:
        if _Applied.depth == 0:
            check_version()
            _apply()
        _Applied.depth += 1
    try:
        yield
    finally:
        with _Applied.lock:
            _Applied.depth -= 1
            if _Applied.depth == 0:
                _undo()


def _apply() -> None:
    saved = []
    for patch in PATCHES:
        saved.append((patch, vars(patch.owner).get(patch.name, _ABSENT)))
        if patch.value is _REMOVED:
            if patch.name in vars(patch.owner):
                delattr(patch.owner, patch.name)
        else:
            setattr(patch.owner, patch.name, patch.value)
    _Applied.saved = saved
    citeproc.NAMES.extend(name for name in CSL_102_NAMES if name not in citeproc.NAMES)


def _undo() -> None:
    for patch, original in reversed(_Applied.saved):
        if original is _ABSENT:
            if patch.name in vars(patch.owner):
                delattr(patch.owner, patch.name)
        else:
            setattr(patch.owner, patch.name, original)
    _Applied.saved = []
    citeproc.NAMES[:] = [name for name in citeproc.NAMES if name not in CSL_102_NAMES]
