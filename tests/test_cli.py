"""The command line, through click's CliRunner and through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from marcconv import __version__
from marcconv.cli import cli
from tests.conftest import SAMPLES

SEED = (SAMPLES / "palmira.txt").read_text(encoding="utf-8")


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"marcconv, version {__version__}\n"


def test_help_teaches_with_examples() -> None:
    result = run("convert", "--help")
    assert result.exit_code == 0
    assert "marcconv convert dump.txt -t bibtex -o refs.bib" in result.stdout
    assert "Exit status" in result.stdout


def test_stdin_with_and_without_dash() -> None:
    for args in (["convert", "-t", "ris"], ["convert", "-", "-t", "ris"]):
        result = run(*args, stdin=SEED)
        assert result.exit_code == 0
        assert result.stdout.startswith("TY  - JOUR\nID  - llombartcussac2025second\n")


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run("convert", str(SAMPLES / "palmira.txt"), "-t", "csl-json", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))[0]["DOI"] == "10.1200/JCO-24-01865"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_keys_unique_across_inputs() -> None:
    result = run(
        "convert", str(SAMPLES / "palmira.txt"), str(SAMPLES / "palmira.txt"), "-t", "csl-json"
    )
    assert [i["id"] for i in json.loads(result.stdout)] == [
        "llombartcussac2025second",
        "llombartcussac2025seconda",
    ]


def test_unknown_format_is_a_usage_error() -> None:
    result = run("convert", "-t", "endnote", stdin="")
    assert result.exit_code == 2
    assert (
        "Error: unknown output format 'endnote'; choose from alephseq, biblatex, bibtex,"
        " citation, csl-json, iso2709, jsonl, line, marc-json, marcxml, mrk, ris, textmarc"
        in result.stderr
    )


def test_unknown_style_suggests_close_matches() -> None:
    result = run("convert", "-t", "citation", "--style", "apaa", stdin=SEED)
    assert result.exit_code == 2
    assert "unknown citation style 'apaa'; did you mean: apa" in result.stderr


def test_missing_input_file() -> None:
    result = run("convert", "no/such/file.txt", "-t", "ris")
    assert result.exit_code == 2
    assert "Error: cannot read no/such/file.txt: No such file or directory" in result.stderr


def test_bad_field_is_reported_with_file_line_and_record() -> None:
    text = "000000001 245__ $$aGood\n000000001 260__ oops\n000000002 245__ $$aAlso good\n"
    result = run("convert", "-t", "ris", stdin=text)
    assert result.exit_code == 0
    assert result.stdout.count("TY  - ") == 2
    assert (
        "warning: <stdin>, line 2, record 000000001: field 260: subfield code missing"
        in result.stderr
    )
    assert result.stderr.rstrip().endswith("read 2 records, wrote 2, skipped 0 (see above)")


def test_errors_file_has_json_lines(tmp_path: Path) -> None:
    log = tmp_path / "errors.jsonl"
    text = "000000001 245__ $$aGood\n000000001 260__ oops\n"
    result = run("convert", "-t", "ris", "-q", "--errors", str(log), stdin=text)
    assert result.exit_code == 0 and result.stderr == ""
    (line,) = log.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == {
        "severity": "warning",
        "message": "field 260: subfield code missing (value must start with $$ and a code);"
        " field skipped",
        "source": "<stdin>",
        "line": 2,
        "record_id": "000000001",
    }


def test_invalid_utf8_is_reported_not_a_traceback() -> None:
    data = b"000000001 245__ $$aCaf" + b"\xe9\n"
    result = CliRunner().invoke(cli, ["convert", "-t", "csl-json"], input=data)
    assert result.exit_code == 0
    assert "line 1: invalid utf-8 byte 0xe9 at column 23" in result.stderr
    latin = CliRunner().invoke(
        cli, ["convert", "-t", "csl-json", "--encoding", "latin-1"], input=data
    )
    assert json.loads(latin.stdout)[0]["title"] == "Café"


def test_formats_lists_readers_and_writers() -> None:
    result = run("formats")
    assert result.exit_code == 0
    for name in ("textmarc", "csl-json", "bibtex", "ris", "citation"):
        assert f"  {name} " in result.stdout


def test_styles_search() -> None:
    result = run("styles", "--ids", "chicago-author")
    assert "chicago-author-date" in result.stdout.splitlines()


def _marcconv() -> list[str]:
    return [sys.executable, "-m", "marcconv"]


def test_real_pipeline_through_a_subprocess() -> None:
    cat = subprocess.Popen(["cat", str(SAMPLES / "palmira.txt")], stdout=subprocess.PIPE)
    done = subprocess.run(
        [*_marcconv(), "convert", "-t", "ris"],
        stdin=cat.stdout,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    cat.wait()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == "TY  - JOUR" and lines[-1] == "ER  - "
    assert lines.count("AU  - Cortés, Javier") == 1


@pytest.mark.parametrize("where", ["stdout", "file"])
def test_ris_crlf_bytes_reach_stdout_and_files(tmp_path: Path, where: str) -> None:
    out = tmp_path / "refs.ris"
    target = ["-o", str(out)] if where == "file" else []
    done = subprocess.run(
        [*_marcconv(), "convert", str(SAMPLES / "palmira.txt"), "-t", "ris", "--newline", "crlf",
         "--max-authors", "3", *target],
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = out.read_bytes() if where == "file" else done.stdout
    assert data.startswith(b"TY  - JOUR\r\n") and data.endswith(b"ER  - \r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r\nAU  - ") == 3


def test_closed_pipe_ends_quietly() -> None:
    big = SEED * 1  # the same record repeated gives many records after renumbering
    text = "".join(big.replace("000161903", f"{n:09d}") for n in range(1, 400))
    head = subprocess.run(
        f"{sys.executable} -m marcconv convert -t ris | head -n 1",
        shell=True,
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    assert head.stdout == b"TY  - JOUR\n"
    assert b"Traceback" not in head.stderr and b"BrokenPipe" not in head.stderr


def test_record_that_cannot_be_converted_is_counted_and_exits_1() -> None:
    text = "000000001 245__ $$aGood\n000000002 245__ broken\n000000003 245__ $$aAlso good\n"
    result = run("convert", "-t", "csl-json", stdin=text)
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 2
    assert "error: <stdin>, line 2, record 000000002: record has no fields; record skipped" in (
        result.stderr
    )
    assert "line 2, record 000000002: field 245: subfield code missing" in result.stderr
    assert result.stderr.rstrip().endswith("read 3 records, wrote 2, skipped 1 (see above)")


def test_strict_stops_at_the_first_error() -> None:
    text = "000000001 245__ broken\n000000002 245__ $$aGood\n"
    result = run("convert", "-t", "ris", "--strict", stdin=text)
    assert result.exit_code == 1
    assert "TY  - " not in result.stdout
    assert "stopped (--strict); read 1 records, wrote 0, skipped 1" in result.stderr


MARC = Path(__file__).resolve().parent / "data" / "marc"


def test_detect_command_names_format_and_reason() -> None:
    result = run("detect", str(SAMPLES / "palmira.txt"), str(MARC / "camel.mrc"))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{SAMPLES / 'palmira.txt'}: textmarc"
        " (40 of the first 40 lines are Invenio text MARC field lines)",
        f"{MARC / 'camel.mrc'}: iso2709 (a leader followed by field terminators (0x1E))",
    ]


def test_detect_unknown_exits_1() -> None:
    result = run("detect", str(MARC.parent / "SOURCES.md"))
    assert result.exit_code == 1
    assert "unknown (no MARC serialisation recognised" in result.stdout


def test_verbose_says_what_was_detected_on_stdin() -> None:
    xml = (MARC / "batch.xml").read_text(encoding="utf-8")
    result = run("convert", "-v", "-t", "ris", stdin=xml)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "reading <stdin>: MARCXML (starts with '<')",
        "read 2 records, wrote 2, skipped 0",
    ]
    assert result.stdout.count("ER  - ") == 2


def test_explicit_format_overrides_detection() -> None:
    result = run("convert", "-f", "alephseq", "-t", "csl-json", stdin=SEED)
    assert result.exit_code == 1  # text MARC read as Aleph: every line is refused
    assert "this line is Invenio text MARC, but the input is Aleph sequential" in result.stderr


def test_marc_round_trip_through_the_cli(tmp_path: Path) -> None:
    xml = tmp_path / "seed.xml"
    to_xml = run("convert", str(SAMPLES / "palmira.txt"), "-t", "marcxml", "-o", str(xml))
    assert to_xml.exit_code == 0
    back = run("convert", str(xml), "-t", "textmarc")
    assert back.exit_code == 0
    leader, *fields = back.stdout.splitlines(keepends=True)
    # MARCXML requires a leader: a record read without one gets pymarc's default
    assert leader == "000161903 LDR__ ^^^^^^^^^^22^^^^^^^^4500\n"
    assert "".join(fields) == SEED


def test_a_broken_document_is_an_input_error_with_exit_1(tmp_path: Path) -> None:
    broken = tmp_path / "cut.xml"
    document = (MARC / "batch.xml").read_bytes()
    broken.write_bytes(document[: document.index(b"</marc:record>") + 100])
    result = run("convert", str(broken), "-t", "ris")
    assert result.exit_code == 1
    assert result.stdout.count("ER  - ") == 1
    assert "1 input errors" in result.stderr.splitlines()[-1]


def test_a_record_with_nothing_to_cite_is_reported_not_written() -> None:
    """A record whose fields say nothing of the work would be an empty entry:
    citation processors print nothing for it (citeproc-js leaves it out of a
    bibliography while still listing its id). YAZ's test record 1 is one: a local
    call number (092, which no rule takes) and nothing else."""
    text = "000000001 092_9 $$aDVD CHI 791.43$$bQI\n000000002 245__ $$aA title\n"
    result = run("convert", "-t", "csl-json", stdin=text)
    assert result.exit_code == 1
    assert [item["id"] for item in json.loads(result.stdout)] == ["title"]
    assert (
        "error: <stdin>, line 1, record 000000001: the record says nothing of the work (no"
        " title, name, date, identifier, note or link): an empty entry; record skipped"
        in result.stderr
    )
    everything = run("convert", "-t", "csl-json", "--all-records", stdin=text)
    assert everything.exit_code == 0
    assert len(json.loads(everything.stdout)) == 2
