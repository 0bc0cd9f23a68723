"""Lossless round trips: random records through every MARC serialisation and back,
and the real corpus read from each of its serialisations gives one model."""

from __future__ import annotations

import glob
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marcconv.crosswalk import to_reference
from marcconv.errors import Diagnostic, NotBibliographic, RecordError
from marcconv.marc.alephseq import FORMAT_BY_TYPE, AlephseqWriter, read_alephseq
from marcconv.marc.iso2709 import read_iso2709
from marcconv.marc.line import YazLineWriter as LineWriter
from marcconv.marc.line import read_line
from marcconv.marc.marcjson import read_marcjson
from marcconv.marc.marcxml import MarcxmlWriter, read_marcxml
from marcconv.marc.mrk import read_mrk
from marcconv.marc.record import SourceField, SourceRecord, record_from
from marcconv.marc.textmarc import TextmarcWriter, read_textmarc
from marcconv.marc.writing import RecordWriter
from marcconv.sources import read_records
from marcconv.writers.csljson import to_csl
from tests.conftest import SHARED

# ------------------------------------------------------------------ random records
# Values every serialisation can hold: no control characters, no "$" (a subfield
# mark in text MARC, Aleph and .mrk), no "{" "}" "\" (.mrk mnemonics) and no "^"
# (a blank in Aleph fixed fields); data values without edge blanks (text MARC
# trims a line, as Invenio does).
ALPHABET = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
    blacklist_characters="${}\\^\ufeff\ufffe\uffff",
)
INDICATOR = st.sampled_from(list("0123456789abcdefghijklmnopqrstuvwxyz "))
CODE = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789"))
VALUE = st.text(ALPHABET, max_size=30).map(str.strip)
CONTROL_VALUE = st.text(ALPHABET, min_size=1, max_size=40)
LEADER = st.text(
    st.sampled_from(list("0123456789abcdefghijklmnopqrstuvwxyz ")), min_size=19, max_size=19
).map(lambda s: "00000" + s)


@st.composite
def marc_records(draw: st.DrawFn) -> pymarc.Record:
    record = pymarc.Record(leader=draw(LEADER))
    for tag in sorted(draw(st.sets(st.sampled_from(["001", "003", "005", "008"]), max_size=3))):
        record.fields.append(pymarc.Field(tag, data=draw(CONTROL_VALUE)))
    for _ in range(draw(st.integers(1, 6))):
        tag = f"{draw(st.integers(10, 999)):03d}"
        subfields = [
            pymarc.Subfield(draw(CODE), draw(VALUE)) for _ in range(draw(st.integers(1, 4)))
        ]
        record.fields.append(
            pymarc.Field(
                tag,
                indicators=pymarc.Indicators(draw(INDICATOR), draw(INDICATOR)),
                subfields=subfields,
            )
        )
    return record


def shape(record: pymarc.Record) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [("LDR", str(record.leader))]
    for fld in record.fields:
        if fld.control_field:
            out.append((fld.tag, fld.data))
        else:
            out.append((fld.tag, fld.indicator1, fld.indicator2, [tuple(s) for s in fld.subfields]))
    return out


def _ours(writer: type[RecordWriter], records: list[pymarc.Record]) -> str:
    out = io.StringIO()
    w = writer(out)
    for position, record in enumerate(records, 1):
        source = record_from("random", str(position), None, str(record.leader))
        source.record.fields = list(record.fields)
        w.write_record(source)
    w.close()
    return out.getvalue()


def _without_opening_fmt(record: pymarc.Record) -> pymarc.Record:
    """The record without the FMT line Aleph opens every record with (the writer adds
    it from the leader)."""
    opening = record.fields[0]
    assert opening.tag == "FMT" and opening.data in set(FORMAT_BY_TYPE.values()) | {"SE"}
    record.fields = record.fields[1:]
    return record


def _read(items: Iterable[SourceRecord | Diagnostic]) -> list[pymarc.Record]:
    got = list(items)
    assert not [i for i in got if isinstance(i, Diagnostic)]
    return [i.record for i in got if isinstance(i, SourceRecord) and not i.diagnostics]


