"""Writers, each alone: they take the model, never MARC."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import jsonschema
import pytest
from bibtexparser.entrypoint import parse_string
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from marcconv.keys import KeyMaker, ascii_fold
from marcconv.model import Date, Name, Reference
from marcconv.writers.base import WriterOptions
from marcconv.writers.bibtex import BibtexWriter, escape_name, to_entry
from marcconv.writers.citation import CitationWriter
from marcconv.writers.csljson import CslJsonWriter, JsonLinesWriter, pretty, to_csl
from marcconv.writers.latex import escape, escape_with_pylatexenc, protect_title
from marcconv.writers.ris import RisWriter, to_ris

SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text(encoding="utf-8"))


def _book(**kw: object) -> Reference:
    ref = Reference(
        id="k",
        type="book",
        title="A title",
        issued=Date("May 1984", year=1984, month=5),
        names=[Name(family="Knuth", given="Donald E."), Name(literal="ATLAS Collaboration")],
    )
    for key, value in kw.items():
        setattr(ref, key, value)
    return ref


def _bibtex(ref: Reference, unicode: bool = False) -> str:
    out = io.StringIO()
    writer = BibtexWriter(out)
    if unicode:
        from marcconv.writers.base import WriterOptions

        writer = BibtexWriter(out, WriterOptions(unicode=True))
    writer.write(ref)
    writer.close()
    return out.getvalue()


HOSTILE = [
    r"\input{/etc/passwd}",
    r"\write18{rm -rf /}",
    "unbalanced { brace",
    "unbalanced } brace",
    "100% # & ~ $x_1^2$",
    "\\",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_no_tex_command_gets_through(title: str) -> None:
    for unicode in (False, True):
        text = _bibtex(_book(title=title, abstract=title, note=[title]), unicode)
        library = parse_string(text)
        assert not library.failed_blocks
        for value in (f.value for f in library.entries[0].fields):
            assert "\\input{" not in value and "\\write18{" not in value
            depth = 0
            for char in value:  # as BibTeX counts them: every brace, escaped or not
                if char in "{}":
                    depth += 1 if char == "{" else -1
                    assert depth >= 0
            assert depth == 0


def test_bibtex_fields() -> None:
    ref = _book(page="97-111", publisher="Addison-Wesley", publisher_place="Reading, Mass.")
    entry = to_entry(ref)
    fields = {f.key: f.value for f in entry.fields}
    assert entry.entry_type == "book"
    assert fields["author"] == "{Knuth, Donald E. and {ATLAS Collaboration}}"
    assert fields["month"] == "may"
    assert fields["pages"] == "{97--111}"
    assert fields["address"] == "{Reading, Mass.}"


def test_title_protection_braces_only_acronyms() -> None:
    assert (
        protect_title("PALMIRA Trial of HER2 and iPhone")
        == "{PALMIRA} Trial of {HER2} and {iPhone}"
    )


def test_accents_as_latex_and_dotless_i_avoided() -> None:
    assert escape("Antón García") == r"Ant{\'o}n Garc{\'i}a"
    assert escape("Nguyễn") == r"Nguy{\~{\^e}}n"
    assert escape("Antón", unicode=True) == "Antón"


def test_csl_json_is_valid_against_the_schema() -> None:
    item = to_csl(_book(isbn=["0-201-89683-4"], license="CC-BY", keyword=["a", "b"]))
    jsonschema.validate([item], SCHEMA)
    assert item["author"] == [
        {"family": "Knuth", "given": "Donald E."},
        {"literal": "ATLAS Collaboration"},
    ]
    assert item["issued"] == {"date-parts": [[1984, 5]]}
    assert item["custom"] == {"license": "CC-BY"}


def test_unreadable_date_is_a_literal() -> None:
    assert to_csl(_book(issued=Date("s.a.")))["issued"] == {"literal": "s.a."}


def test_csl_json_stream_is_one_array() -> None:
    out = io.StringIO()
    writer = CslJsonWriter(out)
    for key in ("a", "b"):
        writer.write(_book(id=key))
    writer.close()
    assert [item["id"] for item in json.loads(out.getvalue())] == ["a", "b"]
    empty = io.StringIO()
    CslJsonWriter(empty).close()
    assert json.loads(empty.getvalue()) == []


def test_ris_record() -> None:
    text = to_ris(_book(page="97-111", isbn=["0-201-89683-4"]))
    lines = text.splitlines()
    assert lines[0] == "TY  - BOOK" and lines[-1] == "ER  - "
    assert "AU  - Knuth, Donald E." in lines and "AU  - ATLAS Collaboration" in lines
    assert "PY  - 1984" in lines and "DA  - 1984/05//" in lines
    assert "SP  - 97" in lines and "EP  - 111" in lines
    assert "SN  - 0-201-89683-4" in lines


def test_jsonl_is_one_csl_item_per_line() -> None:
    out = io.StringIO()
    writer = JsonLinesWriter(out)
    for key in ("a", "b"):
        writer.write(_book(id=key, title="Line\nbreak"))
    writer.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert [json.loads(line) for line in lines] == [to_csl(_book(id=k, title="Line\nbreak"))
                                                    for k in ("a", "b")]  # fmt: skip


def test_ris_line_ends_crlf_when_asked() -> None:
    out = io.StringIO()
    writer = RisWriter(out, WriterOptions(newline="\r\n"))
    writer.write(_book(id="a"))
    writer.write(_book(id="b"))
    writer.close()
    text = out.getvalue()
    assert text.count("\n") == text.count("\r\n") > 0
    assert text.count("TY  - BOOK\r\n") == 2 and "ER  - \r\n\r\nTY" in text


def test_max_authors_is_a_writer_option() -> None:
    ref = _book(names=[Name(family=f"N{i}", given="A") for i in range(5)])
    limited = WriterOptions(max_authors=3)
    (entry,) = parse_string(BibtexWriter(io.StringIO(), limited).render(ref)).entries
    assert entry.fields_dict["author"].value == "N0, A and N1, A and N2, A and others"
    authors = [line for line in to_ris(ref, limited).splitlines() if line.startswith("AU")]
    assert authors == ["AU  - N0, A", "AU  - N1, A", "AU  - N2, A"]
    assert len(to_csl(ref)["author"]) == 5  # CSL-JSON keeps every name


def test_ris_editors_are_a2_and_a_periodical_names_its_journal() -> None:
    editor = Name(family="Hall", given="Ann", role="editor")
    for kind in ("book", "chapter"):
        lines = to_ris(_book(type=kind, names=[editor])).splitlines()
        assert "A2  - Hall, Ann" in lines and not any(line.startswith("ED") for line in lines)
    lines = to_ris(Reference(id="p", type="periodical", title="Bijou")).splitlines()
    assert lines[0] == "TY  - JFULL" and "JF  - Bijou" in lines and "TI  - Bijou" in lines


def test_ris_values_have_no_line_breaks() -> None:
    assert "AB  - one two" in to_ris(_book(abstract="one\ntwo")).splitlines()


def test_keys_are_unique_and_deterministic() -> None:
    maker = KeyMaker()
    ref = _book(title="The Art of Programming")
    assert [maker.key_for(ref) for _ in range(4)] == [
        "knuth1984art",
        "knuth1984arta",
        "knuth1984artb",
        "knuth1984artc",
    ]


def test_a_bare_number_is_not_the_short_title_when_a_word_follows() -> None:
    maker = KeyMaker()
    assert maker.key_for(_book(title="2 diversions. Dance")) == "knuth1984diversions"
    assert maker.key_for(_book(title="1,3-Dipolar cycloadditions")) == "knuth1984cycloadditions"
    assert maker.key_for(_book(title="1984")) == "knuth19841984"  # nothing else to take


def test_key_pattern_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown key field"):
        KeyMaker("{author}")


def test_ascii_fold() -> None:
    assert ascii_fold("del Barco Berrón") == "delbarcoberron"
    assert ascii_fold("Øvergaard") == "overgaard"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_latex_escape_table_equals_pylatexenc(text: str) -> None:
    composed = unicodedata.normalize("NFC", text)
    assume(not any(unicodedata.combining(char) for char in composed))
    assert escape(text) == escape_with_pylatexenc(text)


def test_lone_combining_marks_become_accents_or_are_left_out() -> None:
    assert escape("Mu\u0304nchen o\u0326 x\u0315") == "M{\\={u}}nchen o x"
    assert escape("o\u0301\u0304") == "{\\={\\'o}}"  # NFC composes ó first
    assert escape("o\u0326", unicode=True) == "o\u0326"
    # a mark after something that is not a letter (YAZ's and pymarc's MARC-8 test
    # records) is left out: LaTeX stops on "\c{.}" and on an accent over a sign
    assert escape("a.\u0327 \u00b0\u030b -\u0307x") == "a. {\\textdegree} -x"


def test_citeproc_layer_keeps_the_output_and_registers_once() -> None:
    from citeproc import Citation, CitationItem, CitationStylesStyle, formatter
    from citeproc.model import CitationStylesElement
    from citeproc.source.json import CiteProcJSON

    from marcconv.writers import citeproc_layer
    from marcconv.writers.citation import resolve_style

    item = {
        "id": "k",
        "type": "book",
        "title": "A Title",
        "issued": {"date-parts": [[2001]]},
        "author": [{"family": "Doe", "given": "Jane"}],
    }
    style = CitationStylesStyle(str(resolve_style("apa")), validate=False)
    bib = citeproc_layer.Bibliography(style, CiteProcJSON([item]), formatter.plain)
    bib.register(Citation([CitationItem("k"), CitationItem("k")]))
    assert bib.keys == ["k"]
    assert [str(e) for e in bib.bibliography()] == ["Doe, J. (2001). A Title."]
    with bib.active():
        macro = style.root.get_macro("author")
        assert macro is style.root.get_macro("author")  # looked up once
        assert CitationStylesElement.get_macro is citeproc_layer.speed._get_macro
    assert macro.get("name") == citeproc_layer.speed._original_get_macro(style.root, "author").get(
        "name"
    )
    # outside the bibliography's work, citeproc-py is itself again
    assert CitationStylesElement.get_macro is citeproc_layer.speed._original_get_macro


def test_name_variables_citeproc_py_does_not_know_are_left_out() -> None:
    ref = Reference(id="v", type="motion_picture", title="Happy 5th anniversary, Higgs boson!")
    ref.names = [Name(literal="CERN video productions"), Name(family="Doe", role="director")]
    out = io.StringIO()
    writer = CitationWriter(out, WriterOptions(style="chicago-author-date"))
    writer.write(ref)
    writer.close()  # citeproc-py 0.11 fails on "director" if it is passed on
    assert "Higgs" in out.getvalue()


@settings(max_examples=50, deadline=None)
@given(words=st.lists(st.text(max_size=12), max_size=3000))
def test_fingerprints_behave_as_a_set(words: list[str]) -> None:
    from marcconv.keys import Fingerprints

    seen = Fingerprints()
    reference: set[str] = set()
    for word in words:
        assert (word in seen) == (word in reference)
        seen.add(word)
        reference.add(word)
    assert all(word in seen for word in reference)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
@settings(max_examples=300)
def test_pretty_is_json_dumps_indent_2(value: object) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    assert pretty(value, "  ") == expected


def test_a_name_part_that_escapes_to_nothing_is_left_out() -> None:
    # a MARC-8 record read as the wrong script: the given name is combining marks only
    ref = _book(names=[Name(family="€ \ufe20", given="\u0308\u0309\u0315 \u0323")])
    assert "  author = {\\texteuro{}}," in _bibtex(ref)  # biber reads a braced command badly
    only_marks = _book(names=[Name(family="\u0308", given="\u0309")])
    assert "author" not in _bibtex(only_marks)


def test_bibtex_entries_are_written_as_bibtexparser_writes_them() -> None:
    """The entry text is made directly; bibtexparser's own writer gives the same."""
    from bibtexparser.model import Entry as BibEntry
    from bibtexparser.model import Field as BibField

    from marcconv.writers import biblatex, bibtex
    from tests.conftest import SAMPLES
    from tests.helpers import reference

    cases = [
        BibEntry("misc", "empty", []),
        BibEntry("article", "k", [BibField("title", "{T}")]),
        BibEntry("book", "k2", [BibField("author", "{A and B}"), BibField("month", "may")]),
    ]
    seed = reference((SAMPLES / "palmira.txt").read_text(encoding="utf-8"))
    cases += [bibtex.to_entry(seed), biblatex.to_entry(seed)]
    for entry in cases:
        assert bibtex.render_entry(entry) == bibtex.render_with_bibtexparser(entry)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ʻAbd al-Raḥīm", "{`A}bd al-Ra{\\d{h}}{\\={i}}m"),  # an ʻayn that starts a word
        ("Bin-ʻAbd", "Bin-{`A}bd"),
        ("ʻĀlim", "{`{\\={A}}}lim"),
        ("ʼAli", "{'A}li"),
        ("Chʻen", "Ch{`}en"),  # inside a word it stays alone
        ("Smbatyantsʿ", "Smbatyants{`}"),
    ],
)
def test_a_mark_that_starts_a_name_is_braced_with_its_letter(name: str, expected: str) -> None:
    # biber takes a lone "{`}" for the initial and writes a .bbl with a brace too
    # many (checked with biber and pdflatex); "{`A}" gives the initial "`A"
    assert escape_name(name, unicode=False) == expected
