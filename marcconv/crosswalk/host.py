"""The free-text enumeration of a host item (773 ``$g``) and page ranges.

Shapes seen in catalogues:

* Invenio/Zaguan: ``43, 18 (2025), 2084-2093`` (volume, issue (year), pages)
* AACR2/ISBD: ``Vol. 27, no. 2 (May 1984), p. 97-111``
* year first: ``2012, vol. 5, p. 1-10``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marcconv.crosswalk.dates import parse_date
from marcconv.model import Date

_VOLUME = re.compile(
    r"\b(?:vol|v|t|bd|band|tome|tomo|jahrg|jg|année)\.?\s*([0-9A-Za-z]+(?:[-/][0-9A-Za-z]+)?)", re.I
)
_ISSUE = re.compile(
    r"\b(?:no|n|nr|núm|num|number|issue|heft|h|fasc|iss)[.º°]?\s*([0-9A-Za-z]+(?:[-/][0-9A-Za-z]+)?)",
    re.I,
)
_PAGES = re.compile(
    r"\b(?:pp|p|s|pág|págs|pages|page)\.?\s*([0-9A-Za-z]*\d[0-9A-Za-z]*(?:\s*[-–—]+\s*[0-9A-Za-z]+)?)",
    re.I,
)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_INVENIO = re.compile(
    r"^\s*(?P<volume>[0-9A-Za-z]+)\s*(?:,\s*(?P<issue>[0-9A-Za-z/-]+))?\s*"
    r"\((?P<date>[^()]*)\)\s*(?:,?\s*(?P<pages>[0-9A-Za-z]+(?:\s*[-–]+\s*[0-9A-Za-z]+)?))?\s*\.?\s*$"
)
_RANGE = re.compile(r"^\s*([0-9A-Za-z]+)\s*[-–—]+\s*([0-9A-Za-z]+)\s*$")


@dataclass(frozen=True, slots=True)
class Enumeration:
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    date: Date | None = None


# a sequence of page counts and its unit: "xii, 320, 11 p.", "247 pages", "iv, 291 leaves"
_PAGE_SEQUENCE = re.compile(
    r"((?:(?:\[?\d+\]?|[ivxlcdm]+)\s*,\s*)*\[?\d+\]?)\s*"
    r"(?:p\b|pp\b|pages?\b|páginas|pág|s\.|S\.|leaves|leaf|f\.|ff\.|Bl\.|Seiten)",
    re.IGNORECASE,
)
# the plates, counted apart: "11 leaves of plates", "[4] p. of plates"
_PLATES = re.compile(r"\[?\d+\]?\s*(?:p\.|pages?|leaves|leaf)?\s*of\s+plates", re.IGNORECASE)


def page_count(extent: str) -> str | None:
    """The pages of a 300 $a extent: the main (largest) numbered sequence of the
    first statement of pages, never the plates; a bare number (INSPIRE) is pages.
    "xii, 320, 11 p." → 320, "247, 16 pages" → 247, "2 v." → None."""
    text = extent.strip(" :;,+")
    if text.rstrip(".").isdigit():
        return text.rstrip(".")
    text = _PLATES.sub("", text)
    match = _PAGE_SEQUENCE.search(text)
    if match is None:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", match[1])]
    return str(max(numbers)) if numbers else None


def normalise_pages(text: str) -> str:
    """ "97 - 111", "97–111", "97--111" → "97-111" (the CSL form)."""
    match = _RANGE.match(text)
    if match:
        return f"{match[1]}-{match[2]}"
    return text.strip().rstrip(".")


def parse_enumeration(text: str) -> Enumeration:
    """Volume, issue, pages and date of a 773 ``$g`` string."""
    match = _INVENIO.match(text)
    if match:
        return Enumeration(
            volume=match["volume"],
            issue=match["issue"],
            pages=normalise_pages(match["pages"]) if match["pages"] else None,
            date=parse_date(match["date"]),
        )
    date = None
    remainder = text
    paren = _PARENTHESES.search(text)
    if paren:
        date = parse_date(paren[1])
        remainder = text[: paren.start()] + text[paren.end() :]
    volume = _VOLUME.search(remainder)
    issue = _ISSUE.search(remainder)
    pages = _PAGES.search(remainder)
    if date is None or date.year is None:
        year = re.search(r"(?<![\d-])(1[5-9]\d\d|20\d\d)(?![\d-])", remainder)
        if year:
            date = parse_date(year[1])
    return Enumeration(
        volume=volume[1] if volume else None,
        issue=issue[1] if issue else None,
        pages=normalise_pages(pages[1]) if pages else None,
        date=date if date is not None and date.year is not None else None,
    )
