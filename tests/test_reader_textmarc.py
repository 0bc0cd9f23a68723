"""The Invenio text MARC reader (FORMATS.md §1 grammar)."""

from __future__ import annotations

from pathlib import Path

import pymarc
from hypothesis import given, settings
from hypothesis import strategies as st

from marcconv.marc.record import dollar_field, indicator_pair, split_dollar_subfields
from marcconv.marc.textmarc import read_textmarc
from tests.conftest import SAMPLES
from tests.helpers import diagnostics, records


def test_seed_is_one_record_with_every_field(seed_lines: list[str]) -> None:
    (rec,) = records(seed_lines)
    assert rec.record_id == "000161903"
    assert len(rec.record.fields) == len(seed_lines)
    assert rec.record["001"].data == "161903"
    assert rec.record["245"]["a"].startswith("Second-Line Endocrine Therapy")


def test_fields_remember_their_line(seed_lines: list[str]) -> None:
    (rec,) = records(seed_lines)
    lines = [getattr(f, "line", None) for f in rec.record.fields]
    assert lines == list(range(1, len(seed_lines) + 1))
    assert getattr(rec.record.get_fields("773")[0], "line", None) == 35


def test_indicators_underscore_and_space_mean_blank() -> None:
    (rec,) = records("000000001 5203_ $$aAbstract\n000000001 019x  $$aX\n000000001 24510 $$aT\n")
    assert rec.record["520"].indicators == pymarc.Indicators("3", " ")
    assert rec.record["019"].indicators == pymarc.Indicators("x", " ")
    assert rec.record["245"].indicators == pymarc.Indicators("1", "0")


def test_subfields_keep_order_and_repetition() -> None:
    (rec,) = records("000000001 700__ $$uINFN$$uUniversita$$aRossi, M.\n")
    assert [(s.code, s.value) for s in rec.record["700"].subfields] == [
        ("u", "INFN"),
        ("u", "Universita"),
        ("a", "Rossi, M."),
    ]


def test_dollar_signs_inside_values_do_not_split() -> None:
    line = "001373300 520__ $$9arXiv$$aMass $$\\sigma = 1$$ and $pp$ at 7 TeV$$bnext\n"
    (rec,) = records(line)
    fld = rec.record["520"]
    assert fld["a"] == "Mass $$\\sigma = 1$$ and $pp$ at 7 TeV"
    assert fld["b"] == "next"


def test_first_code_may_be_any_character() -> None:
    (rec,) = records("000000002 03200 $$&DBC200439\n")
    assert rec.record["032"].subfields == [pymarc.Subfield("&", "DBC200439")]


def test_control_fields_keep_raw_values_and_local_tags() -> None:
    text = "000000001 FMT__ BK\n000000001 LDR__ 00000nam^^2200000^a^4500\n000000001 CAT__ $$_raw\n"
    (rec,) = records(text)
    assert rec.record["FMT"].data == "BK"
    assert str(rec.record.leader) == "00000nam  2200000 a 4500"
    assert rec.record["CAT"].data == "raw"


def test_record_boundary_is_a_change_of_id() -> None:
    text = "000000001 245__ $$aOne\n000000002 245__ $$aTwo\n000000001 245__ $$aThree\n"
    assert [r.record["245"]["a"] for r in records(text)] == ["One", "Two", "Three"]


def test_continuation_lines_join_the_previous_value() -> None:
    text = "000000001 520__ $$aFirst line\nsecond line\n2019 was a year\n000000001 245__ $$aT\n"
    (rec,) = records(text)
    assert rec.record["520"]["a"] == "First line second line 2019 was a year"
    assert rec.record["245"]["a"] == "T"


def test_bom_crlf_and_blank_lines_are_accepted() -> None:
    text = "\ufeff000000001 001__ 1\r\n\r\n   \r\n000000001 245__ $$aTitle\r\n"
    (rec,) = records(text)
    assert rec.record["001"].data == "1"
    assert rec.record["245"]["a"] == "Title"


def test_collapsed_form_gives_the_same_records() -> None:
    line = (SAMPLES / "palmira.txt").read_text(encoding="utf-8").splitlines()
    collapsed = (SAMPLES / "palmira-collapsed.txt").read_text(encoding="utf-8")
    assert "\n" not in collapsed.strip()
    (a,) = records(line)
    (b,) = records(collapsed)
    assert a.record.as_marc() == b.record.as_marc()


