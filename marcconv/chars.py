"""Character classes more than one layer needs: control characters, which are never data.

A catalogue value holds text; the C0 controls (but tab and line ends), DEL and
the C1 controls carry no text, and some (ESC, BEL) act on the terminal that
shows them.  The crosswalk drops them from every value it reads, the BibTeX
writers drop them again (a plugin may build a reference by hand), the MARC
writers replace them (visibly) and diagnostics show them escaped.
"""

from __future__ import annotations

import re

#: code point → None for every control character (tab, LF and CR excepted)
CONTROLS: dict[int, None] = {
    code: None for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if code not in (9, 10, 13)
}
#: one control character (tab, LF and CR excepted)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: anything a terminal line should not show as it is
_UNPRINTABLE = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f]|[\u2028\u2029\u200e\u200f\u202a-\u202e]")


def shown(text: str) -> str:
    """``text`` for a message on a terminal: line breaks, controls and bidirectional
    overrides as ``\\n``, ``\\x1b``, ``\\u202e`` (a record id or a file name
    may hold them)."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
