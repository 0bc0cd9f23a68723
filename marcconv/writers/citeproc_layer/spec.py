"""The changes that bring citeproc-py's rendering to the CSL 1.0.2 specification
and to citeproc-js; each is a row of ``patches.PATCHES``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from citeproc import formatter as citeproc_formatters
from citeproc.model import (
    Choose,
    ConditionFailed,
    Date,
    FormatNumber,
    Formatted,
    If,
    Key,
    Label,
    Layout,
    Name,
    Names,
    Number,
    Parent,
    Text,
    TextCased,
    VariableError,
)
from citeproc.source import LiteralDate
from citeproc.string import MixedString, NoCase, String, join

from marcconv.writers.citeproc_layer import numbers
from marcconv.writers.citeproc_layer.collation import collation_key
from marcconv.writers.citeproc_layer.initials import (
    initialize_with,
    is_romanesque,
    starts_romanesque,
)
from marcconv.writers.citeproc_layer.output import OPEN_QUOTE, STYLE_CLOSE_QUOTE
from marcconv.writers.citeproc_layer.state import CSL_NAMESPACE, _AuthorSubstitute, _state


def _margin_text(margin: str, body: str) -> str:
    return f"{margin} {body}"


def _margin_html(margin: str, body: str) -> str:
    # no space before the closing tag, where an entry ends on a group's delimiter
    body = body.rstrip()
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


def _unromanesque(name: Any) -> bool:
    """citeproc-js's ``_isRomanesque`` gives 0: a personal name whose family
    name holds no "romanesque" letter and whose given name starts with none."""
    family = name.get("family")
    if not family or is_romanesque(str(family).replace('"', "")):
        return False
    given = name.get("given")
    return not (given and starts_romanesque(str(given)))


def _name_process(
    self: Any, item: Any, variable: str, context: Any = None, sort_options: Any = None, **kw: Any
) -> Any:
    """Names as citeproc-js orders and joins them: two names ending with a body
    take no delimiter before "and"; names of a Chinese, Japanese, Vietnamese or
    Hungarian work keep their family name first, with no comma ("Liu S."); a
    work's names added to tell its cites apart are shown in its citations and
    its entry (``disambiguate-add-names``)."""
    overrides: dict[str, str] = {}
    names = item.reference.get(variable, [])
    shown = _state().names_shown.get(item.key)
    if shown and shown[0] == variable and sort_options is None:
        overrides.update(_more_names(self, context, len(names), shown[1]))
    if len(names) == 2 and "literal" in names[1]:
        overrides["delimiter-precedes-last"] = "never"
    language = str(item.reference.get("language", ""))[:2].lower()
    if sort_options is None and names and all(map(_unromanesque, names)):
        # citeproc-js: a name in no Latin, Greek, Cyrillic... letter is family
        # and given run together ("€ ︠̈̉̕" from YAZ's MARC-8 test records)
        overrides.update({"name-as-sort-order": "all", "sort-separator": ""})
    elif language in FAMILY_FIRST_LANGUAGES and sort_options is None:
        overrides.update({"name-as-sort-order": "all", "sort-separator": " "})
    if not overrides:
        return _original_name_process(self, item, variable, context, sort_options, **kw)
    with _attributes(self, overrides):
        return _original_name_process(self, item, variable, context, sort_options, **kw)


def _more_names(element: Any, context: Any, count: int, shown: int) -> dict[str, str]:
    """The et-al options that show ``shown`` of ``count`` names where the style
    would show fewer."""
    et_al_min = int(element.get_option("et-al-min", context) or 0)
    use_first = int(element.get_option("et-al-use-first", context) or 0)
    if not et_al_min or count < et_al_min or shown <= use_first:
        return {}
    if shown >= count:
        return {"et-al-min": str(count + 1)}
    return {"et-al-use-first": str(shown)}


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


def _is_macro_call(element: Any) -> bool:
    return isinstance(element, Text) and "macro" in element.attrib


def _group_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
    """citeproc-py's ``Group.process``, where a ``cs:choose`` calls only the
    variables of the branch it took, and a macro that printed only terms
    counts as a variable printed (citeproc-js: Vancouver's "In." before a
    missing container)."""
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
        # a macro is a group in citeproc-js: one that printed something counts as
        # a variable printed, even if only a term (Vancouver's "In.")
        called = _calls_variable(child) or (text is not None and _is_macro_call(child))
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


_original_date_process = Date.process


def _date_process(
    self: Any,
    item: Any,
    variable: Any = None,
    show_parts: Any = None,
    context: Any = None,
    **kw: Any,
) -> Any:
    """A literal date ("701-762", "[n.d.]") is printed by a date that shows
    the year, once: not again by one of month and day only (citeproc-js)."""
    name = (variable or self.get("variable") or "").replace("-", "_")
    try:
        value = item.reference[name]
    except VariableError:
        value = None
    renders_parts = self.is_locale_date() or self.get("form") is None  # not a localized form
    if isinstance(value, LiteralDate) and renders_parts:
        parts = show_parts or ["year", "month", "day"]
        names = {part.get("name") for part in self.iterchildren()}
        if "year" not in parts or "year" not in names:
            return None
    return _original_date_process(self, item, variable, show_parts, context, **kw)


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
    ``number-of-*`` from the item, where citeproc-py read the citation, and
    counting numbers as citeproc-js does: "nos. 3-4", "no. 06/2009")."""
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
    return numbers.parse(str(value)).plural


