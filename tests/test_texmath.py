"""TeX math in titles and abstracts: kept as math where harmless, text everywhere else."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marcconv.model import Date, Name, Reference
from marcconv.writers.base import WriterOptions
from marcconv.writers.bibtex import to_entry
from marcconv.writers.citation import CitationWriter
from marcconv.writers.latex import escape_prose, protect_title
from marcconv.writers.texmath import MATH_COMMANDS, pieces, readable, safe_math


def spans(value: str) -> list[tuple[str, bool]]:
    return [(p.text, p.math) for p in pieces(value)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # INSPIRE titles of the corpus
        (
            "Measurement of the CKM angle $\\gamma$ from LHCb",
            [("Measurement of the CKM angle ", False), ("\\gamma", True), (" from LHCb", False)],
        ),
        ("at $\\sqrt{s}=13~\\mathrm{TeV}$", [("at ", False), ("\\sqrt{s}=13~\\mathrm{TeV}", True)]),
        ("$ \\sqrt{s}=7 $ TeV", [(" \\sqrt{s}=7 ", True), (" TeV", False)]),
        ("$$\\gamma$$ and \\(\\alpha\\)", [("\\gamma", True), (" and ", False), ("\\alpha", True)]),
        # not math: money, prose, a lone dollar, an escaped one
        ("costs $5 million and $3 million", [("costs $5 million and $3 million", False)]),
        ("price $5$10", [("price $5$10", False)]),
        ("US$ 100", [("US$ 100", False)]),
        ("\\$x\\$", [("\\$x\\$", False)]),
    ],
)
def test_math_spans(value: str, expected: list[tuple[str, bool]]) -> None:
    assert spans(value) == expected


@pytest.mark.parametrize(
    "source",
    [
        "\\input{secret.txt}",
        "x^^5cinput^^7bsecret.txt^^7d",
        "\\def\\x{y}",
        "\\csname input\\endcsname",
        "\\begin{filecontents}{x.tex}x\\end{filecontents}",
        "\\immediate\\write18{ls}",
        "\\catcode`\\%=11",
        "x}",
        "{x",
        "\\lsim",  # a macro of HEP papers, not of LaTeX: it would be undefined
        "\\'e",
        "é",
        "\\\\",
    ],
)
def test_what_is_not_harmless_math_is_text(source: str) -> None:
    assert safe_math(source) is None
    assert not any(p.math for p in pieces(f"a ${source}$ b"))


def test_safe_math_is_made_safe_for_latex() -> None:
    assert safe_math("\\text{GeV}") == "\\mbox{GeV}"  # amsmath's \text is not in the kernel
    assert safe_math("100%, a#b & c") == "100\\%, a\\#b \\& c"
    assert safe_math("γ\\to Υ") == "{\\gamma}\\to {\\Upsilon}"


def test_bibtex_keeps_math_braced_and_escapes_the_rest() -> None:
    title = "Exclusive $\\mathrm{J/}\\psi$ photoproduction at $\\sqrt{s_{\\rm NN}}=5.02$ TeV & 50%"
    assert protect_title(title) == (
        "Exclusive {$\\mathrm{J/}\\psi$} photoproduction at {$\\sqrt{s_{\\rm NN}}=5.02$} {TeV}"
        " {\\&} 50{\\%}"
    )
    assert escape_prose("$\\input{x}$ and $x^2$") == (
        "{\\$}{\\textbackslash}input{\\textbraceleft}x{\\textbraceright}{\\$} and {$x^2$}"
    )
    entry = to_entry(Reference(id="k", type="article-journal", title=title, abstract="$x_1$"))
    fields = {f.key: f.value for f in entry.fields}
    assert fields["abstract"] == "{{$x_1$}}"


#: text with much math and TeX in it
TEXISH = st.lists(
    st.sampled_from([*"ab $$\\{}^_%#&~", "\\input", "\\gamma", "\\sqrt", "^^5c", "é", "γ"]),
    max_size=30,
).map("".join)
_COMMAND = re.compile(r"\\([A-Za-z]+)")
#: every command the escaping of text writes (pylatexenc's, for these characters)
TEXT_COMMANDS = {
    "textbackslash", "textbraceleft", "textbraceright", "textasciicircum", "textasciitilde",
    "ensuremath", "gamma",
}  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(value=TEXISH)
def test_no_command_but_harmless_ones_ever_gets_through(value: str) -> None:
    for written in (protect_title(value), escape_prose(value), escape_prose(value, True)):
        depth = 0
        for char in written:
            if char in "{}":
                depth += 1 if char == "{" else -1
                assert depth >= 0, written
        assert depth == 0, written
        assert "^^" not in written
        for name in _COMMAND.findall(written):
            assert name in MATH_COMMANDS or name in TEXT_COMMANDS or name == "mbox", written


def test_formatted_citations_show_math_readably_and_markdown_keeps_it() -> None:
    ref = Reference(
        id="k",
        type="article-journal",
        title="Search for the decay $D^0 \\to e^\\pm\\mu^\\mp$ at $\\sqrt{s}=13$ TeV",
        names=[Name(family="Aaij", given="R.")],
        issued=Date("2016", year=2016),
    )
    assert readable(ref.title or "") == "Search for the decay D^0 → e^±μ^∓ at √s=13 TeV"
    # an antiparticle keeps its bar (UA1's "$\overline{p}$p collisions")
    assert readable("630 GeV $\\overline{p}$p collisions") == "630 GeV p\u0305p collisions"
    outputs = {}
    for kind in ("text", "html", "markdown"):
        out = io.StringIO()
        writer = CitationWriter(out, WriterOptions(style="apa", output_format=kind))
        writer.write(ref)
        writer.close()
        outputs[kind] = out.getvalue()
    assert "decay D^0 → e^±μ^∓ at √s=13 TeV" in outputs["text"]
    assert "decay D^0 → e^±μ^∓ at √s=13 TeV" in outputs["html"]
    assert "decay $D^0 \\to e^\\pm\\mu^\\mp$ at $\\sqrt{s}=13$ TeV" in outputs["markdown"]


def test_title_case_leaves_math_alone() -> None:
    ref = Reference(
        id="k",
        type="chapter",
        title="t",
        container_title="the $\\gamma$ rays of $\\mathrm{pp}$ collisions",
        names=[Name(family="Doe", given="J.")],
        issued=Date("2016", year=2016),
    )
    out = io.StringIO()
    writer = CitationWriter(out, WriterOptions(style="chicago-author-date"))
    writer.write(ref)
    writer.close()
    assert "γ Rays of pp Collisions" in out.getvalue()


def test_csl_json_protects_title_math_from_case_changes() -> None:
    from marcconv.model import Reference
    from marcconv.writers.csljson import exchange_item, protected_math, to_csl

    assert protected_math("The CKM angle $\\gamma$ at $5 TeV") == (
        'The CKM angle <span class="nocase">$\\gamma$</span> at $5 TeV'  # a lone $ is text
    )
    ref = Reference(id="k", title="Angle $\\gamma$", abstract="With $\\gamma$.")
    item = exchange_item(ref)
    assert item["title"] == 'Angle <span class="nocase">$\\gamma$</span>'
    assert item["abstract"] == "With $\\gamma$."  # no style changes an abstract's case
    assert to_csl(ref)["title"] == "Angle $\\gamma$"  # the model's value, for the citeproc layer
