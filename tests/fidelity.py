"""How far marcconv's crosswalk agrees with what other projects expect of their
own MARC test records (``make fidelity`` prints it; ``docs/fidelity.md``).

Four references, each stating facts about records in its own words:

- **openlibrary**: the Open Library catalogue's MARC parser, its expected JSON for
  the records of its test suite (``openlibrary/catalog/marc/tests/test_data``);
- **zotero**: Zotero's MARC and MARCXML translators, the items their test cases
  expect;
- **inspire**: INSPIRE's MARC→JSON rules (inspire-dojson) on INSPIRE records;
- **cds**: CERN Document Server's rules (cds-dojson) on CDS records.

Each fact a reference states about a record (its publisher, its second author,
its DOI ...) is looked up in marcconv's CSL-JSON for the same record, in the
variable that holds it, compared after :func:`norm` (case, spacing, the ISBD
punctuation around a value).  A fact agrees or not; a reference's facts that a
citation has no place for (a country code, a Dewey number, a statement of
responsibility) are left out, and :data:`NOT_COMPARED` says which and why.  Every
fact that does not agree is listed in :data:`DIFFERENCES` with the reason;
``tests/test_fidelity.py`` fails on a difference not listed and on a listed one
that no longer occurs.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marcconv.crosswalk import to_reference
from marcconv.errors import NotBibliographic
from marcconv.keys import KeyMaker
from marcconv.marc.record import SourceRecord
from marcconv.sources import read_records
from marcconv.writers.csljson import to_csl

DATA = Path(__file__).parent / "data" / "agreement"
Item = dict[str, Any]


@dataclass(frozen=True)
class Fact:
    reference: str  # openlibrary, zotero, inspire, cds
    record: str  # the reference's name for the record
    field: str  # the reference's name for the fact: "publishers", "authors" ...
    expected: str  # the reference's value
    found: str  # what marcconv's CSL-JSON holds where that fact belongs
    agrees: bool

    @property
    def key(self) -> str:
        return f"{self.reference} {self.record} {self.field}: {self.expected}"


# ------------------------------------------------------------------ comparing
_EDGE = " \t.,:;/=+[]()\"'"


def norm(value: object) -> str:
    """A value as the comparison sees it: NFC, case-folded, its words and numbers
    without the punctuation that presents them (ISBD marks, brackets, the space in
    "Phys. Rev." that INSPIRE leaves out)."""
    text = unicodedata.normalize("NFC", str(value)).casefold()
    text = re.sub(r"[\s:;,=/\[\]()\"'.!?]+", " ", text)
    return text.strip(_EDGE)


def unspaced(expected: str, found: Iterable[str]) -> bool:
    """The same value, spaces aside ("Phys.Rev.Lett." and "Phys. Rev. Lett.")."""
    want = norm(expected).replace(" ", "")
    return any(want == norm(value).replace(" ", "") for value in found)


def _words(value: str) -> set[str]:
    return set(re.findall(r"\w+", norm(value)))


def within(expected: str, found: Iterable[str]) -> bool:
    """Is the value held, whole, in one of the found values?"""
    want = norm(expected)
    return any(want and want in norm(value) for value in found)


def same(expected: str, found: Iterable[str]) -> bool:
    want = norm(expected)
    return any(want == norm(value) for value in found)


def same_name(expected: str, found: Iterable[str]) -> bool:
    """One of the found names is this person or body: the words of the shorter
    form all in the longer ("Fouché, Joseph" and "Fouché, Joseph duc d'Otrante")."""
    want = _words(expected)
    for name in found:
        have = _words(name)
        if want and have and (want <= have or have <= want):
            return True
    return False


def csl_names(item: Item, roles: Iterable[str] | None = None) -> list[str]:
    """Every name of a CSL item, "family, given" or the literal, in any role."""
    found = []
    for role, value in item.items():
        if not isinstance(value, list) or (roles is not None and role not in roles):
            continue
        for name in value:
            if isinstance(name, dict) and ("family" in name or "literal" in name):
                parts = [name.get("family") or name.get("literal", ""), name.get("given", "")]
                found.append(", ".join(p for p in parts if p))
    return found


def _custom(item: Item, key: str) -> list[str]:
    value = item.get("custom", {}).get(key, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _year(item: Item) -> str:
    parts = item.get("issued", {}).get("date-parts", [[]])
    return str(parts[0][0]) if parts and parts[0] else ""


def _text(item: Item, *variables: str) -> list[str]:
    return [str(item[v]) for v in variables if item.get(v)]


def _notes(item: Item) -> list[str]:
    return _text(item, "note", "annote")


# ----------------------------------------------------------------- converting
def convert(path: Path) -> dict[str, Item]:
    """CSL-JSON of each record of a file, by record id, keyed as a run keys it (a
    record that is not a bibliographic item gives none)."""
    items = {}
    keys = KeyMaker()
    for record in read_records(str(path), "auto", lambda diagnostic: None):
        if isinstance(record, SourceRecord):
            try:
                ref = to_reference(record)
            except NotBibliographic:
                continue
            ref.id = keys.key_for(ref)
            items[record.record_id] = to_csl(ref)
    return items


def _only(items: dict[str, Item]) -> Item:
    return next(iter(items.values())) if items else {}


# ---------------------------------------------------------------- the rules
#: A fact rule: (reference's field, how to check one of its values against the item)
Check = Callable[[str, Item], tuple[bool, str]]


def check_in(*variables: str, how: Callable[[str, Iterable[str]], bool] = within) -> Check:
    def check(value: str, item: Item) -> tuple[bool, str]:
        found = _text(item, *variables)
        return how(value, found), " | ".join(found)

    return check


def check_custom(*keys: str, how: Callable[[str, Iterable[str]], bool] = within) -> Check:
    def check(value: str, item: Item) -> tuple[bool, str]:
        found = [v for key in keys for v in _custom(item, key)]
        return how(value, found), " | ".join(found)

    return check


def check_names(roles: Iterable[str] | None = None) -> Check:
    wanted = tuple(roles) if roles is not None else None

    def check(value: str, item: Item) -> tuple[bool, str]:
        found = csl_names(item, wanted)
        return same_name(value, found), " | ".join(found)

    return check


def check_year(value: str, item: Item) -> tuple[bool, str]:
    year = _year(item)
    digits = re.match(r"\d{4}", value)
    if digits:
        return year == digits.group(), year
    if re.fullmatch(r"\d{3}[u?-]", value):  # "190u": a decade
        return year[:3] == value[:3], year
    return year == "", year  # "[n.d.]": no date, so none invented


def check_isbn(value: str, item: Item) -> tuple[bool, str]:
    found = re.sub(r"[^0-9Xx ]", "", str(item.get("ISBN", ""))).upper().split()
    return value.replace("-", "").upper() in found, str(item.get("ISBN", ""))


def check_keywords(value: str, item: Item) -> tuple[bool, str]:
    """A subject's words all in the item's keywords (references reorder headings:
    "West Indies, British" → "British West Indies")."""
    found = str(item.get("keyword", ""))
    return _words(value) <= _words(found), found[:80]


def check_type(table: dict[str, str]) -> Check:
    def check(value: str, item: Item) -> tuple[bool, str]:
        found = str(item.get("type", ""))
        return table.get(value, "?") == found, found

    return check


# ------------------------------------------------------------- openlibrary
#: MARC language codes (ISO 639-2/B) as CSL's BCP 47
_MARC_LANGUAGES = {"eng": "en", "fre": "fr", "ger": "de", "chi": "zh", "jpn": "ja", "ara": "ar",
                 "heb": "he", "rus": "ru", "yid": "yi", "wel": "cy", "lat": "la", "spa": "es",
                 "ita": "it", "por": "pt"}  # fmt: skip


def _ol_language(value: str, item: Item) -> tuple[bool, str]:
    found = str(item.get("language", ""))
    return _MARC_LANGUAGES.get(value) == found, found


def _ol_series(value: str, item: Item) -> tuple[bool, str]:
    """ "Tōyō bunko -- 201, 206": the series title, then its numbering."""
    title, _, number = value.partition(" -- ")
    found = _text(item, "collection-title", "collection-number")
    held = within(title, found[:1]) and (not number or within(number, [" ".join(found)]))
    return held, " | ".join(found)


def _ol_contributor(value: str, item: Item) -> tuple[bool, str]:
    """ "Beauchamp, Alph. de, 1767-1832, ed": the name before its dates and role."""
    name = re.split(r",\s*(?:\d|ca\.|d\.|b\.|fl\.)", value)[0]
    return check_names()(name, item)


def _ol_identifier(*keys: str) -> Check:
    def check(value: str, item: Item) -> tuple[bool, str]:
        found = [v for key in keys for v in _custom(item, key)]
        digits = re.sub(r"\D", "", value)
        return any(digits and digits in re.sub(r"\D", "", v) for v in found), " | ".join(found)

    return check


def _titles(value: str, item: Item, key: str) -> tuple[bool, str]:
    """Another title of the work: in the title (a parallel title), among CSL custom's
    other titles, or a related work's ("Related work: Monita Secreta ...")."""
    found = _text(item, "title", "annote") + _custom(item, key)
    return within(value, found), " | ".join(found)[:80]


