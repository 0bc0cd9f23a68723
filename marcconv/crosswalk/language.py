"""MARC language codes (ISO 639-2/B, as in 041 and 008/35-37) → BCP 47 tags.

The codes come from pycountry's copy of the ISO 639-3 table, read as the JSON
file it ships rather than through pycountry's object database: a run needs
three small lookups, and the database (with pycountry's import) weighs about
12 MB, a fifth of a run's memory.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _languages() -> tuple[dict[str, Any], ...]:
    """The ISO 639-3 entries: ``alpha_3``, ``name``, and ``alpha_2`` and
    ``bibliographic`` where they exist."""
    spec = importlib.util.find_spec("pycountry")  # located, not imported
    assert spec is not None and spec.origin is not None, "pycountry is a dependency"
    data = Path(spec.origin).parent / "databases" / "iso639-3.json"
    with open(data, "rb") as table:
        entries = json.load(table)["639-3"]
    keep = ("alpha_2", "alpha_3", "bibliographic", "name")
    return tuple({k: entry[k] for k in keep if k in entry} for entry in entries)


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for lang in _languages():
        tag = lang.get("alpha_2") or lang["alpha_3"]
        table[lang["alpha_3"]] = tag
        bibliographic = lang.get("bibliographic")
        if bibliographic:
            table[bibliographic] = tag
    return table


@cache
def _two_letter() -> frozenset[str]:
    return frozenset(lang["alpha_2"] for lang in _languages() if "alpha_2" in lang)


@cache
def _names() -> dict[str, str]:
    """English language names ("portuguese") → BCP 47, for records that spell
    the language out in 041 (INSPIRE: "Portuguese")."""
    return {lang["name"].lower(): lang.get("alpha_2") or lang["alpha_3"] for lang in _languages()}


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
