"""Number variables read as citeproc-js reads them.

citeproc-js parses every value of a number variable (volume, issue, edition,
collection-number...) into numbers and the joiners between them (``CSL.Engine.
processNumber``); that parse decides ``is-numeric``, a label's plural, and how
the value prints: a range takes the locale's range delimiter (``638–642``), a
leading zero stays (``vol. 05``), ``&`` between two words loses its spaces
(``expanded&updated``), and a text case applies to each part.  citeproc-py
tests a single regular expression and prints the value as written; this module
is citeproc-js's parse, without its statute labels (``sec.``, ``art.``), which
catalogue records do not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: CSL.NUMERIC_VARIABLES, as variables of a citeproc-py reference
NUMBER_VARIABLES = frozenset(
    name.replace("-", "_")
    for name in (
        "chapter-number", "collection-number", "division", "edition", "page", "issue",
        "locator", "number", "number-of-pages", "number-of-volumes", "part-number",
        "printing-number", "section", "supplement-number", "version", "volume",
    )
)  # fmt: skip
#: the variables whose ranges citeproc-js mends (``fixRanges``): a range of two
#: plain numbers takes the locale's range delimiter ("12–14")...
_MENDED = frozenset({
    "chapter_number", "collection_number", "edition", "issue", "number", "number_of_pages",
    "number_of_volumes", "volume",
})  # fmt: skip
#: ... and in these, any numeric range ("3a–4")
_RANGED = frozenset({"issue", "volume", "edition", "number", "collection_number"})
_PLAIN = re.compile(r"^(?:[0-9]+|[ivxlcmIVXLCM]+)$")

#: the joiners between numbers; "&" also as HTML writes it ("&#38;")
_JOINER = re.compile(r"(\s*(?:&#38;|&)\s*|,\s+and\s+|\s+and\s+|;\s+|,\s+|\s*\\*[-\u2013]+\s*)")
_AMPERSAND = re.compile(r"^\s*(&#38;|&)\s*$")
_PARTICLE = re.compile(r"^([0-9]*[a-zA-Z]+0*)?([0-9]+(?:[a-zA-Z]*|[-,a-zA-Z]+))$")
_NUMERIC = re.compile(r"^(?:[0-9]+|[ixv]+)(?:[-,:a-zA-Z]*|-[-0-9]+)$")
_COUNTABLE = re.compile(r"^\s*[-+]?[0-9]|^[ivxlcmIVXLCM]+$")


@dataclass(frozen=True)
class Number:
    """A number variable's value as citeproc-js parses it."""

    parts: tuple[str, ...]  # each number (or word) with its particle: "3a", "S12"
    joiners: tuple[str, ...]  # after each part, the last one ""
    numeric: bool  # what ``is-numeric`` tests
    plural: bool  # several numbers: "vols.", "nos."

    def text(self, range_delimiter: str, variable: str) -> str:
        """The value of ``variable`` as citeproc-js prints it."""
        out = []
        for i, (part, joiner) in enumerate(zip(self.parts, self.joiners, strict=True)):
            if joiner == "-" and self.numeric and variable in _MENDED:
                after = self.parts[i + 1] if i + 1 < len(self.parts) else ""
                if variable in _RANGED or (_PLAIN.match(part) and _PLAIN.match(after)):
                    joiner = range_delimiter
            out.append(part + joiner)
        return "".join(out)


def parse(value: str) -> Number:
    """``value`` cut into parts and joiners as citeproc-js cuts it."""
    value = value.strip()
    pieces = _JOINER.split(value)
    parts, joiners = pieces[0::2], pieces[1::2]
    for i, joiner in enumerate(joiners):
        ampersand = _AMPERSAND.match(joiner)
        if ampersand:
            between_words = re.search("[a-zA-Z]$", parts[i]) and re.match("[a-zA-Z]", parts[i])
            joiners[i] = ampersand[1] if between_words else f" {ampersand[1]} "
        else:
            joiners[i] = re.sub(r"\s*-\s*", "-", joiner, count=1)
    joiners.append("")
    first = parts[0]
    matched = _PARTICLE.match(first)
    bare = matched[2] if matched else first  # without its particle ("S12" → "12")
    numeric = bool(bare) and _NUMERIC.match(bare) is not None
    countable = _COUNTABLE.match(bare) is not None
    return Number(tuple(parts), tuple(joiners), numeric, len(parts) > 1 and countable)


def is_numeric(variable: str, value: object) -> bool:
    """citeproc-js's ``is-numeric`` test of a reference's variable."""
    text = str(value)
    if not text:
        return False
    if variable in NUMBER_VARIABLES:
        return parse(text).numeric
    if variable == "title":
        return text[-1].isdigit()
    return False


def printed(value: str, range_delimiter: str, variable: str) -> str:
    """A number variable's value as citeproc-js prints it (before text case)."""
    if not any(c in value for c in "-\u2013&,;") and " and " not in value:
        return value
    return parse(value).text(range_delimiter, variable.replace("-", "_"))
