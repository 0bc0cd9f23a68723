"""The citation layer over citeproc-py: fails closed, leaves citeproc-py untouched
outside a bibliography's work, keeps its state per bibliography, and each fix has
a canary that fails on citeproc-py alone.

Every expected entry below was rendered by citeproc-js 2.4.63 (the reference CSL
processor, through the conformance kit's ``check citations`` and ``check
compare``) from the same items; the "alone" ones are citeproc-py 0.11.1's own.
"""

from __future__ import annotations

import io
import sys
import warnings
from typing import Any

import citeproc
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON

from marcconv.errors import MarcconvError
from marcconv.writers import citeproc_layer
from marcconv.writers.citation import CitationWriter, resolve_style
from marcconv.writers.citeproc_layer import CSL_102_NAMES, PATCHES, Patch

Items = list[dict[str, Any]]


def _style(name: str) -> Any:
    return CitationStylesStyle(str(resolve_style(name)), validate=False)


def _render(bibliography: Any, items: Items, mode: str) -> list[str]:
    citations = [Citation([CitationItem(item["id"])]) for item in items]
    for citation in citations:
        bibliography.register(citation)
    bibliography.sort()
    if mode == "citation":
        return [str(bibliography.cite(c, lambda item: None)) for c in citations]
    return [str(entry) for entry in bibliography.bibliography()]


def alone(
    style: str, items: Items, mode: str = "bibliography", output_format: str = "text"
) -> list[str]:
    """citeproc-py by itself (in this process: the layer is not applied now)."""
    formatter = citeproc_formatter.html if output_format == "html" else citeproc_formatter.plain
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(_style(style), CiteProcJSON(items), formatter)
        return _render(bibliography, items, mode)


def layered(
    style: str, items: Items, mode: str = "bibliography", output_format: str = "text"
) -> list[str]:
    """citeproc-py with the layer, as ``-t citation`` runs it."""
    loaded = _style(style)
    source = citeproc_layer.Source()
    prepare = citeproc_layer.Preparer(
        output_format, citeproc_layer.locale_quotes(loaded), citeproc_layer.range_delimiter(loaded)
    )
    for item in items:
        source.take(prepare(item))
    formatter = citeproc_layer.formatter(output_format)
    bibliography = citeproc_layer.Bibliography(loaded, source, formatter)
    with bibliography.active():
        return _render(bibliography, items, mode)


DOE = [{"family": "Doe", "given": "Jane"}]


# ------------------------------------------------------------------------- canaries
def test_canary_second_field_align() -> None:
    """CSL 1.0.2: second-field-align sets the citation number apart."""
    items = [{"id": "a", "type": "book", "title": "A Book", "author": DOE,
              "issued": {"date-parts": [[2001]]}, "publisher": "Pub"}]  # fmt: skip
    assert alone("ieee", items) == ["[1]J. Doe, A Book. Pub, 2001."]
    assert layered("ieee", items) == ["[1] J. Doe, A Book. Pub, 2001."]


def test_canary_substituted_title_printed_once() -> None:
    """CSL 1.0.2 Substitution: the title standing in for the author is not repeated."""
    items = [{"id": "b", "type": "book", "title": "Anonymous Classics",
              "issued": {"date-parts": [[1999]]}, "publisher": "Pub"}]  # fmt: skip
    assert alone("apa", items) == ["Anonymous Classics. (1999). Anonymous Classics. Pub."]
    assert layered("apa", items) == ["Anonymous Classics. (1999). Pub."]


def test_canary_collation() -> None:
    """citeproc-js sorts with accents set aside: Ėtkind before Zorn."""
    items = [
        {"id": "z", "type": "book", "title": "Zeta", "author": [{"family": "Zorn", "given": "A."}],
         "issued": {"date-parts": [[2001]]}},
        {"id": "e", "type": "book", "title": "Etiud",
         "author": [{"family": "Ėtkind", "given": "B."}], "issued": {"date-parts": [[2001]]}},
    ]  # fmt: skip
    assert alone("apa", items) == ["Zorn, A. (2001). Zeta.", "Ėtkind, B. (2001). Etiud."]
    assert layered("apa", items) == ["Ėtkind, B. (2001). Etiud.", "Zorn, A. (2001). Zeta."]


