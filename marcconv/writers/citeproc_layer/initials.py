"""Given names initialized as citeproc-js initializes them.

A port of ``CSL.Util.Names.initializeWith`` (with ``doInitialize`` and
``doNormalize``) of citeproc-js 2.4, without its markup tags, which names in
catalogue records do not hold.  It decides what catalogue names become in a
style with ``initialize-with``: "M. Tim." → "MTim" (AMA), "Alph. de" → "Alph
de", "Tong-gil" → "T.", "Jean-Paul" → "J.-P.", and with ``initialize="false"``
only initials are normalised ("Sergey T" → "Sergey T.").  Its quirks are kept
on purpose: the point is to print what citeproc-js (Zotero, Mendeley) prints.
"""

from __future__ import annotations

import re

_LETTERS = (
    "a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
    "\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a\u021b\u202a-\u202e"
)
#: CSL.NAME_INITIAL_REGEXP: a capital, the letters after it, its period(s)
_NAME_INITIAL = re.compile(
    "^([A-Z\u0e01-\u0e5b\u00c0-\u017f\u0400-\u042f\u0590-\u05d4\u05d6-\u05ff\u0600-\u06ff"
    "\u0370\u0372\u0376\u0386\u0388-\u03ab\u03e2\u03e4\u03e6\u03e8\u03ea\u03ec\u03ee\u03f4"
    "\u03f7\u03fd-\u03ff])"
    "([a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0400-\u052f\u0600-\u06ff\u0370-\u03ff\u1f00-\u1fff]*|)"
    "(\\.)*"
)
_ROMANESQUE = re.compile(f"[-0-9{_LETTERS}]")
_STARTS_ROMANESQUE = re.compile(f"^[&{_LETTERS}]")
#: what separates the parts of a given name (CSL.Output.Formatters.nameDoppel)
_SEPARATOR = re.compile(r"([-\s]+)")
_TRAILING_SPACE = re.compile("[\t\n\x0b\x0c\r \ufeff\u00a0]+$")
_HYPHEN = re.compile(r"\s*-\s*")
_SPACES = re.compile("[\t\n\x0b\x0c\r ]+")


def is_romanesque(text: str) -> bool:
    """Does ``text`` hold a letter of a script citeproc-js calls romanesque
    (CSL.ROMANESQUE_REGEXP: Latin, Greek, Cyrillic, Hebrew, Arabic, Thai...)?"""
    return _ROMANESQUE.search(text) is not None


def starts_romanesque(text: str) -> bool:
    """CSL.STARTSWITH_ROMANESQUE_REGEXP."""
    return _STARTS_ROMANESQUE.match(text) is not None


def initialize_with(name: str, terminator: str, normalize_only: bool, hyphen: bool = True) -> str:
    """``name`` (a given name) initialized with ``terminator`` ("." or ". " or
    ""), or with ``normalize_only`` (``initialize="false"``) only its initials
    set right; ``hyphen`` is the style's ``initialize-with-hyphen``."""
    if not name:
        return ""
    if name in ("Lord", "Lady") or (not _STARTS_ROMANESQUE.match(name) and "%s" not in terminator):
        return name
    if not hyphen:
        name = name.replace("-", " ")
    name = re.sub(r"\s+", " ", _HYPHEN.sub("-", name))
    name = re.sub("-([a-z])", "\u2013\\1", name)  # "Tong-gil": one part
    # a space after every inner period: "M.L." → "M. L."
    name = re.sub(r"\.(?=[^ ])", ". ", name)
    pieces = _SEPARATOR.split(name)
    names = [pieces[0]]
    if len(pieces) == 1:
        last = re.search(r"[^.]+$", names[0])
        if last and len(last[0]) == 1 and last[0] != last[0].lower():
            names[0] += "."
    names.extend(pieces[1:])
    done = _normalize(names, terminator) if normalize_only else _initialize(names, terminator)
    return re.sub("\u2013([a-z])", "-\\1", done)


def _tidy(names: list[str]) -> str:
    joined = _TRAILING_SPACE.sub("", "".join(names))
    return _SPACES.sub(" ", _HYPHEN.sub("-", joined))


def _initialize(names: list[str], terminator: str) -> str:
    """CSL.Util.Names.doInitialize: ``names`` alternates parts and separators."""
    count = len(names)
    for i in range(0, count, 2):
        part = names[i]
        if not part:
            continue
        found = _NAME_INITIAL.match(part)
        groups: list[str | None] | None = None
        if found:
            groups = [found[1], found[2], found[3]]
        elif not _STARTS_ROMANESQUE.match(part) and len(part) > 1 and "%s" in terminator:
            groups = [part[0], part[1:], None]
        if groups and groups[1] and groups[2]:  # an abbreviation: "Tim.", "Alph."
            groups[0], groups[1] = f"{groups[0]}{groups[1]}", ""
        first = groups[0] if groups else None
        if first is not None and first[:1] == first[:1].upper():
            extra = ""
            rest = groups[1] if groups else ""
            if rest:
                capitals = ""
                for char in rest:
                    if char != char.upper():
                        break
                    capitals += char
                if len(capitals) < len(rest):
                    extra = capitals.lower()
            names[i] = first + extra
            if "%s" in terminator:
                names[i] = terminator.replace("%s", names[i])
            elif i < count - 1:
                after = names[i + 1]
                names[i + 1] = terminator + "-" if "-" in after else terminator
            else:
                names.append(terminator)
        elif _ROMANESQUE.search(part) and (not groups or not groups[2]):
            names[i] = " " + part
    return _tidy(names)


def _normalize(names: list[str], terminator: str) -> str:
    """CSL.Util.Names.doNormalize: only the initials and abbreviations take the
    terminator; every other part stays whole."""
    abbreviated = []
    for i, part in enumerate(names):
        if len(part) > 1 and part.endswith("."):
            names[i] = re.sub(r"^(.*)\.(.*)$", r"\1\2", part)
            abbreviated.append(True)
        else:
            abbreviated.append(len(part) == 1 and part.upper() == part)
    for i in range(0, len(names), 2):
        if not abbreviated[i]:
            continue
        if i < len(names) - 2:
            if not abbreviated[i + 2]:
                names[i + 1] = names[i + 1] + " "
            if len(names[i + 2]) > 1:
                names[i + 1] = terminator.rstrip("\ufeff") + names[i + 1]
            else:
                names[i + 1] = terminator
        if i == len(names) - 1:
            names[i] = names[i] + terminator
    return _tidy(names)
