"""Every change the layer makes to citeproc-py classes, in one table, applied only
while a bibliography works; and the version check that keeps it whole."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, ClassVar

import citeproc
from citeproc.model import (
    Choose,
    CitationStylesElement,
    Date,
    Else,
    FormatNumber,
    Formatted,
    Group,
    If,
    Key,
    Label,
    Layout,
    Name,
    Names,
    Number,
    Quoted,
    Substitute,
    Text,
    TextCased,
)
from citeproc.source import CitationItem, CustomDict

from marcconv.errors import MarcconvError
from marcconv.writers.citeproc_layer.output import CSL_102_NAMES
from marcconv.writers.citeproc_layer.spec import (
    _case,
    _choose_render,
    _date_process,
    _first_rendering,
    _font_style,
    _format_last_page,
    _format_number,
    _group_process,
    _if_render,
    _initialize,
    _is_numeric,
    _is_plural,
    _label_process,
    _name_process,
    _names_process,
    _number_process,
    _page_as_written,
    _quote,
    _render_bibliography,
    _render_single_date,
    _sort_keys,
    _substitute_render,
    _text_variable,
)
from marcconv.writers.citeproc_layer.speed import (
    _bibliography,
    _get_macro,
    _get_root,
    _missing,
    _reference,
    _xpath_search,
)

PINNED = "0.11.1"


@dataclass(frozen=True)
class Patch:
    """One change to a citeproc-py class, applied only while a bibliography renders."""

    owner: type
    name: str
    value: Any  # _ABSENT: the class's own attribute is taken away (its base's serves)
    why: str  # the CSL rule or citeproc-js behaviour it matches, or what it saves
    canary: str = ""  # the test that fails on plain citeproc-py ("": output unchanged)


#: no attribute of the class's own: set, it removes one; saved, it says there was none
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
    Patch(CustomDict, "__getitem__", _ABSENT,
          "speed only: dict's own lookup, with __missing__ raising VariableError as before"),
    Patch(CustomDict, "__missing__", _missing, "see CustomDict.__getitem__"),
    Patch(Layout, "render_bibliography", _render_bibliography,
          "CSL 1.0.2 second-field-align sets the citation number apart ('[1] A. Author');"
          " subsequent-author-substitute (MLA's '———')",
          "test_canary_second_field_align"),
    Patch(Name, "process", _name_process,
          "citeproc-js: no delimiter before 'and' when the last of two names is a body;"
          " family name first for Chinese, Japanese, Vietnamese, Hungarian names, and"
          " family and given name run together for a name in no romanesque script;"
          " CSL 1.0.2 disambiguate-add-names: the names added to tell cites apart are"
          " shown (see Bibliography._add_names)",
          "test_canary_names_and_given_names_tell_cites_apart"),
    Patch(Formatted, "font_style", _font_style,
          "citeproc-js: no font style for a text in no romanesque script (a Chinese"
          " title is not set in italics)", "test_canary_no_italics_outside_romanesque"),
    Patch(TextCased, "case", _case,
          "citeproc-js text-case='title': its word list, hyphens, English items only;"
          " capitalize-first leaves a first word with capitals ('arXiv')",
          "test_canary_title_case"),
    Patch(Choose, "render", _choose_render, "remembers the branch taken (for Group.process)"),
    Patch(Group, "process", _group_process,
          "CSL 1.0.2 Group: left out when the variables it calls are empty, counting only"
          " the cs:choose branch taken (APA's '(Publication)' for a missing number);"
          " citeproc-js: a macro that printed only a term counts as printed",
          "test_canary_a_macro_of_terms_keeps_its_group"),
    Patch(Label, "process", _label_process,
          "CSL 1.0.2 Label: a label whose variable is empty prints nothing"),
    Patch(Label, "_is_plural", _is_plural,
          "number-of-pages looked up on the item (Vancouver's '141 p.'); numbers counted"
          " as citeproc-js counts them ('no. 06/2009', 'nos. 3-4')",
          "test_canary_number_of_pages_label"),
    Patch(If, "_is_numeric", _is_numeric,
          "citeproc-js processNumber: is-numeric holds for '638-642', '201, 206', '3a'",
          "test_canary_numbers_as_citeproc_js"),
    Patch(Number, "process", _number_process,
          "CSL 1.0.2 Number: a hyphenated variable is found ('number-of-volumes':"
          " APA's 'Vols. 1–3')", "test_canary_numbers_as_citeproc_js"),
    Patch(Number, "format_number", _format_number,
          "citeproc-js NumericBlob: a number in form='numeric' as written ('vol. 05')",
          "test_canary_numbers_as_citeproc_js"),
    Patch(FormatNumber, "_process", _page_as_written,
          "citeproc-js processNumber: a page it does not read as numbers ('pp.1-326')"
          " printed as written", "test_canary_numbers_as_citeproc_js"),
    Patch(Date, "process", _date_process,
          "citeproc-js: a literal date is printed by a date that shows the year, once"
          " (APA's '(701-762)', not '(701-762, 701-762)')",
          "test_canary_literal_date_printed_once"),
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
          "citeproc-js collation: its key ('|' for each space) at ICU's first level,"
          " punctuation ignored, numbers by value ('Ėti͡ud' before 'Z', 'De Roeck'"
          " before 'Depenheuer')",
          "test_canary_collation"),
    Patch(FormatNumber, "_format_last_page", _format_last_page,
          "CSL 1.0.2 Appendix V page-range-format, from the last page in full"
          " (APA's '2787–2788' for '2787-88'); chicago-16 without the four-digit rule",
          "test_canary_page_range_format"),
    Patch(Quoted, "quote", _quote,
          "citeproc-js: quotation marks alternate outer and inner by level, the style's"
          " and the record's alike (set once the entry is whole)",
          "test_canary_quotation_marks_by_level"),
    Patch(Name, "initialize", _initialize,
          "CSL 1.0.2 initialize='false' keeps given names whole; citeproc-js's"
          " initializeWith ('M. Tim.' → 'MTim' in AMA, 'Alph. de' → 'Alph de')",
          "test_canary_initials_as_citeproc_js"),
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
    _Applied.saved = [(patch, vars(patch.owner).get(patch.name, _ABSENT)) for patch in PATCHES]
    for patch in PATCHES:
        _put(patch.owner, patch.name, patch.value)
    citeproc.NAMES.extend(name for name in CSL_102_NAMES if name not in citeproc.NAMES)


def _undo() -> None:
    for patch, original in reversed(_Applied.saved):
        _put(patch.owner, patch.name, original)
    _Applied.saved = []
    citeproc.NAMES[:] = [name for name in citeproc.NAMES if name not in CSL_102_NAMES]


def _put(owner: type, name: str, value: Any) -> None:
    """Give ``owner`` its own attribute ``name``, or none if ``value`` is _ABSENT."""
    if value is not _ABSENT:
        setattr(owner, name, value)
    elif name in vars(owner):
        delattr(owner, name)