CHICAGO_ITEM = [{"id": "t", "type": "article-journal", "title": "a walk along the river between"
                 " towns", "author": DOE, "container-title": "Journal",
                 "issued": {"date-parts": [[2001]]}, "language": "en"}]  # fmt: skip
CHICAGO_ALONE = "Doe, J. 2001. “A Walk Along the River Between Towns”. Journal."
CHICAGO_JS = "Doe, Jane. 2001. “A Walk along the River between Towns.” Journal."


def test_canary_title_case() -> None:
    """citeproc-js's title case leaves "along" and "between" in lower case."""
    assert "Along the River Between" in alone("chicago-author-date", CHICAGO_ITEM)[0]
    assert layered("chicago-author-date", CHICAGO_ITEM) == [CHICAGO_JS]
    # a stop word before a hyphen is capitalised (citeproc-js: "Off-Shell")
    offshell = [dict(CHICAGO_ITEM[0], title="Nuclear matter with off-shell propagation")]
    assert (
        "Nuclear Matter with Off-Shell Propagation" in layered("chicago-author-date", offshell)[0]
    )


def test_canary_quotation_marks_by_level() -> None:
    """Outer marks for the outermost quotation, inner ones inside, counting the
    style's own (IEEE quotes the title); as citeproc-js 2.4.63 renders it."""
    reply = [{"id": "q", "type": "article-journal", "title": "Reply to 'Comment on \"Solution\"'",
              "container-title": "J", "issued": {"date-parts": [[2011]]},
              "author": [{"family": "Z", "given": "Y"}]}]  # fmt: skip
    assert "“Reply to 'Comment on \"Solution\"'”" in alone("ieee", reply)[0]
    assert layered("ieee", reply) == ["[1] Y. Z, “Reply to ‘Comment on “Solution,”’” J, 2011."]


def test_canary_initials_as_citeproc_js() -> None:
    """CSL 1.0.2: initialize="false" (Chicago) keeps the given name whole; an
    abbreviated given name is initialized as citeproc-js's initializeWith does
    it (rendered by citeproc-js 2.4.63 from the same item)."""
    assert alone("chicago-author-date", CHICAGO_ITEM) == [CHICAGO_ALONE]
    assert layered("chicago-author-date", CHICAGO_ITEM)[0].startswith("Doe, Jane. ")
    book = [{"id": "j", "type": "book", "title": "BSD sockets", "publisher": "Charles River Media",
             "issued": {"date-parts": [[2004]]},
             "author": [{"family": "Jones", "given": "M. Tim."}],
             "editor": [{"family": "Beauchamp", "given": "Alph. de"}]}]  # fmt: skip
    ama = "american-medical-association"
    assert "Jones MT. BSD Sockets. (Beauchamp A de, ed.)" in alone(ama, book)[0]
    assert layered(ama, book) == [
        "1. Jones MTim. BSD Sockets. (Beauchamp Alph de, ed.). Charles River Media; 2004."
    ]
    assert layered("harvard-cite-them-right", book)[0].startswith("Jones, M.Tim. (2004)")


