"""Dirty and hostile input through the real CLI: never a traceback, never a silent loss.

The fuzz test mutates real records (truncation, byte flips, deleted ``$$``,
duplicated and reordered lines, random Unicode, huge values) and checks every
run: no exception escapes, the exit status follows the rules, and
``read == written + skipped`` with ``written`` items really in the output.
``make fuzz`` runs it with many more examples (``MARCCONV_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marcconv import sources as inputs
from marcconv.cli import cli
from marcconv.marc import record as base
from tests.conftest import SAMPLES, SHARED

MARC = Path(__file__).resolve().parent / "data" / "marc"
MARC_CORPUS = SHARED / "corpus" / "raw"
SEED = (SAMPLES / "palmira.txt").read_bytes()
SUMMARY = re.compile(
    r"read (\d+) records, wrote (\d+), skipped (\d+)(?:, left out (\d+) \(not bibliographic\))?"
)
FUZZ_EXAMPLES = int(os.environ.get("MARCCONV_FUZZ_EXAMPLES", "120"))

#: real inputs in several serialisations to mutate
ORIGINALS = [
    SEED,
    (MARC / "rug01.aleph").read_bytes(),
    (MARC / "camel.mrk").read_bytes()[:2500],
    (MARC / "code4lib.line").read_bytes(),
    (MARC / "batch.xml").read_bytes(),
    (MARC / "one.json").read_bytes(),
    (MARC / "camel.mrc").read_bytes()[:2000],
    (MARC / "marc8.dat").read_bytes(),
]


def convert(data: bytes, *args: str) -> Result:
    return CliRunner().invoke(cli, ["convert", "-v", *args], input=data)


def counts(result: Result) -> tuple[int, int, int, int]:
    """Read, written, skipped and left out (not bibliographic): each record is one."""
    found = SUMMARY.search(result.stderr)
    assert found, result.stderr
    read, written, skipped, left_out = (int(n or 0) for n in found.groups())
    return read, written, skipped, left_out


# ------------------------------------------------------------------------ mutations
@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(ORIGINALS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(
                ["truncate", "flip", "drop-dollars", "duplicate", "swap", "unicode", "huge"]
            )
        )
        lines = bytes(data).split(b"\n")
        if kind == "truncate" and data:
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        elif kind == "drop-dollars":
            data = bytearray(bytes(data).replace(b"$$", b"", draw(st.integers(1, 5))))
        elif kind == "duplicate" and lines:
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            data = bytearray(b"\n".join(lines))
        elif kind == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        elif kind == "unicode":
            text = draw(st.text(min_size=1, max_size=20)).encode("utf-8", "surrogatepass")
            at = draw(st.integers(0, len(data)))
            data[at:at] = text
        elif kind == "huge":
            at = draw(st.integers(0, len(data)))
            data[at:at] = b"x" * draw(st.integers(10_000, 200_000))
    return bytes(data)


@pytest.mark.parametrize("target", ["csl-json", "bibtex", "marcxml"])
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated())
def test_fuzzed_input_never_escapes_and_counts_add_up(data: bytes, target: str) -> None:
    result = convert(data, "-t", target)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:  # unreadable input: said so, in one line
        assert result.stderr.startswith("Error: "), result.stderr
        return
    read, written, skipped, left_out = counts(result)
    assert read == written + skipped + left_out
    if target == "csl-json":
        assert len(json.loads(result.stdout)) == written
    elif target == "bibtex":
        assert result.stdout.count("\n@") + result.stdout.startswith("@") == written
    assert (result.exit_code == 1) == (skipped > 0 or "input errors" in result.stderr)


def test_a_dirty_corpus_loses_no_record() -> None:
    """Every record of a dirty file is written or reported."""
    dirty = b"".join(
        [
            SEED,
            b"000000002 245__ no subfield code\n",  # its only field is unreadable: skipped
            b"000000003 001__ 3\n",  # its own number only: an empty entry, skipped
            b"000000004 245__ $$aA title$$b\xff\xfe broken bytes\n",
            b"000000005 FMT__ BK\n000000005 24510 $$aOnly a title\n",
        ]
    )
    result = convert(dirty, "-t", "csl-json")
    assert counts(result) == (5, 3, 2, 0)
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 3
    assert "record 000000003: the record says nothing of the work" in result.stderr
    assert "record 000000002: record has no fields; record skipped" in result.stderr
    assert "line 41, record 000000002: field 245: subfield code missing" in result.stderr
    assert "line 43: invalid utf-8 byte 0xff" in result.stderr


# ------------------------------------------------------------------------ encodings
def test_latin1_input_without_and_with_encoding() -> None:
    latin1 = "000000001 245__ $$aPerelló, Antón: Über Zaragoza\n".encode("latin-1")
    guessed = convert(latin1, "-t", "csl-json")
    assert guessed.exit_code == 0
    assert "line 1: invalid utf-8 byte 0xf3" in guessed.stderr
    assert "use --encoding if the file is not UTF-8" in guessed.stderr
    right = convert(latin1, "-t", "csl-json", "--encoding", "latin-1")
    assert json.loads(right.stdout)[0]["title"] == "Perelló, Antón: Über Zaragoza"
    cp1252 = "000000001 245__ $$a“Quoted” – dash\n".encode("cp1252")
    windows = convert(cp1252, "-t", "csl-json", "--encoding", "windows-1252")
    assert json.loads(windows.stdout)[0]["title"] == "“Quoted” – dash"


def test_output_is_nfc_whatever_the_input() -> None:
    decomposed = "000000001 245__ $$aJose\u0301 Anto\u0301n\n".encode()
    result = convert(decomposed, "-t", "csl-json")
    assert json.loads(result.stdout)[0]["title"] == "Jos\u00e9 Ant\u00f3n"


# ------------------------------------------------------------------------ limits
def test_a_line_over_the_limit_is_reported_and_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_LINE_BYTES", 1000)
    data = SEED + b"000000002 520__ $$a" + b"x" * 5000 + b"\n000000002 245__ $$aKept\n"
    result = convert(data, "-t", "csl-json")
    assert result.exit_code == 1
    assert "line 41: line longer than 0 MiB (the limit); skipped" in result.stderr
    assert [i["title"] for i in json.loads(result.stdout)][1] == "Kept"


def test_a_record_over_the_field_limit_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "MAX_FIELDS", 10)
    result = convert(SEED, "-t", "ris")
    assert result.exit_code == 1
    assert "record has more than 10 fields (the limit); record skipped" in result.stderr
    assert counts(result) == (1, 0, 1, 0)


#: runs the real command and prints its own peak RSS (VmHWM, reset at exec) on exit
PEAK_RSS_RUNNER = """
import atexit, sys
from marcconv.cli import main
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            sys.stderr.write("peak-kB " + line.split()[1] + "\\n")
atexit.register(peak)
main(sys.argv[1:])
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_100_mb_field_does_not_exhaust_memory() -> None:
    """A real subprocess fed a 100 MB line: reported, and memory stays far below it."""
    process = subprocess.Popen(
        [sys.executable, "-c", PEAK_RSS_RUNNER, "convert", "-t", "csl-json", "-o", os.devnull],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(SEED + b"000000002 520__ $$a")
    chunk = b"y" * (1 << 20)
    for _ in range(100):
        process.stdin.write(chunk)
    process.stdin.write(b"\n000000002 245__ $$aAfter the huge field\n")
    process.stdin.close()
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    assert process.wait() == 1
    assert "line longer than 16 MiB (the limit); skipped" in stderr
    assert "read 2 records, wrote 2, skipped 0, 1 input errors" in stderr
    peak_mb = int(stderr.rsplit("peak-kB ", 1)[1].split()[0]) / 1024
    assert peak_mb < 150, f"peak RSS {peak_mb:.0f} MB"


# ------------------------------------------------------------------------ safety
def test_style_is_never_fetched_and_a_dtd_in_a_style_is_refused(tmp_path: Path) -> None:
    remote = convert(SEED, "-t", "citation", "--style", "https://example.org/evil.csl")
    assert remote.exit_code == 2
    assert "style file not found: https://example.org/evil.csl (a style is never fetched)" in (
        remote.stderr
    )
    evil = tmp_path / "evil.csl"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<style>&x;</style>"
    )
    refused = convert(SEED, "-t", "citation", "--style", str(evil))
    assert refused.exit_code == 2
    assert "holds a DTD or entity declaration; refused" in refused.stderr


