"""Names in MARC headings (100/700 persons, 110/710 bodies) → :class:`Name`.

Relator terms (``$e``) and codes (``$4``) decide the CSL role, after the MARC
Code List for Relators; an illustrator is never an author.
"""

from __future__ import annotations

import re

from marcconv.crosswalk.text import strip_isbd
from marcconv.model import Name

# MARC relator codes ($4) → CSL name variables
RELATOR_CODES: dict[str, str] = {
    "aut": "author", "cre": "author", "edt": "editor", "edc": "editor", "pbd": "editor",
    "trl": "translator", "ill": "illustrator", "cmp": "composer", "drt": "director",
    "ivr": "interviewer", "rcp": "recipient", "orm": "organizer", "prf": "performer",
    "pro": "producer", "ths": "contributor", "ctb": "contributor", "dgs": "contributor",
    "cwt": "contributor", "aui": "contributor", "ann": "contributor", "com": "editor",
}  # fmt: skip
# relator terms ($e), compared without case and final punctuation
RELATOR_TERMS: dict[str, str] = {
    "author": "author", "autor": "author", "auteur": "author", "creator": "author",
    "editor": "editor", "ed": "editor", "eds": "editor", "edited by": "editor",
    "compiler": "editor", "comp": "editor", "éditeur scientifique": "editor",
    "translator": "translator", "tr": "translator", "trans": "translator",
    "traductor": "translator", "traducteur": "translator",
    "illustrator": "illustrator", "ill": "illustrator", "ilustrador": "illustrator",
    "composer": "composer", "director": "director", "film director": "director",
    "interviewer": "interviewer", "recipient": "recipient", "organizer": "organizer",
    "performer": "performer", "producer": "producer",
    "thesis advisor": "contributor", "dir": "contributor", "supervisor": "contributor",
    "degree supervisor": "contributor", "contributor": "contributor",
    "writer of introduction": "contributor", "writer of preface": "contributor",
    "author of introduction": "contributor", "annotator": "contributor",
    # phrases as Invenio sites (CDS) write them
    "produced by": "producer", "directed by": "director", "translated by": "translator",
    "illustrated by": "illustrator", "performed by": "performer", "composed by": "composer",
}  # fmt: skip

_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)
_SUFFIX = re.compile(r"^(Jr|Sr|[IVX]{1,4}|\d(?:st|nd|rd|th))\.?$")
_LIFE_DATES = re.compile(r",?\s*\d{4}\??-(?:\d{4})?\??\.?$")


def role_of(terms: list[str], codes: list[str], default: str) -> str:
    """The CSL role a heading's relators give; ``default`` if they name none we map."""
    for code in codes:
        role = RELATOR_CODES.get(code.strip().lower().rstrip("."))
        if role:
            return role
    for term in terms:
        role = RELATOR_TERMS.get(term.strip().lower().rstrip(".,; "))
        if role:
            return role
    return default


def orcid_of(values: list[str]) -> str | None:
    """The ORCID among ``$0`` values such as "(orcid)0000-0002-9159-4988"."""
    for value in values:
        low = value.lower()
        if "orcid" in low or low.startswith("https://orcid.org"):
            match = _ORCID.search(value)
            if match:
                return match[1].upper()
    return None


#: the names of recent headings: a catalogue names the same people again and again
_PERSON_NAMES: dict[tuple[str, bool, tuple[str, ...], str, str | None, tuple[str, ...]], Name] = {}
_PERSON_NAMES_HELD = 20_000


def person_name(
    heading: str,
    direct_order: bool,
    titles: tuple[str, ...],
    role: str,
    orcid: str | None,
    affiliations: tuple[str, ...],
) -> Name:
    """:func:`personal_name`, remembered (a :class:`Name` cannot change)."""
    key = (heading, direct_order, titles, role, orcid, affiliations)
    name = _PERSON_NAMES.get(key)
    if name is None:
        if len(_PERSON_NAMES) >= _PERSON_NAMES_HELD:
            _PERSON_NAMES.clear()
        name = _PERSON_NAMES[key] = personal_name(
            heading,
            direct_order=direct_order,
            titles=list(titles),
            role=role,
            orcid=orcid,
            affiliations=affiliations,
        )
    return name