def test_hyphenated_given_names_as_citeproc_js_initializes_them() -> None:
    """A lower-case hyphenated part (romanized Korean and Chinese given names) gives
    no initial; "Jean-Paul" and "Mi-Ok" keep both."""
    year = {"date-parts": [[1984]]}
    items = [
        {"id": "a", "type": "book", "title": "A", "issued": year,
         "author": [{"family": "Kim", "given": "Tong-gil"}]},
        {"id": "b", "type": "book", "title": "B", "issued": year, "language": "zh",
         "author": [{"family": "Chang", "given": "Hsüeh-chien"}]},
        {"id": "c", "type": "book", "title": "C", "issued": year,
         "author": [{"family": "Dupont", "given": "Jean-Paul"}]},
        {"id": "d", "type": "book", "title": "D", "issued": year,
         "author": [{"family": "Ahn", "given": "Sang-a"}, {"family": "Lee", "given": "Mi-Ok"}]},
    ]  # fmt: skip
    assert alone("apa", items)[3] == "Kim, T.-. gil . (1984). A."
    assert layered("apa", items) == [
        "Ahn, S., & Lee, M.-O. (1984). D.",
        "Chang H. (1984). B.",
        "Dupont, J.-P. (1984). C.",
        "Kim, T. (1984). A.",
    ]
    assert layered("ieee", items) == [
        "[1] T. Kim, A. 1984.",
        "[2] Chang H., B. 1984.",
        "[3] J.-P. Dupont, C. 1984.",
        "[4] S. Ahn and M.-O. Lee, D. 1984.",
    ]


PREPRINT = {"id": "p", "type": "article", "title": "Decapitating tadpoles", "language": "en",
            "author": [{"family": "Adams", "given": "Allan"}],
            "issued": {"date-parts": [[2002]]}, "publisher": "arXiv"}  # fmt: skip


def test_canary_capitalize_first_leaves_a_word_with_capitals() -> None:
    """citeproc-js capitalises a first word only when it is all in lower case."""
    assert alone("chicago-author-date", [PREPRINT])[0].endswith("Preprint, ArXiv.")
    assert layered("chicago-author-date", [PREPRINT]) == [
        "Adams, Allan. 2002. “Decapitating Tadpoles.” Preprint, arXiv."
    ]


def test_canary_one_issue_number_takes_a_singular_label() -> None:
    """ "06/2009" is one issue number ("no."), as citeproc-js counts; "3-4" two."""
    issue = {"id": "n", "type": "article-newspaper", "title": "Galapagos archipelago",
             "author": [{"family": "Darwin", "given": "Charles"}], "language": "en",
             "container-title": "Atlantis Times", "issue": "06/2009", "page": "1"}  # fmt: skip
    style = "modern-language-association"
    assert alone(style, [issue])[0].endswith("Atlantis Times, nos. 06/2009, p. 1.")
    assert layered(style, [issue]) == [
        "Darwin, Charles. “Galapagos Archipelago.” Atlantis Times, no. 06/2009, p. 1."
    ]
    assert "nos. 3–4" in layered(style, [dict(issue, issue="3-4")])[0]


def _numbers(**values: str) -> Items:
    item = {
        "id": "a1",
        "type": "article-journal",
        "title": "T",
        "container-title": "J",
        "issued": {"date-parts": [[2010]]},
        "author": [{"family": "X", "given": "Y"}],
    }
    return [dict(item, **values)]  # fmt: skip


