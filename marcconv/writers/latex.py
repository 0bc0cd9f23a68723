"""Values for BibTeX and BibLaTeX fields: the one escaping rule every field goes through.

A field is either *text* or *verbatim*:

* Text (titles, names, notes, identifiers such as ISBN and ISSN): every
  character that means something to TeX (``\\ { } % # & ~ $ _ ^``) becomes a
  command that prints it, so no record can inject a command such as
  ``\\input`` or ``\\write18``.  Braces become ``{\\textbraceleft}`` and
  ``{\\textbraceright}``, never ``\\{`` and ``\\}``: BibTeX and biber count every
  brace, escaped or not, so ``\\}`` would close the field.  Control characters
  are dropped and line breaks become spaces.  Accented letters become
  ``{\\'o}`` (ASCII output, the default) or stay UTF-8 (``--unicode``, for
  biber).  Letters pylatexenc has no macro for are decomposed (NFD) and rebuilt
  from accent commands (``ễ`` → ``{\\~{\\^e}}``); a character with no LaTeX form
  at all (CJK, Cyrillic) is kept as UTF-8.
* Verbatim (``url``, ``doi``, ``eprint``): read by url.sty, hyperref and
  biblatex with TeX's special meanings switched off, so ``% # & _ ~ $`` stay
  as they are; what could still end the field or escape it (braces, the
  backslash, ``^^`` notation) and what a URI cannot hold (white space, control
  characters, and in ASCII output any non-ASCII letter) is percent-encoded as
  RFC 3986 says, which leaves the link the same.

Math between ``$`` in titles, abstracts and notes stays math when it is
harmless (:mod:`marcconv.writers.texmath`); every other ``$`` is text.  Every
value of every field is braced by :func:`braced`, which checks that its braces
nest as BibTeX reads them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from marcconv.chars import CONTROLS
from marcconv.writers.texmath import pieces

#: white space that would break a value's line (BibTeX joins lines anyway)
LINE_BREAKS: dict[int, str] = {9: " ", 10: " ", 13: " ", 0x2028: " ", 0x2029: " "}
# TeX's special characters, for --unicode output where nothing else is converted
ASCII_SPECIALS: dict[int, str | None] = {
    ord("\\"): r"{\textbackslash}",
    ord("{"): r"{\textbraceleft}",
    ord("}"): r"{\textbraceright}",
    ord("%"): r"\%",
    ord("#"): r"\#",
    ord("&"): r"\&",
    ord("~"): r"{\textasciitilde}",
    ord("$"): r"\$",
    ord("_"): r"\_",
    ord("^"): r"{\textasciicircum}",
    **CONTROLS,
    **LINE_BREAKS,
}
# combining accents → the LaTeX accent command that draws them
COMBINING_ACCENTS: dict[str, str] = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
    "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
    "\u030c": "v", "\u0323": "d", "\u0327": "c", "\u0328": "k", "\u0331": "b",
}  # fmt: skip
# biber turns {\'\i} into a dotless i that pdflatex cannot set: write {\'i}
# (pylatexenc adds the braces)
DOTTED_I: dict[int, str] = {
    ord("í"): r"\'i", ord("ì"): r"\`i", ord("î"): r"\^i", ord("ï"): r"\"i",
    # ALA-LC romanisation: Cyrillic soft and hard signs, Arabic and Hebrew ayn and alif
    0x02B9: "'", 0x02BA: "''", 0x02BB: "`", 0x02BF: "`", 0x02BC: "'", 0x02BE: "'",
    # braces as commands: "\\{" and "\\}" still count as braces to BibTeX
    ord("{"): r"\textbraceleft", ord("}"): r"\textbraceright",
}  # fmt: skip


#: pylatexenc output that is valid only in math mode
MATH_ONLY = frozenset({r"{\sharp}", r"{\flat}", r"{\natural}"})
_MATH_SCRIPT = re.compile(r"^\{\\ensuremath\{([_^])(.)\}\}$")
_SCRIPTS = re.compile(r"\{\\ensuremath\{[_^].\}\}")


def _text_mode(value: str) -> str:
    """pylatexenc's math-mode forms made safe in running text."""
    if value in MATH_ONLY:  # a bare math macro: "Missing $ inserted"
        return "{\\ensuremath" + value + "}"
    script = _MATH_SCRIPT.match(value)
    if script:  # superscript and subscript digits and signs: ¹ ₂
        command = "textsuperscript" if script[1] == "^" else "textsubscript"
        return f"{{\\{command}{{{script[2]}}}}}"
    return value


def _accent(command: str, base: str) -> str:
    return f"{{\\{command}{base}}}" if command in "`'^~=.\"" else f"{{\\{command}{{{base}}}}}"


def _decomposed(char: str) -> str:
    """LaTeX for a letter pylatexenc does not know, built from its NFD parts."""
    parts = unicodedata.normalize("NFD", char)
    if len(parts) < 2 or any(p not in COMBINING_ACCENTS for p in parts[1:]):
        return char
    text = parts[0]
    if not text.isascii():
        return char
    for mark in parts[1:]:
        text = _accent(COMBINING_ACCENTS[mark], text)
    return text


@cache
def _encoder() -> UnicodeToLatexEncoder:
    return UnicodeToLatexEncoder(
        conversion_rules=[
            UnicodeToLatexConversionRule(RULE_DICT, DOTTED_I),
            "defaults",
        ],
        replacement_latex_protection="braces-all",
        unknown_char_policy=_decomposed,
        unknown_char_warning=False,
    )