def _ol_author(author: Item) -> Check:
    """A name, or one of its other forms (Open Library gives the original script as
    the name and the romanized heading as an alternate, or the reverse); a meeting
    (entity_type "event") is the item's event."""
    names = [author["name"], *author.get("alternate_names", [])]

    def check(value: str, item: Item) -> tuple[bool, str]:
        if author.get("entity_type") == "event":
            found = _text(item, "event-title")
            heading = re.sub(r"\s*\(.*\)$", "", value)  # "(7th 1991 Rio de Janeiro, Brazil)"
            return within(heading, found), " | ".join(found)
        found = csl_names(item)
        return any(same_name(name, found) for name in names), " | ".join(found)

    return check


def _ol_description(value: str, item: Item) -> tuple[bool, str]:
    found = _text(item, "abstract", "annote")
    paragraphs = [p for p in value.split("\n\n") if p.strip()]
    return all(within(p, found) for p in paragraphs), " | ".join(found)[:80]


def _ol_note(value: str, item: Item) -> tuple[bool, str]:
    found = _notes(item)
    return within(value, found), " | ".join(found)[:80]


#: Open Library's fields, each checked value by value
OPENLIBRARY: dict[str, Check] = {
    "title": check_in("title"),
    "subtitle": check_in("title"),
    "other_titles": lambda value, item: _titles(value, item, "variant-title"),
    "work_titles": lambda value, item: _titles(value, item, "uniform-title"),
    "contributions": _ol_contributor,
    "publishers": check_in("publisher"),
    "publish_places": check_in("publisher-place"),
    "publish_date": check_year,
    "isbn_10": check_isbn,
    "isbn_13": check_isbn,
    "number_of_pages": check_in("number-of-pages", how=same),
    "languages": _ol_language,
    "edition_name": check_in("edition"),
    "series": _ol_series,
    "description": _ol_description,
    "notes": _ol_note,
    "links": check_in("URL", how=same),
    "lc_classifications": check_in("call-number", how=same),
    "lccn": _ol_identifier("lccn"),
    "oclc_numbers": _ol_identifier("system"),
    "issn": check_in("ISSN"),
    "subjects": check_keywords,
    "subject_places": check_keywords,
    "subject_people": check_keywords,
    "subject_times": check_keywords,
}