#: works whose cites read alike ("Ellis et al., 1982"): names or given names tell them apart
ALIKE: Items = [
    {
        "id": "e1",
        "type": "article-journal",
        "title": "Grand unification",
        "container-title": "Phys. Lett.",
        "issued": {"date-parts": [[1982]]},
        "author": [
            {"family": "Ellis", "given": "J"},
            {"family": "Ibanez", "given": "L E"},
            {"family": "Ross", "given": "G G"},
        ],
    },
    {
        "id": "e2",
        "type": "article-journal",
        "title": "Non-compact supergravity",
        "container-title": "Phys. Lett.",
        "issued": {"date-parts": [[1982]]},
        "author": [
            {"family": "Ellis", "given": "J"},
            {"family": "Enqvist", "given": "K"},
            {"family": "Nanopoulos", "given": "D V"},
        ],
    },
    {
        "id": "a1",
        "type": "article-journal",
        "title": "Measurement",
        "container-title": "JHEP",
        "issued": {"date-parts": [[2016]]},
        "author": [
            {"family": "Aaij", "given": "Roel"},
            {"family": "Adeva", "given": "Bernardo"},
            {"family": "Adinolfi", "given": "Marco"},
            {"family": "Ajaltouni", "given": "Ziad"},
            {"family": "Akar", "given": "Simon"},
        ],
    },
    {
        "id": "a2",
        "type": "article-journal",
        "title": "Search",
        "container-title": "JHEP",
        "issued": {"date-parts": [[2016]]},
        "author": [
            {"family": "Aaij", "given": "Roel"},
            {"family": "Adeva", "given": "Bernardo"},
            {"family": "Adinolfi", "given": "Marco"},
            {"family": "Affolder", "given": "Anthony"},
            {"family": "Akar", "given": "Simon"},
        ],
    },
    {
        "id": "h1",
        "type": "book",
        "title": "The Iliad",
        "issued": {"date-parts": [[1896]]},
        "author": [{"family": "Homer"}, {"family": "Buckley", "given": "Theodore William Aldis"}],
    },
    {
        "id": "h2",
        "type": "book",
        "title": "The Iliad",
        "issued": {"date-parts": [[1896]]},
        "author": [{"family": "Homer"}, {"family": "Buckley", "given": "Theodore Alois William"}],
    },
]


def test_canary_names_and_given_names_tell_cites_apart() -> None:
    """disambiguate-add-names, then disambiguate-add-givenname (by cite), before
    year suffixes; the entry shows the names added.  Every expected value was
    rendered by citeproc-js 2.4.63 from the same items."""
    assert "(Ellis et al., 1982" in alone("apa", ALIKE, "citation")[0]
    assert layered("apa", ALIKE, "citation") == [
        "(Ellis, Ibanez, et al., 1982)", "(Ellis, Enqvist, et al., 1982)",
        "(Aaij, Adeva, Adinolfi, Ajaltouni, et al., 2016)",
        "(Aaij, Adeva, Adinolfi, Affolder, et al., 2016)",
        "(Homer & Buckley, 1896b)", "(Homer & Buckley, 1896a)",
    ]  # fmt: skip
    mla = "modern-language-association"
    assert layered(mla, ALIKE, "citation")[4:] == [
        "(Homer and T. W. A. Buckley)", "(Homer and T. A. W. Buckley)",
    ]  # fmt: skip
    entries = layered(mla, ALIKE)
    assert "Ellis, J., L. E. Ibanez, et al. “Grand Unification.” Phys. Lett., 1982." in entries
    assert (
        "Aaij, Roel, Bernardo Adeva, Marco Adinolfi, Ziad Ajaltouni, et al. “Measurement.”"
        " JHEP, 2016."
    ) in entries


def test_canary_literal_date_printed_once() -> None:
    """A literal date is printed once, by the date that shows the year (as
    citeproc-js 2.4.63 renders the same items)."""
    poem = [{"id": "l", "type": "document", "title": "敬亭獨坐", "author": [{"family": "李白"}],
             "issued": {"literal": "701-762"}, "language": "zh"}]  # fmt: skip
    assert "(701-762, 701-762)" in alone("apa", poem)[0]
    assert layered("apa", poem) == ["李白. (701-762). 敬亭獨坐."]
    assert layered("chicago-author-date", poem) == ["李白. 701-762. “敬亭獨坐.”"]


def test_canary_no_italics_outside_romanesque() -> None:
    """citeproc-js sets a Chinese title in no italics where the style puts them on
    the title itself (Chicago), though it keeps a group's (APA): rendered by
    citeproc-js 2.4.63 from the same item."""
    book = [{"id": "z", "type": "book", "title": "中国哲学新论", "language": "zh",
             "author": [{"family": "刘", "given": "少基"}],
             "issued": {"date-parts": [[1985]]}}]  # fmt: skip
    assert "<i>中国哲学新论</i>" in alone("chicago-author-date", book, output_format="html")[0]
    assert layered("chicago-author-date", book, output_format="html") == [
        "刘少基. 1985. 中国哲学新论."
    ]
    assert layered("apa", book, output_format="html") == ["刘少基. (1985). <i>中国哲学新论</i>."]