ROUND_TRIPS: dict[str, Callable[[list[pymarc.Record]], list[pymarc.Record]]] = {
    "textmarc": lambda rs: _read(
        read_textmarc(io.StringIO(_ours(TextmarcWriter, rs)).readlines(), "t")
    ),
    "alephseq": lambda rs: [
        _without_opening_fmt(r)
        for r in _read(read_alephseq(io.StringIO(_ours(AlephseqWriter, rs)).readlines(), "a"))
    ],
    "line": lambda rs: _read(read_line(io.StringIO(_ours(LineWriter, rs)).readlines(), "l")),
    "marcxml": lambda rs: _read(read_marcxml(io.BytesIO(_ours(MarcxmlWriter, rs).encode()), "x")),
    # serialisations marcconv reads but does not write: pymarc writes them
    "iso2709": lambda rs: _read(read_iso2709(io.BytesIO(b"".join(r.as_marc() for r in rs)), "b")),
    "marc-json": lambda rs: _read(
        read_marcjson(io.BytesIO(json.dumps([r.as_dict() for r in rs]).encode()), "j")
    ),
    "mrk": lambda rs: _read(read_mrk(io.StringIO("\n".join(str(r) for r in rs)).readlines(), "m")),
}


@pytest.mark.parametrize("serialisation", sorted(ROUND_TRIPS))
@settings(max_examples=60, deadline=None)
@given(records=st.lists(marc_records(), min_size=1, max_size=3))
def test_random_records_survive_a_round_trip(
    serialisation: str, records: list[pymarc.Record]
) -> None:
    if serialisation == "iso2709":  # the writer sets the length, base address and UTF-8 flag
        expected = [pymarc.Record(data=r.as_marc()) for r in records]
    else:
        expected = records
    assert [shape(r) for r in ROUND_TRIPS[serialisation](records)] == [shape(r) for r in expected]


def test_text_marc_writer_reports_what_it_cannot_hold() -> None:
    source = record_from("x", "1", 1)
    source.record.fields.append(
        pymarc.Field("520", subfields=[pymarc.Subfield("a", "E = mc$$2 on\ntwo lines")])
    )
    out = io.StringIO()
    TextmarcWriter(out).write_record(source)
    assert out.getvalue() == "000000001 520__ $$aE = mc$$2 on two lines\n"
    assert {d.message for d in source.diagnostics} == {
        "field 520: line break in a value written as a space",
        "field 520: subfield $a cannot be told apart from the one before it when read back"
        " ('$$' + letter or an odd code)",
    }


def test_adjacent_records_never_share_a_number() -> None:
    records = []
    for _ in range(2):
        record = pymarc.Record()
        record.fields.append(pymarc.Field("001", data="7"))
        record.fields.append(pymarc.Field("245", subfields=[pymarc.Subfield("a", "T")]))
        records.append(record)
    back = ROUND_TRIPS["textmarc"](records)
    assert len(back) == 2


# ------------------------------------------------------------- the corpus, every form
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "alephseq").is_dir(), reason=f"the shared corpus is not at {CORPUS}"
)
SOURCES = [
    "catmandu-marc",
    "cds",
    "inspire",
    "invenio-demo",
    "openlibrary",
    "pymarc",
    "yaz",
    "zotero",
]
RAW_FILES = {
    "catmandu-marc": ["*.mrc", "*.xml", "*.mrk", "*.line", "*.aleph"],
    "cds": ["*.xml"],
    "inspire": ["*.xml.gz", "fixtures/*.xml"],
    "invenio-demo": ["*.xml"],
    "openlibrary": ["*/*"],
    "pymarc": ["*.dat", "*.mrc", "*.xml", "*.json"],
    "yaz": ["marc*.marc", "marc?.xml", "marc??.xml", "marc*.json"],
    "zotero": ["*.xml", "*.mrc"],
}
#: records whose derived text MARC / Aleph files are wrong, not marcconv's reading
DERIVATION_FAULTS = {
    ("cds", "002631308"): "the converter that made them dropped the bare '&' of 260 $b"
    " ('Elsevier Science & Technology'), which marcconv repairs",
    ("openlibrary", "000000074"): "the converter that made them trusted a directory whose"
    " offsets are wrong; marcconv recovers the fields from the terminators",
    ("openlibrary", "000000076"): "the converter that made them kept the continuations of"
    " the wrapped 520s (fields ending in '++') as empty fields; marcconv joins them",
}


