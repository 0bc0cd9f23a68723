"""``marcconv unmapped``: what the crosswalk leaves out, counted, with examples."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from marcconv.cli import cli
from marcconv.mapping_doc import render
from marcconv.unmapped import survey
from tests.conftest import SAMPLES, SHARED

RECORDS = (
    # 100 $v is a form subdivision, which MARC 21 defines for subject headings, not
    # for a main entry; 100 $d (dates of the person) has no CSL variable; 595 is a
    # local field no rule takes
    "000000001 100__ $$aKnuth, Donald$$vSelections$$d1938-\n"
    "000000001 245__ $$aThe art$$bprogramming\n"
    "000000001 595__ $$aInternal note\n"
    "000000001 595__ $$aAnother internal note\n"
    "000000002 245__ $$aAnother\n"
    "000000002 260__ $$c1999\n"
)


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    path = tmp_path / "dump.txt"
    path.write_text(RECORDS, encoding="utf-8")
    return path


def test_fields_subfields_and_missing_elements_are_counted(dump: Path) -> None:
    found = survey([str(dump)])
    assert (found.read, found.converted, found.left_out, found.failed) == (2, 2, 0, 0)
    assert {k: (f.records, f.occurrences) for k, f in found.fields.items()} == {"595__": (1, 2)}
    assert found.fields["595__"].examples[0].record == "000000001"
    assert found.fields["595__"].examples[0].line == 3
    assert {k: (f.records, f.occurrences) for k, f in found.subfields.items()} == {
        "100 $d": (1, 1),
        "100 $v": (1, 1),
    }
    assert [e.record for e in found.missing["year"].examples] == ["000000001"]
    assert [e.record for e in found.missing["creator"].examples] == ["000000002"]
    assert found.missing["title"].records == 0


def test_text_and_json_reports_through_the_command_line(dump: Path) -> None:
    text = CliRunner().invoke(cli, ["unmapped", str(dump)])
    assert text.exit_code == 0
    assert "read 2 records: 2 converted" in text.stdout
    assert re.search(r"595__ +1 +2 +000000001 \(.*dump\.txt, line 3\)", text.stdout)
    assert "records without a creator: 1, e.g. 000000002" in text.stdout
    as_json = CliRunner().invoke(cli, ["unmapped", str(dump), "--json"])
    report = json.loads(as_json.stdout)
    assert report["records"] == {"read": 2, "converted": 2, "left_out": 0, "failed": 0}
    assert list(report["unmapped_fields"]) == ["595__"]
    assert list(report["unread_subfields"]) == ["100 $d", "100 $v"]
    assert report["missing"]["year"]["records"] == 1


def test_an_unreadable_input_is_an_error() -> None:
    result = CliRunner().invoke(cli, ["unmapped", "no/such/file.mrc"])
    assert result.exit_code == 2
    assert "no/such/file.mrc" in result.stderr


def _mapped_labels() -> list[re.Pattern[str]]:
    """The labels ``marcconv mapping`` lists, as patterns: "_" is a blank or any."""
    labels = []
    for row in render().splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            for label in re.findall(r"`([^`]+)`", first_cell):
                labels.append(re.compile(re.escape(label).replace("_", ".")))
    return labels


def _inputs() -> list[str]:
    corpus = sorted(glob.glob(str(SHARED / "corpus" / "textmarc" / "*.txt")))
    own = sorted(glob.glob(str(Path(__file__).parent / "data" / "marc" / "*.*")))
    return [*corpus, str(SAMPLES / "palmira.txt"), *own]


def test_no_field_the_mapping_lists_is_reported_unmapped() -> None:
    """Its numbers agree with 'marcconv mapping': over every record there is (the
    shared corpus where it is, the project's own records always)."""
    found = survey(_inputs())
    assert found.converted > 20
    mapped = _mapped_labels()
    assert len(mapped) > 40
    listed = [label for label in found.fields if any(m.fullmatch(label) for m in mapped)]
    assert listed == []
    # and a tag the mapping lists whose subfields no rule reads is an unread subfield
    assert all(key[:3].isalnum() and key[3:5] == " $" for key in found.subfields)