def test_canary_a_name_in_no_romanesque_script_runs_together() -> None:
    """citeproc-js writes a name whose family name holds no "romanesque" letter
    as family and given name run together, in every position (rendered by
    citeproc-js 2.4.63 from the same item)."""
    book = [{"id": "r", "type": "book", "title": "Title",
             "author": [{"family": "刘", "given": "少基"}],
             "issued": {"date-parts": [[1985]]}}]  # fmt: skip
    assert alone("ieee", book) == ["[1]. 少基 . 刘, Title. 1985."]
    assert layered("ieee", book) == ["[1] 刘少基, Title. 1985."]
    assert layered("apa", book) == ["刘少基. (1985). Title."]


def test_canary_a_macro_of_terms_keeps_its_group() -> None:
    """Vancouver's "In" (a macro of a term) keeps its group when the container
    is missing, as in citeproc-js 2.4.63."""
    paper = [{"id": "c", "type": "paper-conference", "title": "Supersymmetry", "page": "421-462",
              "issued": {"date-parts": [[2015]]},
              "author": [{"family": "Bechtle", "given": "Philip"}]}]  # fmt: skip
    assert "Supersymmetry. 2015" in alone("vancouver", paper)[0]
    assert layered("vancouver", paper) == ["1. Bechtle P. Supersymmetry. In. 2015. p. 421–62."]


def test_canary_numbers_as_citeproc_js() -> None:
    """Number variables parsed as citeproc-js parses them: a range takes the
    locale's delimiter and a plural label, "05" keeps its zero, "&" between
    words loses its spaces and each word is cased, "201, 206" is numeric, and
    "pp.1-326" is not (printed as written, with a singular label)."""
    mla = "modern-language-association"
    ranges = _numbers(volume="638-642", issue="3-4", page="1098-1105")
    assert "J, 638-642, nos. 3-4, 2010" in alone(mla, ranges)[0]
    assert layered(mla, ranges) == ["X, Y. “T.” J, vols. 638–642, nos. 3–4, 2010, pp. 1098–105."]
    # AMA's own locale delimits ranges with a hyphen
    ama = layered("american-medical-association", ranges)
    assert ama == ["1. X Y. T. J. 2010;638-642(3-4):1098-1105."]
    zero = _numbers(volume="05", issue="1 & 2", page="026")
    assert "J, vol. 5, no. 1 & 2" in alone("ieee", zero)[0]
    assert layered("ieee", zero) == ["[1] Y. X, “T,” J, vol. 05, no. 1 & 2, p. 026, 2010."]
    book = _numbers(type="book", edition="2nd ed., expanded & updated", **{
        "collection-title": "S", "collection-number": "201, 206"})  # fmt: skip
    del book[0]["container-title"]
    assert "2nd ed., expanded & updated. S, 201, 206." in alone("chicago-author-date", book)[0]
    assert layered("chicago-author-date", book) == [
        "X, Y. 2010. T. 2nd ed., Expanded&Updated. S 201, 206."
    ]
    assert layered("vancouver", book) == [
        "1. X Y. T. 2nd ed., expanded&updated. 2010. (S; nos. 201, 206)."
    ]
    chapter = _numbers(type="chapter", volume="3a-4", page="pp.1-326", **{"container-title": "B"})
    assert "B, 3a-4, 2010, pp. pp.1–326." in alone(mla, chapter)[0]
    assert layered(mla, chapter) == ["X, Y. “T.” B, vols. 3a–4, 2010, p. pp.1-326."]
    # a range only where citeproc-js mends ranges: not in a version
    software = _numbers(type="software", version="1-2")
    del software[0]["container-title"]
    assert layered("apa", software) == ["X, Y. (2010). T (Versions 1-2) [Computer software]."]
    # a hyphenated variable in cs:number (citeproc-py looked it up under its CSL name)
    volumes = _numbers(type="book", **{"number-of-volumes": "3"})
    del volumes[0]["container-title"]
    assert "1–3" not in alone("apa", volumes)[0]
    assert layered("apa", volumes) == ["X, Y. (2010). T (Vols. 1–3)."]


