"""Twenty-seven real records of every common kind, converted and compared with
values checked by hand against each record and MARC 21.

The records are in ``tests/data/golden-records`` (copied from the public corpus,
as text MARC, or as the ISO 2709 file itself where the leader matters; see its
SOURCES.md); ``tests/golden/records.json`` holds, for each, the CSL
fields a reader checks first: the kind of work, title, names (count, first
two), date, container and its enumeration, publisher, identifiers, language.
Each value was read off the record it comes from; the notes in SOURCES.md say
which field feeds the values that are not plain copies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from marcconv.crosswalk import to_reference
from marcconv.marc.record import SourceRecord
from marcconv.model import NAME_ROLES
from marcconv.sources import read_records
from marcconv.writers.csljson import to_csl

DATA = Path(__file__).parent / "data" / "golden-records"
EXPECTED = json.loads(
    (Path(__file__).parent / "golden" / "records.json").read_text(encoding="utf-8")
)
CHECKED_FIELDS = (
    "type", "title", "original-title", "container-title", "container-title-short",
    "collection-title", "collection-number", "volume", "issue", "page", "number-of-pages",
    "edition", "number", "genre", "event-title", "publisher", "publisher-place", "DOI",
    "ISBN", "ISSN", "language", "issued",
)  # fmt: skip


def checked_view(item: dict[str, Any]) -> dict[str, Any]:
    """The part of a CSL item the golden file holds."""
    view = {key: item[key] for key in CHECKED_FIELDS if key in item}
    for role in NAME_ROLES:
        names = item.get(role)
        if names:
            view[role] = {"count": len(names), "first": names[:2]}
    return view


def _converted() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(DATA.glob("*.txt")) + sorted(DATA.glob("*.mrc")):
        for record in read_records(str(path), "auto", lambda diagnostic: None):
            if isinstance(record, SourceRecord):
                found[f"{path.stem}:{record.record_id}"] = to_csl(to_reference(record))
    return found


CONVERTED = _converted()


def test_every_kind_of_work_is_covered() -> None:
    kinds = {view["type"] for view in EXPECTED.values()}
    assert len(EXPECTED) >= 25
    assert {"article-journal", "article", "book", "chapter", "paper-conference", "thesis",
            "report", "periodical", "dataset", "software", "graphic", "motion_picture",
            "song", "musical_score"} <= kinds  # fmt: skip
    assert set(CONVERTED) == set(EXPECTED)


@pytest.mark.parametrize("record", sorted(EXPECTED))
def test_record_matches_the_checked_values(record: str) -> None:
    assert checked_view(CONVERTED[record]) == EXPECTED[record]
