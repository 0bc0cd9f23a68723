"""docs/mapping.md is the output of `marcconv mapping`: it cannot drift from the code."""

from __future__ import annotations

from click.testing import CliRunner

from marcconv.cli import cli
from marcconv.mapping_doc import writer_columns
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
