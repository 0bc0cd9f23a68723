"""TeX math in catalogue values: ``$\\sqrt{s}=13$~TeV`` in INSPIRE titles and abstracts.

Repositories of physics and mathematics write math in titles and abstracts as
TeX between ``$`` (also ``$$`` and ``\\(`` ``\\)``).  Their users expect it
to stay math in BibTeX, to be read as math by pandoc in Markdown, and to be
readable in a formatted citation.  But math is TeX, and TeX can read and write
files: a span is math only when everything in it is harmless, that is

* every command is one of :data:`MATH_COMMANDS`, the math (and math-layout)
  commands of the LaTeX kernel, or one of :data:`MATH_ALIASES` (amsmath names
  with a kernel equivalent: ``\\text`` is ``\\mbox``);
* there is no ``^^`` (TeX's character-code notation, which spells any command);
* its braces nest, counted as BibTeX counts them;
* a character outside ASCII is one LaTeX has a math command for (Greek,
  arrows); an accented letter is text, which math mode cannot set;
* it is not money: a ``$`` right before a digit after the span ("$5 and $10")
  means two prices, not math.

Anything else is text, escaped character by character like the rest of the
value.  CSL-JSON and RIS keep the source as catalogued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

#: the math commands of the LaTeX kernel (fontmath.ltx, latex.ltx) and TeX's own
#: math-layout primitives: none reads, writes, defines or expands anything
MATH_COMMANDS = frozenset(
    """
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda
    mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    pm mp times div ast star circ bullet cdot cap cup uplus sqcap sqcup vee wedge
    setminus wr diamond bigtriangleup bigtriangledown triangleleft triangleright lhd rhd
    unlhd unrhd oplus ominus otimes oslash odot bigcirc dagger ddagger amalg
    leq le geq ge equiv prec succ sim preceq succeq simeq ll gg asymp subset supset
    approx subseteq supseteq cong sqsubset sqsupset sqsubseteq sqsupseteq bowtie in ni
    propto vdash dashv models smile mid frown parallel perp neq ne notin doteq
    leftarrow gets rightarrow to Leftarrow Rightarrow leftrightarrow Leftrightarrow
    mapsto hookleftarrow leftharpoonup leftharpoondown rightleftharpoons longleftarrow
    longrightarrow Longleftarrow Longrightarrow longleftrightarrow Longleftrightarrow
    longmapsto hookrightarrow rightharpoonup rightharpoondown uparrow downarrow
    updownarrow Uparrow Downarrow Updownarrow nearrow searrow swarrow nwarrow
    aleph hbar imath jmath ell wp Re Im prime emptyset nabla surd top bot angle
    forall exists neg lnot flat natural sharp backslash partial infty triangle
    clubsuit diamondsuit heartsuit spadesuit
    sum prod coprod int oint bigcap bigcup bigsqcup bigvee bigwedge bigodot bigotimes
    bigoplus biguplus
    arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg
    lim liminf limsup ln log max min Pr sec sin sinh sup tan tanh
    hat check breve acute grave tilde bar vec dot ddot widehat widetilde overline
    underline overbrace underbrace
    sqrt frac over atop choose stackrel left right big Big bigg Bigg bigl bigr Bigl
    Bigr biggl biggr bigm Bigm
    mathrm mathit mathbf mathsf mathtt mathcal mathnormal rm it bf sf tt cal mit
    mbox textrm textit textbf textsf texttt textup textnormal emph
    mathop mathrel mathbin mathord mathopen mathclose mathpunct mathstrut
    displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits
    quad qquad kern mkern smash phantom vphantom hphantom raise lower
    lbrace rbrace langle rangle lceil rceil lfloor rfloor vert Vert lbrack rbrack
    ldots cdots vdots ddots dots colon not ensuremath
    """.split()
)
#: amsmath names with a kernel command that does the same
MATH_ALIASES = {"text": "mbox", "dfrac": "frac", "tfrac": "frac", "operatorname": "mathrm"}
#: control symbols that are harmless in math (spacing, escaped specials)
MATH_SYMBOLS = frozenset(",;:!> {}%#&$_|")

_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
_UNESCAPED_SPECIAL = re.compile(r"(?<!\\)([%#&])")


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a value: text, or a math span (its TeX made safe, without delimiters)."""

    text: str
    math: bool = False
    source: str = ""  # a math span as catalogued
    raw: str = ""  # ... with its delimiters: "$\\gamma$"


