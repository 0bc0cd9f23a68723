"""MARC 21 → model: the seed record's values, checked against the record itself,
and the small converters (ISBD punctuation, names, dates, 773 $g, types)."""

from __future__ import annotations

import pytest

from marcconv.crosswalk import to_reference
from marcconv.crosswalk.dates import parse_date
from marcconv.crosswalk.host import parse_enumeration
from marcconv.crosswalk.names import personal_name, role_of
from marcconv.crosswalk.text import strip_isbd, title_case
from marcconv.errors import RecordError
from marcconv.model import Date, Name
from tests.helpers import records, reference


@pytest.fixture
def palmira(seed_lines: list[str]):  # type: ignore[no-untyped-def]
    (rec,) = records(seed_lines)
    return to_reference(rec)


def test_seed_article(palmira) -> None:  # type: ignore[no-untyped-def]
    ref = palmira
    assert ref.type == "article-journal"  # 655_4 info:eu-repo/semantics/article, 980 ARTICLE
    assert ref.source_record == "161903"  # 001
    assert ref.title is not None and ref.title.endswith("Advanced Breast Cancer: PALMIRA Trial")
    assert ref.container_title == "Journal of Clinical Oncology"  # 773 $t, from capitals
    assert ref.container_title_short == "J. clin. oncol."  # 773 $p, as catalogued
    assert (ref.volume, ref.issue, ref.page) == ("43", "18", "2084-2093")  # 773 $g
    assert ref.issued == Date("2025", year=2025)  # 260 $c
    assert ref.doi == "10.1200/JCO-24-01865"  # 0247_ $2doi
    assert ref.issn == ["0732-183X"]  # 773 $x
    assert ref.language == "en"  # 041 $a eng
    assert ref.license == "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.es"  # 540 $u
    assert ref.url == ["https://zaguan.unizar.es/record/161903/files/texto_completo.pdf"]
    assert ref.identifiers == {
        "oai": ["oai:zaguan.unizar.es:161903"],  # 909CO $o
        "report-number": ["ART-2025-144476"],  # 037 $a
        "sideral": ["144476"],  # 0248_ $2sideral
    }
    assert ref.abstract is not None and ref.abstract.startswith("Purpose. Cyclin-dependent")


def test_seed_authors(palmira) -> None:  # type: ignore[no-untyped-def]
    authors = palmira.names_in("author")
    assert len(authors) == 21  # 100 + 20 × 700; the 7102_ department is not an author
    assert authors[0] == Name(family="Llombart-Cussac", given="Antonio")
    assert authors[11] == Name(family="Barco Berrón", given="Sonia", particle="del")
    assert authors[12] == Name(
        family="Antón",
        given="Antonio",
        orcid="0000-0002-9159-4988",
        affiliations=("Universidad de Zaragoza",),
    )
    assert authors[-1] == Name(family="Cortés", given="Javier")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Second-line therapy /", "Second-line therapy"),
        ("Title :", "Title"),
        ("Springer,", "Springer"),
        ("Breast cancer.", "Breast cancer"),
        ("Boston, Mass.", "Boston, Mass."),
        ("Acme Inc.", "Acme Inc."),
        ("J. clin. oncol.", "J. clin. oncol."),
        ("Smith, J.", "Smith, J."),
        ("Wait...", "Wait..."),
    ],
)
def test_isbd_punctuation(text: str, expected: str) -> None:
    assert strip_isbd(text) == expected


def test_title_case_of_capitals() -> None:
    assert title_case("JOURNAL OF CLINICAL ONCOLOGY") == "Journal of Clinical Oncology"


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("del Barco Berrón, Sonia", Name(family="Barco Berrón", given="Sonia", particle="del")),
        ("van der Waals, J. D.", Name(family="Waals", given="J. D.", particle="van der")),
        ("Smith, John, Jr.", Name(family="Smith", given="John", suffix="Jr.")),
        ("Twain, Mark, 1835-1910.", Name(family="Twain", given="Mark")),
        # Open Library record 10164755, 100 $a: an LC transcription note, not a name
        ("Bridgham, Gladys Ruth. [from old catalog]", Name(family="Bridgham", given="Gladys Ruth")),
        ("ATLAS Collaboration", Name(literal="ATLAS Collaboration")),
    ],
)
def test_personal_names(heading: str, name: Name) -> None:
    assert personal_name(heading) == name


