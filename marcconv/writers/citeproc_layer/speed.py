"""The changes that only save time: what citeproc-py looks up again and again on
a style that does not change while it renders, found once."""

from __future__ import annotations

from typing import Any

from citeproc.model import (
    CitationStylesElement,
    VariableError,
)

from marcconv.writers.citeproc_layer.state import _state


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
