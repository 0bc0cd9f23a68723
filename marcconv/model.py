"""The one internal bibliographic model every reader feeds and every writer reads.

Attribute names follow the CSL 1.0.2 variables in snake_case (``container_title``
is CSL ``container-title``), so that :mod:`marcconv.writers.csljson` is a plain
rename and every other writer can be read side by side with the CSL
specification.  Nothing here knows about MARC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# CSL name variables, in the order writers list them.
NAME_ROLES: tuple[str, ...] = (
    "author",
    "editor",
    "translator",
    "illustrator",
    "composer",
    "director",
    "interviewer",
    "recipient",
    "collection-editor",
    "container-author",
    "organizer",
    "performer",
    "producer",
    "contributor",
)


@dataclass(frozen=True, slots=True)
class Name:
    """A person or a body responsible for the work.

    A person has ``family`` (and usually ``given``); a corporate body, meeting or
    collaboration has only ``literal``, which is never split.
    """

    family: str | None = None
    given: str | None = None
    particle: str | None = None  # CSL non-dropping-particle: "del", "van der"
    suffix: str | None = None  # "Jr.", "III"
    literal: str | None = None  # corporate names and collaborations
    orcid: str | None = None  # bare 0000-0002-9159-4988
    affiliations: tuple[str, ...] = ()
    role: str = "author"  # a CSL name variable, see NAME_ROLES

    def family_with_particle(self) -> str:
        """The part before the comma in "del Barco Berrón, Sonia"."""
        return " ".join(p for p in (self.particle, self.family) if p)


@dataclass(frozen=True, slots=True)
class Date:
    """A date as far as it is known; ``raw`` keeps the catalogue's text.

    When no year can be read, ``year`` is None and writers fall back to ``raw``
    (CSL ``literal``), so an odd date is never dropped.
    """

    raw: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    end_year: int | None = None  # ranges such as "1990-1995"
    approximate: bool = False  # "ca. 1900", "1984?"

    def parts(self) -> list[int]:
        """CSL date-parts of the start: [year], [year, month] or [year, month, day]."""
        out: list[int] = []
        for part in (self.year, self.month, self.day):
            if part is None:
                break
            out.append(part)
        return out


@dataclass(slots=True)
class Reference:
    """One bibliographic work, in CSL terms."""

    id: str
    type: str = "document"  # a CSL item type
    title: str | None = None
    title_short: str | None = None
    original_title: str | None = None
    # 246 varying forms (parallel, cover, running, spine title...) and 740 related
    # titles: no CSL variable
    variant_titles: list[str] = field(default_factory=list)
    uniform_title: str | None = None  # 240/130: the work's uniform title ("Iliad")
    container_title: str | None = None
    container_title_short: str | None = None
    collection_title: str | None = None
    collection_number: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None  # "2084-2093"
    number_of_pages: str | None = None
    edition: str | None = None
    number: str | None = None  # report number
    publisher: str | None = None
    publisher_place: str | None = None
    genre: str | None = None  # thesis degree, report kind
    event_title: str | None = None
    medium: str | None = None
    issued: Date | None = None
    names: list[Name] = field(default_factory=list)
    # collaborations the authors wrote as ("ATLAS", "CMS"; the display form is
    # collaboration_label's): no CSL variable; a name only where no person is
    collaborations: list[str] = field(default_factory=list)
    doi: str | None = None
    isbn: list[str] = field(default_factory=list)
    issn: list[str] = field(default_factory=list)
    url: list[str] = field(default_factory=list)
    abstract: str | None = None
    language: str | None = None  # BCP 47: "en"
    license: str | None = None
    call_number: str | None = None  # "HV8699.U5 G35 2002" (050, 090, 082)
    source: str | None = None  # the repository or catalogue: "zaguan.unizar.es"
    note: list[str] = field(default_factory=list)
    # notes about the item that citations do not print (arXiv comments: "17 pages,
    # 3 figures"): CSL annote
    annote: list[str] = field(default_factory=list)
    keyword: list[str] = field(default_factory=list)
    # identifiers with no CSL variable of their own: handle, urn, arxiv, oai, texkey,
    # report-number (every report number; the first is also ``number`` of a report)...
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    arxiv_class: str | None = None  # the arXiv primary category: "hep-ex"
    source_record: str | None = None  # the MARC 001 / line-MARC record id

    def names_in(self, role: str) -> list[Name]:
        """The names a writer shows in ``role``: for authors, when no author is named,
        the collaborations ("CMS Collaboration")."""
        names = [n for n in self.names if n.role == role]
        if names or role != "author" or not self.collaborations:
            return names
        return [Name(literal=collaboration_label(c)) for c in self.collaborations]

    def add_identifier(self, scheme: str, value: str) -> None:
        values = self.identifiers.setdefault(scheme, [])
        if value not in values:
            values.append(value)


#: collaborations named without the word: "Particle Data Group", "LEP Working Group"
_GROUP_WORDS = ("group", "groups", "force", "consortium", "team", "collaboration")


def collaboration_label(name: str) -> str:
    """ "ATLAS" → "ATLAS Collaboration"; a group, team or consortium keeps its name."""
    last = name.rsplit(" ", 1)[-1].lower()
    return name if last in _GROUP_WORDS else f"{name} Collaboration"