class _LatexTable(dict[int, str]):
    """Character → LaTeX, asked of pylatexenc once per character and then remembered.

    With ``braces-all`` every replacement stands in its own braces, so pylatexenc's
    output for a text is the concatenation of its output for each character, and
    ``str.translate`` over this table gives it at C speed.
    """

    def __missing__(self, code: int) -> str:
        if code in CONTROLS or code in LINE_BREAKS:
            return "" if code in CONTROLS else " "
        value = str(_encoder().unicode_to_latex(chr(code)))
        value = _text_mode(value)
        if len(self) < 100_000:
            self[code] = value
        return value


_LATEX = _LatexTable()


def escape(text: str, unicode: bool = False) -> str:
    """``text`` made safe for a BibTeX field value (braces balanced, no commands)."""
    if unicode:
        return text.translate(ASCII_SPECIALS)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        # every combining mark is at U+0300 or above: Latin-1 text needs no search
        if max(text) >= "\u0300" and any(unicodedata.combining(char) for char in text):
            return _with_marks(text)
    return text.translate(_LATEX)


def _with_marks(text: str) -> str:
    """Combining marks NFC could not compose (MARC-8 records) become accent commands
    on the letter before them; a mark LaTeX has no command for, or one that follows
    no letter (a broken record's mark on a period or a sign: ``\\c{.}`` stops
    LaTeX), is left out, since LaTeX cannot set it alone (``--unicode`` keeps it)."""
    pieces: list[str] = []
    base = ""  # the character the marks that follow belong to
    for char in text:
        if not unicodedata.combining(char):
            pieces.append(char.translate(_LATEX))
            base = char
        elif char in COMBINING_ACCENTS and pieces and base.isalpha():
            pieces[-1] = _accent(COMBINING_ACCENTS[char], pieces[-1])
    return "".join(pieces)


def escape_with_pylatexenc(text: str) -> str:
    """The same as :func:`escape`, one call to pylatexenc per text (for tests)."""
    text = text.translate(CONTROLS).translate(LINE_BREAKS)
    value = str(_encoder().unicode_to_latex(unicodedata.normalize("NFC", text)))
    for macro in MATH_ONLY:
        value = value.replace(macro, "{\\ensuremath" + macro + "}")
    return _SCRIPTS.sub(lambda m: _text_mode(m[0]), value)


#: what a verbatim field cannot hold as it is: braces and the backslash (they would end or
#: escape it), "^" (TeX's ^^5c notation), white space and control characters
_VERBATIM_UNSAFE = re.compile(r"[\\{}^\s\x00-\x1f\x7f-\x9f]")
#: ... and, in ASCII output, every character outside ASCII
_VERBATIM_UNSAFE_ASCII = re.compile(r"[\\{}^\s\x00-\x1f\x7f-\U0010ffff]")


def _percent_encoded(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match[0].encode("utf-8", "replace"))


def verbatim(text: str, unicode: bool = False) -> str:
    """A ``url``, ``doi`` or ``eprint`` value: what could end or escape the field, and
    what a URI cannot hold, percent-encoded (``}`` → ``%7D``, a space → ``%20``)."""
    unsafe = _VERBATIM_UNSAFE if unicode else _VERBATIM_UNSAFE_ASCII
    return unsafe.sub(_percent_encoded, text.strip())


_BRACES = re.compile(r"[{}]")


def braced(value: str) -> str:
    """``{value}``, after checking that the braces of ``value`` nest as BibTeX counts
    them (every brace, escaped or not); anything else is refused with ValueError,
    since it would end the field early and let the rest be read as BibTeX."""
    if "{" in value or "}" in value:
        depth = 0
        for brace in _BRACES.findall(value):
            depth += 1 if brace == "{" else -1
            if depth < 0:
                break
        if depth != 0:
            raise ValueError(f"unbalanced braces in a BibTeX value: {value[:60]!r}")
    return "{" + value + "}"


_TOKENS = re.compile(r"[^\W_]+|[\W_]")


def _needs_protection(word: str, first: bool) -> bool:
    """Acronyms and words with inner capitals ("PALMIRA", "HER2", "iPhone", "CDK4"),
    and a capital letter standing alone after the first word ("Large N limit")."""
    if len(word) == 1:
        return word.isupper() and not first
    return any(c.isupper() for c in word[1:])


def protect_title(text: str, unicode: bool = False) -> str:
    """Escape ``text`` and brace the words a style that changes case must not change;
    math stays math (see :mod:`marcconv.writers.texmath`), braced too."""
    out = []
    first = True
    for piece in pieces(text):
        if piece.math:
            out.append(f"{{${piece.text}$}}")
            first = False
            continue
        for token in _TOKENS.findall(piece.text):
            escaped = escape(token, unicode)
            out.append(f"{{{escaped}}}" if _needs_protection(token, first) else escaped)
            first = first and not token[:1].isalnum()
    return "".join(out)


def keep_case(text: str, unicode: bool = False) -> str:
    """Escape ``text`` (math staying math) and brace it whole, so that no BibTeX style
    changes its case: what INSPIRE's export does, since a catalogue title is in the
    case it should print in, and a style that lowercases it lowercases proper nouns
    ("higgs") and symbols ("the large n limit") too."""
    return "{" + escape_prose(text, unicode) + "}"


def escape_prose(text: str, unicode: bool = False) -> str:
    """Escape ``text`` as :func:`escape` does, math staying math (an abstract, a note)."""
    return "".join(
        f"{{${piece.text}$}}" if piece.math else escape(piece.text, unicode)
        for piece in pieces(text)
    )