def test_direct_order_name() -> None:
    assert personal_name("Plato", direct_order=True) == Name(family="Plato")


def test_relators_decide_the_role() -> None:
    assert role_of(["illustrator."], [], "author") == "illustrator"
    assert role_of([], ["edt"], "author") == "editor"
    assert role_of(["ed."], [], "author") == "editor"
    assert role_of([], [], "author") == "author"


@pytest.mark.parametrize(
    ("text", "year", "month", "day"),
    [
        ("2025", 2025, None, None),
        ("[1984], ©1984", 1984, None, None),
        ("c1984", 1984, None, None),
        ("1984?", 1984, None, None),
        ("[ca. 1900]", 1900, None, None),
        ("2025-03-14", 2025, 3, 14),
        ("May 1984", 1984, 5, None),
        ("1990-1995", 1990, None, None),
    ],
)
def test_dates(text: str, year: int, month: int | None, day: int | None) -> None:
    date = parse_date(text)
    assert date is not None
    assert (date.year, date.month, date.day) == (year, month, day)


def test_date_that_cannot_be_read_is_kept() -> None:
    assert parse_date("s.a.") == Date("s.a")


@pytest.mark.parametrize(
    ("text", "volume", "issue", "pages", "year"),
    [
        ("43, 18 (2025), 2084-2093", "43", "18", "2084-2093", 2025),
        ("Vol. 27, no. 2 (May 1984), p. 97-111", "27", "2", "97-111", 1984),
        ("2012, vol. 5, p. 1-10", "5", None, "1-10", 2012),
    ],
)
def test_host_enumeration(text: str, volume: str, issue: str | None, pages: str, year: int) -> None:
    parsed = parse_enumeration(text)
    assert (parsed.volume, parsed.issue, parsed.pages) == (volume, issue, pages)
    assert parsed.date is not None and parsed.date.year == year


def test_type_precedence() -> None:
    # 655 eu-repo beats 980; 980 beats 502; 502 beats the leader
    assert (
        reference("1 655_4 $$ainfo:eu-repo/semantics/doctoralThesis\n1 980__ $$aARTICLE\n").type
        == "thesis"
    )
    assert reference("1 980__ $$aBOOK\n1 502__ $$aThesis\n").type == "book"
    assert reference("1 502__ $$bPhD$$cUdine U.$$d2010\n").type == "thesis"
    assert reference("1 111__ $$aConf\n1 773__ $$tProceedings\n").type == "paper-conference"
    assert reference("1 LDR__ 00000nam  2200000 a 4500\n1 245__ $$aT\n").type == "book"
    assert reference("1 773__ $$tJournal$$g12 (1999) 45\n").type == "article-journal"


def test_thesis_fields() -> None:
    ref = reference("1 502__ $$bPhD$$cUdine U.$$d2010\n1 100__ $$aMankuzhiyil, Nijil\n")
    assert (ref.genre, ref.publisher, ref.issued) == (
        "PhD thesis",
        "Udine U.",
        Date("2010", year=2010),
    )
    old = reference("1 502__ $$aThesis (Ph.D.)--University of Chicago, 1990.\n")
    assert (old.genre, old.publisher) == ("PhD thesis", "University of Chicago")


def test_collaboration_stays_whole() -> None:
    ref = reference("1 710__ $$gATLAS Collaboration\n1 245__ $$aT\n")
    assert ref.names == [] and ref.collaborations == ["ATLAS"]
    # with no person named, the collaboration is the author writers show
    assert ref.names_in("author") == [Name(literal="ATLAS Collaboration")]


