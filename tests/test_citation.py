"""Formatted citations: output formats, in-text mode, and the citeproc-py layer."""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from marcconv.model import Date, Name, Reference
from marcconv.writers import citeproc_layer
from marcconv.writers.base import WriterOptions
from marcconv.writers.citation import FREE_TEXT, CitationWriter, format_references
from marcconv.writers.citeproc_layer import (
    collation_key,
    markdown,
    narrow_spaces,
    no_double_punctuation,
    punctuation_in_quote,
    typographic_quotes,
)
from tests.citeproc_cases import layer_cases


def _refs() -> list[Reference]:
    return [
        Reference(id="zeta", type="book", title="Zeta *starred* [x]", publisher="P",
                  issued=Date("1999", year=1999), names=[Name(family="Zorn", given="Ann")]),
        Reference(id="alpha", type="article-journal", title="Alpha", container_title="J",
                  issued=Date("2001", year=2001), names=[Name(family="Abel", given="Bo")]),
    ]  # fmt: skip


def _cite(style: str, **options: str) -> str:
    out = io.StringIO()
    writer = CitationWriter(out, WriterOptions(style=style, **options))  # type: ignore[arg-type]
    for ref in _refs():
        writer.write(ref)
    writer.close()
    return out.getvalue()


def test_bibliography_is_sorted_as_the_style_says() -> None:
    lines = _cite("apa").splitlines()
    assert lines[0].startswith("Abel, B. (2001)") and lines[1].startswith("Zorn, A. (1999)")
    # a numeric style keeps the order of citation
    assert _cite("ieee").splitlines()[0].startswith("[1] A. Zorn")


def test_citation_number_is_followed_by_a_space() -> None:
    # citeproc-py 0.11 writes "[1]A. Zorn" and "1.Zorn A"; citeproc-js, the
    # reference processor, sets the first field of second-field-align apart
    assert _cite("ieee").splitlines()[1].startswith("[2] B. Abel, “Alpha,” ")
    assert _cite("vancouver").splitlines()[0].startswith("1. Zorn A. ")


def test_html_left_margin_blocks() -> None:
    html = _cite("ieee", output_format="html")
    assert '<div class="csl-left-margin">[1]</div><div class="csl-right-inline">A. Zorn' in html


def test_in_text_citations_one_per_item_in_input_order() -> None:
    assert _cite("apa", mode="citation") == "(Zorn, 1999)\n(Abel, 2001)\n"
    assert _cite("ieee", mode="citation") == "[1]\n[2]\n"


def test_markdown_escapes_and_emphasis() -> None:
    text = _cite("apa", output_format="markdown")
    assert "*Zeta \\*starred\\* \\[x\\]*" in text
    assert "\n\n" in text  # one paragraph per entry
    assert markdown.preformat("a_b<c>") == "a\\_b\\<c\\>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“Title”, J.", "“Title,” J."),
        ("“Title”. Next", "“Title.” Next"),
        ("“Why?”. Next", "“Why?” Next"),
        ("“Done.”. Next", "“Done.” Next"),
        ("no quotes, here.", "no quotes, here."),
        ("A. B, “Title”.", "A. B, “Title.”"),  # the layout's suffix moves too
        ("<i>“Title”</i>. Next", "<i>“Title.”</i> Next"),  # across closing markup (HTML)
    ],
)
def test_punctuation_moves_inside_the_closing_quote(text: str, expected: str) -> None:
    assert punctuation_in_quote(text, "”") == expected


def test_a_final_period_that_is_not_the_layouts_stays_outside() -> None:
    # IEEE: "“Title”." where the period is a group's suffix, not the layout's
    assert punctuation_in_quote("A. B, “Title”.", "”", final=False) == "A. B, “Title”."
    assert no_double_punctuation("“Why?”. Next. Why?.") == "“Why?” Next. Why?"
    # HTML: italics that end on a period take no second one (citeproc-js, AMA:
    # "<i>IEEE Trans. Appl. Supercond.</i> 2018.")
    assert no_double_punctuation("<i>J. Phys.</i>. 2018.") == "<i>J. Phys.</i> 2018."
    assert no_double_punctuation("<i>Title</i>. 2018.") == "<i>Title</i>. 2018."


def test_british_english_keeps_punctuation_outside() -> None:
    assert "‘Alpha’, " in _cite("ieee", locale="en-GB")


def test_values_are_escaped_for_html() -> None:
    ref = Reference(id="x", type="book", title="A & B <script>x</script>",
                    names=[Name(family="<b>Doe</b>", given="J")])  # fmt: skip
    out = io.StringIO()
    writer = CitationWriter(out, WriterOptions(output_format="html"))
    writer.write(ref)
    writer.close()
    html = out.getvalue()
    assert "<script>" not in html and "<b>" not in html
    assert "A &#38; B &#60;script&#62;x&#60;/script&#62;" in html


