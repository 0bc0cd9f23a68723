"""Invariants of the crosswalk over every record at hand: the project's own test
records always, and the shared corpus (430 records in every serialisation) where it
exists beside the project.

- no output text holds a bracket whose pair another subfield held ("[San
  Francisco?" from ``260 $a[San Francisco?,$c1883]``), math aside;
- no name twice in one role;
- a subfield a rule reads once, repeated in a field, is reported, never dropped in
  silence;
- a page count only from an extent that counts pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymarc
import pytest

from marcconv.crosswalk import to_reference
from marcconv.crosswalk.host import page_count
from marcconv.crosswalk.rules import rule_for
from marcconv.errors import NotBibliographic, RecordError
from marcconv.marc.record import SourceRecord
from marcconv.model import NAME_ROLES
from marcconv.sources import read_records
from marcconv.writers.csljson import to_csl
from tests.conftest import ROOT, SHARED

DATA = ROOT / "tests" / "data"
CORPUS = SHARED / "corpus"
#: text a reader may find no record in, or that is not MARC at all
NOT_RECORDS = (".md", ".json.gz", ".py", ".txt.gz", "LICENSE-bu_bibs.txt", ".chr", ".lst")


def _files() -> list[Path]:
    found = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix != ".md")
    if CORPUS.is_dir():
        found += sorted(p for p in (CORPUS / "textmarc").glob("*.txt"))
        found += sorted(p for p in (CORPUS / "raw").rglob("*") if p.is_file())
    return [p for p in found if not p.name.endswith(NOT_RECORDS) and "expected" not in p.name]


def _records() -> Iterator[tuple[str, SourceRecord]]:
    for path in _files():
        try:
            records = list(read_records(str(path), "auto", lambda diagnostic: None))
        except Exception:  # not a MARC file (a README, an expected JSON ...)
            continue
        for record in records:
            if isinstance(record, SourceRecord):
                yield f"{path.relative_to(path.parents[1])}:{record.record_id}", record


def _converted() -> list[tuple[str, SourceRecord, dict[str, Any]]]:
    out = []
    for where, record in _records():
        try:
            item = to_csl(to_reference(record))
        except (RecordError, NotBibliographic):
            continue
        out.append((where, record, item))
    return out


CONVERTED = _converted()


def test_there_are_records_to_check() -> None:
    assert len(CONVERTED) > (400 if CORPUS.is_dir() else 100)
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not found: only the project's own test records were checked")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


_MATH = re.compile(r"\$[^$]*\$")
#: variables that copy the record's prose, where a bracket may open in one sentence
#: and close in the next note (they are not split from other subfields)
_PROSE = frozenset({"abstract", "note", "annote", "custom"})


def test_no_bracket_loses_its_pair() -> None:
    broken = []
    for where, _, item in CONVERTED:
        for variable, value in item.items():
            if variable in _PROSE:
                continue
            for text in _strings(value):
                bare = _MATH.sub("", text)
                if bare.count("[") != bare.count("]"):
                    broken.append(f"{where} {variable}: {text!r}")
    assert broken == []


def test_no_name_twice_in_one_role() -> None:
    repeated = []
    for where, _, item in CONVERTED:
        for role in NAME_ROLES:
            names = [tuple(sorted(n.items())) for n in item.get(role, [])]
            if len(names) != len(set(names)):
                repeated.append(f"{where} {role}")
    assert repeated == []


def _repeats(fld: pymarc.Field, codes: str) -> set[str]:
    found = [code for code, value in fld.subfields if code in codes and value.strip()]
    return {code for code in found if found.count(code) > 1}


def test_a_repeated_subfield_read_once_is_reported() -> None:
    silent = []
    for where, record, _ in CONVERTED:
        said = " ".join(d.message for d in record.diagnostics)
        for fld in record.record.fields:
            rule = rule_for(fld)
            if rule is None or not rule.single or fld.control_field:
                continue
            for code in _repeats(fld, rule.single):
                if f"field {fld.tag}: ${code} appears" not in said:
                    silent.append(f"{where} {fld.tag} ${code}")
    assert silent == []


def test_a_page_count_comes_from_a_count_of_pages() -> None:
    wrong = []
    for where, record, item in CONVERTED:
        pages = item.get("number-of-pages")
        if pages is None:
            continue
        extents = [v for f in record.record.get_fields("300") for v in f.get_subfields("a")]
        if not any(page_count(extent) == pages for extent in extents):
            wrong.append(f"{where}: {pages} from {extents}")
    assert wrong == []


def test_the_checks_catch_what_they_look_for() -> None:
    """The invariants fail on output that breaks them."""
    assert "[San Francisco?".count("[") != "[San Francisco?".count("]")
    assert page_count("2 sound cassettes (3 hr. 16 min.)") is None
    assert page_count("70 v. in 128") is None
    assert page_count("[24], 432 p.") == "432"
    assert page_count("xii, 320 p., 11 p. of plates") == "320"
    fld = pymarc.Field(
        "245", pymarc.Indicators("1", "0"), [pymarc.Subfield("b", "x"), pymarc.Subfield("b", "y")]
    )
    assert _repeats(fld, "b") == {"b"}


@pytest.mark.parametrize("extent", ["10", "10 p.", "xii, 320 p."])
def test_page_units_are_pages(extent: str) -> None:
    assert page_count(extent) is not None