def test_canary_page_range_format() -> None:
    """CSL 1.0.2 page-range-format from the last page in full: APA expands,
    Vancouver shortens, Chicago (chicago-16) has no four-digit exception."""
    pages = [
        {"id": "a", "type": "article-journal", "title": "Exotic muon decay", "language": "en",
         "author": [{"family": "Bryman", "given": "D. A."}], "container-title": "Phys. Rev. Lett.",
         "volume": "57", "page": "2787-88", "issued": {"date-parts": [[1986]]}},
        {"id": "b", "type": "article-journal", "title": "Flat directions", "language": "en",
         "author": [{"family": "Cleaver", "given": "G. B."}], "container-title": "Phys. Lett.",
         "volume": "15", "page": "1191-1202", "issued": {"date-parts": [[2000]]}},
    ]  # fmt: skip
    assert alone("apa", pages)[0].endswith("57, 2787–88.")
    assert [e.rsplit(" ", 1)[1] for e in layered("apa", pages)] == ["2787–2788.", "1191–1202."]
    assert [e.rsplit(":", 1)[1] for e in layered("vancouver", pages)] == ["2787–8.", "1191–202."]
    chicago = layered("chicago-author-date", pages)
    assert [e.rsplit(" ", 1)[1] for e in chicago] == ["2787–88.", "1191–202."]
    assert alone("chicago-author-date", pages)[1].endswith(" 1191–1202.")
    assert layered("ieee", pages)[0].endswith("pp. 2787–88, 1986.")  # no format: as given


def test_canary_number_of_pages_label() -> None:
    """Vancouver's number-of-pages label ("141 p."), looked up on the item."""
    items = [{"id": "p", "type": "book", "title": "Pages", "author": DOE,
              "issued": {"date-parts": [[2001]]}, "number-of-pages": "141", "publisher": "Pub",
              "publisher-place": "Paris"}]  # fmt: skip
    assert alone("vancouver", items) == ["1.Doe J. Pages. Paris: Pub; 2001. 141."]
    assert layered("vancouver", items) == ["1. Doe J. Pages. Paris: Pub; 2001. 141 p."]


def test_canary_disambiguate_only_where_needed() -> None:
    """MLA adds the title to an in-text citation only when another cite reads alike."""
    items = [{"id": "g", "type": "book", "title": "America without Walls",
              "author": [{"family": "Galliher", "given": "John"}],
              "issued": {"date-parts": [[1990]]}}]  # fmt: skip
    style = "modern-language-association"
    assert alone(style, items, "citation") == ["(Galliher, America Without Walls)"]
    assert layered(style, items, "citation") == ["(Galliher)"]


def test_every_canary_the_table_names_is_here() -> None:
    named = {patch.canary for patch in PATCHES if patch.canary}
    assert len(named) >= 7
    assert named <= {name for name in globals() if name.startswith("test_canary_")}
    assert all(patch.why for patch in PATCHES)


# ----------------------------------------------------------------- fails closed
def test_another_citeproc_version_is_refused_naming_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citeproc_layer.patches, "version", lambda name: "0.12.0")
    with pytest.raises(MarcconvError) as refused:
        CitationWriter(io.StringIO())
    message = str(refused.value)
    assert "citeproc-py 0.11.1" in message and "citeproc-py 0.12.0 is installed" in message
    with pytest.raises(MarcconvError), citeproc_layer.applied():
        pass  # nothing is applied either
    _assert_untouched()


