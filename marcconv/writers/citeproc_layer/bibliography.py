"""citeproc-py's bibliography with the layer's registration, sorting and
disambiguation; it owns its state."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from citeproc import CitationStylesBibliography
from citeproc.string import String

from marcconv.keys import letter_suffix
from marcconv.writers.citeproc_layer.output import (
    CLOSING,
    capitalize_opening_term,
    locale_quotes,
    markdown,
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


class _Cites:
    """Each work's single-item citation as text, rendered once, when a
    disambiguation step first compares it."""

    def __init__(self, render: Callable[[list[str]], dict[str, str]]) -> None:
        self.render = render
        self.known: dict[str, str] = {}

    def of(self, keys: list[str]) -> dict[str, str]:
        missing = [key for key in keys if key not in self.known]
        if missing:
            self.known.update(self.render(missing))
        return {key: self.known[key] for key in keys}

    def forget(self, keys: list[str]) -> None:
        """These works' citations changed (names were added): render them again."""
        for key in keys:
            self.known.pop(key, None)


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
        state.names_shown.clear()
        citation = self.style.root.citation
        if citation is None:
            return
        # each item's citation is rendered once, and only where a step compares it
        cites = _Cites(self._citation_texts)
        if citation.get("disambiguate-add-names") == "true":
            cites.forget(self._add_names(citation, cites))
        if citation.get("disambiguate-add-givenname") == "true":
            self._expand_given_names(citation, cites)
        if citation.get("disambiguate-add-year-suffix") == "true":
            self._add_year_suffixes(citation, cites)
        if _tests_disambiguation(self.style.root):
            texts = cites.of(self.keys)
            readings: dict[tuple[str, str], list[str]] = {}
            for key in self.keys:
                suffix = str(self.source[key].get("year_suffix") or "")
                readings.setdefault((texts[key], suffix), []).append(key)
            for keys in readings.values():
                if len(keys) > 1:
                    state.ambiguous.update(keys)
        self._add_given_names(citation)

    def _expand_given_names(self, citation: Any, cites: _Cites) -> None:
        """``disambiguate-add-givenname`` by cite (the default rule): in cites
        that read alike, a shown name whose given name differs from work to work
        is expanded in each, to initials where they tell the given names apart,
        else in full ("Homer and T. W. A. Buckley" beside "Homer and T. A. W.
        Buckley"; "Liu X." beside "Liu S."), as citeproc-js does before year
        suffixes.  ``cites`` are updated to read as the cites now do."""
        rule = citation.get("givenname-disambiguation-rule") or "by-cite"
        if rule != "by-cite":
            return
        use_first = int(citation.get("et-al-use-first") or 0)
        et_al_min = int(citation.get("et-al-min") or 0)
        shown: dict[str, list[tuple[str, str]]] = {}
        for key in self.keys:
            found = _cited_names(self.source[key])
            if not found:
                continue
            people = found[1]
            count = len(people)
            if et_al_min and count >= et_al_min:
                count = self.state.names_shown.get(key, ("", use_first))[1]
            shown[key] = people[:count]
        families = Counter(tuple(f for f, _ in people) for people in shown.values())
        candidates = [k for k, people in shown.items() if families[tuple(f for f, _ in people)] > 1]
        if not candidates:
            return
        read = cites.of(candidates)
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for key in candidates:
            groups.setdefault((read[key], tuple(f for f, _ in shown[key])), []).append(key)
        for (_, names), keys in groups.items():
            if len(keys) < 2:
                continue
            for place, family in enumerate(names):
                if not family or names.count(family) > 1:
                    continue
                givens = {shown[key][place][1] for key in keys}
                if len(givens) < 2:
                    continue
                initials = len({_initials(g) for g in givens}) == len(givens)
                for key in keys:
                    given = shown[key][place][1]
                    short = _initials(given) if initials else given
                    if short:
                        self.state.given_names.setdefault(key, []).append(
                            (family, _with_given(family, short, self.source[key]))
                        )
                        cites.known[key] = self._given_names_in(key, read[key])

    def _add_names(self, citation: Any, cites: _Cites) -> list[str]:
        """``disambiguate-add-names``: where cites read alike ("Ellis et al.,
        1982"), the names et al. hides are added one by one to each, until it
        reads like no other ("Ellis, Ibanez, et al." beside "Ellis, Enqvist, et
        al."), as citeproc-js does before year suffixes; the entry shows them
        too.  Works that no added name tells apart get the names that told the
        others apart.  Names are added up to four (or one more than the style's
        own), so that a citation stays a citation: past that, year suffixes and
        the style's ``disambiguate`` condition tell works apart.  The keys whose
        names were added."""
        use_first = int(citation.get("et-al-use-first") or 0)
        et_al_min = int(citation.get("et-al-min") or 0)
        if not use_first or not et_al_min:
            return []
        most = max(4, use_first + 1)
        variables: dict[str, str] = {}
        families: dict[str, list[str]] = {}
        for key in self.keys:
            found = _cited_names(self.source[key])
            if found and len(found[1]) >= et_al_min:
                variables[key] = found[0]
                families[key] = [family for family, _ in found[1]]
        sharing = Counter(tuple(names[:use_first]) for names in families.values())
        candidates = [k for k, names in families.items() if sharing[tuple(names[:use_first])] > 1]
        if not candidates:
            return []
        read = cites.of(candidates)
        groups: dict[str, list[str]] = {}
        for key in candidates:
            groups.setdefault(read[key], []).append(key)
        added = []
        for keys in groups.values():
            if len(keys) < 2:
                continue
            for key, count in _names_to_add(keys, families, use_first, most).items():
                self.state.names_shown[key] = (variables[key], count)
                added.append(key)
        return added

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
            self.state.given_names.setdefault(key, []).append(
                (family, _with_given(family, shown, self.source[key]))
            )

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

    def _add_year_suffixes(self, citation: Any, cites: _Cites) -> None:
        """``disambiguate-add-year-suffix``: works whose citations read the same
        ("Smith, 2001") and whose names are the same, as far as the style would
        show them (up to the citation's et-al-min), get 2001a, 2001b... in
        bibliography order, as citeproc-js gives them.  (Works told apart by
        their names are left to the style's other disambiguation steps, which
        citeproc-py does not have.)  Only the citations of works whose names
        another work shares are compared: no other work can read alike."""
        # names past the citation's et-al-min are never shown to tell works apart
        shown = int(citation.get("et-al-min") or 0) or None
        # given names tell works apart only where the style adds them to citations
        rule = citation.get("givenname-disambiguation-rule") or "by-cite"
        primary_only = rule.startswith("primary-name")
        names = {key: _names_of(self.source[key], shown, primary_only) for key in self.keys}
        sharing = Counter(names.values())
        texts = cites.of([key for key in self.keys if sharing[names[key]] > 1])
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
        if len(citation.cites) == 1:
            text = self._given_names_in(citation.cites[0].key, text)
        return self._punctuated(text, self.style.root.citation.layout)

    def _given_names_in(self, key: str, text: str) -> str:
        """A cite's text with the given names disambiguation added."""
        for family, full in self.state.given_names.get(key, ()):
            text = text.replace(family, full, 1)
        return text

    def _punctuated(self, text: Any, layout: Any) -> Any:
        """The punctuation rules citeproc-js applies to the whole entry, and its
        quotation marks, outer and inner by their level."""
        root = self.style.root
        text = no_double_punctuation(str(text), markdown=self.formatter is markdown)
        if root.get_locale_option("punctuation-in-quote").lower() == "true":
            final = (layout.get("suffix") or "")[:1] in (".", ",")
            text = punctuation_in_quote(text, CLOSING, final)
        if self.formatter is markdown:
            text = markdown.entry(text)
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