@pytest.mark.parametrize(
    ("lines", "collaborations"),
    [
        # INSPIRE 1108541 style: every $g, each once, named bare as INSPIRE does
        ("1 710__ $$gATLAS$$gCMS\n1 710__ $$gCMS Collaboration\n", ["ATLAS", "CMS"]),
        # INSPIRE 1430091: 110 "CMS Collaboration" and 710 $g "CMS" are one
        ("1 110__ $$aCMS Collaboration\n1 710__ $$gCMS\n", ["CMS"]),
        ("1 710__ $$aon behalf of the CMS Collaboration\n", ["CMS"]),
        ("1 710__ $$gThe ATLAS and CMS Collaborations\n", ["ATLAS", "CMS"]),
        # a group keeps its name (INSPIRE adds no "Collaboration" to it)
        ("1 710__ $$gParticle Data Group\n", ["Particle Data Group"]),
    ],
)
def test_collaborations_as_inspire_names_them(lines: str, collaborations: list[str]) -> None:
    ref = reference(lines + "1 245__ $$aT\n1 100__ $$aAad, Georges\n")
    assert ref.collaborations == collaborations
    assert [n.family for n in ref.names] == ["Aad"]  # never a name beside the persons


def test_a_group_is_not_called_a_collaboration() -> None:
    ref = reference("1 710__ $$gParticle Data Group\n1 245__ $$aT\n")
    assert ref.names_in("author") == [Name(literal="Particle Data Group")]


def test_264_only_with_second_indicator_1() -> None:
    ref = reference("1 264_4 $$c©2019\n1 264_1 $$aMadrid :$$bCátedra,$$c2020.\n")
    assert (ref.publisher_place, ref.publisher) == ("Madrid", "Cátedra")
    assert ref.issued is not None and ref.issued.year == 2020


def test_record_without_fields_is_an_error() -> None:
    import pymarc

    from marcconv.marc.record import SourceRecord

    with pytest.raises(RecordError):
        to_reference(SourceRecord(pymarc.Record(), "7", "x", 1))


def test_inspire_journal_section_letter_moves_to_the_title() -> None:
    # INSPIRE record 1472986: 773 $pPhys.Rev.$vD94 is Physical Review D, volume 94
    ref = reference("1 773__ $$c054021$$n5$$pPhys.Rev.$$vD94$$y2016\n")
    assert (ref.container_title_short, ref.volume, ref.issue) == ("Phys. Rev. D", "94", "5")
    # and the older 773 $pPhys.Lett. $v40B is Physics Letters B, volume 40 (INSPIRE 4328)
    older = reference("1 773__ $$c115$$pPhys.Lett.$$v40B$$y1972\n")
    assert (older.container_title, older.volume) == ("Phys. Lett. B", "40")
    # a volume that is only a number, or a title given in $t, is left as it is
    assert reference("1 773__ $$pPhys.Rev.$$v94\n").volume == "94"
    assert reference("1 773__ $$tJournal$$pJ.$$vD94\n").volume == "D94"


@pytest.mark.parametrize(
    ("lines", "kind"),
    [
        # RDA content type, the first 336 only (a later "still image" is illustrations)
        ("1 336__ $$atext$$btxt\n1 336__ $$astill image$$bsti\n1 020__ $$a1\n", "book"),
        ("1 336__ $$acartographic image$$bcri$$2rdacontent\n", "map"),
        ("1 336__ $$aDataset\n", "dataset"),
        # AACR2 general material designation
        ("1 245__ $$aSongs$$h[sound recording] /$$cX.\n", "song"),
        ("1 245__ $$aView$$h[graphic].\n", "graphic"),
        # fields alone
        ("1 245__ $$aBulletin\n1 310__ $$aMonthly\n1 260__ $$bPub\n", "periodical"),
        ("1 022__ $$a0732-183X\n1 245__ $$aJournal\n", "periodical"),
        ("1 245__ $$aA book\n1 260__ $$aBoston :$$bNortheastern University Press,$$cc2002.\n",
         "book"),
        ("1 245__ $$aA book\n1 020__ $$a1555535291\n", "book"),
        ("1 245__ $$aSomething\n", "document"),
    ],
)  # fmt: skip
def test_type_of_a_record_without_leader(lines: str, kind: str) -> None:
    assert reference(lines).type == kind


