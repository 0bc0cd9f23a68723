"""What the layer keeps while one bibliography renders, and where it is found."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"


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
    #: key → (names variable, how many of its names to show): disambiguate-add-names
    names_shown: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: key → [(family name, the name with its given name or initials)] for its citation
    given_names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
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
