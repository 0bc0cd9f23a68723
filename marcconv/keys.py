"""Citation keys: ``Aad:2012tfa``, ``llombartcussac2025second``, unique within one run.

A key is built from a pattern of fields: ``{texkey}`` (the INSPIRE citation key
a record carries, as written), ``{auth}``, ``{year}``, ``{shorttitle}`` and
``{id}`` (folded to lower-case ASCII letters and digits), and the text between
them (letters, digits and ``: . _ -``, the characters BibTeX and biber take in a
key).  ``A|B`` takes A when every field of A has a value, else B: the default,
``{texkey}|{auth}{year}{shorttitle}``, gives an INSPIRE record the key every
existing ``.tex`` file cites it by.  A key already given in this run gets
``a``, ``b``, ... ``z``, ``aa`` ... appended, in input order, so the same input
always gives the same keys.  Every writer uses the key as the item's id (CSL
``id``, BibTeX key, RIS ``ID``), so one item has one name in every format.
"""

from __future__ import annotations

import re
import string
import unicodedata
from array import array
from hashlib import blake2b

from marcconv.model import Reference

DEFAULT_PATTERN = "{texkey}|{auth}{year}{shorttitle}"
# letters NFKD does not decompose into ASCII
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "ł": "l", "Ł": "L", "æ": "ae",
                       "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "þ": "th",
                       "Þ": "TH", "ı": "i"})  # fmt: skip
_NOT_KEY = re.compile(r"[^a-z0-9]+")
#: what a key may hold: what BibTeX and biber take in a key, and the CSL id and RIS ID
_NOT_IN_KEY = re.compile(r"[^A-Za-z0-9:._-]+")
STOPWORDS = frozenset(
    "a an and as at by de del der des die das "
    "el en for from in into la las le les los of "
    "on or the to un una une with y".split()
)


def ascii_fold(text: str) -> str:
    """ "Berrón" → "berron"; characters with no ASCII form are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return _NOT_KEY.sub("", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def _first_author(ref: Reference) -> str:
    names = ref.names_in("author") or ref.names_in("editor") or ref.names
    if not names:
        return ""
    name = names[0]
    return ascii_fold(name.literal.split(" ")[0] if name.literal else name.family or "")


def _short_title(ref: Reference) -> str:
    """The title's first word that is not a stop word, nor a bare number when a
    word follows ("2 diversions" → "diversions": "cole19502" would read as a year)."""
    number = ""
    for word in (ref.title or "").split():
        folded = ascii_fold(word.split("-")[0])
        if not folded or folded in STOPWORDS:
            continue
        if not folded.isdigit():
            return folded
        number = number or folded
    return number


def key_parts(ref: Reference) -> dict[str, str]:
    return {
        "auth": _first_author(ref),
        "year": str(ref.issued.year) if ref.issued and ref.issued.year else "",
        "shorttitle": _short_title(ref),
        "id": ascii_fold(ref.source_record or ref.id),
        "texkey": next(iter(ref.identifiers.get("texkey", ())), ""),
    }


def validate_pattern(pattern: str) -> None:
    """Raise ValueError for a pattern with an unknown ``{field}``, a format
    specification or conversion (``{year:d}``, ``{auth!r}``), or a stray brace."""
    allowed = set(key_parts(Reference(id="")))
    known = ", ".join("{" + name + "}" for name in sorted(allowed))
    try:
        parsed = [
            part for choice in pattern.split("|") for part in string.Formatter().parse(choice)
        ]
    except ValueError as exc:
        raise ValueError(f"key pattern {pattern!r}: {exc}; use {known}") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in allowed:
            raise ValueError(f"unknown key field {{{field}}}; use {known}")
        if spec or conversion:
            raise ValueError(f"key field {{{field}}} takes no format ({pattern!r}); use {known}")


class KeyMaker:
    """Gives each reference of a run its unique, deterministic key."""

    def __init__(self, pattern: str = DEFAULT_PATTERN) -> None:
        validate_pattern(pattern)
        self.pattern = pattern
        self._choices = [
            (choice, [f for _, f, _, _ in string.Formatter().parse(choice) if f is not None])
            for choice in pattern.split("|")
        ]
        self._given = Fingerprints()
        self._next_suffix: dict[str, int] = {}  # only bases given more than once

    def key_for(self, ref: Reference) -> str:
        return self.unique(self.base_for(ref))

    def base_for(self, ref: Reference) -> str:
        """The key the pattern gives ``ref``, before it is made unique in the run."""
        parts = key_parts(ref)
        last = len(self._choices) - 1
        for position, (choice, fields) in enumerate(self._choices):
            # the last choice is taken with what it has ("{auth}{year}" with no year)
            if position == last or all(parts[field] for field in fields):
                base = _NOT_IN_KEY.sub("", choice.format(**parts))
                if base:
                    return base
        return "ref" + ascii_fold(ref.source_record or ref.id)

    def unique(self, base: str) -> str:
        """``base``, or ``base`` + a, b, c... if the run has given it already."""
        key, suffixes = self.propose(base)
        self.claim(base, key, suffixes)
        return key

    def propose(self, base: str) -> tuple[str, int]:
        """The key :meth:`unique` would give ``base``, without giving it yet, and the
        suffixes it has then used up; :meth:`claim` gives it (an item that cannot be
        written gives none, so keys do not depend on where it failed)."""
        given = self._given
        if base not in given:
            return base, 0
        n = self._next_suffix.get(base, 0)  # resume: many equal bases stay linear
        key = base + letter_suffix(n)
        n += 1
        while key in given:
            key = base + letter_suffix(n)
            n += 1
        return key, n

    def claim(self, base: str, key: str, suffixes: int) -> None:
        """Give ``key``, as :meth:`propose` made it for ``base``."""
        if suffixes:
            self._next_suffix[base] = suffixes
        self._given.add(key)


class Fingerprints:
    """A set of strings held as 8-byte BLAKE2 fingerprints in an open-addressing table.

    A run must remember every key it gave; as Python strings in a set that is about
    100 bytes a key (10 MB per 100,000 records), as fingerprints 16 to 32.  Two keys
    share a fingerprint with odds of about n²/2⁶⁵ (10⁻⁹ for a million keys); the
    cost would be one unneeded suffix, the same on every run.
    """

    __slots__ = ("_count", "_mask", "_table")

    def __init__(self) -> None:
        self._table = array("Q", bytes(8 * 1024))
        self._mask = 1023
        self._count = 0

    @staticmethod
    def _print(text: str) -> int:
        value = int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "little")
        return value or 1  # 0 marks an empty slot

    def _slot(self, value: int) -> int:
        table, mask = self._table, self._mask
        slot = value & mask
        while table[slot] and table[slot] != value:
            slot = (slot + 1) & mask
        return slot

    def __contains__(self, text: str) -> bool:
        value = self._print(text)
        return self._table[self._slot(value)] == value

    def add(self, text: str) -> None:
        value = self._print(text)
        slot = self._slot(value)
        if self._table[slot] == value:
            return
        self._table[slot] = value
        self._count += 1
        if self._count * 2 > self._mask:
            self._grow()

    def _grow(self) -> None:
        old = self._table
        self._table = array("Q", bytes(8 * 2 * len(old)))
        self._mask = 2 * len(old) - 1
        for value in old:
            if value:
                self._table[self._slot(value)] = value


def letter_suffix(n: int) -> str:
    """0 → "a", 25 → "z", 26 → "aa": the suffixes of repeated keys, and the year
    suffixes of citations (2001a), as citeproc-js counts them."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
