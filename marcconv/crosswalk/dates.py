"""Reading the dates catalogues write: "2025", "c1984", "[ca. 1900]", "May 1984", ...

A date that cannot be read keeps its text (``Date.raw``) with no year, which
writers print as a CSL ``literal``: a date is never dropped.
"""

from __future__ import annotations

import re

from marcconv.model import Date

MONTHS: dict[str, int] = {
    # English, then the Spanish, French, German and Italian forms seen in catalogues
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "januar": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12,
}  # fmt: skip
# CSL seasons are months 21-24
SEASONS: dict[str, int] = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 046 / 008-style 20250314
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[ ./](\d{1,2})[ ./](\d{4})$")  # Invenio "14 06 2000"
_YEAR = re.compile(r"(?<!\d)(1\d{3}|20\d{2})(?!\d)")
_RANGE = re.compile(r"(?<!\d)(\d{4})\s*[-–/]\s*(\d{4}|\d{2})(?!\d)")
_BETWEEN = re.compile(r"between\s+(\d{4})\s+(?:and|-)\s+(\d{4})", re.IGNORECASE)
_APPROXIMATE = re.compile(r"\?|\bca\.|\bcirca\b|\bapprox", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")


def parse_date(text: str) -> Date | None:
    """Read a catalogue date; None only for empty text."""
    raw = " ".join(text.split()).strip(" .,;:")
    if not raw:
        return None
    approximate = bool(_APPROXIMATE.search(raw))
    compact = _COMPACT.match(raw)
    if compact:
        return _checked(raw, int(compact[1]), int(compact[2]), int(compact[3]), approximate)
    numeric = _DAY_MONTH_YEAR.match(raw)
    if numeric and 1 <= int(numeric[2]) <= 12 and 1 <= int(numeric[1]) <= 31:
        return _checked(raw, int(numeric[3]), int(numeric[2]), int(numeric[1]), approximate)
    iso = _ISO.search(raw)
    if iso and 1 <= int(iso[2]) <= 12:
        day = int(iso[3]) if iso[3] else None
        return _checked(raw, int(iso[1]), int(iso[2]), day, approximate)
    between = _BETWEEN.search(raw)
    if between and int(between[2]) > int(between[1]):  # "[between 1900 and 1909]"
        return Date(raw, year=int(between[1]), end_year=int(between[2]), approximate=True)
    span = _RANGE.search(raw)
    if span:
        start, end = int(span[1]), span[2]
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year > start:
            return Date(raw, year=start, end_year=end_year, approximate=approximate)
    year = _YEAR.search(raw)
    if year is None:
        return Date(raw, approximate=approximate)
    month = None
    for word in _WORD.findall(raw.lower()):
        month = MONTHS.get(word) or SEASONS.get(word)
        if month:
            break
    day = None
    if month and month <= 12:
        day_match = re.search(r"(?<!\d)(\d{1,2})(?!\d)", raw.replace(year[1], ""))
        if day_match and 1 <= int(day_match[1]) <= 31:
            day = int(day_match[1])
    return _checked(raw, int(year[1]), month, day, approximate)


def _checked(raw: str, year: int, month: int | None, day: int | None, approx: bool) -> Date:
    if month is not None and not (1 <= month <= 12 or 21 <= month <= 24):
        month, day = None, None
    if day is not None and not 1 <= day <= 31:
        day = None
    return Date(raw, year=year, month=month, day=day, approximate=approx)


#: 008/06 types of date whose Date 2 ends a range that starts at Date 1: ceased
#: continuing resource, inclusive and bulk dates of a collection, multiple dates
RANGE_DATE_TYPES = frozenset("dikm")


def year_from_008(data: str) -> Date | None:
    """008/07-10, Date 1, when it is four digits (``u`` or blanks mean unknown);
    a range to Date 2 (008/11-14) when 008/06 makes the two a range."""
    if len(data) < 11 or not (data[7:11].isascii() and data[7:11].isdigit()):
        return None
    start, end = data[7:11], data[11:15]
    if data[6] in RANGE_DATE_TYPES and end.isascii() and end.isdigit() and start < end < "9999":
        return Date(f"{start}-{end}", year=int(start), end_year=int(end))
    return Date(start, year=int(start))