def pieces(value: str) -> list[Piece]:
    """``value`` cut into text and harmless math (see the module notes)."""
    if "$" not in value and "\\(" not in value:
        return [Piece(value)]
    out: list[Piece] = []
    text_start = pos = 0
    while pos < len(value):
        found = _next_span(value, pos)
        if found is None:
            break
        start, inner_start, inner_end, end = found
        inner = value[inner_start:inner_end]
        safe = safe_math(inner)
        money = value[end : end + 1].isdigit()
        if safe is None or money or not inner.strip():
            pos = end  # the whole span stays text
            continue
        if start > text_start:
            out.append(Piece(value[text_start:start]))
        out.append(Piece(safe, math=True, source=inner, raw=value[start:end]))
        text_start = pos = end
    if text_start < len(value):
        out.append(Piece(value[text_start:]))
    return out


def _next_span(value: str, pos: int) -> tuple[int, int, int, int] | None:
    """(start, inner start, inner end, end) of the next ``$…$``, ``$$…$$`` or
    ``\\(…\\)`` from ``pos``, delimiters not escaped by a backslash."""
    dollar = _unescaped(value, "$", pos)
    paren = _unescaped(value, "\\(", pos)
    if dollar < 0 and paren < 0:
        return None
    if paren >= 0 and (dollar < 0 or paren < dollar):
        opening, closing, start = "\\(", "\\)", paren
    else:
        start = dollar
        opening = closing = "$$" if value.startswith("$$", dollar) else "$"
    close = _unescaped(value, closing, start + len(opening))
    if close < 0:
        return None
    return start, start + len(opening), close, close + len(closing)


def _unescaped(value: str, token: str, pos: int) -> int:
    """Where ``token`` next occurs from ``pos`` with no escaping backslash before it."""
    while (at := value.find(token, pos)) >= 0:
        backslashes = 0
        while at - backslashes > 0 and value[at - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return at
        pos = at + 1
    return -1


#: two words in a row: prose ("$5 million and $3 million"), not math
_PROSE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")


def safe_math(source: str) -> str | None:
    """``source`` as math that cannot harm (aliases replaced, ``% # &`` escaped,
    Greek and symbols as commands), or None when it is not math that is safe."""
    if "^^" in source or "\n" in source:
        return None
    if _PROSE.search(_COMMAND.sub(" ", source)):
        return None
    depth = 0
    for char in source:
        if char in "{}":
            depth += 1 if char == "{" else -1
            if depth < 0:
                return None
    if depth:
        return None
    for match in _COMMAND.finditer(source):
        name = match[1]
        if len(name) == 1 and not name.isalpha():
            if name not in MATH_SYMBOLS:
                return None
        elif name not in MATH_COMMANDS and name not in MATH_ALIASES:
            return None
    text = _COMMAND.sub(_alias, source) if "\\" in source else source
    text = _UNESCAPED_SPECIAL.sub(r"\\\1", text)
    if not text.isascii():
        converted = [char if char.isascii() else _math_char(char) for char in text]
        if any(part is None for part in converted):
            return None
        text = "".join(part for part in converted if part is not None)
    return text


def _alias(match: re.Match[str]) -> str:
    alias = MATH_ALIASES.get(match[1])
    return f"\\{alias}" if alias else match[0]


@cache
def _math_char(char: str) -> str | None:
    """A math command for a character outside ASCII (``γ`` → ``{\\gamma}``), if
    LaTeX has one that math mode can set."""
    from pylatexenc.latexencode import unicode_to_latex

    latex = str(unicode_to_latex(char, non_ascii_only=True, unknown_char_warning=False))
    found = re.fullmatch(r"\\ensuremath\{\\([A-Za-z]+)\}|\\([A-Za-z]+)\s*", latex)
    if found is None:
        return None
    name = found[1] or found[2]
    return f"{{\\{name}}}" if name in MATH_COMMANDS else None


@cache
def _to_text() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


#: arrows, set apart as in typeset math ("D^0 → e^±μ^∓")
_ARROWS = re.compile(r"\s*([\u2190-\u21ff\u27f5-\u27ff])\s*")
#: ``\overline``, which pylatexenc drops, drawn as ``\bar`` is (a combining overline)
_OVERLINE = re.compile(r"\\overline(?![a-zA-Z])")
#: a square root of one letter or digit needs no parentheses
_ROOT = re.compile(r"√\((\w)\)")


def math_as_text(source: str) -> str:
    """A math span as readable text: ``\\sqrt{s}=13~\\mathrm{TeV}`` → ``√s=13 TeV``."""
    converter = _to_text()
    source = _UNESCAPED_SPECIAL.sub(r"\\\1", source)  # "%" is not a comment here
    source = _OVERLINE.sub(r"\\bar", source)  # an antiparticle: p̅, not p
    text = str(converter.latex_to_text(source))  # type: ignore[attr-defined]
    text = _ROOT.sub(r"√\1", _ARROWS.sub(r" \1 ", text))
    return " ".join(text.replace("\xa0", " ").split())


def readable(value: str) -> str:
    """``value`` with every math span as readable text (for formatted citations)."""
    if "$" not in value and "\\(" not in value:
        return value
    return "".join(math_as_text(p.source) if p.math else p.text for p in pieces(value))