CITEPROC_JS = Path(__file__).parent / "golden" / "citeproc-js"
LAYER_STYLES = sorted(p.stem for p in CITEPROC_JS.glob("*.txt") if "." not in p.stem)


def render(style: str, refs: list[Reference], mode: str = "bibliography") -> str:
    return format_references(refs, WriterOptions(style=style, mode=mode))


def render_csl(style: str, item: dict[str, Any], output_format: str = "text") -> str:
    """One CSL-JSON item's entry, as ``-t citation`` renders the items it takes."""
    out = io.StringIO()
    writer = CitationWriter(out, WriterOptions(style=style, output_format=output_format))
    writer.emit(json.dumps(writer.prepare(item)))
    writer.close()
    return out.getvalue()


@pytest.mark.parametrize("style", LAYER_STYLES)
def test_layer_output_equals_citeproc_js(style: str) -> None:
    # each of these works showed one difference between citeproc-py 0.11.1 and
    # citeproc-js; the files hold citeproc-js's own output
    expected = (CITEPROC_JS / f"{style}.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(render(style, layer_cases()).splitlines()) == sorted(expected)


def test_quotes_and_apostrophes_as_citeproc_js_prints_them() -> None:
    assert typographic_quotes("PPD '93") == "PPD ’93"  # an apostrophe, not a quotation
    # the outermost quotation takes the outer marks, whatever the record wrote
    assert typographic_quotes("the 'militia' of Rome's") == "the “militia” of Rome’s"
    assert typographic_quotes("""to 'Comment on "Solution"'""") == "to “Comment on ‘Solution’”"
    assert typographic_quotes('"Solution"', ("‘", "’")) == "‘Solution’"  # en-GB
    assert narrow_spaces("VII : Rio") == "VII\u202f: Rio"


def test_quotation_marks_alternate_by_level_as_citeproc_js_sets_them() -> None:
    """Outer and inner marks by level, counting the style's own quotation
    marks; the period or comma moves inside every closing mark (rendered by
    citeproc-js 2.4.63 from the same item)."""
    reply = {"id": "q2", "type": "article-journal", "title": """Reply to 'Comment on "Solution"'""",
             "container-title": "J", "issued": {"date-parts": [[2011]]},
             "author": [{"family": "Z", "given": "Y"}]}  # fmt: skip
    assert render_csl("apa", reply) == "Z, Y. (2011). Reply to “Comment on ‘Solution.’” J.\n"
    assert render_csl("ieee", reply) == "[1] Y. Z, “Reply to ‘Comment on “Solution,”’” J, 2011.\n"
    book = {k: v for k, v in reply.items() if k != "container-title"}
    assert render_csl("apa", dict(book, title="Title", publisher='"Anahit"', type="book")) == (
        "Z, Y. (2011). Title. “Anahit.”\n"  # a record's quotation takes the final period
    )


def test_an_html_entry_ends_without_a_space_as_in_citeproc_js() -> None:
    # a document with a title only: IEEE's title group leaves its delimiter
    see = {"id": "see", "type": "document", "title": "See", "language": "en"}
    assert render_csl("ieee", see, "html").splitlines()[1] == (
        '  <div class="csl-entry"><div class="csl-left-margin">[1]</div>'
        '<div class="csl-right-inline">“See.”</div></div>'
    )


def test_sorting_sets_accents_case_and_punctuation_aside() -> None:
    assert collation_key("Ėti͡ud.") == collation_key("etiud")
    assert collation_key("na debri͡akh.") < collation_key("na debri͡akh (s drugoĭ)")


@pytest.mark.parametrize(
    ("before", "after"),
    [  # each pair as citeproc-js 2.4.63 (Node's ICU) ordered them
        ("De Roeck, A., & Jung, H.", "Depenheuer, O."),  # a space ("|") before letters
        ("Day, T.", "De Roeck, A."),
        ("Chun, W.", "Chung kung Shang-hai shih wei."),
        ("St. John, N.", "Statistical Office of the European Communities"),
        ("Kim, T.", "Kimizuka, Y."),
        ("El Moudden, A.", "Electrical breakdown in gases"),
        ("Hunter, D.", "ʻAbd-ul-Qayyum Tahir Malihabadi"),  # ʻ sorts after h
        ("ʻAbd-ul-Qayyum Tahir Malihabadi", "I shu chia yü te yü"),
        ("Charles Darwin", "Chʻen M., & Huang C."),
        ("Chʻen M., & Huang C.", "Chiang, H. H."),
        ("Borunda, M.", "Bo-Yu, H."),  # a hyphen is ignored
        ("Bo-Yu, H.", "Bozek, P."),
        ("Report 9", "Report 10"),  # numbers by value
        ("°x", "|x"),
        ("|x", "€x"),
        ("¨x", "°x"),
        ("©x", "+x"),
        ("€x", "0"),  # symbols
    ],
)
def test_sort_keys_order_as_citeproc_js_orders_them(before: str, after: str) -> None:
    assert collation_key(before) < collation_key(after)


@pytest.mark.parametrize("style", LAYER_STYLES)
def test_in_text_citations_equal_citeproc_js(style: str) -> None:
    # citeproc-js's single-item citations of the same works, in input order
    expected = (CITEPROC_JS / f"{style}.citations.txt").read_text(encoding="utf-8")
    assert render(style, layer_cases(), "citation") == expected


@pytest.mark.parametrize("slice_size", [1, 3])
@pytest.mark.parametrize("style", LAYER_STYLES)
def test_jobs_render_the_same_bibliography(
    style: str, slice_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 2: sort keys, citation texts and entries found in slices, in two
    processes, give the output of one process (numbers, year suffixes, given
    names, and subsequent-author-substitute across the seams of slices)."""
    monkeypatch.setattr(citeproc_layer.slices, "SLICE", slice_size)
    one = format_references(layer_cases(), WriterOptions(style=style))
    assert format_references(layer_cases(), WriterOptions(style=style, jobs=2)) == one


def test_slices_run_in_other_processes_and_come_back_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(citeproc_layer.slices, "SLICE", 3)
    found = citeproc_layer.in_slices(lambda a, b: [(n, os.getpid()) for n in range(a, b)], 20, 2)
    assert [n for n, _ in found] == list(range(20))
    assert os.getpid() not in {pid for _, pid in found}
    # a process renders a few slices, then a fresh fork takes over (its copied pages go)
    monkeypatch.setattr(citeproc_layer.slices, "RECYCLE", 2)
    found = citeproc_layer.in_slices(lambda a, b: [(a, os.getpid())], 30, 2)
    slices_per_process = Counter(pid for _, pid in found)
    assert len(found) == 10 and max(slices_per_process.values()) <= 2
    assert citeproc_layer.in_slices(lambda a, b: list(range(a, b)), 20, 1) == list(range(20))


def test_equal_names_are_held_once() -> None:
    source = citeproc_layer.Source()
    author = {"family": "Aaij", "given": "Roel"}
    for key in ("A", "B"):
        item = {"id": key, "type": "book", "title": key, "author": [dict(author)]}
        assert source.take(item) == key.lower()
    assert source["a"]["author"][0] is source["b"]["author"][0]
    assert source["a"]["author"][0]["family"] == "Aaij"


class _CountedKey(str):
    """A key that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _CountedKey.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_registered_keys_are_found_without_a_scan() -> None:
    """citeproc-py asks ``key in keys`` and ``keys.index(key)`` of every cite;
    a scan of the list made a bibliography of n items cost n² comparisons."""
    keys = citeproc_layer.speed._Keys(_CountedKey(f"k{i}") for i in range(1000))
    _CountedKey.compared = 0
    assert "k999" in keys and "k0" in keys and "missing" not in keys
    assert keys.index("k999") == 999
    assert _CountedKey.compared <= 3  # one per lookup that finds its key, none per key held


def test_free_text_is_held_only_for_a_style_that_prints_it() -> None:
    ref = Reference(
        id="r",
        type="book",
        title="Alpha",
        abstract="We measured the widths.",
        issued=Date("2001", year=2001),
        names=[Name(family="Abel", given="Bo")],
    )
    apa = CitationWriter(io.StringIO(), WriterOptions(style="apa"))
    assert apa.unused == FREE_TEXT  # apa names neither abstract, note nor keyword
    assert "abstract" not in json.loads(apa.render(ref))
    with_abstract = WriterOptions(style="apa-with-abstract")
    assert "abstract" not in CitationWriter(io.StringIO(), with_abstract).unused
    assert "We measured the widths." in format_references([ref], with_abstract)
    assert "We measured" not in format_references([ref], WriterOptions(style="apa"))


def test_citations_are_compared_only_where_they_could_read_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Year suffixes need the citations of works whose names another work shares;
    a style without disambiguation needs none; none is rendered twice."""
    asked: list[list[str]] = []
    original = citeproc_layer.Bibliography._citation_texts

    def spy(self: citeproc_layer.Bibliography, keys: list[str]) -> dict[str, str]:
        asked.append(list(keys))
        return original(self, keys)

    monkeypatch.setattr(citeproc_layer.Bibliography, "_citation_texts", spy)
    refs = [
        Reference(id=f"r{n}", type="book", title=f"T{n}", issued=Date("2001", year=2001),
                  names=[Name(family=family, given="Ann")])
        for n, family in enumerate(["Abel", "Abel", "Zorn"])
    ]  # fmt: skip
    cites = format_references(refs, WriterOptions(style="apa", mode="citation"))
    assert asked == [["r0", "r1"]]
    assert cites.splitlines() == ["(Abel, 2001a)", "(Abel, 2001b)", "(Zorn, 2001)"]
    asked.clear()
    format_references(refs, WriterOptions(style="ieee"))
    assert asked == []
    format_references(refs, WriterOptions(style="chicago-author-date"))  # <if disambiguate>
    assert sorted(key for keys in asked for key in keys) == ["r0", "r1", "r2"]  # each once
