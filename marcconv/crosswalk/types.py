"""Which kind of work a record describes, as a CSL item type.

Evidence is weighed in this order; the first that decides wins:

1. ``655`` with an OpenAIRE ``info:eu-repo/semantics/*`` term (a controlled
   vocabulary, set on purpose by the repository);
2. ``980 $a``, the Invenio collection (ARTICLE, THESIS, BOOK, ...);
3. ``502``, a dissertation note → thesis;
4. a meeting (``111``/``711``): a paper in proceedings when there is a host
   item (``773``), otherwise the proceedings volume itself (book);
5. leader 06 (type of record) and 07 (bibliographic level); a component part
   (07 ``a``) is a chapter when its host has an ISBN, an article otherwise;
6. a host item (``773`` naming a title, enumeration, ISSN or ISBN, not a bare
   link) alone → journal article;
7. a record with no leader (Invenio text MARC rarely prints one): the RDA
   content type (``336``), then the general material designation
   (``245 $h``, "[sound recording]"), then its fields (see
   :func:`fields_type`: a frequency or an ISSN alone makes a periodical, an
   ISBN, a publisher or an extent a book);
8. otherwise ``book`` for a monograph (leader 07 ``m``), else ``document``.
"""

from __future__ import annotations

import re

import pymarc

from marcconv.marc.record import FieldIndex

#: what the type rules read of a record: a pymarc.Record, or its FieldIndex
Fields = pymarc.Record | FieldIndex

EU_REPO_PREFIX = "info:eu-repo/semantics/"

# 655 info:eu-repo/semantics/<term> (OpenAIRE Guidelines, publication type vocabulary)
EU_REPO_TYPES: dict[str, str] = {
    "article": "article-journal", "contributiontoperiodical": "article-magazine",
    "review": "review", "bookreview": "review-book", "book": "book", "bookpart": "chapter",
    "conferenceobject": "paper-conference", "conferencepaper": "paper-conference",
    "conferenceproceedings": "book", "conferenceposter": "speech", "lecture": "speech",
    "doctoralthesis": "thesis", "masterthesis": "thesis", "bachelorthesis": "thesis",
    "studentthesis": "thesis", "report": "report", "researchreport": "report",
    "technicalreport": "report", "workingpaper": "article", "preprint": "article",
    "patent": "patent", "dataset": "dataset", "software": "software", "annotation": "document",
    "other": "document",
}  # fmt: skip

# 980 $a, the Invenio collection (Zaguan, CDS, INSPIRE); values that name no kind are absent.
# INSPIRE gives a record several ("arXiv", "Published", "ConferencePaper"): the most
# specific kind wins, in the order of COLLECTION_PRIORITY.
COLLECTION_TYPES: dict[str, str] = {
    "ARXIV": "article", "PUBLISHED": "article-journal",
    "NOTE": "report", "ALEPHPAPER": "article-journal", "ISOLDEPAPER": "article-journal",
    "ALEPHTHESIS": "thesis", "ALEPHNOTE": "report", "ISOLDENOTE": "report",
    "ATLANTISTIMESNEWS": "article-newspaper", "ATLANTISTIMESSCIENCE": "article-newspaper",
    "ARTICLE": "article-journal", "ARTICLES": "article-journal", "BOOK": "book",
    "BOOKS": "book", "BOOKCHAPTER": "chapter", "CHAPTER": "chapter", "THESIS": "thesis",
    "THESES": "thesis", "TFG": "thesis", "TFM": "thesis", "TESIS": "thesis",
    "CONFERENCEPAPER": "paper-conference", "INPROCEEDINGS": "paper-conference",
    "PROCEEDINGS": "book", "REPORT": "report", "REPORTS": "report",
    "PREPRINT": "article", "PREPRINTS": "article", "WORKINGPAPER": "article",
    "DATASET": "dataset", "DATA": "dataset", "SOFTWARE": "software",
    "PICTURE": "graphic", "PHOTO": "graphic", "POSTER": "graphic", "VIDEO": "motion_picture",
    "PUBLVIDEOMOVIE": "motion_picture", "VIDEOCLIP": "motion_picture",
    "PATENT": "patent", "LECTURES": "speech", "MAP": "map",
}  # fmt: skip