def _is_numeric(self: Any, item: Any) -> list[bool]:
    """citeproc-js's ``is-numeric``: the value's first number, as it parses
    numbers ("638-642", "201, 206", "3a"); not "pp.1-326" nor "06/2009"."""
    reference = item.reference
    results = []
    for variable in self.get("is-numeric").split():
        name = variable.replace("-", "_")
        results.append(name in reference and numbers.is_numeric(name, reference[name]))
    return results


_original_format_number = Number.format_number


_original_number_process = Number.process


def _number_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
    """citeproc-py's ``Number.process``, looking a hyphenated variable up by its
    reference name: it asked for "number-of-volumes" and found nothing, so APA's
    "Vols. 1–3" came out "Vols."."""
    variable = self.get("variable")
    if variable in ("locator", "page-first"):
        return _original_number_process(self, item, context, **kwargs)
    return self._process(item.reference[variable.replace("-", "_")], variable)


def _format_number(self: Any, number: Any) -> Any:
    """A number in ``form="numeric"`` as written: citeproc-js keeps "05"."""
    if self.get("form", "numeric") == "numeric":
        return str(number)
    return _original_format_number(self, number)


_original_format_process = FormatNumber._process


def _page_as_written(self: Any, value: Any, variable: str) -> Any:
    """A page that citeproc-js does not read as numbers ("pp.1-326") printed as
    written, without a page range format."""
    if variable.startswith("page") and not numbers.parse(str(value)).numeric:
        return value
    return _original_format_process(self, value, variable)


def _initialize(self: Any, given: str, mark: str, context: Any) -> str:
    """A given name initialized as citeproc-js does it (:mod:`.initials`):
    ``initialize="false"`` keeps names whole, "M. Tim." gives "MTim" in AMA,
    "Tong-gil" gives "T.", a name that does not start with a letter stays."""
    whole = self.get("initialize", "true").lower() == "false"
    hyphen = self.get_option("initialize-with-hyphen", context)
    return initialize_with(given, mark, whole, hyphen is not False and hyphen != "false")


_original_sort_keys = Key.sort_keys


#: markup inside a rendered key (a math span's ``nocase``), which is not sorted on
_MARKUP = re.compile(r"<[^>]*>")