def test_a_style_that_is_not_xml_is_a_usage_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csl"
    broken.write_text('<?xml version="1.0"?><style xmlns="http://purl.org/net/xbiblio/csl">')
    result = convert(SEED, "-t", "citation", "--style", str(broken))
    assert result.exit_code == 2
    assert f"style {broken} is not XML: Premature end of data" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_run_leaves_no_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bib"
    broken = SEED + b"000000002 245__ no subfield code\n"
    result = CliRunner().invoke(
        cli, ["convert", "--strict", "-t", "bibtex", "-o", str(target)], input=broken
    )
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_ends_cleanly(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", "-t", "ris", "-o", str(tmp_path / "o.ris")],
        stdin=reader,
        stderr=subprocess.PIPE,
    )
    os.close(reader)
    os.write(writer, SEED)  # the run is now waiting for more input
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    os.close(writer)
    assert process.wait() == 130
    assert stderr.strip() == "interrupted"
    assert list(tmp_path.iterdir()) == []


def test_xml_external_entity_is_refused_through_the_cli(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<collection><record><datafield tag='245' ind1='0' ind2='0'>"
        "<subfield code='a'>&x;</subfield></datafield></record></collection>\n"
    )
    result = convert(document.encode(), "-t", "csl-json")
    assert result.exit_code == 1
    assert "TOP-SECRET" not in result.stdout + result.stderr
    assert "line 2: MARCXML refused: a DTD or entity declaration" in result.stderr
    assert json.loads(result.stdout) == []


