"""The biblatex writer: entry types, ISO dates, and only fields the data model allows."""

from __future__ import annotations

import io
import re

import pytest
from bibtexparser.entrypoint import parse_string
from hypothesis import given
from hypothesis import strategies as st

from marcconv.model import NAME_ROLES, Date, Name, Reference
from marcconv.writers.base import WriterOptions
from marcconv.writers.biblatex import (
    GLOBAL_FIELDS,
    TYPE_FIELDS,
    BiblatexWriter,
    entry_type,
    iso_date,
)


def _biblatex(ref: Reference, options: WriterOptions | None = None) -> str:
    out = io.StringIO()
    writer = BiblatexWriter(out, options)
    writer.write(ref)
    writer.close()
    return out.getvalue()


def _fields(text: str) -> dict[str, str]:
    (entry,) = parse_string(text).entries
    return {f.key: f.value for f in entry.fields}


@pytest.mark.parametrize(
    ("date", "iso"),
    [
        (Date("2025", year=2025), "2025"),
        (Date("2025-03-14", year=2025, month=3, day=14), "2025-03-14"),
        (Date("May 1984", year=1984, month=5), "1984-05"),
        (Date("1990-1995", year=1990, end_year=1995), "1990/1995"),
        (Date("[ca. 1900]", year=1900, approximate=True), "1900~"),
        (Date("s.a."), None),
    ],
)
def test_dates_in_the_iso_form_biblatex_reads(date: Date, iso: str | None) -> None:
    assert iso_date(date) == iso


def test_article_fields_and_names() -> None:
    ref = Reference(
        id="k",
        type="article-journal",
        title="On ATLAS",
        container_title="Journal of Clinical Oncology",
        container_title_short="J. clin. oncol.",
        volume="43",
        issue="18",
        page="2084-2093",
        issued=Date("2025", year=2025),
        names=[Name(family="Barco Berrón", particle="del", given="Sonia"),
               Name(literal="ATLAS Collaboration")],
        doi="10.1200/JCO-24-01865",
        language="es",
        publisher="ASCO",  # not a field of @article: left out
        identifiers={"arxiv": ["2101.00001"]},
    )  # fmt: skip
    fields = _fields(_biblatex(ref))
    assert fields["author"] == "del Barco Berrón, Sonia and {ATLAS Collaboration}"
    assert fields["title"] == "On {ATLAS}"
    assert (fields["journaltitle"], fields["shortjournal"]) == (
        "Journal of Clinical Oncology",
        "J. clin. oncol.",
    )
    assert (fields["date"], fields["number"], fields["pages"]) == ("2025", "18", "2084--2093")
    assert (fields["eprint"], fields["eprinttype"]) == ("2101.00001", "arxiv")
    assert fields["langid"] == "spanish"
    assert "publisher" not in fields and "booktitle" not in fields


@pytest.mark.parametrize(
    ("ref", "kind"),
    [
        (Reference(id="k", type="book", names=[Name(family="A")]), "book"),
        (Reference(id="k", type="book", names=[Name(family="A", role="editor")]), "collection"),
        (Reference(id="k", type="book", event_title="Conf"), "proceedings"),
        (Reference(id="k", type="chapter"), "incollection"),
        (Reference(id="k", type="paper-conference"), "inproceedings"),
        (Reference(id="k", type="thesis"), "thesis"),
        (Reference(id="k", type="report"), "report"),
        (Reference(id="k", type="webpage"), "online"),
        (Reference(id="k", type="dataset"), "dataset"),
        (Reference(id="k", type="software"), "software"),
        (Reference(id="k", type="article", url=["https://arxiv.org/abs/1"]), "online"),
        (Reference(id="k", type="article"), "misc"),
        (Reference(id="k", type="map"), "misc"),
    ],
)
def test_entry_types(ref: Reference, kind: str) -> None:
    assert entry_type(ref) == kind


def test_thesis_and_report_types() -> None:
    phd = _fields(_biblatex(Reference(id="k", type="thesis", genre="PhD thesis", publisher="U")))
    assert (phd["type"], phd["institution"]) == ("phdthesis", "U")
    masters = Reference(id="k", type="thesis", genre="Master's thesis")
    assert _fields(_biblatex(masters))["type"] == "mathesis"
    assert _fields(_biblatex(Reference(id="k", type="report", number="CERN-TH-1")))["type"] == (
        "techreport"
    )


def test_max_authors_adds_and_others() -> None:
    ref = Reference(id="k", type="book", names=[Name(family=f"N{i}") for i in range(5)])
    assert _fields(_biblatex(ref, WriterOptions(max_authors=2)))["author"] == "N0 and N1 and others"


def test_utf8_kept_and_tex_specials_escaped() -> None:
    fields = _fields(_biblatex(Reference(id="k", type="book", title="Ñandú 100% \\input{x}")))
    assert fields["title"] == (
        r"Ñandú 100\% {\textbackslash}input{\textbraceleft}x{\textbraceright}"
    )


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)


@given(
    kind=st.sampled_from(["article-journal", "book", "chapter", "paper-conference", "thesis",
                          "report", "webpage", "dataset", "software", "patent", "periodical",
                          "manuscript", "map", "article"]),
    role=st.sampled_from(NAME_ROLES),
    values=st.lists(TEXT, min_size=12, max_size=12),
)  # fmt: skip
def test_every_field_is_one_the_data_model_allows(kind: str, role: str, values: list[str]) -> None:
    ref = Reference(
        id="k", type=kind, title=values[0], container_title=values[1], volume=values[2],
        issue=values[3], page=values[4], edition=values[5], publisher=values[6],
        publisher_place=values[7], collection_title=values[8], number=values[9],
        event_title=values[10], number_of_pages=values[11], isbn=["9780201896831"],
        issn=["0732-183X"], names=[Name(family="F", role=role)], doi="10.1/x",
        url=["https://example.org"], issued=Date("2020", year=2020),
    )  # fmt: skip
    text = _biblatex(ref)
    kind_written = re.match(r"@(\w+)\{", text)
    assert kind_written is not None
    allowed = TYPE_FIELDS.get(kind_written[1], frozenset()) | GLOBAL_FIELDS
    assert set(_fields(text)) <= allowed


def test_one_valid_isbn_and_issn() -> None:
    ref = Reference(id="k", type="book", title="T",
                    isbn=["9789655220613", "978-1-4037-9396-6", "1-4037-9396-4"])  # fmt: skip
    fields = _fields(_biblatex(ref))
    assert fields["isbn"] == "978-1-4037-9396-6"  # the first is not a valid ISBN
