"""--jobs N gives byte for byte the output of --jobs 1, on clean and dirty input."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marcconv.cli import cli
from marcconv.errors import Diagnostic, Severity
from marcconv.marc import iso2709, record, textmarc
from marcconv.marc.record import SourceRecord
from marcconv.sources import opened
from tests.conftest import ROOT, SAMPLES
from tests.test_hostile import mutated

MARC = Path(__file__).resolve().parent / "data" / "marc"
SEED = (SAMPLES / "palmira.txt").read_text(encoding="utf-8")


def many_records(count: int = 30) -> str:
    """The seed repeated under new ids, with a bad record and a continuation line."""
    out = []
    for n in range(1, count + 1):
        out.append(SEED.replace("000161903", f"{n:09d}"))
        if n == 7:
            out.append(f"{n + 1000:09d} 245__ no subfield code\n")  # skipped, reported
        if n == 11:
            out.append("a continuation line of the previous field\n")
    return "".join(out)


def convert(data: str | bytes, *args: str) -> tuple[int, str, list[str]]:
    result = CliRunner().invoke(cli, ["convert", *args], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, sorted(result.stderr.splitlines())


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record, "CHUNK_LINES", 17)  # many chunks from a small input
    monkeypatch.setattr(iso2709, "CHUNK_RECORDS", 2)


@pytest.mark.parametrize("target", ["csl-json", "bibtex", "ris", "citation"])
def test_jobs_2_equals_jobs_1(target: str) -> None:
    data = many_records()
    one = convert(data, "-t", target, "--jobs", "1")
    two = convert(data, "-t", target, "--jobs", "2")
    assert one == two
    assert one[0] == 1 and "read 31 records, wrote 30, skipped 1 (see above)" in one[2]


def test_aleph_input_on_two_jobs(tmp_path: Path) -> None:
    aleph = tmp_path / "dump.seq"
    assert convert(many_records(), "-t", "alephseq", "-o", str(aleph))[0] == 1
    one = convert(aleph.read_bytes(), "-t", "csl-json", "-j", "1")
    assert one == convert(aleph.read_bytes(), "-t", "csl-json", "-j", "2")
    assert one[1].count('"type"') == 30


def test_formats_and_writers_that_cannot_be_split_still_work() -> None:
    xml = (MARC / "batch.xml").read_bytes()
    assert convert(xml, "-t", "ris", "-j", "2") == convert(xml, "-t", "ris", "-j", "1")
    collapsed = (SAMPLES / "palmira-collapsed.txt").read_text(encoding="utf-8")
    assert convert(collapsed * 3, "-t", "ris", "-j", "2") == convert(collapsed * 3, "-t", "ris")


def test_batches_start_only_where_a_record_starts() -> None:
    lines = many_records().splitlines(keepends=True)
    batches = list(textmarc.chunks(lines, "x", [], size=1))
    assert len(batches) > 30
    assert [line for batch in batches for line in batch.lines] == lines
    starts = [batch.lines[0][:9] for batch in batches]
    assert len(starts) == len(set(starts))  # no record is cut in two
    for batch in batches[1:]:
        assert lines[batch.first_line - 1] == batch.lines[0]


def test_decoding_warnings_travel_with_their_batch() -> None:
    notes: list[Diagnostic] = []
    raw = [*SEED.splitlines(keepends=True), "000000002 245__ $$aSecond\n"]

    def lines() -> object:
        for number, line in enumerate(raw, 1):
            if number == 41:
                notes.append(Diagnostic(Severity.WARNING, "bad byte", "x", 41))
            yield line

    batches = list(textmarc.chunks(lines(), "x", notes, size=1))  # type: ignore[arg-type]
    assert [len(b.notes) for b in batches] == [0, 1]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=mutated(), target=st.sampled_from(["csl-json", "bibtex", "citation"]))
def test_dirty_input_on_two_jobs_equals_one(data: bytes, target: str) -> None:
    assert convert(data, "-t", target, "-j", "2") == convert(data, "-t", target, "-j", "1")


def _described(items: Iterable[SourceRecord | Diagnostic]) -> list[str]:
    return [
        repr(item)
        if isinstance(item, Diagnostic)
        else f"{item.record_id} {item.line} {item.record} {item.diagnostics}"
        for item in items
    ]


@pytest.mark.parametrize(
    ("path", "reader"),
    [(SAMPLES / "palmira.txt", "textmarc"),
     (ROOT / "tests" / "data" / "marc" / "rug01.aleph", "alephseq"),
     (ROOT / "tests" / "data" / "marc" / "bad_records.mrc", "iso2709"),
     (ROOT / "tests" / "data" / "marc" / "camel.mrc", "iso2709")],
)  # fmt: skip
def test_reading_the_chunks_equals_reading_the_whole(path: Path, reader: str) -> None:
    """Each reader's cut (its CUTTING) loses nothing and changes nothing: the records
    of its chunks, read one by one, are those of the whole input."""
    with opened(str(path), reader) as whole:
        expected = _described(whole.records(lambda d: None))
    with opened(str(path), reader) as cut:
        cutting = cut.cutting
        assert cutting is not None
        got = _described(item for chunk in cut.chunks() for item in cutting.read(chunk))
    assert got == expected and expected