def test_tex_commands_in_a_record_stay_text_through_the_cli() -> None:
    hostile = (
        b"000000001 245__ $$a\\input{/etc/passwd} \\write18{rm -rf ~} 100% #1 & {unbalanced\n"
        b"000000001 100__ $$aO'Brien, \\immediate\n"
    )
    result = convert(hostile, "-t", "bibtex")
    assert result.exit_code == 0
    title = next(line for line in result.stdout.splitlines() if "title" in line)
    assert "\\input" not in title and "\\write18" not in title
    assert "{\\textbackslash}input{\\textbraceleft}/etc/passwd{\\textbraceright}" in title
    # a brace is a command: "{\\{}" would leave one "{" open to BibTeX, which counts it
    assert "100{\\%} {\\#}1 {\\&} {\\textbraceleft}unbalanced}" in title


# ------------------------------------------------------------------------ labels and values
FORGING_XML = b"""<collection>
<record><controlfield tag="001">1</controlfield>
<datafield tag="245" ind1="0&#10;000000099 245__ $$aFORGED" ind2="0"><subfield code="a">T</subfield></datafield>
<datafield tag="246" ind1="0" ind2="0"><subfield code="a">Kept</subfield></datafield></record>
<record><controlfield tag="001">2</controlfield>
<datafield tag="24&#10;5" ind1="0" ind2="0"><subfield code="a&#10;x">T2</subfield></datafield></record>
</collection>"""  # noqa: E501 - one record per line, as in a dump


@pytest.mark.parametrize("target", ["textmarc", "alephseq", "line", "marcxml"])
def test_a_line_break_in_a_label_never_forges_a_record(target: str) -> None:
    result = convert(FORGING_XML, "-t", target)
    assert counts(result) == (2, 2, 0, 0)
    assert "FORGED" not in result.stdout
    assert "indicator '0\\n000000099 245__ $$aFORGED' is not one character; skipped" in (
        result.stderr
    )
    assert "tag '24\\n5' is not three letters or digits; skipped" in result.stderr
    back = convert(result.stdout.encode(), "-f", target, "-t", "textmarc")
    assert counts(back)[0] == 2


def test_a_marc_writer_leaves_out_a_field_whose_label_is_not_marc() -> None:
    from marcconv.marc.record import SourceField, record_from
    from marcconv.marc.textmarc import TextmarcWriter

    record = record_from("test", "1", 1)
    record.record.fields.append(SourceField("245", 1, ("0", "\n"), [base.Subfield("a", "T")]))
    record.record.fields.append(SourceField("246", 1, ("0", "0"), [base.Subfield("a", "U")]))
    out = io.StringIO()
    TextmarcWriter(out).write_record(record)
    assert out.getvalue() == "000000001 24600 $$aU\n"
    assert "field '245': indicator '\\n' is not one character; the field is left out" in str(
        record.diagnostics[0]
    )


def test_a_record_with_nothing_to_write_is_reported_in_every_line_format() -> None:
    odd = b"000000001 245__ $$aT\n000000002 LDR__ short\n"
    for target in ("textmarc", "alephseq", "line"):
        result = convert(odd, "-t", target)
        assert counts(result) == (2, 1, 1, 0)
        assert "nothing to write; record skipped" in result.stderr


def test_control_characters_never_reach_a_terminal_or_a_file() -> None:
    hostile = b"000000001 245__ $$aTitle\x1b]0;pwned\x07 with\x00 controls\n"
    for target in ("csl-json", "ris", "bibtex", "biblatex", "citation"):
        result = convert(hostile, "-t", target)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, target
        assert "\x00" not in result.stdout, target
    marc = convert(hostile, "-t", "textmarc")
    assert "\x1b" not in marc.stdout and "\ufffd]0;pwned\ufffd" in marc.stdout
    assert "a control character written as U+FFFD" in marc.stderr


