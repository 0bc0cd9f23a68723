"""The crosswalk keeps every fact a record states: one test per class of loss that
other projects' expectations for their MARC test records showed (docs/fidelity.md),
each on the record shape it was seen in, with the MARC 21 definition (or the
Invenio/INSPIRE practice) the rule relies on."""

from __future__ import annotations

import pytest

from marcconv.crosswalk.host import page_count
from marcconv.crosswalk.rules import normalized_lccn
from marcconv.crosswalk.text import join_statements, unpaired_brackets
from marcconv.model import Name
from marcconv.writers.csljson import to_csl
from tests.helpers import records, reference


# ------------------------------------------------------------ 1. page counts
@pytest.mark.parametrize(
    ("extent", "pages"),
    [("320, 11 p.", "320"),  # two sequences: the main one, the largest
     ("247, 16 pages", "247"),
     ("10", "10"),  # INSPIRE's bare 300 $a: pages
     ("xii, 320 p., [11] leaves of plates", "320"),  # plates are not pages
     ("[24], 432 p.", "432"),
     ("2 v.", None),  # volumes
     ("70 v. in 128", None),
     ("2 sound cassettes (3 hr. 16 min.)", None),  # minutes
     ("D8.390. n.e.", None)],  # no unit
)  # fmt: skip
def test_a_page_count_is_the_main_sequence_of_pages(extent: str, pages: str | None) -> None:
    # MARC 21 300 $a: extent, "the number of physical units ... pages"
    assert page_count(extent) == pages


def test_every_300_a_is_read() -> None:
    ref = reference("1 300__ $$a1 score (12 p.) ;$$c31 cm. +$$a1 part (4 p.)\n")
    assert ref.number_of_pages == "12"


# ------------------------------------------- 2. repeated subfields are kept
def test_every_a_of_a_person_is_a_name() -> None:
    # INSPIRE holds two people in one 700 ("$aGumplinger, P.$aHadley, D.R.")
    ref = reference("1 100__ $$aAuthor, A.\n1 700__ $$aGumplinger, P.$$aHadley, D.R.\n")
    assert [n.family for n in ref.names] == ["Author", "Gumplinger", "Hadley"]


def test_every_supervisor_and_collaboration() -> None:
    ref = reference("1 701__ $$aBarbieri, R.$$aStrumia, A.\n1 710__ $$gATLAS$$gCMS\n")
    assert [(n.family, n.role) for n in ref.names] == [
        ("Barbieri", "contributor"),
        ("Strumia", "contributor"),
    ]
    assert ref.collaborations == ["ATLAS", "CMS"]


def test_every_note_and_the_later_summaries() -> None:
    # MARC 21 500 $a and 520 $a; a 520 with $9 (INSPIRE: the same abstract from
    # another source) is not another summary
    ref = reference(
        "1 500__ $$aFirst note.$$aSecond note.\n"
        "1 520__ $$a$$aAt the beginning of eighth grade, Max...\n"
        "1 520__ $$aConsiders H.R. 1621.\n"
        "1 520__ $$9Elsevier$$aThe same abstract, from the publisher.\n"
    )
    assert ref.note == ["First note.", "Second note."]
    assert ref.abstract == "At the beginning of eighth grade, Max..."  # the empty $a skipped
    assert ref.annote == ["Considers H.R. 1621."]


def test_repeated_titles_and_series_are_joined() -> None:
    # 245 $a repeated: works without a collective title (a recording's two
    # sides); 490 $a repeated: a parallel series title after "="
    assert join_statements(["Cry baby", "Warm and soulful"]) == "Cry baby; Warm and soulful"
    ref = reference(
        "1 24500 $$aCry baby$$aWarm and soulful$$eGarnet Mimms ... [et al.]\n"
        "1 4901_ $$aHai tun hui ben hua yuan =$$aDolphinmedia picture book garden ;$$v585\n"
    )
    assert ref.title == "Cry baby; Warm and soulful"
    assert ref.collection_title == "Hai tun hui ben hua yuan = Dolphinmedia picture book garden"
    assert ref.collection_number == "585"


