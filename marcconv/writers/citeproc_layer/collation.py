"""Sort keys compared as citeproc-js compares them.

citeproc-js turns each rendered sort key into a string whose spaces are "|"
(and a "|" at the end: "De Roeck, A." → "De|Roeck,|A.|"), then compares those
with ``localeCompare`` at the first ICU level, punctuation ignored, numbers by
value (``CSL.getSortCompare``).  "|" is a (math) symbol, not punctuation: it is
kept, and sorts before digits and letters, so "De Roeck" comes before "Depenheuer",
"Chun, W." before "Chung", "St. John" before "Statistical".

:func:`collation_key` gives a string that Python's own ordering puts where
ICU's root collation puts the key: accents and case set aside, punctuation and
spaces ignored, symbols before digits, digits by value, the letters ICU does
not decompose (æ, ø, ł, ß...) as the letters they sort with, and the modifier
letters of transliterations (ʻ, ʿ) where ICU places them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

#: how a character sorts, where it does not sort as itself (after NFKD)
_AS = {
    "æ": "ae", "œ": "oe", "ß": "ss", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h",
    "ŧ": "t", "ı": "i\x7f", "þ": "z\x7f\u00fe", "ĸ": "k\x7f",
    "\u02bb": "h\x7f", "\u02bd": "h\x7f", "\u02b0": "h",  # ʻ ʽ sort after h, ʰ as h
    "\u02bc": "z\x7f\u02bc", "\u02be": "z\x7f\u02be", "\u02bf": "z\x7f\u02bf",  # ʼ ʾ ʿ after z
    "\u0294": "z\x7f\u0294", "\u0295": "z\x7f\u0295",
}  # fmt: skip
#: symbols before digits and letters, in ICU's order of their kinds: modifier
#: symbols (´ ¨), other symbols (° © ℗), math symbols (+ | ~), currency (€);
#: within a kind, by code point
_SYMBOL_RANK = {"Sk": "\x02", "So": "\x03", "Sm": "\x04", "Sc": "\x05"}
#: modifier letters that ICU sorts with the modifier symbols
_AS_MODIFIER_SYMBOL = frozenset("\u02b9\u02ba\u02c8\u02cc")
_DIGITS = re.compile(r"\d+")


def _digits(match: re.Match[str]) -> str:
    """A run of digits by its value: "9" before "10"."""
    value = match[0].lstrip("0") or "0"
    return f"{len(value):03d}{value}"


@cache
def _weight(char: str) -> str:
    """What one character of a key sorts as (a character's own key is the same
    wherever it stands: they are looked up once)."""
    category = unicodedata.category(char)
    if category in _SYMBOL_RANK:  # a symbol sorts as itself: "¨" is not " " + "̈"
        return _SYMBOL_RANK[category] + char
    out = []
    for part in unicodedata.normalize("NFKD", char):
        mapped = _AS.get(part)
        if mapped is not None:
            out.append(mapped)
            continue
        category = unicodedata.category(part)
        if part in _AS_MODIFIER_SYMBOL:
            out.append(_SYMBOL_RANK["Sk"] + part)
        elif category[0] in "LN":
            out.append(part)
        elif category in _SYMBOL_RANK:
            out.append(_SYMBOL_RANK[category] + part)
        # marks, punctuation, spaces, controls: ignored at this level
    return "".join(out)


def collation_key(text: str) -> str:
    """``text`` (a rendered sort key) as citeproc-js compares it: "|" for each
    space and one at the end, then ICU's first level (see the module notes)."""
    keyed = text.replace(" ", "|") + "|" if text else text
    return _DIGITS.sub(_digits, "".join(map(_weight, keyed.casefold())))