def test_a_record_id_with_controls_is_shown_escaped() -> None:
    record = (
        b'{"fields": [{"001": "id\\u001b[2J"}, {"24": {"subfields": [{"a": "x"}]}},'
        b' {"245": {"subfields": [{"a": "T"}]}}]}'
    )
    result = convert(record, "-t", "ris")
    assert "\x1b" not in result.stderr
    assert "record id\\x1b[2J: field 2: tag '24' is not three letters or digits" in result.stderr


def test_a_lone_surrogate_from_json_is_replaced_and_reported() -> None:
    record = (
        b'{"leader": "00000nam a2200000 a 4500", "fields": [{"001": "1"},'
        b' {"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": "x\\ud800y"}]}}]}'
    )
    for target in ("csl-json", "jsonl", "bibtex", "ris", "textmarc"):
        result = convert(record, "-t", target)
        assert result.exit_code == 0, result.stderr
        assert "x\ufffdy" in result.stdout  # BibTeX too: U+FFFD has no LaTeX form
        assert "a lone surrogate (\\ud800-\\udfff) replaced by U+FFFD" in result.stderr


def test_json_nested_past_the_limit_is_an_error_not_a_traceback() -> None:
    result = convert(b"[" * 100_000 + b"]" * 100_000, "-t", "csl-json")
    assert result.exit_code == 1
    assert f"values nested more than {sys.getrecursionlimit()} deep (the limit)" in result.stderr


def test_xml_nested_past_the_limit_is_refused() -> None:
    result = convert(b"<collection><record>" + b"<a>" * 100_000, "-t", "csl-json")
    assert result.exit_code == 1
    assert "elements nested more than 64 deep (the limit)" in result.stderr


def test_a_record_inside_a_record_is_reported_not_lost() -> None:
    xml = b"""<collection>
<record><controlfield tag="001">A</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Outer</subfield></datafield>
<record><controlfield tag="001">B</controlfield></record></record>
<record xmlns:x="urn:other"><controlfield tag="001">C</controlfield>
<x:record><datafield tag="245" ind1="0" ind2="0"><subfield code="a">No</subfield></datafield>
</x:record><datafield tag="245" ind1="0" ind2="0"><subfield code="a">Kept</subfield></datafield>
</record></collection>"""
    result = convert(xml, "-t", "jsonl")
    assert counts(result) == (2, 1, 1, 0)
    assert "record A: it holds another <record> (line 4), which is not MARCXML" in result.stderr
    assert "line 6, record C: element <{urn:other}record> is not MARCXML" in result.stderr
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == ["Kept"]


def test_an_sru_wrapper_record_is_read_through() -> None:
    # Zotero's test case, copied with its source note into tests/data/agreement
    sru = (
        Path(__file__).parent / "data" / "agreement" / "zotero" / "MARCXML-case05.xml"
    ).read_bytes()
    result = convert(sru, "-t", "jsonl")
    assert counts(result)[:2] == (1, 1)
    assert "not MARCXML" not in result.stderr


def test_cdata_is_kept_as_written() -> None:
    xml = (
        b"<record><datafield tag='245' ind1='0' ind2='0'><subfield code='a'>"
        b"<![CDATA[Tom & Jerry <b> &amp; -- ]]></subfield></datafield></record>"
    )
    result = convert(xml, "-t", "jsonl")
    assert json.loads(result.stdout)["title"] == "Tom & Jerry <b> &amp; --"
    assert "repaired" not in result.stderr


# ------------------------------------------------------------------------ streams
def test_a_corrupt_gzip_is_an_error_naming_the_file() -> None:
    data = bytearray(gzip.compress(SEED * 5))
    for at in range(30, 60):
        data[at] ^= 0x55
    result = convert(bytes(data), "-t", "csl-json")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot read <stdin>: Error -3 while decompressing")


def test_a_gzip_bomb_is_refused_naming_the_limit() -> None:
    bomb = gzip.compress(b"000000001 245__ $$aT\n" + b" " * 200_000_000 + b"\n")
    result = convert(bomb, "-t", "csl-json")
    assert result.exit_code == 2
    assert (
        "cannot read <stdin>: it decompresses to more than 100 times its size (the limit"
        in result.stderr
    )