# leader 06, type of record (MARC 21 Bibliographic, Leader)
RECORD_TYPES: dict[str, str] = {
    "c": "musical_score", "d": "musical_score", "e": "map", "f": "map",
    "g": "motion_picture", "i": "song", "j": "song", "k": "graphic", "m": "software",
    "r": "document", "p": "document", "o": "document", "t": "manuscript",
}  # fmt: skip

# leader 07, bibliographic level, for language material (06 a)
LEVEL_TYPES: dict[str, str] = {
    "b": "article-journal", "m": "book", "s": "periodical", "i": "webpage",
    "c": "book", "d": "book",
}  # fmt: skip


# 336 $b, RDA content type code (RDA Content Type Term and Code List); text says nothing
CONTENT_TYPES: dict[str, str] = {
    "cri": "map", "crd": "map", "crf": "map", "crm": "map", "crn": "map", "crt": "map",
    "ntm": "musical_score", "ntv": "musical_score", "prm": "song", "snd": "song",
    "spw": "song", "tdi": "motion_picture", "tdm": "motion_picture", "sti": "graphic",
    "tci": "graphic", "cop": "software", "cod": "dataset",
}  # fmt: skip
# 336 $a, the same content types by term
CONTENT_TERMS: dict[str, str] = {
    "cartographic image": "map", "notated music": "musical_score", "performed music": "song",
    "sounds": "song", "spoken word": "song", "two-dimensional moving image": "motion_picture",
    "still image": "graphic", "computer program": "software", "computer dataset": "dataset",
    "dataset": "dataset",
}  # fmt: skip
# 245 $h, general material designation (AACR2 1.1C), without brackets and punctuation
GMD_TYPES: dict[str, str] = {
    "sound recording": "song", "videorecording": "motion_picture",
    "motion picture": "motion_picture", "map": "map", "cartographic material": "map",
    "globe": "map", "music": "musical_score", "graphic": "graphic", "picture": "graphic",
    "art original": "graphic", "art reproduction": "graphic", "manuscript": "manuscript",
}  # fmt: skip


def _subfields(record: Fields, tag: str, code: str) -> list[str]:
    return [v for f in record.get_fields(tag) for v in f.get_subfields(code)]


def eu_repo_type(record: Fields) -> str | None:
    for value in _subfields(record, "655", "a"):
        if value.startswith(EU_REPO_PREFIX):
            kind = EU_REPO_TYPES.get(value[len(EU_REPO_PREFIX) :].strip().lower())
            if kind:
                return kind
    return None


#: the kinds a record's collections may give, most specific first
COLLECTION_PRIORITY: tuple[str, ...] = (
    "thesis", "chapter", "paper-conference", "book", "report", "dataset", "software",
    "patent", "map", "motion_picture", "graphic", "speech", "article-newspaper",
    "article-journal", "article",
)  # fmt: skip


def collection_type(record: Fields) -> str | None:
    kinds = {_collection_kind(value) for value in _subfields(record, "980", "a")}
    return next((kind for kind in COLLECTION_PRIORITY if kind in kinds), None)


def _collection_kind(value: str) -> str | None:
    """The kind a collection names: "PUBLISHED"; a collection of notes
    ("HERMES-INTERNAL-NOTE", an experiment's internal notes) holds reports."""
    name = value.strip().upper().replace(" ", "")
    kind = COLLECTION_TYPES.get(name)
    if kind is None and re.search(r"(?:^|[-_])NOTES?$", name):
        kind = "report"
    return kind


# 980 $a of Invenio collections that hold no bibliographic items: INSPIRE's authority
# collections (people, institutions, journals, experiments, conferences, jobs) and the
# Invenio demo's (BibAuthority)
AUTHORITY_COLLECTIONS: dict[str, str] = {
    "HEPNAMES": "an INSPIRE person (HEPNames)", "INSTITUTION": "an INSPIRE institution",
    "JOURNALS": "an INSPIRE journal", "EXPERIMENT": "an INSPIRE experiment",
    "CONFERENCES": "an INSPIRE conference", "JOB": "a job announcement",
    "JOBHIDDEN": "a job announcement", "AUTHORITY": "an authority record",
    "INSTITUTE": "an authority record (institute)", "AUTHOR": "an authority record (author)",
    "SUBJECT": "an authority record (subject)",
}  # fmt: skip
# leader 06 of the MARC 21 formats that are not bibliographic
OTHER_FORMATS: dict[str, str] = {
    "z": "a MARC 21 authority record", "u": "a MARC 21 holdings record",
    "v": "a MARC 21 holdings record", "x": "a MARC 21 holdings record",
    "y": "a MARC 21 holdings record", "q": "a MARC 21 community information record",
    "w": "a MARC 21 classification record",
}  # fmt: skip


