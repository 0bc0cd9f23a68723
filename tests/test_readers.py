"""Each reader on real files (tests/data/marc, see SOURCES.md), detection, and safety."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest

from marcconv.errors import Diagnostic, Severity
from marcconv.marc.alephseq import read_alephseq
from marcconv.marc.dialects import detect
from marcconv.marc.line import read_line
from marcconv.marc.marcjson import read_marcjson
from marcconv.marc.marcxml import read_marcxml
from marcconv.marc.mrk import read_mrk
from marcconv.marc.record import SourceRecord
from marcconv.marc.textmarc import read_textmarc
from marcconv.sources import read_records

MARC = Path(__file__).resolve().parent / "data" / "marc"


def read(path: Path | str, source_format: str = "auto") -> list[SourceRecord | Diagnostic]:
    return list(read_records(str(path), source_format, lambda d: None))


def records(path: Path | str, source_format: str = "auto") -> list[SourceRecord]:
    return [item for item in read(path, source_format) if isinstance(item, SourceRecord)]


def shape(record: SourceRecord) -> list[tuple[object, ...]]:
    """Everything a MARC serialisation must keep: tags, indicators, subfields, order."""
    out: list[tuple[object, ...]] = [("LDR", str(record.record.leader))]
    for fld in record.record.fields:
        if fld.control_field:
            out.append((fld.tag, fld.data))
        else:
            out.append((fld.tag, fld.indicator1, fld.indicator2, [tuple(s) for s in fld.subfields]))
    return out


# ------------------------------------------------------------------ one test per reader
def test_alephseq_catmandu_sample() -> None:
    got = records(MARC / "rug01.aleph")
    assert [r.record_id for r in got] == ["000000002", "000000003"]
    first = got[0].record
    assert first["FMT"].data == "BK"
    assert str(first.leader) == "00000nam a2200301 i 4500"  # ^ is a blank
    assert first["008"].data == "050601s1921^^^^xx^||||||||||||||^||dut^^".replace("^", " ")
    assert first["245"].indicators == pymarc.Indicators("1", "0")
    assert first["245"]["a"] == "Catmandu Test"
    assert first.get_fields("650")[2]["a"] == "加德滿都"
    assert first.get_fields("650")[1].get_subfields("a") == ["MARC", "MARC2"]


def test_alephseq_record_ends_at_fmt_even_with_the_same_number() -> None:
    lines = [
        "000000001 FMT   L BK\n",
        "000000001 24510 L $$aOne\n",
        "000000001 FMT   L BK\n",
        "000000001 24510 L $$aTwo\n",
    ]
    got = [r for r in read_alephseq(lines, "x") if isinstance(r, SourceRecord)]
    assert [r.record["245"]["a"] for r in got] == ["One", "Two"]


def test_line_format_catmandu_sample_with_punctuation_codes() -> None:
    (rec,) = records(MARC / "code4lib.line")
    assert rec.record_id == "987874829"
    assert str(rec.record.leader) == "00251nas a2200121 c 4500"
    assert rec.record["245"]["a"] == "Code4Lib journal"
    assert rec.record["245"]["b"] == "C4LJ"
    assert rec.record["362"].indicators == pymarc.Indicators("0", " ")
    assert [tuple(s) for s in rec.record["999"].subfields] == [
        ("=", "foo"),
        ("<", "bar"),
        ("$", "baz"),
    ]


def test_line_format_yaz_dump_equals_the_same_records_in_iso2709() -> None:
    as_lines = records(MARC / "marccol1.u8.1.lst")
    as_binary = records(MARC / "marccol1.u8.marc")
    assert len(as_lines) == len(as_binary) == 19
    for line_rec, binary_rec in zip(as_lines, as_binary, strict=True):
        assert shape(line_rec) == shape(binary_rec)


def test_line_format_control_value_keeps_leading_blanks_and_continuations_join() -> None:
    text = (
        "00062cam a2200037Ia 4500\n001    70813420 /AJ/r86\n520    $a First part\n    second part\n"
    )
    (rec,) = [r for r in read_line(io.StringIO(text), "x") if isinstance(r, SourceRecord)]
    assert rec.record["001"].data == "   70813420 /AJ/r86"
    assert rec.record["520"]["a"] == "First part second part"


def test_mrk_catmandu_sample_equals_the_same_records_in_iso2709() -> None:
    as_mrk = records(MARC / "camel.mrk")
    as_binary = records(MARC / "camel.mrc")
    assert len(as_mrk) == len(as_binary) == 10
    assert as_mrk[0].record_id == "fol05731351"
    assert as_mrk[0].record["100"].indicators == pymarc.Indicators("1", " ")
    assert as_mrk[0].record["245"]["a"] == "ActivePerl with ASP and ADO /"
    for mrk_rec, binary_rec in zip(as_mrk, as_binary, strict=True):
        assert shape(mrk_rec) == shape(binary_rec)


def test_mrk_mnemonics() -> None:
    text = (
        "=LDR  00000nam\\\\2200000\\a\\4500\n"
        "=245  10$aCost {dollar}5 {lcub}x{rcub} caf{eacute} {U+00E9} {bogus}\n"
    )
    (rec,) = [r for r in read_mrk(io.StringIO(text), "x") if isinstance(r, SourceRecord)]
    assert rec.record["245"]["a"] == "Cost $5 {x} café é {bogus}"
    assert str(rec.record.leader) == "00000nam  2200000 a 4500"
    assert [d.message for d in rec.diagnostics] == ["unknown mnemonic {bogus} kept as written"]


def test_marcxml_namespaced_batch_equals_marc_in_json() -> None:
    as_xml = records(MARC / "batch.xml")
    as_json = records(MARC / "batch.json")
    assert [r.record_id for r in as_xml] == ["5637241", "12149120"]
    assert as_xml[0].record["245"]["a"] == "The Great Ray Charles"
    assert as_xml[0].record["245"].indicators == pymarc.Indicators("0", "4")
    assert [shape(r) for r in as_xml] == [shape(r) for r in as_json]


def test_marcxml_lines_are_the_start_tags() -> None:
    (rec,) = records(MARC / "marc.xml")
    text = (MARC / "marc.xml").read_text(encoding="utf-8").splitlines()
    for fld in rec.record.fields:
        assert f'tag="{fld.tag}"' in text[fld.line - 1]  # type: ignore[union-attr]


def test_marcxml_real_export_with_a_banner_and_a_bare_ampersand() -> None:
    items = read(MARC / "books_book2.xml")
    (rec,) = [i for i in items if isinstance(i, SourceRecord)]
    assert rec.record["260"]["b"] == "Elsevier Science & Technology"
    messages = [str(i) for i in items if isinstance(i, Diagnostic)]
    assert "line 1: text before the XML document skipped" in messages[0]
    assert "line 34: not well-formed XML repaired: '&' that starts no entity" in messages[1]


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<collection><record><datafield tag='245' ind1=' ' ind2=' '>"
        b"<subfield code='a'>&b;</subfield></datafield></record></collection>",
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<collection><record><datafield tag='245' ind1=' ' ind2=' '>"
        b"<subfield code='a'>&x;</subfield></datafield></record></collection>",
        b"<collection>\n<record><controlfield tag='001'>1</controlfield></record>\n"
        b'<!DOCTYPE r SYSTEM "http://example.org/evil.dtd">\n<record/></collection>',
    ],
    ids=["billion-laughs", "external-entity", "doctype-after-a-record"],
)
def test_marcxml_refuses_dtds_and_entities(document: bytes) -> None:
    items = list(read_marcxml(io.BytesIO(document), "evil.xml"))
    errors = [i for i in items if isinstance(i, Diagnostic) and i.severity is Severity.ERROR]
    assert len(errors) == 1
    assert "MARCXML refused" in errors[0].message
    assert all("root:" not in str(r.record) for r in items if isinstance(r, SourceRecord))


def test_marcxml_not_well_formed_names_the_line_and_the_open_record() -> None:
    document = b"<collection>\n<record>\n<controlfield tag='001'>7</controlfield>\n<datafield"
    items = list(read_marcxml(io.BytesIO(document), "cut.xml"))
    (error,) = items
    assert isinstance(error, Diagnostic)
    assert error.line == 4
    assert "not well-formed" in error.message and "record 1 (from line 2)" in error.message


def test_iso2709_marc8_converted_to_unicode() -> None:
    (rec,) = records(MARC / "marc8.dat")
    assert rec.record.leader[9] == " "  # MARC-8
    assert rec.record["240"]["a"] == "De la solitude à la communauté."


def test_iso2709_broken_directory_and_lying_leaders_lose_no_record() -> None:
    items = read(MARC / "bad_records.mrc")
    got = [i for i in items if isinstance(i, SourceRecord)]
    assert len(got) == (MARC / "bad_records.mrc").read_bytes().count(b"\x1d")
    recovered = [r for r in got if any("recovered" in d.message for d in r.diagnostics)]
    assert recovered and all(r.record.fields for r in recovered)


def test_iso2709_equals_marc_in_json_for_the_same_record() -> None:
    assert [shape(r) for r in records(MARC / "one.dat")] == [
        shape(r) for r in records(MARC / "one.json")
    ]


def test_marc_in_json_lines_and_bad_json() -> None:
    lines = b'{"leader": "00000nam a2200000 a 4500", "fields": [{"001": "1"}]}\n' * 2 + b"{oops"
    items = list(read_marcjson(io.BytesIO(lines), "x.jsonl"))
    assert [i.record_id for i in items if isinstance(i, SourceRecord)] == ["1", "1"]
    assert isinstance(items[-1], Diagnostic) and items[-1].line == 3


# ------------------------------------------------------------------------ detection
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rug01.aleph", "alephseq"),
        ("code4lib.line", "line"),
        ("marccol1.u8.1.lst", "line"),
        ("camel.mrk", "mrk"),
        ("camel.mrc", "iso2709"),
        ("marc8.dat", "iso2709"),
        ("batch.xml", "marcxml"),
        ("books_book2.xml", "marcxml"),
        ("batch.json", "marc-json"),
        ("one.json", "marc-json"),
    ],
)
def test_detect_real_files(name: str, expected: str) -> None:
    head = (MARC / name).read_bytes()[:65536]
    assert detect(head, "").format == expected  # content alone decides, not the name


def test_detect_textmarc_line_and_collapsed(seed_lines: list[str]) -> None:
    text = "".join(seed_lines).encode()
    assert detect(text).format == "textmarc"
    assert detect(text.replace(b"\n", b" ")).format == "textmarc"


def test_detect_falls_back_on_the_extension_and_says_so() -> None:
    found = detect(b"", "dump.mrk")
    assert found.format == "mrk" and "extension" in found.reason
    assert detect(b"hello world\n", "notes.txt").format is None


def test_a_file_mixing_dialects_is_an_error_naming_the_line(seed_lines: list[str]) -> None:
    aleph = "000161903 24510 L $$aAn Aleph line\n"
    items = list(read_alephseq([aleph, "=245  10$aA mnemonic line\n"], "mixed.txt"))
    (error,) = [i for i in items if isinstance(i, Diagnostic)]
    assert error.line == 2 and error.severity is Severity.ERROR
    assert "MarcEdit mnemonic (.mrk), but the input is Aleph sequential" in error.message
    items = list(read_line(["245 10 $a Title\n", aleph], "mixed.txt"))
    (error,) = [i for i in items if isinstance(i, Diagnostic)]
    assert error.line == 2 and "Aleph sequential" in error.message


def test_textmarc_keeps_control_field_blanks() -> None:
    lines = ["000000001 008__ 000107s2000    nyua          001 0 eng  \n"]
    (rec,) = [r for r in read_textmarc(lines, "x") if isinstance(r, SourceRecord)]
    assert rec.record["008"].data == "000107s2000    nyua          001 0 eng  "
