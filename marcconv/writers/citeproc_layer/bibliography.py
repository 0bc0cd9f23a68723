"""citeproc-py's bibliography with the layer's registration, sorting and
disambiguation; it owns its state."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from citeproc import CitationStylesBibliography
from citeproc.string import String

from marcconv.keys import letter_suffix
from marcconv.writers.citeproc_layer.output import (
    CLOSING,
    capitalize_opening_term,
    locale_quotes,
    no_double_punctuation,
    punctuation_in_quote,
    resolve_quotes,
    term_text,
)
from marcconv.writers.citeproc_layer.patches import applied, check_version
from marcconv.writers.citeproc_layer.slices import in_slices
from marcconv.writers.citeproc_layer.spec import (
    FAMILY_FIRST_LANGUAGES,
    _render_bibliography,
    _sort_keys,
)
from marcconv.writers.citeproc_layer.speed import _Keys
from marcconv.writers.citeproc_layer.state import _STATE, CSL_NAMESPACE, RenderState


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
        """The punctuation rules citeproc-js applies to the whole entry, and its
        quotation marks, outer and inner by their level."""
        root = self.style.root
        text = no_double_punctuation(str(text))
        if root.get_locale_option("punctuation-in-quote").lower() == "true":
            final = (layout.get("suffix") or "")[:1] in (".", ",")
            text = punctuation_in_quote(text, CLOSING, final)
        outer = locale_quotes(self.style)
        inner = (term_text(root, "open-inner-quote", "\u2018"),
                 term_text(root, "close-inner-quote", "\u2019"))  # fmt: skip
        return resolve_quotes(text, outer, inner)


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