def test_the_command_line_refuses_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from marcconv.cli import cli
    from tests.conftest import SAMPLES

    monkeypatch.setattr(citeproc_layer.patches, "version", lambda name: "0.12.0")
    result = CliRunner().invoke(cli, ["convert", str(SAMPLES / "palmira.txt"), "-t", "citation"])
    assert result.exit_code == 2
    assert "needs citeproc-py 0.11.1" in result.stderr and "0.12.0" in result.stderr
    assert result.stdout == ""


# ------------------------------------------------------------ no global state
def _assert_untouched() -> None:
    for patch in PATCHES:
        current = vars(patch.owner).get(patch.name)
        assert current is not patch.value, f"{patch.owner.__name__}.{patch.name} still patched"
    assert not set(CSL_102_NAMES) & set(citeproc.NAMES)
    assert "__getitem__" in vars(citeproc.source.CustomDict)


def test_citeproc_py_is_itself_again_after_a_bibliography() -> None:
    layered("apa", CHICAGO_ITEM)
    _assert_untouched()
    assert citeproc_layer.patches._Applied.depth == 0


def test_patches_are_applied_while_a_bibliography_works() -> None:
    bibliography = citeproc_layer.Bibliography(
        _style("apa"), citeproc_layer.Source(), citeproc_layer.formatter("text")
    )
    with bibliography.active():
        for patch in PATCHES:
            if isinstance(patch, Patch) and patch.value is not citeproc_layer.patches._ABSENT:
                assert vars(patch.owner)[patch.name] is patch.value
        with bibliography.active():  # entered again from inside
            pass
        assert vars(PATCHES[0].owner)[PATCHES[0].name] is PATCHES[0].value
    _assert_untouched()


MLA_ITEMS = [
    {"id": f"m{n}", "type": "book", "title": f"Work {n}", "author": DOE,
     "issued": {"date-parts": [[2000 + n]]}, "publisher": "Pub"}
    for n in range(3)
]  # fmt: skip


def test_two_bibliographies_in_one_process_equal_two_separate_runs() -> None:
    """MLA keeps the author of the entry before (for "———") and APA its sort keys,
    each in its own state: rendered interleaved, each equals its run alone."""
    mla_alone = layered("modern-language-association", MLA_ITEMS)
    apa_alone = layered("apa", CHICAGO_ITEM + MLA_ITEMS)
    assert mla_alone[1].startswith("———.")  # the substitute is in play

    def prepared(style: str, items: Items) -> tuple[Any, list[Any]]:
        loaded = _style(style)
        source = citeproc_layer.Source()
        prepare = citeproc_layer.Preparer("text", citeproc_layer.locale_quotes(loaded))
        for item in items:
            source.take(prepare(item))
        bib = citeproc_layer.Bibliography(loaded, source, citeproc_layer.formatter("text"))
        for item in items:
            bib.register(Citation([CitationItem(item["id"])]))
        return bib, items

    mla, _ = prepared("modern-language-association", MLA_ITEMS)
    apa, _ = prepared("apa", CHICAGO_ITEM + MLA_ITEMS)
    mla.sort()
    apa.sort()
    with mla.active():
        first = [str(mla.bibliography(0, 2)[0]), str(mla.bibliography(0, 2)[1])]
        with apa.active():
            apa_entries = [str(e) for e in apa.bibliography()]
        rest = [str(e) for e in mla.bibliography(2, 3)]
    assert first + rest == mla_alone
    assert apa_entries == apa_alone


def test_the_layer_module_holds_no_render_state() -> None:
    """What used to be module globals is a bibliography's own (RenderState)."""
    for module in ("bibliography", "output", "patches", "slices", "spec", "speed", "state"):
        layer = sys.modules[f"marcconv.writers.citeproc_layer.{module}"]
        for name in ("_AUTHORS", "_RECORDING", "_AMBIGUOUS", "_GIVEN_NAMES", "_SORT_KEYS"):
            assert not hasattr(layer, name)