def test_leader_outweighs_fields() -> None:
    # leader 06 m (computer file) says software even with a publisher and an extent
    lines = "1 LDR__ 00000cmm  2200000 a 4500\n1 260__ $$bPub\n1 300__ $$a1 disc\n"
    assert reference(lines).type == "software"


def test_digits_are_ascii_digits() -> None:
    # str.isdigit() accepts "²"; int() does not (found by the round-trip property test)
    from marcconv.crosswalk.dates import year_from_008

    assert year_from_008("121103s²002    mau") is None
    assert year_from_008("121103s2002    mau") == Date("2002", year=2002)


def test_alternate_script_title_and_host_isbn() -> None:
    ref = reference(
        "1 24500 $$6880-01$$aNihon no chasho /$$cHayashiya.\n"
        "1 88000 $$6245-01/$1$$a日本 の 茶書 /$$c林屋.\n"
        "1 773__ $$z9783954501823$$c2520-2525$$y2017\n"
    )
    # the same title in its original script is a parallel title (ISBD " = "), not CSL
    # original-title, the title of the work a translation was made from
    assert (ref.title, ref.original_title) == ("Nihon no chasho = 日本 の 茶書", None)
    assert ref.isbn == ["978-3-95450-182-3"]  # 773 $z, the host's ISBN


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14 06 2000", Date("14 06 2000", year=2000, month=6, day=14)),
     ("Oct 1981", Date("Oct 1981", year=1981, month=10))],
)  # fmt: skip
def test_more_date_shapes(text: str, expected: Date) -> None:
    assert parse_date(text) == expected


def test_language_names_relator_phrases_and_subject_order() -> None:
    ref = reference(
        "1 041__ $$aPortuguese\n1 100__ $$aCMS team$$eProduced by\n"
        "1 650_0 $$aCapital punishment$$zUnited States$$xStates.\n"
    )
    assert ref.language == "pt"
    assert [(n.literal, n.role) for n in ref.names] == [("CMS team", "producer")]
    assert ref.keyword == ["Capital punishment -- United States -- States"]  # record order


def test_a_bare_link_in_773_does_not_make_an_article() -> None:
    # CDS video 2272973: 773 $o $r $u links the project record
    assert reference("1 773__ $$oAVW.project.2963$$rCERN-MOVIE-2017-023\n").type == "document"


def test_call_number_and_source() -> None:
    ref = reference(
        "1 05000 $$aHV8699.U5$$bG35 2002\n1 08210 $$a975.3$$213\n"
        "1 909CO $$ooai:zaguan.unizar.es:161903$$particulos\n"
    )
    assert ref.call_number == "HV8699.U5 G35 2002"  # 050 before 082
    assert ref.source == "zaguan.unizar.es"  # the repository of the OAI identifier
    assert reference("1 08200 $$a975.3$$213\n").call_number == "975.3"


def test_thesis_supervisor_is_a_contributor() -> None:
    # INSPIRE record 1021955: 701 $a names the supervisors of the thesis
    ref = reference(
        "1 100__ $$aMankuzhiyil, Nijil\n1 502__ $$bPhD$$cUdine U.$$d2010\n"
        "1 701__ $$aCalabrese, Roberto$$iINSPIRE-00070550\n"
    )
    assert [(n.family, n.role) for n in ref.names] == [
        ("Mankuzhiyil", "author"),
        ("Calabrese", "contributor"),
    ]


def test_variant_titles_and_the_form_as_title() -> None:
    # Boston Public Library, Tupper scrapbooks (Open Library): 245 has only $k and $f
    ref = reference(
        "1 008__ 080411m18911894nyuacf        000 0 eng d\n"
        "1 24510 $$kScrapbooks of mounted views, portraits, etc., relating to Europe"
        " and Egypt,$$f1891-1894.\n"
        "1 2461_ $$iAlso known as:$$aTupper scrapbooks\n"
    )
    assert ref.title == "Scrapbooks of mounted views, portraits, etc., relating to Europe and Egypt"
    assert ref.variant_titles == ["Tupper scrapbooks"]  # 246 $a ($i is display text)
    assert ref.issued == Date("1891-1894", year=1891, end_year=1894)  # 008/06 m: 07-10 to 11-14