def not_bibliographic(record: Fields) -> str | None:
    """What a record is when it describes no bibliographic item: an authority,
    holdings or classification record (leader 06), an Invenio authority or deleted
    record (980), or a UNIMARC record (its 100 $a is coded data, its title in 200)."""
    # a leader that says so, unless the record has a title (245), which neither an
    # authority nor a holdings record has: a miscoded leader (Open Library's "nx")
    if _has_leader(record) and str(record.leader)[6] in OTHER_FORMATS and not record.get("245"):
        return OTHER_FORMATS[str(record.leader)[6]]
    for value in _subfields(record, "980", "a"):
        found = AUTHORITY_COLLECTIONS.get(value.strip().upper())
        if found:
            return found
    if any(value.strip().upper() == "DELETED" for value in _subfields(record, "980", "c")):
        return "a deleted record (980 $c DELETED)"
    coded = _subfields(record, "100", "a")
    if record.get("200") and not record.get("245") and coded and _UNIMARC_100.match(coded[0]):
        return "a UNIMARC record (marcconv reads MARC 21)"
    return None


_UNIMARC_100 = re.compile(r"\d{8}[a-z]")


def _names_a_host(record: Fields) -> bool:
    """A 773 that names a host to be part of ($t title, $p abbreviated title, $g
    its enumeration, $x ISSN, $z ISBN), not only a link ($o, $r, $u, $w)."""
    return any(f.get_subfields("t", "p", "g", "x", "z") for f in record.get_fields("773"))


def _host_is_monograph(record: Fields) -> bool:
    return bool(_subfields(record, "773", "z")) and not _subfields(record, "773", "x")


def _has_leader(record: Fields) -> bool:
    leader = str(record.leader)
    return len(leader) >= 8 and leader[6] != " "


def leader_type(record: Fields) -> str | None:
    if not _has_leader(record):
        return None
    leader = str(record.leader)
    record_type, level = leader[6], leader[7]
    if record_type in RECORD_TYPES:
        return RECORD_TYPES[record_type]
    if record_type in "at":
        if level == "a":
            return "chapter" if _host_is_monograph(record) else "article-journal"
        return LEVEL_TYPES.get(level)
    return None


def content_type(record: Fields) -> str | None:
    """The first 336 (RDA content type: the predominant content; a later "still
    image" is a book's illustrations), by code, else by term."""
    first = record.get("336")
    if first is None:
        return None
    for code in first.get_subfields("b"):
        return CONTENT_TYPES.get(code.strip().lower())
    for term in first.get_subfields("a"):
        return CONTENT_TERMS.get(term.strip(" .").lower())
    return None


def material_type(record: Fields) -> str | None:
    """245 $h, the general material designation of AACR2 records."""
    for gmd in _subfields(record, "245", "h"):
        kind = GMD_TYPES.get(gmd.strip(" []:;/.,=").lower())
        if kind:
            return kind
    return None


def fields_type(record: Fields) -> str | None:
    """What a record's fields say when it has no leader: a frequency or a
    sequence of issues (310, 321, 362) or an ISSN alone is a periodical, computer
    file characteristics (256) software, an ISBN, publisher or extent a book."""
    if record.get_fields("310", "321", "362"):
        return "periodical"
    if record.get_fields("022") and not record.get_fields("020", "773"):
        return "periodical"
    if record.get_fields("256"):
        return "software"
    has_publisher = any(f.get_subfields("b") for f in record.get_fields("260", "264"))
    if record.get_fields("020", "300") or has_publisher:
        return "book"
    return None


def detect_type(record: Fields) -> str:
    """The CSL item type of ``record`` (see the module docstring for the order)."""
    for rule in (eu_repo_type, collection_type):
        kind = rule(record)
        if kind:
            return kind
    if record.get_fields("502"):
        return "thesis"
    if record.get_fields("111", "711"):
        return "paper-conference" if record.get_fields("773") else "book"
    kind = leader_type(record)
    if kind:
        return kind
    if _names_a_host(record):
        return "chapter" if _host_is_monograph(record) else "article-journal"
    if not _has_leader(record):
        for rule in (content_type, material_type, fields_type):
            kind = rule(record)
            if kind:
                return kind
    return "book" if str(record.leader)[7:8] == "m" else "document"