def personal_name(
    heading: str,
    *,
    direct_order: bool = False,
    titles: list[str] | None = None,
    role: str = "author",
    orcid: str | None = None,
    affiliations: tuple[str, ...] = (),
) -> Name:
    """A personal name heading, "Family, Given[, Suffix]", as a :class:`Name`.

    Leading lower-case words of the family part are its particle ("del Barco
    Berrón" → particle "del"); a heading in direct order (first indicator 0,
    "Plato") or without a comma is kept whole.
    """
    text = strip_isbd(without_notes(heading))
    if text[-1:].isdigit() or text[-1:] in ("-", "?", "."):  # "Smith, John, 1900-1990"
        text = _LIFE_DATES.sub("", text)
    text = text.rstrip(",")
    suffix = None
    for title in titles or ():
        if _SUFFIX.match(strip_isbd(title)):
            suffix = strip_isbd(title)
            break
    if direct_order or "," not in text:
        if " " not in text:
            return Name(
                family=text, suffix=suffix, role=role, orcid=orcid, affiliations=affiliations
            )
        return Name(literal=text, role=role, orcid=orcid, affiliations=affiliations)
    family, _, rest = text.partition(",")
    if not family.strip():  # ", Given" (seen in damaged records): keep the text whole
        return Name(literal=text.strip(", "), role=role, orcid=orcid, affiliations=affiliations)
    if "," in rest:  # "Given, Jr." and the like
        parts = [p.strip() for p in rest.split(",") if p.strip()]
    else:
        parts = [rest.strip()] if rest.strip() else []
    given = parts[0] if parts else None
    for extra in parts[1:]:
        if _SUFFIX.match(extra):
            suffix = extra if extra.endswith(".") or extra.isupper() else f"{extra}."
    particle = None
    family = family.strip()
    if " " in family:
        words = family.split(" ")
        while len(words) > 1 and words[0][:1].islower():
            particle = f"{particle} {words.pop(0)}" if particle else words.pop(0)
        family = " ".join(words)
    return Name(
        family=family,
        given=given,
        particle=particle,
        suffix=suffix,
        role=role,
        orcid=orcid,
        affiliations=affiliations,
    )


#: a cataloguer's note in a heading: the Library of Congress's "[from old catalog]"
_HEADING_NOTE = re.compile(r"\s*\[?from old catalog\]?", re.IGNORECASE)


def without_notes(heading: str) -> str:
    """A heading without the notes cataloguers added to it ("[from old catalog]")."""
    return _HEADING_NOTE.sub("", heading).strip() if "old catalog" in heading else heading


def corporate_name(parts: list[str], role: str = "author") -> Name:
    """A body ("Universidad de Zaragoza. Dpto. ...") or collaboration, whole, as a literal."""
    cleaned = [strip_isbd(without_notes(p)) for p in parts]
    text = ". ".join(p for p in cleaned if p)
    return Name(literal=text, role=role)


_BEHALF = re.compile(r"^(?:on behalf of|for)\s+(?:the\s+)?|^the\s+", re.IGNORECASE)
_COLLABORATION_WORD = re.compile(r"\s*\bcollaborations?\b\.?$", re.IGNORECASE)
NAMES_COLLABORATION = re.compile(r"\bcollaborations?\b", re.IGNORECASE)


def collaboration_names(text: str) -> list[str]:
    """A collaboration as INSPIRE names it, bare: "on behalf of the CMS Collaboration"
    → ["CMS"], "ATLAS and CMS Collaborations" → ["ATLAS", "CMS"], "Particle Data
    Group" → ["Particle Data Group"]."""
    name = _BEHALF.sub("", strip_isbd(text)).strip()
    plural = bool(re.search(r"collaborations\.?$", name, re.IGNORECASE))
    name = _COLLABORATION_WORD.sub("", name).strip(" ,")
    if plural:
        return [part.strip() for part in re.split(r",\s*|\s+and\s+|\s*&\s*", name) if part.strip()]
    return [name] if name else []
