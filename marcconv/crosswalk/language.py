"""MARC language codes (ISO 639-2/B, as in 041 and 008/35-37) → BCP 47 tags."""

from __future__ import annotations

from functools import cache


@cache
def _table() -> dict[str, str]:
    import pycountry  # imported on first use: it loads a large table

    table: dict[str, str] = {}
    for lang in pycountry.languages:
        tag = getattr(lang, "alpha_2", None) or lang.alpha_3
        table[lang.alpha_3] = tag
        bibliographic = getattr(lang, "bibliographic", None)
        if bibliographic:
            table[bibliographic] = tag
    return table


@cache
def _two_letter() -> frozenset[str]:
    import pycountry

    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@cache
def _names() -> dict[str, str]:
    """English language names ("portuguese") → BCP 47, for records that spell
    the language out in 041 (INSPIRE: "Portuguese")."""
    import pycountry

    return {
        lang.name.lower(): getattr(lang, "alpha_2", None) or lang.alpha_3
        for lang in pycountry.languages
    }


def to_bcp47(code: str) -> str | None:
    """ "eng" → "en", "spa" → "es", "fre" → "fr", "Portuguese" → "pt"; "und", "zxx"
    and blanks → None."""
    key = code.strip().strip(".").lower()
    if len(key) == 2 and key.isalpha():  # ISO 639-1, as some records write it ("pl")
        return key if key in _two_letter() else None
    if len(key) == 3 and key.isalpha():
        return None if key in {"und", "zxx", "mul", "mis"} else _table().get(key)
    if len(key) > 3 and key.replace(" ", "").isalpha():
        return _names().get(key)
    return None
