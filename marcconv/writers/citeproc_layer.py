"""What marcconv changes in citeproc-py 0.11.1, in one place, each change with its reason.

citeproc-py is the engine; these are targeted changes that do not alter its
output (the golden files and the comparison with citeproc-js hold them to that):

* :class:`Bibliography` registers items with a set beside citeproc-py's list:
  its ``register`` tests ``key not in list`` for every item, which is quadratic.
* :func:`install` makes ``get_macro`` look a macro up once per style, instead of
  running an XPath search over the whole style on every call (it is called for
  every ``<text macro=...>`` of every item, and by ``calls_variable`` when
  ``<group>`` decides whether to print; it was half of the time of an APA run).

The layer checks the version it was written for and changes nothing on another.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from citeproc import CitationStylesBibliography
from citeproc.model import CitationStylesElement

PINNED = "0.11.1"


class Bibliography(CitationStylesBibliography):  # type: ignore[misc]
    """citeproc-py's bibliography with linear registration."""

    def __init__(self, style: Any, source: Any, formatter: Any) -> None:
        super().__init__(style, source, formatter)
        self._registered: set[str] = set()

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
    return True
