"""Sort keys compared as citeproc-js compares them.

citeproc-js turns each rendered sort key into a string whose spaces are "|"
(and a "|" at the end: "De Roeck, A." → "De|Roeck,|A.|"), then compares those
with ``localeCompare`` at the first ICU level, punctuation ignored, numbers by
value (``CSL.getSortCompare``).  "|" is a symbol, not punctuation: it is kept,
and sorts before digits and letters, so "De Roeck" comes before "Depenheuer",
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

#: how a character sorts, where it does not sort as itself (after NFKD)
_AS = {
    "æ": "ae", "œ": "oe", "ß": "ss", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h",
    "ŧ": "t", "ı": "i\x7f", "þ": "z\x7f\u00fe", "ĸ": "k\x7f",
    "\u02bb": "h\x7f", "\u02bd": "h\x7f", "\u02b0": "h",  # ʻ ʽ sort after h, ʰ as h
    "\u02bc": "z\x7f\u02bc", "\u02be": "z\x7f\u02be", "\u02bf": "z\x7f\u02bf",  # ʼ ʾ ʿ after z
    "\u0294": "z\x7f\u0294", "\u0295": "z\x7f\u0295",
    "|": "\x01|",  # citeproc-js's separator: before every symbol but a few
}  # fmt: skip
#: symbols and the modifier letters that sort with them: before digits and letters
_LOW = "\x02"
_DIGITS = re.compile(r"\d+")


def _digits(match: re.Match[str]) -> str:
    """A run of digits by its value: "9" before "10"."""
    value = match[0].lstrip("0") or "0"
    return f"{len(value):03d}{value}"


def collation_key(text: str) -> str:
    """``text`` (a rendered sort key) as citeproc-js compares it: "|" for each
    space and one at the end, then ICU's first level (see the module notes)."""
    keyed = text.replace(" ", "|") + "|" if text else text
    out = []
    for char in unicodedata.normalize("NFKD", keyed).casefold():
        mapped = _AS.get(char)
        if mapped is not None:
            out.append(mapped)
            continue
        category = unicodedata.category(char)
        if category[0] in "LN":
            out.append(char)
        elif category[0] == "S" or char in "\u02b9\u02ba\u02c8\u02cc":
            out.append(_LOW + char)
        # marks, punctuation, spaces, controls: ignored at this level
    return _DIGITS.sub(_digits, "".join(out))