def _sort_keys(self: Any, items: Any, context: Any) -> list[Any]:
    """citeproc-py's sort keys, text compared as citeproc-js's collator does."""
    found = _state().sort_keys.get(self)
    if found is not None and len(found) == len(items):
        return found
    keys = _original_sort_keys(self, items, context)
    return [
        String(collation_key(_MARKUP.sub("", str(key))))
        if isinstance(key, (str, MixedString))
        else key
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
    TAGS = re.compile(r"(‘|’|“|”| \"| '|\"|'|[\ue000\ue001]|[-\u2013\u2014/.,;?!:]|\[|\]|\(|\))")
    SPACES = re.compile(r"(\s+)")

    def __init__(self) -> None:
        self.first = True
        self.opening = True  # before the value's first tag
        self.after_punctuation = False

    def segment(self, text: str) -> str:
        pieces = self.TAGS.split(text)
        for i in range(0, len(pieces), 2):
            following = pieces[i + 1] if i + 1 < len(pieces) else ""
            # citeproc-js capitalises a stop word before a hyphen in the value's
            # first chunk only ("With Off-Shell" but "ISOLTRAP : Accurate on-Line")
            opening, self.opening = self.opening, False
            words = self.SPACES.split(pieces[i])
            for j, word in enumerate(words):
                if not word.strip():
                    continue
                lower = word.lower()
                capitalize = (
                    (len(word) > 1 and lower not in self.SKIP_WORDS)
                    or (opening and j == len(words) - 1 and following == "-")
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
                    self.first = self.after_punctuation = self.opening = False
                    out.append(part)
                else:
                    out.append(type(part)(self.segment(str(part))))
            if out and not isinstance(out[-1], NoCase):
                out[-1] = type(out[-1])(self.last_word(str(out[-1])))
            return MixedString(out)
        if isinstance(text, String):
            return type(text)(self.last_word(self.segment(str(text))))
        return text


def _format_last_page(self: Any, first: str, last: str) -> str:
    """The last page of a range as the style's ``page-range-format`` writes it (CSL
    1.0.2, Appendix V), from the last page in full: citeproc-py shortened only a
    full one, so "2787-88" stayed "2787–88" where APA expands it ("2787–2788") and
    Vancouver shortens it ("2787–8"); and ``chicago-16`` has no exception for four
    digits ("1191–202", where Chicago's 15th edition wrote "1191–1202").  With no
    ``page-range-format`` the range stays as given."""
    range_format = self.get_root().get_option("page-range-format")
    if range_format is None:  # the range as given, as citeproc-js leaves it
        return last
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if range_format != "chicago-16" or not (first.isdigit() and last.isdigit()):
        return str(_original_format_last_page(self, first, last))
    number = int(first)
    if number < 100 or number % 100 == 0 or len(first) != len(last):
        return last  # expanded
    common = next((i for i, (f, g) in enumerate(zip(first, last, strict=True)) if f != g), 0)
    if number % 100 < 10:
        return last[common:]  # minimal
    return last[min(common, len(first) - 2) :]  # minimal-two


_original_format_last_page = FormatNumber._format_last_page


def _quote(self: Any, string: Any) -> Any:
    """A quoted value between quotation marks whose level is set once the entry
    is whole (:func:`.output.resolve_quotes`): citeproc-js alternates outer and
    inner marks from the outermost, whether the style or the record quoted."""
    if self.get("quotes", "false").lower() == "true" and string is not None:
        return OPEN_QUOTE + string + STYLE_CLOSE_QUOTE
    return string


_original_font_style = Formatted.font_style


def _font_style(self: Any, text: Any) -> Any:
    """No italics for a variable's text in none of the scripts citeproc-js calls
    romanesque (Chinese, Japanese, Korean...): citeproc-js drops the font style
    of such a string, though not that of a group or macro around it."""
    if self.get("font-style", "normal") == "normal":
        return text
    leaf = isinstance(self, Text) and "macro" not in self.attrib
    if not leaf or text is None or is_romanesque(html.unescape(str(text))):
        return _original_font_style(self, text)
    return text


_original_case = TextCased.case


def _plain(text: Any) -> bool:
    """Text without parts kept from case changes (``nocase``)."""
    if isinstance(text, MixedString):
        return all(type(part) in (str, String) for part in text)
    return type(text) in (str, String)


#: the first word as citeproc-js's capitalize-first finds it (up to a space or a hyphen)
_FIRST_WORD = re.compile(r"\W*(\w+)")


def _case(self: Any, text: Any, language: Any = None) -> Any:
    """Title case in English; an element that does not pass the item's language
    (a name's label: "(Ed.)") is taken to be in English, as in citeproc-js.
    citeproc-js reads a number variable as numbers and their joiners and cases
    each ("astro-ph/9812226" → "Astro-Ph/9812226", "expanded&updated" →
    "Expanded&Updated"); ``capitalize-first`` leaves a
    first word that has capitals of its own as it is ("arXiv", not "ArXiv")."""
    text_case = self.get("text-case")
    # citeproc-js checks the item's language for "title" but not "original-title"
    english = language in ("en", None) or self.get("variable") == "original-title"
    if text_case == "title" and english:
        return TitleCase().apply(text)
    variable = (self.get("variable") or "").replace("-", "_")
    if text_case and variable in numbers.NUMBER_VARIABLES and _plain(text):
        parsed = numbers.parse(str(text))
        if len(parsed.parts) > 1:  # each number (or word) cased alone
            cased = (str(_case(self, String(part), language)) for part in parsed.parts)
            return String("".join(c + j for c, j in zip(cased, parsed.joiners, strict=True)))
    if text_case == "capitalize-first":
        first = _FIRST_WORD.match(str(text))
        if first and first[1] != first[1].lower():
            return text  # a first word with capitals of its own ("arXiv") is left alone
    return _original_case(self, text, language)


_CONDITIONS = ("type", "variable", "is-numeric", "is-uncertain-date", "locator", "position")
_original_if_render = If.render


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
