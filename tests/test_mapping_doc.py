"""docs/mapping.md is the output of `marcconv mapping`: it cannot drift from the code."""

from __future__ import annotations

from click.testing import CliRunner

from marcconv.cli import cli
from marcconv.crosswalk.rules import RULES, ignored
from marcconv.mapping_doc import EXAMPLES, rule_outputs, writer_columns
from tests.conftest import ROOT


def test_mapping_doc_is_up_to_date() -> None:
    result = CliRunner().invoke(cli, ["mapping"])
    assert result.exit_code == 0
    committed = (ROOT / "docs" / "mapping.md").read_text(encoding="utf-8")
    assert result.stdout == committed, "run 'make docs' and commit docs/mapping.md"


def test_probed_writer_columns_match_the_formats() -> None:
    columns = writer_columns()
    assert columns["title"] == {"csl": "title", "bibtex": "title", "biblatex": "title", "ris": "TI"}
    assert columns["doi"] == {"csl": "DOI", "bibtex": "doi", "biblatex": "doi", "ris": "DO"}
    assert columns["issued"]["csl"] == "issued"
    assert columns["issued"]["bibtex"] == "month, year"
    assert columns["issued"]["biblatex"] == "date"
    assert columns["publisher_place"]["biblatex"] == "location"
    assert columns["name:editor"]["bibtex"] == "editor"
    assert columns["name:author"]["ris"] == "AU"


def test_every_rule_has_an_example_that_reaches_its_outputs() -> None:
    """The table is made from examples: each rule has one, and each example is read
    by its rule (it changes some output, or the rule is administrative)."""
    assert set(EXAMPLES) == {rule.label for rule in RULES}
    for rule in RULES:
        outputs = rule_outputs(rule)
        if rule.apply is not ignored and not rule.targets.startswith("source_record"):
            assert any(outputs.values()), rule.label


def test_rows_say_what_the_writers_write() -> None:
    by_label = {rule.label: rule_outputs(rule) for rule in RULES}
    assert by_label["035.."]["biblatex"] == ["eprint", "eprinttype"]  # the arXiv 035 only
    assert by_label["909CO"]["biblatex"] == []
    assert by_label["701.."]["csl"] == ["contributor"]
    assert by_label["110..|710.."]["csl"] == ["author", "contributor", "custom", "editor"]