def test_a_subfield_read_once_is_reported_when_repeated() -> None:
    (record,) = records("1 245__ $$aTitle$$bOne$$bTwo\n")
    from marcconv.crosswalk import to_reference

    ref = to_reference(record)
    assert ref.title == "Title: One"
    assert any("field 245: $b appears 2 times" in d.message for d in record.diagnostics)


def test_the_other_notes_about_the_work_are_annotations() -> None:
    # MARC 21 504 bibliography, 505 contents, 546 language, 533 reproduction; a
    # copy's notes (506 access, 561 provenance) and local 59X notes are not the work's
    ref = reference(
        "1 504__ $$aIncludes bibliographical references.\n"
        "1 5050_ $$aThe Ray -- My melancholy baby.\n"
        "1 546__ $$aArabic and French.\n"
        "1 533__ $$aMicrofiche.$$b[Bethesda, Md.] :$$cCongressional Information Service$$d1983.\n"
        "1 506__ $$aAccess copy available to the general public$$fUnrestricted\n"
        "1 561__ $$aDonated by the daughter of the collector.\n"
        "1 595__ $$aCERN EDS\n"
    )
    assert ref.annote == [
        "Includes bibliographical references.",
        "The Ray -- My melancholy baby.",
        "Arabic and French.",
        "Microfiche. [Bethesda, Md.] : Congressional Information Service 1983.",
    ]
    assert ref.note == []


# ------------------------------------- 3. brackets that span subfields
@pytest.mark.parametrize(
    ("text", "expected"),
    [("[San Francisco?,", "San Francisco?,"),
     ("1883]", "1883"),
     ("[Villars, Pierre,", "Villars, Pierre,"),
     ("Includes references (p. [181", "Includes references (p. 181"),
     ("[1949?]-c2000", "[1949?]-c2000"),  # a pair stays
     ("Functions on [0,1)", "Functions on [0,1)")],  # an interval stays
)  # fmt: skip
def test_half_a_bracket_pair_is_left_out(text: str, expected: str) -> None:
    # brackets enclose what the cataloguer supplied (AACR2 1.0C, ISBD); the pair
    # may span subfields: "260 $a[San Francisco?,$c1883]"
    assert unpaired_brackets(text) == expected


def test_brackets_across_subfields_leave_clean_values() -> None:
    ref = reference(
        "1 1001_ $$a[Villars, Pierre,$$cmarquis de,$$d1623-1698]\n"
        "1 260__ $$a[San Francisco?,$$c1883]\n"
    )
    assert ref.names[0].family == "Villars"
    assert ref.publisher_place == "San Francisco?"
    assert ref.issued is not None and ref.issued.year == 1883


# --------------------------------------- 4. cataloguers' notes in headings
def test_old_catalog_notes_leave_the_heading() -> None:
    # "[from old catalog]": a Library of Congress note on a heading, not the name
    ref = reference(
        "1 1101_ $$aIowa.$$bAgricultural and Home Economics Experiment Station, Ames."
        " [from old catalog]\n"
    )
    assert ref.names[0].literal == "Iowa. Agricultural and Home Economics Experiment Station, Ames"


# --------------------------------------------- 5. name/title added entries
def test_a_name_title_entry_is_a_related_work_not_a_creator() -> None:
    # MARC 21 700 $t: a name/title added entry, a related work; second indicator 2
    # (analytical entry): the item contains that work, so its author is the item's
    ref = reference(
        "1 1001_ $$aCongreve, William,$$d1670-1729.\n"
        "1 70012 $$aCongreve, William,$$d1670-1729.$$tOld batchelour.\n"
        "1 70012 $$aCongreve, William,$$d1670-1729.$$tDouble dealer.\n"
        "1 7102_ $$aCatholic Church.$$bPope (1846-1878 : Pius IX).$$tSyllabus errorum.\n"
    )
    assert ref.names == [Name(family="Congreve", given="William")]  # once, not three times
    assert ref.annote == [
        "Related work: Congreve, William 1670-1729. Old batchelour",
        "Related work: Congreve, William 1670-1729. Double dealer",
        "Related work: Catholic Church Pope (1846-1878 : Pius IX). Syllabus errorum",
    ]


