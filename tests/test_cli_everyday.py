"""What catalogue and reference-manager users reach for on the command line:
a window of records, split outputs, lean exports, styles by title, warnings for
options that do nothing, and a tidy terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from marcconv.cli import cli
from marcconv.writers.bibtex import field_names as bibtex_fields
from marcconv.writers.ris import field_names as ris_fields
from tests.conftest import SAMPLES

SEED = (SAMPLES / "palmira.txt").read_text(encoding="utf-8")


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=stdin)


def numbered_copies(count: int, broken_at: int | None = None) -> str:
    """``count`` copies of the sample record numbered 1, 2, ...; the one numbered
    ``broken_at`` only a field with no subfield code: no field, so skipped."""
    lines = SEED.splitlines(keepends=True)
    out = []
    for number in range(1, count + 1):
        recid = f"{number:09d}"
        if number == broken_at:
            out.append(f"{recid} 245__ broken\n")
            continue
        out.append(f"{recid} 001__ {number}\n")
        out.extend(recid + line[9:] for line in lines if line[10:13] != "001")
    return "".join(out)


# ------------------------------------------------------------------ --skip, --limit
def test_skip_and_limit_take_a_window_counted_in_records(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(10), encoding="utf-8")
    result = run("convert", str(dump), "-t", "textmarc", "--skip", "3", "--limit", "4", "-v")
    assert result.exit_code == 0
    numbers = sorted({line[:9] for line in result.stdout.splitlines()})
    assert numbers == ["000000004", "000000005", "000000006", "000000007"]
    assert "read 4 records, wrote 4, skipped 0" in result.stderr


def test_limit_stops_reading_so_later_faults_are_never_met(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(6, broken_at=5), encoding="utf-8")
    whole = run("convert", str(dump), "-t", "ris")
    assert whole.exit_code == 1 and "record 000000005" in whole.stderr
    window = run("convert", str(dump), "-t", "ris", "--limit", "3")
    assert window.exit_code == 0 and window.stderr == ""
    assert window.stdout.count("TY  - ") == 3


def test_skip_past_every_record_is_not_an_input_without_records(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(2), encoding="utf-8")
    result = run("convert", str(dump), "-t", "csl-json", "--skip", "5", "-v")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "no MARC record" not in result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_limit_with_workers_gives_the_same_records(tmp_path: Path, jobs: str) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(50), encoding="utf-8")
    result = run("convert", str(dump), "-t", "bibtex", "--skip", "10", "--limit", "7", "-j", jobs)
    assert result.exit_code == 0
    assert result.stdout.count("@article{") == 7


# -------------------------------------------------------------------------- --split
def test_split_writes_whole_documents_of_n_records(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(7), encoding="utf-8")
    pattern = str(tmp_path / "part-%02d.json")
    result = run("convert", str(dump), "-t", "csl-json", "--split", "3", "-o", pattern)
    assert result.exit_code == 0, result.stderr
    parts = sorted(tmp_path.glob("part-*.json"))
    assert [p.name for p in parts] == ["part-01.json", "part-02.json", "part-03.json"]
    assert [len(json.loads(p.read_text(encoding="utf-8"))) for p in parts] == [3, 3, 1]
    keys = [item["id"] for p in parts for item in json.loads(p.read_text(encoding="utf-8"))]
    assert len(set(keys)) == 7  # one run: keys stay unique across the parts
    whole = run("convert", str(dump), "-t", "csl-json")
    assert keys == [item["id"] for item in json.loads(whole.stdout)]


def test_split_marc_parts_each_read_back(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(5), encoding="utf-8")
    pattern = str(tmp_path / "part-%d.xml")
    assert run("convert", str(dump), "-t", "marcxml", "--split", "2", "-o", pattern).exit_code == 0
    counts = []
    for part in sorted(tmp_path.glob("part-*.xml")):
        back = run("convert", str(part), "-t", "jsonl")
        assert back.exit_code == 0
        counts.append(len(back.stdout.splitlines()))
    assert counts == [2, 2, 1]


def test_split_leaves_no_part_behind_when_the_run_fails(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(6, broken_at=5), encoding="utf-8")
    pattern = str(tmp_path / "part-%d.ris")
    result = run("convert", str(dump), "-t", "ris", "--split", "3", "--strict", "-o", pattern)
    assert result.exit_code == 1
    # the first part was finished and stays; the one being written is never put in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.txt", "part-1.ris"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-t", "bibtex", "--split", "2"], "--split writes files"),
        (["-t", "bibtex", "--split", "2", "-o", "refs.bib"], "one number in its name"),
        (["-t", "citation", "--split", "2", "-o", "r-%d.txt"], "cannot cut a bibliography"),
    ],
)
def test_split_usage_errors(args: list[str], message: str) -> None:
    result = run("convert", str(SAMPLES / "palmira.txt"), *args)
    assert result.exit_code == 2
    assert message in result.stderr


# --------------------------------------------------------------------------- --omit
LEAN = "abstract,note,annote,keywords,url"


def test_omit_leaves_the_named_bibtex_fields_out() -> None:
    full = run("convert", str(SAMPLES / "palmira.txt"), "-t", "bibtex")
    lean = run("convert", str(SAMPLES / "palmira.txt"), "-t", "bibtex", "--omit", LEAN)
    assert lean.exit_code == 0
    assert "  abstract = " in full.stdout and "  url = " in full.stdout
    for name in LEAN.split(","):
        assert f"  {name} = " not in lean.stdout
    # nothing else changes: the lean entry is the full one without those lines
    fields = [ln for ln in full.stdout.splitlines() if ln.split(" = ")[0].strip() not in LEAN]
    assert [ln.rstrip(",") for ln in lean.stdout.splitlines()] == [ln.rstrip(",") for ln in fields]
    assert "  doi = {10.1200/JCO-24-01865}," in lean.stdout


def test_omit_names_ris_tags_and_biblatex_fields() -> None:
    ris = run("convert", str(SAMPLES / "palmira.txt"), "-t", "ris", "--omit", "AB,KW,N1,UR")
    assert ris.exit_code == 0
    assert not [ln for ln in ris.stdout.splitlines() if ln[:2] in ("AB", "KW", "N1", "UR")]
    assert "DO  - 10.1200/JCO-24-01865" in ris.stdout
    blx = run("convert", str(SAMPLES / "palmira.txt"), "-t", "biblatex", "--omit", "abstract,doi")
    assert blx.exit_code == 0
    assert "abstract = " not in blx.stdout and "doi = " not in blx.stdout


def test_omit_an_unknown_field_is_a_usage_error_listing_the_fields() -> None:
    result = run("convert", str(SAMPLES / "palmira.txt"), "-t", "bibtex", "--omit", "file")
    assert result.exit_code == 2
    assert "-t bibtex writes no field 'file'; its fields: author, editor" in result.stderr
    ris = run("convert", str(SAMPLES / "palmira.txt"), "-t", "ris", "--omit", "abstract")
    assert "its fields: " + ", ".join(ris_fields()) in ris.stderr
    other = run("convert", str(SAMPLES / "palmira.txt"), "-t", "csl-json", "--omit", "DOI")
    assert other.exit_code == 2 and "--omit applies to bibtex, biblatex and ris" in other.stderr


def test_bibtex_field_names_are_the_names_written() -> None:
    """Every field the corpus sample gives is a name --omit takes."""
    full = run("convert", str(SAMPLES / "palmira.txt"), "-t", "bibtex")
    written = {line.split(" = ")[0].strip() for line in full.stdout.splitlines() if " = " in line}
    assert written <= set(bibtex_fields())


# ------------------------------------------------------------------------- styles
def test_styles_shows_titles_and_searches_them() -> None:
    result = run("styles", "chicago", "17th", "edition", "author-date")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == [
        "chicago-author-date-17th-edition",
        "Chicago",
        "Manual",
        "of",
        "Style",
        "17th",
        "edition",
        "(author-date)",
    ]
    by_title = run("styles", "--ids", "Nature", "brackets")
    assert by_title.stdout.splitlines() == ["nature-brackets"]
    assert run("styles", "no such style anywhere").exit_code == 1


# ----------------------------------------------------------- options that do nothing
def test_options_that_do_nothing_for_the_format_are_a_warning() -> None:
    result = run(
        "convert",
        str(SAMPLES / "palmira.txt"),
        "-t",
        "bibtex",
        "--locale",
        "de-DE",
        "--style",
        "ieee",
        "--newline",
        "crlf",
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: --style does nothing with -t bibtex (it applies to citation)",
        "warning: --locale does nothing with -t bibtex (it applies to citation)",
        "warning: --newline does nothing with -t bibtex (it applies to ris)",
    ]
    quiet = run("convert", str(SAMPLES / "palmira.txt"), "-t", "citation", "--style", "ieee")
    assert quiet.stderr == ""


def test_an_unknown_locale_is_refused_with_a_suggestion() -> None:
    result = run("convert", str(SAMPLES / "palmira.txt"), "-t", "citation", "--locale", "de_AT")
    assert result.exit_code == 2
    assert "unknown locale 'de_AT'" in result.stderr and "de-AT" in result.stderr


# ------------------------------------------------------------------- the terminal
def _read_all(fd: int, timeout: float = 30) -> bytes:
    data = b""
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return data
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed (Linux: EIO)
            return data
        if not chunk:
            return data
        data += chunk


def test_progress_on_a_terminal_ends_with_its_line_cleared(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(numbered_copies(2100), encoding="utf-8")
    main, terminal = pty.openpty()
    done = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", str(dump), "-t", "ris", "-o", os.devnull],
        stderr=terminal,
    )
    os.close(terminal)
    shown = _read_all(main)
    assert done.wait(60) == 0
    os.close(main)
    assert b"\r1000 records\xe2\x80\xa6\r2000 records\xe2\x80\xa6" in shown
    assert shown.endswith(b"\r\x1b[K")


def test_a_terminal_on_stdin_is_announced_once(tmp_path: Path) -> None:
    main, terminal = pty.openpty()
    done = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", "-t", "ris"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    os.write(main, b"\x04")  # Ctrl-D at once: nothing typed
    out, err = done.communicate(timeout=60)
    os.close(main)
    assert done.returncode == 1  # an input with no record
    assert err.decode().count("reading MARC records from the terminal") == 1
    assert out == b""
