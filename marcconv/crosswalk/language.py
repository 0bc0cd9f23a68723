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


def to_bcp47(code: str) -> str | None:
    """ "eng" → "en", "spa" → "es", "fre" → "fr"; "und", "zxx" and blanks → None."""
    key = code.strip().lower()
    if len(key) != 3 or not key.isalpha() or key in {"und", "zxx", "mul", "mis"}:
        return None
    return _table().get(key)