def _ol_values(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if field == "links":
        return [link["url"] for link in value]
    if field == "notes":
        return [v for v in value.split("\n\n") if v.strip()]
    if field == "languages":
        return [str(v) for v in value[:1]]  # CSL has one language: the first (the text's)
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def openlibrary_facts() -> Iterator[Fact]:
    for kind, suffix in (("bin", ".mrc"), ("xml", "_marc.xml")):
        for expected_path in sorted((DATA / "openlibrary" / kind).glob("*.json")):
            name = expected_path.stem
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            item = _only(convert(expected_path.with_name(name + suffix)))
            fields = dict(expected)
            fields.update(expected.get("identifiers", {}))
            record = f"{kind}/{name}"
            for author in expected.get("authors", []):
                agrees, found = _ol_author(author)(author["name"], item)
                yield Fact("openlibrary", record, "authors", author["name"], found, agrees)
            for field, check in OPENLIBRARY.items():
                for value in _ol_values(field, fields.get(field)):
                    agrees, found = check(value, item)
                    yield Fact("openlibrary", record, field, value, found, agrees)


# ------------------------------------------------------------------ zotero
_ZOTERO_TYPES = {"book": "book", "bookSection": "chapter", "journalArticle": "article-journal",
                 "thesis": "thesis", "report": "report", "audioRecording": "song",
                 "videoRecording": "motion_picture", "film": "motion_picture", "map": "map",
                 "manuscript": "manuscript", "artwork": "graphic", "computerProgram": "software",
                 "magazineArticle": "article-magazine", "newspaperArticle": "article-newspaper",
                 "document": "document"}  # fmt: skip
#: Zotero's creator types as CSL name variables (Zotero's own CSL mapping)
_ZOTERO_ROLES = {"author": "author", "editor": "editor", "translator": "translator",
                 "contributor": "contributor", "seriesEditor": "collection-editor",
                 "bookAuthor": "container-author", "director": "director",
                 "performer": "performer", "composer": "composer", "illustrator": "illustrator",
                 "cartographer": "author", "artist": "author", "programmer": "author",
                 "interviewer": "interviewer", "recipient": "recipient"}  # fmt: skip


def _zotero_note(value: str, item: Item) -> tuple[bool, str]:
    text = re.sub(r"<[^>]+>", " ", value)
    found = _notes(item)
    return within(text, found), " | ".join(found)[:80]


def _zotero_extra(value: str, item: Item) -> tuple[bool, str]:
    """ "OCLC: ocm29051663": an identifier line, looked up in CSL custom."""
    scheme, _, number = value.partition(": ")
    found = [v for values in item.get("custom", {}).values() for v in values]
    return within(number, found), f"{scheme}: {' | '.join(found)}"


ZOTERO: dict[str, Check] = {
    "itemType": check_type(_ZOTERO_TYPES),
    "title": check_in("title"),
    "creators": check_names(),
    "date": check_year,
    "ISBN": check_isbn,
    "ISSN": check_in("ISSN"),
    "publisher": check_in("publisher"),
    "label": check_in("publisher"),  # a recording's label
    "place": check_in("publisher-place"),
    "edition": check_in("edition"),
    "numPages": check_in("number-of-pages", how=same),
    "series": check_in("collection-title"),
    "seriesNumber": check_in("collection-number"),
    "volume": check_in("volume", how=same),
    "pages": check_in("page", how=same),
    "publicationTitle": check_in("container-title"),
    "url": check_in("URL", how=same),
    "language": _ol_language,
    "abstractNote": check_in("abstract"),
    "callNumber": check_in("call-number", how=same),
    "extra": _zotero_extra,
    "tags": check_keywords,
    "notes": _zotero_note,
}


def _zotero_values(field: str, value: Any) -> list[str]:
    if not value:
        return []
    if field == "creators":
        return [", ".join(p for p in (c.get("lastName"), c.get("firstName")) if p) for c in value]
    if field == "tags":
        return [t["tag"] if isinstance(t, dict) else str(t) for t in value]
    if field == "notes":
        return [n["note"] if isinstance(n, dict) else str(n) for n in value]
    if field == "ISBN":
        return str(value).split()
    if field == "extra":
        return [line for line in str(value).splitlines() if ": " in line]
    return [str(value)]


def _zotero_roles(expected: Item, item: Item) -> Iterator[tuple[str, bool, str]]:
    """Each creator's role: the CSL variable Zotero's own mapping gives it."""
    for creator in expected.get("creators", []):
        name = ", ".join(p for p in (creator.get("lastName"), creator.get("firstName")) if p)
        role = _ZOTERO_ROLES.get(creator["creatorType"], creator["creatorType"])
        found = csl_names(item, (role,))
        yield f"{name} as {role}", same_name(name, found), " | ".join(found)


def zotero_facts() -> Iterator[Fact]:
    folder = DATA / "zotero"
    for expected_path in sorted(folder.glob("*.zotero-expected.json")):
        case = expected_path.name.removesuffix(".zotero-expected.json")
        source = next(p for p in folder.glob(case + ".*") if not p.name.endswith(".json"))
        items = list(convert(source).values())
        for index, expected in enumerate(json.loads(expected_path.read_text(encoding="utf-8"))):
            item = items[index] if index < len(items) else {}
            record = case if index == 0 else f"{case}#{index + 1}"
            for field, check in ZOTERO.items():
                for value in _zotero_values(field, expected.get(field)):
                    agrees, found = check(value, item)
                    yield Fact("zotero", record, field, value, found, agrees)
            for value, agrees, found in _zotero_roles(expected, item):
                yield Fact("zotero", record, "creatorType", value, found, agrees)


# ----------------------------------------------------------------- inspire
_INSPIRE_TYPES = {"article": "article-journal", "book": "book", "thesis": "thesis",
                  "proceedings": "book", "conference paper": "paper-conference",
                  "book chapter": "chapter", "report": "report", "note": "report",
                  "activity report": "report"}  # fmt: skip
_INSPIRE_ROLES = {"editor": "editor", "supervisor": "contributor", "author": "author"}


def _inspire_type(value: str, item: Item) -> tuple[bool, str]:
    found = str(item.get("type", ""))
    wanted = _INSPIRE_TYPES.get(value, "?")
    if value == "article" and not item.get("container-title"):
        wanted = "article"  # a preprint: not yet in a journal
    return wanted == found, found


def _doi(value: str, item: Item) -> tuple[bool, str]:
    """The DOI, or one of the others a record has (CSL holds one DOI)."""
    found = _text(item, "DOI") + _custom(item, "doi")
    return same(value, found), " | ".join(found)


def _pages(info: Item) -> str:
    start, end = info.get("page_start"), info.get("page_end")
    return f"{start}-{end}" if start and end else str(start or info.get("artid") or "")


def _inspire_values(record: Item) -> Iterator[tuple[str, str, Check]]:
    """(field, value, check) of each fact an INSPIRE record states."""
    for kind in record.get("document_type", [])[:1]:
        yield "document_type", kind, _inspire_type
    for title in record.get("titles", [])[:1]:
        yield "titles.title", title["title"], check_in("title")
        if title.get("subtitle"):
            yield "titles.subtitle", title["subtitle"], check_in("title")
    for author in record.get("authors", []):
        roles = [_INSPIRE_ROLES.get(r, r) for r in author.get("inspire_roles", ["author"])]
        yield f"authors ({'/'.join(roles)})", author["full_name"], check_names(roles)
    for body in record.get("corporate_author", []):
        yield "corporate_author", body, check_names()
    for collaboration in record.get("collaborations", []):
        yield "collaborations", collaboration["value"], check_custom("collaboration", how=same)
    for texkey in record.get("texkeys", [])[:1]:
        yield "texkeys", texkey, check_in("id", how=same)
    for doi in record.get("dois", []):
        yield "dois", doi["value"], _doi
    for eprint in record.get("arxiv_eprints", []):
        yield "arxiv_eprints", eprint["value"], check_custom("arxiv", how=same)
        for category in eprint.get("categories", [])[:1]:
            yield "arxiv_eprints.categories", category, check_custom("arxiv-class", how=same)
    for number in record.get("report_numbers", []):
        yield "report_numbers", number["value"], check_custom("report-number", how=same)
    for isbn in record.get("isbns", []):
        yield "isbns", isbn["value"], check_isbn
    journals = [i for i in record.get("publication_info", []) if i.get("journal_title")]
    for info in journals[:1]:  # CSL holds one host: the first, as INSPIRE's export does
        yield (
            "publication_info.journal_title",
            info["journal_title"],
            check_in("container-title", "container-title-short", how=unspaced),
        )
        if info.get("journal_volume"):
            yield (
                "publication_info.journal_volume",
                info["journal_volume"],
                check_in("volume", how=same),
            )
        if info.get("journal_issue"):
            yield (
                "publication_info.journal_issue",
                info["journal_issue"],
                check_in("issue", how=same),
            )
        if _pages(info):
            yield "publication_info.pages", _pages(info), check_in("page", how=same)
    dated = [str(i["year"]) for i in journals[:1] if i.get("year")]
    for imprint in record.get("imprints", [])[:1]:
        if imprint.get("publisher"):
            yield "imprints.publisher", imprint["publisher"], check_in("publisher")
        if imprint.get("place"):
            yield "imprints.place", imprint["place"], check_in("publisher-place")
        if imprint.get("date") and not dated:
            dated.append(imprint["date"])
    thesis = record.get("thesis_info", {})
    if thesis.get("degree_type"):
        yield "thesis_info.degree_type", thesis["degree_type"], check_in("genre")
    for institution in thesis.get("institutions", [])[:1]:
        yield "thesis_info.institutions", institution["name"], check_in("publisher")
    if thesis.get("date") and not dated:
        dated.append(thesis["date"])
    if record.get("preprint_date") and not dated:
        dated.append(record["preprint_date"])
    for date in dated[:1]:
        yield "year", date, check_year
    if record.get("number_of_pages"):
        yield (
            "number_of_pages",
            str(record["number_of_pages"]),
            check_in("number-of-pages", how=same),
        )
    for abstract in record.get("abstracts", [])[:1]:
        yield "abstracts", abstract["value"], check_in("abstract", how=same)
    for language in record.get("languages", [])[:1]:
        yield "languages", language, check_in("language", how=same)
    for licence in record.get("license", [])[:1]:
        yield "license", licence.get("url") or licence.get("license", ""), check_custom("license")
    for note in record.get("public_notes", []):
        yield "public_notes", note["value"], check_in("note", "annote")
    for category in record.get("inspire_categories", []):
        yield "inspire_categories", category["term"], check_keywords


def _dojson_facts(
    reference: str, values: Callable[[Item], Iterator[tuple[str, str, Check]]]
) -> Iterator[Fact]:
    folder = DATA / reference
    expected = json.loads(gzip.decompress((folder / "expected.json.gz").read_bytes()))
    items = convert(folder / "records.xml.gz")
    by_recid = {str(int(k)) if k.isdigit() else k: v for k, v in items.items()}
    for recid, record in sorted(expected["records"].items()):
        item = by_recid.get(recid, {})
        for field, value, check in values(record):
            agrees, found = check(value, item)
            yield Fact(reference, recid, field, value, found, agrees)


def inspire_facts() -> Iterator[Fact]:
    return _dojson_facts("inspire", _inspire_values)


# --------------------------------------------------------------------- cds
_CDS_TYPES = {"BOOK": "book", "MOVIE": "motion_picture"}


def _cds_values(record: Item) -> Iterator[tuple[str, str, Check]]:
    kind = record.get("document_type") or record.get("type")
    if kind:
        yield "type", kind, check_type(_CDS_TYPES)
    title = record.get("title")
    if isinstance(title, dict):
        title = title.get("title")
    if title:
        yield "title", title, check_in("title")
    for author in record.get("authors", []):
        yield "authors", author["full_name"], check_names()
    for contributor in record.get("contributors", []):
        yield "contributors", contributor["name"], check_names()
    for identifier in record.get("identifiers", []):
        if identifier.get("scheme") == "ISBN":
            yield "identifiers.ISBN", identifier["value"], check_isbn
        elif identifier.get("scheme") == "DOI":
            yield "identifiers.DOI", identifier["value"], check_in("DOI", how=same)
    imprint = record.get("imprint", {})
    if imprint.get("publisher"):
        yield "imprint.publisher", imprint["publisher"], check_in("publisher")
    if imprint.get("place"):
        yield "imprint.place", imprint["place"], check_in("publisher-place")
    date = record.get("publication_year") or record.get("date") or imprint.get("date")
    if date:
        yield "date", str(date), check_year
    if record.get("number_of_pages"):
        yield (
            "number_of_pages",
            str(record["number_of_pages"]),
            check_in("number-of-pages", how=same),
        )
    text = record.get("abstract") or record.get("description")
    if text:
        yield "abstract", text, check_in("abstract", how=same)
    for language in record.get(
        "languages", [record.get("language")] if record.get("language") else []
    )[:1]:
        yield "language", language.lower(), check_in("language", how=same)
    for keyword in record.get("keywords", []):
        yield "keywords", keyword["name"], check_keywords
    for number in record.get("report_number", []):
        yield "report_number", number, check_custom("report-number", how=same)


def cds_facts() -> Iterator[Fact]:
    return _dojson_facts("cds", _cds_values)


REFERENCES: dict[str, Callable[[], Iterator[Fact]]] = {
    "openlibrary": openlibrary_facts,
    "zotero": zotero_facts,
    "inspire": inspire_facts,
    "cds": cds_facts,
}


def all_facts() -> list[Fact]:
    return [fact for facts in REFERENCES.values() for fact in facts()]


# ------------------------------------------------------- what is not compared
#: Each reference's facts that the comparison leaves out, and why.
NOT_COMPARED: dict[str, str] = {
    "openlibrary": (
        "`by_statement` (the statement of responsibility as transcribed: a citation's "
        "names come from the headings), `pagination` (read into the page count), "
        "`publish_country` (a code of 008), `dewey_decimal_class`, `copyright_date`, "
        "`physical_format`, `translated_from`, `location` (the holding library), the "
        "dates and titles inside `authors` (a citation prints the name), languages after "
        "the first (CSL has one), `table_of_contents` (left out of the stored expectations;"
        " marcconv keeps the 505 as an annotation)."
    ),
    "zotero": (
        "`attachments` and `seeAlso` (Zotero's own links, empty in every case), "
        "`audioRecordingFormat` (the physical description)."
    ),
    "inspire": (
        "What inspire-dojson keeps for INSPIRE's own services: references, INSPIRE "
        "thesaurus keywords (695), experiments (693), energy ranges, curation flags "
        "(core, refereed, citeable), external and DESY bookkeeping identifiers, "
        "copyright, affiliations and author identifiers, title translations, and "
        "publication_info entries that name no journal (a conference's or a book's "
        "record number). Only the first journal of publication_info is compared: CSL "
        "holds one host, as INSPIRE's own BibTeX export does."
    ),
    "cds": (
        "CDS's administrative fields (`_created`, `agency_code`, `source`, "
        "`modified_by`, `category`), other systems' identifiers (EBL, AVW), Dewey "
        "subjects, the table of contents, a video's duration, copyright and the "
        "project's links to its videos."
    ),
}


# ------------------------------------------------------------- differences
@dataclass(frozen=True)
class Difference:
    """Facts on which marcconv deliberately (or by the reference's error) differs."""

    reference: str
    records: str  # the records, a glob ("bin/*")
    field: str
    reason: str

    def covers(self, fact: Fact) -> bool:
        return (
            fact.reference == self.reference
            and fnmatch.fnmatchcase(fact.record, self.records)
            and fact.field == self.field
        )


_BRACKETED = "'[s.n.]' and '[s.l.]' are the cataloguer's 'no publisher named', 'no place named' (sine nomine, sine loco); marcconv states no publisher and no place rather than print them in a citation"  # noqa: E501
_NOT_PAGES = "Open Library takes a number from an extent that counts no pages"
_ZOTERO_EDITOR = (
    "Zotero's MARC translators make a name without a relator (a 7XX, a 720) an "
    "editor; marcconv makes it an author when the record names no one else, a "
    "contributor otherwise (7XX), or an author (a 700 with no relator)"
)
_ABSTRACT_SOURCE = (
    "the record has the abstract from two sources; inspire-dojson lists the publisher's "
    "first, marcconv keeps the record's first (arXiv's, whose LaTeX math reaches "
    "BibTeX and BibLaTeX as math)"
)

#: Every fact marcconv does not agree on, with the reason.
DIFFERENCES: tuple[Difference, ...] = (
    Difference("openlibrary", "bin/880_arabic_french_many_linkages", "contributions",
               "Open Library names these contributors by the original script of their "
               "880 field; marcconv keeps the romanized heading (the form a bibliography "
               "in Latin script cites) and CSL has no place for a second script of a name"),
    Difference("openlibrary", "bin/880_arabic_french_many_linkages", "isbn_13",
               "the ISBN is in 020 $z, a cancelled or invalid ISBN (MARC 21), which is "
               "not the item's"),
    Difference("openlibrary", "*", "series",
               "a second series: the authorized form (830) of the series the 490 "
               "transcribes; CSL has one collection-title, marcconv keeps the form on the "
               "item (the 490)"),
    Difference("openlibrary", "*", "publishers", _BRACKETED),
    Difference("openlibrary", "*", "publish_places", _BRACKETED),
    Difference("openlibrary", "bin/ithaca_two_856u", "publish_date",
               "260 $c transcribes '[1949?]-c2000'; Open Library reads 008's 1950. "
               "marcconv takes the transcribed imprint before the coded date"),
    Difference("openlibrary", "bin/talis_740", "publish_date",
               "260 $c gives only the copyright date (c1972), which marcconv takes as "
               "the date; Open Library reads 008's 1973"),
    Difference("openlibrary", "bin/wrapped_lines", "publish_date",
               "a 1983 microfiche of a 1980 publication (008 type r, 260 $c 1980): "
               "marcconv cites the original's date, Open Library the reproduction's"),
    Difference("openlibrary", "bin/collingswood_520aa", "number_of_pages",
               f"{_NOT_PAGES}: '2 sound cassettes (3 hr. 16 min.)' (16 minutes)"),
    Difference("openlibrary", "bin/talis_740", "number_of_pages",
               f"{_NOT_PAGES}: 'D8.390. n.e.' (no unit)"),
    Difference("openlibrary", "*/warofrebellionco1473unit*", "number_of_pages",
               f"{_NOT_PAGES}: '70 v. in 128' (volumes)"),
    Difference("openlibrary", "*/engineercorpsofh00sher*", "contributions",
               "a name/title entry that is not analytical (7102_ $t Syllabus errorum) "
               "names a related work, kept as the annotation 'Related work: Catholic "
               "Church Pope ... Syllabus errorum'; its author is not one of the item's"),
    Difference("openlibrary", "bin/henrywardbeecher00robauoft_meta", "authors",
               "the 100 has no $a, only $b and $c ('ROBA', '1'): there is no name"),
    Difference("openlibrary", "*", "links",
               "CSL has one URL, the first link; RIS (UR) and the MARC outputs keep "
               "every link"),
    Difference("openlibrary", "bin/wwu_51323556", "notes",
               "a local note (590) about the library's copy (a gift), not a fact of the "
               "work: marcconv leaves local and copy notes out"),
    Difference("openlibrary", "xml/13dipolarcycload00burk", "notes",
               "the dissertation note (502) is read into genre (Ph. D.), publisher "
               "(University of Florida) and date (1984), not kept as a note"),
    Difference("zotero", "MARC-case01", "numPages",
               "300 $a '[24], 432 p.': Zotero takes the first number (unnumbered "
               "preliminary leaves), marcconv the main sequence"),
    Difference("zotero", "*", "callNumber",
               "Zotero takes a local shelf mark (852, 090, 099: 'VAULT Ayer 1343 ...', "
               "'b', 'WWW ACCESS ONLY') or joins two class numbers; marcconv the "
               "class number (050, then 090, then 082)"),
    Difference("zotero", "*", "creatorType", _ZOTERO_EDITOR),
    Difference("zotero", "MARC-case04", "itemType",
               "336 $a Dataset: a dataset (Zotero's translator has only book)"),
    Difference("zotero", "MARCXML-case01#2", "itemType",
               "leader 06 'm' (computer file): a web site's software; Zotero says book"),
    Difference("zotero", "MARCXML-case06", "itemType",
               "a record with no leader and no kind: a document; Zotero says book"),
    Difference("zotero", "MARCXML-case04", "date",
               "260 $c 'Fri, 17 Aug 2018 08:14:38 +0000': Zotero takes the day (17) as "
               "the year; marcconv reads 2018"),
    Difference("inspire", "1090628", "document_type",
               "a record only in HERMES-INTERNAL-NOTE, with a report number: an "
               "internal note, a CSL report; article is inspire-dojson's default"),
    Difference("inspire", "*", "abstracts", _ABSTRACT_SOURCE),
    Difference("inspire", "*", "inspire_categories",
               "inspire-dojson maps a subject category of another scheme (65017 $2 APS) "
               "to 'Other'; marcconv keeps the term as given ('Nuclear Physics')"),
)  # fmt: skip


def uncovered(facts: Iterable[Fact]) -> list[Fact]:
    """The disagreeing facts that no listed difference explains."""
    return [f for f in facts if not f.agrees and not any(d.covers(f) for d in DIFFERENCES)]


def unused(facts: Iterable[Fact]) -> list[Difference]:
    """The listed differences that explain no disagreeing fact any more."""
    wrong = [f for f in facts if not f.agrees]
    return [d for d in DIFFERENCES if not any(d.covers(f) for f in wrong)]


# ------------------------------------------------------------------ report
def markdown(facts: list[Fact]) -> str:
    """docs/fidelity.md: the measure, what is left out, every difference."""
    lines = [
        "# Fidelity: the crosswalk against other projects' expectations",
        "",
        "<!-- made by `make fidelity` (python -m tests.fidelity --markdown); do not edit -->",
        "",
        "Other projects keep, for their own MARC test records, what their converters "
        "must make of them. marcconv's CSL-JSON for the same records is held against "
        "those expectations fact by fact: each value a reference states (a publisher, "
        "the second author, a DOI) is looked up in the CSL variable that holds it, "
        "compared without case, spacing and the punctuation that presents it. "
        "`tests/test_fidelity.py` runs this in `make test` and fails on a difference "
        "not explained below. The references and their records are in "
        "`tests/data/agreement/` (see its SOURCES.md).",
        "",
        "| reference | records | facts | agree | |",
        "|---|---:|---:|---:|---:|",
    ]
    total = agree_total = 0
    for name, title in REFERENCE_TITLES.items():
        mine = [f for f in facts if f.reference == name]
        agree = sum(f.agrees for f in mine)
        records = len({f.record for f in mine})
        total, agree_total = total + len(mine), agree_total + agree
        lines.append(
            f"| {title} | {records} | {len(mine)} | {agree} | {_percent(agree, len(mine))} |"
        )
    lines.append(f"| **all** | | {total} | {agree_total} | {_percent(agree_total, total)} |")
    lines += ["", "## Facts not compared", ""]
    lines += [f"- **{REFERENCE_TITLES[name]}**: {text}" for name, text in NOT_COMPARED.items()]
    lines += ["", "## Every difference, and why", ""]
    for difference in DIFFERENCES:
        covered = [f for f in facts if not f.agrees and difference.covers(f)]
        lines.append(
            f"- **{REFERENCE_TITLES[difference.reference]}**, `{difference.field}` "
            f"({len(covered)}): {difference.reason}."
        )
        for fact in covered:
            lines.append(
                f"  - {fact.record}: {_short(fact.expected)} → {_short(fact.found) or '(none)'}"
            )
    return "\n".join(lines) + "\n"


REFERENCE_TITLES = {
    "openlibrary": "Open Library (MARC parser test records)",
    "zotero": "Zotero (MARC and MARCXML translators' test cases)",
    "inspire": "INSPIRE (inspire-dojson on INSPIRE records)",
    "cds": "CERN Document Server (cds-dojson on CDS records)",
}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):.2f} %"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return f"`{text[:limit]}{'…' if len(text) > limit else ''}`" if text else ""


def main() -> None:
    facts = all_facts()
    if "--markdown" in sys.argv:
        sys.stdout.write(markdown(facts))
        return
    for name in REFERENCES:
        mine = [f for f in facts if f.reference == name]
        agree = sum(f.agrees for f in mine)
        print(f"{name:12} {agree:5}/{len(mine):5} {_percent(agree, len(mine)):>9}")
    for fact in uncovered(facts):
        print(f"  not explained: {fact.key!r:.200} → {fact.found!r:.120}")
    for difference in unused(facts):
        print(f"  explains nothing: {difference}")


if __name__ == "__main__":
    main()
