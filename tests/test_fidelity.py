"""The crosswalk against what other projects expect of their own MARC test records
(tests/fidelity.py; the measure and its differences are in docs/fidelity.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import fidelity
from tests.fidelity import Fact, all_facts, check_year, markdown, norm, same_name

DOC = Path(__file__).parent.parent / "docs" / "fidelity.md"


@pytest.fixture(scope="module")
def facts() -> list[Fact]:
    return all_facts()


def test_every_reference_is_measured(facts: list[Fact]) -> None:
    counts = {name: sum(f.reference == name for f in facts) for name in fidelity.REFERENCES}
    assert all(count > 40 for count in counts.values()), counts


def test_agreement_is_well_above_99_percent(facts: list[Fact]) -> None:
    assert sum(f.agrees for f in facts) / len(facts) > 0.99


def test_every_difference_is_explained(facts: list[Fact]) -> None:
    assert [f.key for f in fidelity.uncovered(facts)] == []


def test_every_explanation_still_explains_something(facts: list[Fact]) -> None:
    assert fidelity.unused(facts) == []


def test_the_document_is_up_to_date(facts: list[Fact]) -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(facts), "run: make fidelity"


# the comparison itself: it must tell a damaged value from a presented one
def test_norm_leaves_out_presentation_not_words() -> None:
    assert norm("Berlin ; Heidelberg :") == norm("Berlin Heidelberg")
    assert norm("[San Francisco?]") == norm("San Francisco")
    assert norm("Phys.Rev.Lett.").replace(" ", "") == norm("Phys. Rev. Lett.").replace(" ", "")
    assert norm("Berlin") != norm("Bern")


def test_names_match_by_their_words() -> None:
    assert same_name("Fouché, Joseph duc d'Otrante", ["Fouché, Joseph"])
    assert not same_name("Lamb, Charles", ["Coleridge, Samuel Taylor"])
    assert not same_name("Lamb, Charles", [])


def test_years_compare_as_the_reference_states_them() -> None:
    item = {"issued": {"date-parts": [[1904]]}}
    assert check_year("1904", item)[0]
    assert check_year("190u", item)[0]
    assert not check_year("1905", item)[0]
    assert not check_year("[n.d.]", item)[0]  # a date where the reference says none
    assert check_year("[n.d.]", {})[0]


def test_a_damaged_item_disagrees() -> None:
    """The checks fail on an item that lost what the reference states."""
    author = fidelity.check_names()
    assert author("Voltaire", {"author": [{"literal": "Voltaire"}]})[0]
    assert not author("Voltaire", {"editor": [{"family": "Harad", "given": "Alyssa"}]})[0]
    assert not fidelity.check_isbn("0486266893", {"ISBN": "0-486-26689-4"})[0]
    assert fidelity.check_isbn("0486266893", {"ISBN": "978-0-486-26689-7 0-486-26689-3"})[0]
