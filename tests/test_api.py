"""The Python API (``marcconv/__init__.py``): its examples run, it gives the command
line's bytes, and two conversions in one process keep to themselves."""

from __future__ import annotations

import doctest
import gzip
import io
import os
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import marcconv
from marcconv.cli import cli
from marcconv.errors import Diagnostic, MarcconvError
from tests.conftest import ROOT, SAMPLES

DATA = ROOT / "tests" / "data"
INPUTS = [
    SAMPLES / "palmira.txt",
    DATA / "golden-records" / "openlibrary.txt",
    DATA / "golden-records" / "inspire.txt",
    DATA / "golden-records" / "openlibrary-talis_empty_245.mrc",
    DATA / "marc" / "batch.xml",
]
TARGETS = ["csl-json", "jsonl", "bibtex", "biblatex", "ris", "citation", "textmarc", "marcxml"]


def test_the_docstring_examples_run() -> None:
    here = os.getcwd()
    os.chdir(ROOT)  # they name samples/ as the README does
    try:
        result = doctest.testmod(marcconv, optionflags=doctest.ELLIPSIS)
    finally:
        os.chdir(here)
    assert result.attempted >= 8 and result.failed == 0


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_write_of_records_equals_the_command(path: Path, target: str) -> None:
    command = CliRunner().invoke(cli, ["convert", str(path), "-t", target, "-q"])
    quiet: list[Diagnostic] = []
    assert marcconv.write(
        marcconv.read(path, report=quiet.append), target, report=quiet.append
    ) == (command.stdout)


def test_convert_then_write_gives_the_command_keys() -> None:
    path = DATA / "golden-records" / "inspire.txt"
    command = CliRunner().invoke(cli, ["convert", str(path), "-t", "bibtex", "-q"])
    refs = list(marcconv.convert(marcconv.read(path), report=lambda d: None))
    assert marcconv.write(refs, "bibtex") == command.stdout


def test_two_conversions_in_one_process_keep_to_themselves() -> None:
    """Interleaved, two runs give what each gives alone (keys are per call)."""
    path = DATA / "golden-records" / "openlibrary.txt"
    alone = [r.id for r in marcconv.convert(marcconv.read(path), report=lambda d: None)]
    first = marcconv.convert(marcconv.read(path), report=lambda d: None)
    second = marcconv.convert(marcconv.read(path), report=lambda d: None)
    together = [(a.id, b.id) for a, b in zip(first, second, strict=True)]
    assert [a for a, _ in together] == alone == [b for _, b in together]


def test_read_takes_paths_bytes_text_and_files() -> None:
    path = SAMPLES / "palmira.txt"
    data = path.read_bytes()
    by_path = [r.record_id for r in marcconv.read(path)]
    assert [r.record_id for r in marcconv.read(str(path))] == by_path
    assert [r.record_id for r in marcconv.read(data)] == by_path
    assert [r.record_id for r in marcconv.read(data.decode())] == by_path
    assert [r.record_id for r in marcconv.read(io.BytesIO(gzip.compress(data)))] == by_path
    assert [r.record_id for r in marcconv.read(io.StringIO(data.decode()))] == by_path
    iso = DATA / "golden-records" / "openlibrary-talis_empty_245.mrc"
    assert len(list(marcconv.read(iso.read_bytes(), "iso2709"))) == 1


def test_problems_are_reported_or_warned() -> None:
    text = (
        "000000001 245__ $$aT\n000000001 24x__ broken\n"
        "000000002 LDR__ 00000nz  a2200000n  4500\n000000002 1001_ $$aDoe, Jane\n"
    )
    heard: list[Diagnostic] = []
    refs = list(marcconv.convert(marcconv.read(text, report=heard.append), report=heard.append))
    assert [r.title for r in refs] == ["T"]
    assert any("24x" in d.message for d in heard)  # a field skipped, and said so
    assert any("authority" in d.message for d in heard)  # the 000000002 left out, and said so
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(marcconv.convert(marcconv.read(text)))
    assert caught and all(issubclass(w.category, marcconv.MarcconvWarning) for w in caught)


def test_names_that_do_not_exist_are_errors() -> None:
    with pytest.raises(MarcconvError, match="unknown input format"):
        list(marcconv.read("x\n", "marc9"))
    with pytest.raises(MarcconvError, match="unknown output format"):
        marcconv.write([], "docx")
    with pytest.raises(MarcconvError, match="cannot read"):
        list(marcconv.read("no/such/file.txt"))


def test_formats_and_styles() -> None:
    found = marcconv.formats()
    assert {"textmarc", "iso2709", "marcxml"} <= found["read"].keys()
    assert {"csl-json", "bibtex", "ris", "citation"} <= found["write"].keys()
    assert {"apa", "ieee", "vancouver"} <= set(marcconv.styles())
    assert marcconv.cite([], "apa") == ""


def test_the_crosswalk_takes_a_plain_pymarc_record() -> None:
    import pymarc

    from marcconv.crosswalk import to_reference

    fields = [
        pymarc.Field("001", data="42"),
        pymarc.Field("245", pymarc.Indicators("1", "0"), [pymarc.Subfield("a", "A title /")]),
        pymarc.Field("100", pymarc.Indicators("1", " "), [pymarc.Subfield("a", "Doe, Jane.")]),
    ]
    record = pymarc.Record()
    record.fields.extend(fields)
    ref = to_reference(record)
    assert (ref.title, ref.names[0].family, ref.source_record) == ("A title", "Doe", "42")
