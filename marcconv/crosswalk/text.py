"""Cleaning of catalogue text: ISBD punctuation, brackets, all-capitals titles."""

from __future__ import annotations

import re

from marcconv.chars import CONTROLS

# ISBD punctuation that ends a subfield: " /", " :", " ;", " =", ",", and a final "."
_TRAILING_ISBD = re.compile(r"\s*[/:;=,]+\s*$")
_SPACES = re.compile(r"\s+")
_ISBD_ENDINGS = frozenset("/:;=,.")
_SMALL_WORDS = frozenset(
    "a an and as at but by de del der des di "
    "du e el en et for from in into la le les "
    "nor of on or per the to und van von vs with "
    "y".split()
)


def collapse_spaces(text: str) -> str:
    """One space between words, none at the ends, no control characters."""
    # printable text has no white space but the ASCII space (isprintable is fast)
    if "  " not in text and text.isprintable() and text[:1] != " " and text[-1:] != " ":
        return text
    return _SPACES.sub(" ", text.translate(CONTROLS)).strip()


def strip_isbd(text: str) -> str:
    """Remove the ISBD punctuation a cataloguer puts at the end of a subfield.

    ``"Second-line therapy /"`` → ``"Second-line therapy"``; ``"Boston, Mass."``
    keeps its period (an abbreviation), ``"Cancer."`` loses it.
    """
    text = collapse_spaces(text)
    if text[-1:] not in _ISBD_ENDINGS:  # most values end in a letter: nothing to strip
        return text
    while True:
        cleaned = _TRAILING_ISBD.sub("", text)
        if cleaned.endswith(".") and not cleaned.endswith("...") and not _is_abbreviation(cleaned):
            cleaned = cleaned[:-1].rstrip()
        if cleaned == text:
            return cleaned
        text = cleaned


def _is_abbreviation(text: str) -> bool:
    """True when the final period of ``text`` belongs to an abbreviation or initial.

    "Boston, Mass.", "Acme Inc.", "Smith, J.", "U.S.", and abbreviated titles such
    as "J. clin. oncol." (other abbreviated words before the last) keep it;
    "Breast cancer." does not.
    """
    words = text.split(" ")
    core = words[-1].rstrip(".")
    if not core:
        return False
    if "." in core or (len(core) == 1 and core.isalpha()):  # "U.S.", an initial
        return True
    if core.lower() in _KNOWN_ABBREVIATIONS:
        return True
    # an abbreviated phrase: another short word before the last one also ends with "."
    return any(w.endswith(".") and len(w) <= 6 for w in words[:-1])


_KNOWN_ABBREVIATIONS = frozenset(
    "al ca co corp dept dpto ed eds etc inc jr ltd "
    "mass sr st univ vol vols ala ariz calif colo conn fla "
    "ill ind kan md mich minn miss mo mont neb nev okla "
    "ore pa tenn tex va vt wash wis wyo".split()
)


def unpaired_brackets(text: str) -> str:
    """Without a bracket whose partner is in another subfield: "[San Francisco?," →
    "San Francisco?,", "1883]" → "1883".  Brackets mark what a cataloguer
    supplied and may span subfields; a bracket with no partner that opens or closes
    the value, or that nothing in the value could close ("(p. [181"), is such a half
    (a pair within it, or an interval "[0,1)" in the text, stays)."""
    opened: list[int] = []
    unpaired = []
    for position, char in enumerate(text):
        if char == "[":
            opened.append(position)
        elif char == "]":
            if opened:
                opened.pop()
            else:
                unpaired.append(position)
    unpaired.extend(opened)
    edges = {0, len(text) - 1}
    core = text.rstrip(" .,:;/=")
    edges.add(len(core) - 1)
    drop = {
        position for position in unpaired if position in edges or _closes_nothing(text, position)
    }
    if not drop:
        return text
    return "".join(c for i, c in enumerate(text) if i not in drop).strip()


def _closes_nothing(text: str, position: int) -> bool:
    """A "[" that nothing after it closes, or a "]" that nothing before it opens (an
    interval's bracket has its parenthesis: "[0,1)", "(0,1]")."""
    if text[position] == "[":
        return not any(c in ")]" for c in text[position + 1 :])
    return not any(c in "([" for c in text[:position])


def strip_brackets(text: str) -> str:
    """Remove the brackets of text the cataloguer supplied: "[Madrid]" → "Madrid"."""
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        return text[1:-1].strip()
    return text


def clean(text: str) -> str:
    """The usual cleaning of a descriptive subfield: spaces, ISBD end, brackets."""
    return strip_brackets(strip_isbd(text))


def join_statements(values: list[str]) -> str:
    """Repeats of one subfield as one statement, each cleaned, joined by the ISBD
    mark the previous one ends with: a parallel title after "=", else "; ".

    ``["Hai tun hui ben hua yuan =", "Dolphinmedia picture book garden ;"]`` →
    "Hai tun hui ben hua yuan = Dolphinmedia picture book garden"; the two works of
    a recording without a collective title, ``["Cry baby", "Warm and soulful"]`` →
    "Cry baby; Warm and soulful".
    """
    text = ""
    after = ""
    for value in values:
        part = clean(value)
        if not part:
            continue
        text = f"{text}{after}{part}" if text else part
        after = " = " if value.rstrip().endswith("=") else "; "
    return text


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def title_case(text: str) -> str:
    """ "JOURNAL OF CLINICAL ONCOLOGY" → "Journal of Clinical Oncology"."""
    words = text.lower().split(" ")
    out = []
    for i, word in enumerate(words):
        if i > 0 and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)
