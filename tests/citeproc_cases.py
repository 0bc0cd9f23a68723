"""Works that exercise each change of marcconv's citeproc-py layer.

``tests/test_conformance.py`` renders them in eight styles and holds the result
against citeproc-js; ``tests/test_citation.py`` checks the same output where
the checkers are absent (the expected strings are citeproc-js's).
"""

from __future__ import annotations

from marcconv.model import Date, Name, Reference


def layer_cases() -> list[Reference]:
    """One work for each place where citeproc-py and citeproc-js differed (year
    suffixes, a body as second name, family-first names, number-of-pages labels,
    a style's own date format, full given names, empty labels, nested quotes,
    a question mark before a period, a title or editors standing in for the
    author, an entry opening with "n.d.", a report number with hyphens, two first
    authors who share a family name)."""
    knuth = [Name(family="Knuth", given="Donald Ervin")]
    return [
        Reference(
            id="knuth1984a",
            type="book",
            title="The TeXbook",
            publisher="Addison-Wesley",
            publisher_place="Reading, Mass.",
            issued=Date("1984", year=1984),
            names=knuth,
            number_of_pages="483",
        ),
        Reference(
            id="knuth1984b",
            type="book",
            title="Literate programming",
            publisher="O'Reilly",
            issued=Date("1984", year=1984),
            names=knuth,
        ),
        Reference(
            id="senate1982",
            type="report",
            title="Description of tax bills",
            publisher="U.S. Government Printing Office",
            issued=Date("1982-05", year=1982, month=5),
            number="JCS-12-82",
            names=[
                Name(literal="United States. Congress. Senate. Committee on Finance"),
                Name(literal="United States. Congress. Joint Committee on Taxation"),
            ],
        ),
        Reference(
            id="liu1985",
            type="book",
            title="Zhongguo zhe xue xin lun",
            publisher="Shi jie shu ju",
            issued=Date("1985", year=1985),
            language="zh",
            names=[Name(family="Liu", given="Shaoji")],
        ),
        Reference(
            id="wang2001",
            type="article-journal",
            title="Quasinormal modes along the horizon of anti-de Sitter black holes",
            container_title="Physical Review D",
            volume="64",
            page="084006",
            issued=Date("2001", year=2001),
            language="en",
            names=[Name(family="Wang", given="Bin"), Name(family="Lin", given="Chi-Yong")],
        ),
        Reference(
            id="mank2010",
            type="thesis",
            title="MAGIC observations of distant AGN",
            genre="PhD thesis",
            publisher="Udine U.",
            issued=Date("2010", year=2010),
            url=["https://example.org/thesis.pdf"],
            names=[Name(family="Mankuzhiyil", given="Nijil")],
        ),
        Reference(
            id="kout2006",
            type="article-journal",
            title="Quasi-normal modes of topological black holes",
            issued=Date("2006", year=2006),
            language="en",
            names=[Name(family="Koutsoumbas", given="George")],
        ),
        Reference(
            id="hall1999",
            type="chapter",
            title='What is the "militia of the Pope"?',
            container_title="Essays",
            publisher="Wiley",
            issued=Date("1999", year=1999),
            page="12-30",
            names=[
                Name(family="Hall", given="Ann"),
                Name(family="Rowe", given="Bo", role="editor"),
            ],
        ),
        Reference(
            id="ray1957",
            type="book",
            title="The great Ray Charles",
            publisher="Atlantic",
        ),
        Reference(
            id="efstathiou1998",
            type="article",
            title="Constraints from distant supernovae",
            number="astro-ph/9812226",
            issued=Date("1998", year=1998),
            language="en",
            names=[Name(family="Efstathiou", given="George")],
        ),
        Reference(
            id="horner1909",
            type="book",
            title="Lincoln centenary",
            publisher="State Dept.",
            issued=Date("1909", year=1909),
            names=[Name(family="Horner", given="Harlan Hoyt", role="editor")],
        ),
        Reference(
            id="abbott1884",
            type="book",
            title="Flatland",
            publisher="Seeley",
            issued=Date("1884", year=1884),
            names=[Name(family="Abbott", given="Edwin Abbott")],
        ),
        Reference(
            id="abbott1985",
            type="article-journal",
            title="Cosmological constraints",
            container_title="Physical Review Letters",
            issued=Date("1985", year=1985),
            names=[Name(family="Abbott", given="R B"), Name(family="Bednarz", given="B F")],
        ),
    ]