def _csl(record: SourceRecord) -> str | None:
    """The CSL item of a bibliographic record (an authority record's fields mean other
    things, and the text MARC files reorder their subfields)."""
    try:
        item = to_csl(to_reference(record))
    except (RecordError, NotBibliographic):
        return None
    item.pop("id", None)
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _by_id(items: Iterator[SourceRecord | Diagnostic]) -> dict[str, str | None]:
    return {i.record_id: _csl(i) for i in items if isinstance(i, SourceRecord)}


@needs_corpus
@pytest.mark.parametrize("source", SOURCES)
def test_corpus_text_marc_and_aleph_give_the_same_references(source: str) -> None:
    """The text MARC files carry no leader or FMT: compare Aleph without them too."""
    textmarc = _by_id(
        read_records(str(CORPUS / "textmarc" / f"{source}.txt"), "textmarc", lambda d: None)
    )
    with open(CORPUS / "alephseq" / f"{source}.txt", encoding="utf-8") as lines:
        aleph = _by_id(read_alephseq((ln for ln in lines if ln[10:13] not in ("LDR", "FMT")), "a"))
    assert textmarc.keys() <= aleph.keys()
    assert {k: aleph[k] for k in textmarc} == textmarc


@needs_corpus
@pytest.mark.parametrize("source", SOURCES)
def test_corpus_raw_files_give_the_same_references_as_aleph(source: str) -> None:
    aleph = _by_id(
        read_records(str(CORPUS / "alephseq" / f"{source}.txt"), "alephseq", lambda d: None)
    )
    raw: Counter[str | None] = Counter()
    for pattern in RAW_FILES[source]:
        for path in sorted(glob.glob(str(CORPUS / "raw" / source / pattern))):
            if Path(path).name.endswith(".zotero-expected.json"):
                continue
            raw.update(
                _csl(i)
                for i in read_records(path, "auto", lambda d: None)
                if isinstance(i, SourceRecord)
            )
    missing = {k for k, v in aleph.items() if raw[v] == 0}
    assert missing == {k for s, k in DERIVATION_FAULTS if s == source}


@pytest.mark.parametrize(
    ("leader", "fmt"),
    [
        (None, "BK"),
        ("00000nam a2200000 a 4500", "BK"),
        ("00000nas a2200000 a 4500", "SE"),
        ("00000cjm a2200000 a 4500", "MU"),
        ("00000nem a2200000 a 4500", "MP"),
        ("00000ngm a2200000 a 4500", "VM"),
        ("00000nmm a2200000 a 4500", "CF"),
        ("00000npc a2200000 a 4500", "MX"),
    ],
)
def test_aleph_records_open_with_their_format(leader: str | None, fmt: str) -> None:
    out = io.StringIO()
    source = record_from("x", "12", None, leader)
    source.record.fields.append(pymarc.Field("245", subfields=[pymarc.Subfield("a", "T")]))
    AlephseqWriter(out).write_record(source)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"000000012 FMT   L {fmt}"
    assert lines[-1] == "000000012 245   L $$aT"


def test_aleph_keeps_the_records_own_format_first() -> None:
    out = io.StringIO()
    source = record_from("x", "12", None, "00000nam a2200000 a 4500")
    source.record.fields = [
        SourceField("001", 1, data="12"),
        SourceField("FMT", 2, data="SE"),
        SourceField("FMT", 3, data="VM"),
    ]
    AlephseqWriter(out).write_record(source)
    assert out.getvalue().splitlines() == [
        "000000012 FMT   L SE",
        "000000012 LDR   L 00000nam^a2200000^a^4500",
        "000000012 001   L 12",
    ]
    assert "second FMT field 'VM' left out" in source.diagnostics[0].message


def test_numbers_wider_than_nine_digits_give_way_to_the_position() -> None:
    out = io.StringIO()
    writer = AlephseqWriter(out)
    for number in ("99177355940001161", "7"):
        source = record_from("x", number, None)
        source.record.fields.append(pymarc.Field("001", data=number))
        writer.write_record(source)
    assert [line[:9] for line in out.getvalue().splitlines()] == ["000000001"] * 2 + [
        "000000007"
    ] * 2