def test_an_analytical_entry_names_an_author_of_the_item() -> None:
    ref = reference(
        "1 24514 $$aThe Bijou, or Annual of literature and the arts.\n"
        "1 70012 $$aColeridge, Samuel Taylor,$$d1772-1834.$$tPoems.$$kSelections.\n"
        "1 70012 $$aLamb, Charles,$$d1775-1834.$$tPoems.\n"
    )
    assert [(n.family, n.role) for n in ref.names] == [("Coleridge", "author"), ("Lamb", "author")]


def test_no_name_twice_in_one_role() -> None:
    ref = reference("1 100__ $$aSmith, J.\n1 700__ $$aSmith, J.\n1 700__ $$aSmith, J.$$4edt\n")
    assert [(n.family, n.role) for n in ref.names] == [("Smith", "author"), ("Smith", "editor")]


# --------------------------------------- 6. the title in its original script
def test_the_original_script_title_is_a_parallel_title() -> None:
    # MARC 21 880 linked by $6 to the 245: the same title in another script.
    # CSL original-title is the title a translation was made from, so the
    # vernacular form joins the title as a parallel title (ISBD " = ").
    ref = reference("1 24510 $$6880-01$$aNihon no chasho\n1 880__ $$6245-01/$1$$a日本 の 茶書\n")
    assert ref.title == "Nihon no chasho = 日本 の 茶書"
    assert ref.original_title is None


def test_an_unlinked_880_gives_the_imprint_the_record_lacks() -> None:
    ref = reference("1 24510 $$aZeh gadol?\n1 880__ $$6260-00/(2/r$$aאור יהודה :$$bכנרת,$$c2011.\n")
    assert (ref.publisher_place, ref.publisher) == ("אור יהודה", "כנרת")


# ---------------------------------------------------------------- 7. language
@pytest.mark.parametrize(
    ("value", "language"),
    [("Russian / English", "ru"), ("pl", "pl"), ("Portuguese", "pt"), ("eng", "en"),
     ("ger", "de")],
)  # fmt: skip
def test_language_in_the_forms_records_hold(value: str, language: str) -> None:
    # MARC 21 041 $a is an ISO 639-2 code; records also hold names, two-letter
    # codes and several languages in one value (the first is the text's)
    assert reference(f"1 041__ $$a{value}\n").language == language


# ------------------------------------------------------------- 8. smaller
def test_773_n_alone_is_the_issue() -> None:
    ref = reference("1 773__ $$pNucl. Phys.$$n4$$c579-588$$y1961\n")
    assert ref.issue == "4"


def test_a_body_heading_keeps_its_subordinate_units() -> None:
    # MARC 21 610 $a $b: "United States. Congress. House", not "United States"
    ref = reference("1 61010 $$aUnited States.$$bCongress.$$bHouse.$$xRules.\n")
    assert ref.keyword == ["United States. Congress. House -- Rules"]


def test_a_decade_between_two_years_is_an_approximate_range() -> None:
    ref = reference("1 260__ $$aParis :$$bJose,$$c[between 1900 and 1909]\n")
    assert ref.issued is not None
    assert (ref.issued.year, ref.issued.end_year, ref.issued.approximate) == (1900, 1909, True)


def test_a_title_only_in_740_is_the_title_and_always_a_variant() -> None:
    assert reference("1 7400_ $$aModern Supreme Court.\n").title == "Modern Supreme Court"
    ref = reference("1 245__ $$aPlays\n1 7400_ $$aThe old batchelour.\n")
    assert ref.title == "Plays"
    assert ref.variant_titles == ["The old batchelour"]


def test_variant_and_uniform_titles_reach_csl_custom() -> None:
    # CSL has no variable for them: CSL-JSON keeps them in "custom"
    ref = reference(
        "1 24010 $$aIliad.$$lEnglish\n1 24514 $$aThe Iliad of Homer\n1 2463_ $$aIliad of Homer\n"
    )
    custom = to_csl(ref)["custom"]
    assert custom["uniform-title"] == "Iliad"  # the work; $l is its translation's language
    assert custom["variant-title"] == ["Iliad of Homer"]