def _cited_names(reference: Any) -> tuple[str, list[tuple[str, str]]] | None:
    """(variable, [(family, given)]) of the names a citation shows: the authors,
    or else the editors; a body's name is its family name, with no given name."""
    for variable in ("author", "editor"):
        names = reference.get(variable)
        if names:
            return variable, [
                (str(n.get("family") or n.get("literal") or ""), str(n.get("given") or ""))
                for n in names
            ]
    return None


def _with_given(family: str, given: str, reference: Any) -> str:
    """A family name with its given name (or initials) as a citation shows it:
    family first in a Chinese, Japanese, Vietnamese or Hungarian work."""
    language = str(reference.get("language") or "")[:2].lower()
    return f"{family} {given}" if language in FAMILY_FIRST_LANGUAGES else f"{given} {family}"


def _names_to_add(
    keys: list[str], families: dict[str, list[str]], shown: int, most: int
) -> dict[str, int]:
    """How many names each of ``keys`` (cites that read alike) shows once names
    are added one at a time: each stops at the count where its names read like
    no other's; the ones never told apart take the last count that told one."""
    counts: dict[str, int] = {}
    remaining = set(keys)
    progress = 0
    count = shown
    while len(remaining) > 1 and count < most:
        count += 1
        reading = {key: tuple(families[key][:count]) for key in keys}
        alike = Counter(reading.values())
        told = {key for key in remaining if alike[reading[key]] == 1}
        if told:
            progress = count
            for key in told:
                counts[key] = count
            remaining -= told
    if progress and len(remaining) == 1:  # the last one is told apart by the others
        counts[remaining.pop()] = progress
    for key in remaining:
        if progress:
            counts[key] = progress
    return counts


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