def test_collapsed_file_with_several_records() -> None:
    text = "000000001 245__ $$aOne 000000001 260__ $$c2001 000000002 245__ $$aTwo"
    got = records(text)
    assert [(r.record_id, r.record["245"]["a"]) for r in got] == [
        ("000000001", "One"),
        ("000000002", "Two"),
    ]
    assert got[0].record["260"]["c"] == "2001"


def test_field_without_subfield_code_is_reported_and_skipped() -> None:
    found = diagnostics("000000001 245__ no code here\n000000001 260__ $$c2001\n")
    assert [str(d) for d in found] == [
        "warning: test.txt, line 1, record 000000001: field 245: subfield code missing "
        "(value must start with $$ and a code); field skipped"
    ]


def test_text_before_the_first_record_is_reported() -> None:
    found = diagnostics("garbage\n000000001 245__ $$aT\n")
    assert found[0].line == 1 and "no record id" in found[0].message


# ------------------------------------------------------------------ property tests
_codes = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="$"
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
_data_field = st.builds(
    lambda tag, i1, i2, subs: pymarc.Field(
        tag, pymarc.Indicators(i1, i2), [pymarc.Subfield(c, v) for c, v in subs]
    ),
    st.integers(10, 999).map(lambda n: f"{n:03d}"),
    st.sampled_from(" 0123456789"),
    st.sampled_from(" 0123456789"),
    st.lists(st.tuples(_codes, _text), min_size=1, max_size=5),
)


def _to_textmarc(recid: int, fields: list[pymarc.Field]) -> str:
    out = []
    for fld in fields:
        ind = "".join(i.replace(" ", "_") for i in fld.indicators or ())
        body = "".join(f"$${s.code}{s.value}" for s in fld.subfields)
        out.append(f"{recid:09d} {fld.tag}{ind} {body}\n")
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_data_field, min_size=1, max_size=8), min_size=1, max_size=4))
def test_written_records_read_back_equal(recs: list[list[pymarc.Field]]) -> None:
    text = "".join(_to_textmarc(i + 1, fields) for i, fields in enumerate(recs))
    got = records(text)
    assert len(got) == len(recs)
    for fields, rec in zip(recs, got, strict=True):
        assert [(f.tag, f.indicators, f.subfields) for f in rec.record.fields] == [
            (f.tag, f.indicators, f.subfields) for f in fields
        ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_data_field, min_size=1, max_size=8), min_size=1, max_size=4))
def test_collapsed_equals_line_form(recs: list[list[pymarc.Field]]) -> None:
    text = "".join(_to_textmarc(i + 1, fields) for i, fields in enumerate(recs))
    collapsed = " ".join(text.splitlines())
    assert [r.record.as_marc() for r in records(collapsed)] == [
        r.record.as_marc() for r in records(text)
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_without_exception(text: str) -> None:
    for item in read_textmarc(text.splitlines(keepends=True), "fuzz"):
        assert item is not None


def test_reader_is_lazy() -> None:
    def lines() -> object:
        yield "000000001 245__ $$aOne\n"
        yield "000000002 245__ $$aTwo\n"
        raise AssertionError("read past what was asked")

    reader = read_textmarc(lines(), "lazy")  # type: ignore[arg-type]
    first = next(reader)
    assert getattr(first, "record_id", None) == "000000001"


def test_sample_paths_exist() -> None:
    assert Path(SAMPLES / "palmira.txt").is_file()


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(["$$a", "$$u", "$$0", "$$-", "$$_", "$$ ", "$$", "$", "x", "é", " "]),
        max_size=30,
    ),
    st.frozensets(st.sampled_from("au0_-é$ ")),
)
def test_select_reads_what_the_split_gives(parts: list[str], codes: frozenset[str]) -> None:
    """The direct read of an unsplit field gives the subfields the full split gives."""
    raw = "$$" + "".join(parts)
    if len(raw) < 3:
        return
    fld = dollar_field("700", 1, indicator_pair((" ", " ")), raw)
    selected = fld.select(codes)
    assert selected == [(c, v) for c, v in split_dollar_subfields(raw) if c in codes]
    assert fld.subfields == split_dollar_subfields(raw)  # the field itself is unchanged