# ------------------------------------------------- identifiers and names kept
def test_lccn_in_its_normalized_form() -> None:
    # Library of Congress, "LCCN normalization": blanks out, the serial after a
    # hyphen zero-padded to six digits
    assert normalized_lccn("sc 83-3257") == "sc83003257"
    assert normalized_lccn("   75002321 ") == "75002321"
    assert reference("1 010__ $$an78-890351 \n").identifiers == {"lccn": ["n78890351"]}


def test_an_oclc_control_number_is_kept() -> None:
    # MARC 21 003: the agency whose control number the 001 is
    ref = reference("10603157 001__ 10603157\n10603157 003__ OCoLC\n")
    assert ref.identifiers["system"] == ["(OCoLC)10603157"]
    prefixed = reference(  # OCLC's own 001 prefixes: the number is the 035's
        "1 001__ on1183349983\n1 003__ OCoLC\n1 035__ $$a(OCoLC)1183349983\n"
    )
    assert prefixed.identifiers["system"] == ["(OCoLC)1183349983"]


def test_a_second_doi_is_an_identifier() -> None:
    ref = reference(
        "1 0247_ $$2DOI$$a10.18429/JACoW-IPAC2017-WEYB1\n"
        "1 0247_ $$2DOI$$a10.3204/PUBDB-2017-05953\n"
    )
    assert ref.doi == "10.18429/JACoW-IPAC2017-WEYB1"
    assert ref.identifiers["doi"] == ["10.3204/PUBDB-2017-05953"]


def test_jhep_volumes_as_inspire_cites_them() -> None:
    # INSPIRE's records write JHEP and JCAP volumes with the year: 1508 is 08 of 2015
    ref = reference("1 773__ $$pJHEP$$v1508$$c123$$y2015\n")
    assert (ref.container_title, ref.volume) == ("JHEP", "08")
    assert reference("1 773__ $$pPhys.Rev.$$v1508\n").volume == "1508"


def test_bodies_with_no_role() -> None:
    # MARC 21 710: a body with some responsibility for the work: the author when
    # the record names no one else, a contributor beside named people; not when it
    # is those people's workplace (Zaguan's department beside its authors)
    alone = reference("1 7102_ $$aStatistical Office of the European Communities.\n")
    assert alone.names == [Name(literal="Statistical Office of the European Communities")]
    beside = reference("1 70010 $$aPechman, Joseph A.$$4edt\n1 71020 $$aBrookings Institution.\n")
    assert beside.names[1] == Name(literal="Brookings Institution", role="contributor")
    workplace = reference(
        "1 700__ $$aAntón, Antonio$$uUniversidad de Zaragoza\n"
        "1 7102_ $$aUniversidad de Zaragoza$$bDpto. Medicina\n"
    )
    assert [n.family for n in workplace.names] == ["Antón"]


def test_an_uncontrolled_name_is_a_name() -> None:
    # MARC 21 720: name, uncontrolled; first indicator 1 a person, 2 another name
    ref = reference("1 720__ $$aMeta Platforms, Inc.$$eData Collector\n")
    assert ref.names == [Name(literal="Meta Platforms, Inc.")]
    person = reference("1 7201_ $$aAnderson, Jennifer L.$$4edt\n")
    assert person.names == [Name(family="Anderson", given="Jennifer L.", role="editor")]


def test_genre_terms_and_subject_chains_are_keywords() -> None:
    # MARC 21 655 (genre/form), 689 (Deutsche Nationalbibliothek's subject chains);
    # an OpenAIRE type term in 655 gives the kind of work only
    ref = reference(
        "1 655_7 $$aKonferenzschrift$$y2015$$zBasel$$2gnd-content\n"
        "1 68900 $$aInklusive Pädagogik\n"
        "1 655_4 $$ainfo:eu-repo/semantics/article\n"
    )
    assert ref.keyword == ["Konferenzschrift -- 2015 -- Basel", "Inklusive Pädagogik"]


@pytest.mark.parametrize(
    ("collections", "kind"),
    [("arXiv\n1 980__ $$aReview", "article"),  # a review preprint: not in a journal yet
     ("HERMES-INTERNAL-NOTE", "report")],  # an experiment's notes
)  # fmt: skip
def test_collections_that_name_a_kind(collections: str, kind: str) -> None:
    assert reference(f"1 245__ $$aT\n1 980__ $$a{collections}\n").type == kind