def test_an_iso2709_record_without_its_terminator_does_not_swallow_the_next() -> None:
    whole = (MARC / "camel.mrc").read_bytes()
    records = whole.split(b"\x1d")
    joined = records[0] + records[1] + b"\x1d" + b"\x1d".join(records[2:])
    result = convert(joined, "-t", "jsonl")
    assert counts(result) == (10, 10, 0, 0)
    assert "record terminator (0x1D) missing at byte 754; the next record starts there" in (
        result.stderr
    )
    assert result.stdout == convert(whole, "-t", "jsonl").stdout


@pytest.mark.parametrize(
    "stray",
    [b"=245  10$aMRK line\n", b"245 10 $a YAZ line $c Author\n"],
)
def test_text_marc_mixed_with_another_dialect_is_an_error_naming_the_line(stray: bytes) -> None:
    data = b"000000001 245__ $$aTitle one\n" + stray + b"000000001 100__ $$aX, Y\n"
    result = convert(data, "-t", "jsonl")
    assert result.exit_code == 1
    assert "line 2, record 000000001: this line is" in result.stderr
    assert "a file must not mix formats; line skipped" in result.stderr
    assert json.loads(result.stdout)["title"] == "Title one"


def test_free_text_continuing_a_value_is_not_taken_for_another_dialect() -> None:
    data = b"000000001 520__ $$aIn this trial\n100 patients were enrolled.\n"
    result = convert(data, "-t", "jsonl")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["abstract"] == "In this trial 100 patients were enrolled."


def test_many_continuation_lines_make_one_value() -> None:
    lines = b"".join(b"part %d\n" % n for n in range(5000))
    result = convert(b"000000001 520__ $$astart\n" + lines, "-t", "jsonl")
    assert json.loads(result.stdout)["abstract"] == "start " + " ".join(
        f"part {n}" for n in range(5000)
    )
    yaz = b"245 10 $a start\n" + b"".join(b"    more %d\n" % n for n in range(5000))
    title = json.loads(convert(yaz, "-f", "line", "-t", "jsonl").stdout)["title"]
    assert title == "start " + " ".join(f"more {n}" for n in range(5000))


def test_empty_input_is_an_error() -> None:
    result = convert(b"", "-t", "csl-json")
    assert result.exit_code == 1
    assert "error: <stdin>: no MARC record in this input" in result.stderr
    assert json.loads(result.stdout) == []


# ------------------------------------------------------------------------ options
@pytest.mark.parametrize("pattern", ["{auth:%}", "{year:d}", "{}", "{auth", "x}", "{auth!r}"])
def test_a_key_pattern_that_cannot_be_used_is_a_usage_error(pattern: str) -> None:
    result = convert(SEED, "-t", "bibtex", "--key-pattern", pattern)
    assert result.exit_code == 2
    assert "Error: " in result.stderr and "use {auth}, {id}" in result.stderr


@pytest.mark.parametrize("encoding", ["rot13", "base64", "idna", "utf-16", "cp037", "nosuch"])
def test_an_encoding_that_cannot_be_read_by_lines_is_a_usage_error(encoding: str) -> None:
    result = convert(SEED, "-t", "bibtex", "--encoding", encoding)
    assert result.exit_code == 2
    assert f"encoding {encoding!r}" in result.stderr


def test_a_long_style_name_and_a_path_out_of_the_styles_are_usage_errors(tmp_path: Path) -> None:
    long = convert(SEED, "-t", "citation", "--style", "a" * 5000)
    assert long.exit_code == 2 and "style file not found" in long.stderr
    escape = convert(SEED, "-t", "citation", "--style", "../../../../etc/hostname")
    assert escape.exit_code == 2
    utf16 = tmp_path / "u16.csl"
    declared = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s [<!ENTITY x "E">]>'
    utf16.write_bytes(f"{declared}<style>&x;</style>".encode("utf-16"))
    refused = convert(SEED, "-t", "citation", "--style", str(utf16))
    assert refused.exit_code == 2 and "holds a DTD or entity declaration; refused" in refused.stderr


def test_an_unknown_locale_is_a_usage_error_with_a_suggestion() -> None:
    result = convert(SEED, "-t", "citation", "--locale", "en-AU")
    assert result.exit_code == 2
    assert "unknown locale 'en-AU'; did you mean: en-GB, en-US?" in result.stderr
    german = convert(SEED, "-t", "citation", "--style", "apa", "--locale", "de")
    assert german.exit_code == 0 and "& Cortés, J." not in german.stdout


def test_a_missing_input_among_several_stops_before_anything_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["convert", str(SAMPLES / "palmira.txt"), str(tmp_path / "none.txt"), "-t", "ris"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        result.stderr == f"Error: cannot read {tmp_path / 'none.txt'}: No such file or directory\n"
    )