def test_a_246_is_the_title_only_when_245_gives_none() -> None:
    ref = reference("1 24610 $$aAnnual report$$bof the Board\n1 24613 $$aRapport annuel\n")
    assert (ref.title, ref.variant_titles) == ("Annual report: of the Board", ["Rapport annuel"])
    same = reference("1 24500 $$aCP violation.\n1 246__ $$9arXiv$$aCP Violation\n")
    assert (same.title, same.variant_titles) == ("CP violation", [])  # differs only in case


@pytest.mark.parametrize(
    ("field_008", "expected"),
    [("750101d19501990xx", Date("1950-1990", year=1950, end_year=1990)),  # ceased serial
     ("750101c19509999xx", Date("1950", year=1950)),  # still published: no end
     ("750101s19501990xx", Date("1950", year=1950)),  # single date: Date 2 means nothing
     ("750101q19501990xx", Date("1950", year=1950))],  # questionable: not a range
)  # fmt: skip
def test_008_date_ranges(field_008: str, expected: Date) -> None:
    from marcconv.crosswalk.dates import year_from_008

    assert year_from_008(field_008) == expected


def test_uniform_title_when_245_gives_none_and_parts_in_field_order() -> None:
    # Talis score (Open Library test data): an empty 245, a 240 and a 440
    ref = reference(
        "1 1001_ $$aCole, Hugo.\n1 24010 $$a2 diversions.$$pDance\n1 24501 $$.\n"
        "1 440_0 $$aSchott's woodwind series ;$$vOboe and pianoforte, no.2\n"
    )
    assert ref.title == "2 diversions. Dance"
    assert (ref.collection_title, ref.collection_number) == (
        "Schott's woodwind series",
        "Oboe and pianoforte, no.2",
    )
    parts = reference("1 245__ $$aAnalyse informatique$$nt.1$$pLes preliminaires$$nt.2\n")
    assert parts.title == "Analyse informatique. t.1, Les preliminaires. t.2"  # AACR2 1.1B9
    both = reference("1 1304_ $$aHistory,$$nby M.\n1 24014 $$aThe history of Little Jack.\n")
    assert both.title == "The history of Little Jack"  # a 240 before a 130


def test_fuller_form_and_life_dates_stay_out_of_the_name() -> None:
    # MARC 21 100 $q (fuller form of name) and $d (dates) qualify the heading in $a
    ref = reference(
        "1 1001_ $$aTolkien, J. R. R.$$q(John Ronald Reuel),$$d1892-1973.\n"
        "1 7001_ $$aKing, Martin Luther,$$cJr.,$$d1929-1968.\n"
    )
    assert ref.names == [
        Name(family="Tolkien", given="J. R. R."),
        Name(family="King", given="Martin Luther", suffix="Jr."),
    ]


def test_language_tables_equal_pycountrys_own() -> None:
    """The ISO 639 tables are read from pycountry's JSON file directly (lighter than
    its object database); they hold what pycountry's languages hold."""
    import pycountry

    from marcconv.crosswalk import language

    table, names = {}, {}
    for lang in pycountry.languages:
        tag = getattr(lang, "alpha_2", None) or lang.alpha_3
        table[lang.alpha_3] = tag
        if getattr(lang, "bibliographic", None):
            table[lang.bibliographic] = tag
        names[lang.name.lower()] = tag
    assert language._table() == table
    assert language._names() == names
    assert language._two_letter() == {
        lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")
    }
    assert [language.to_bcp47(c) for c in ("eng", "fre", "ger", "pl", "Portuguese")] == [
        "en",
        "fr",
        "de",
        "pl",
        "pt",
    ]
