"""Golden files: the seed record in every output format.

Each golden file was checked by hand against the record (``samples/palmira.txt``)
and passes the independent checkers of ``../shared/conformance``.  Regenerate
with ``make golden`` (pytest ``--accept``) and review the diff.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from marcconv.cli import cli
from tests.conftest import GOLDEN, SAMPLES

CASES = [
    ("csl-json", [], "palmira.json"),
    ("bibtex", [], "palmira.bib"),
    ("bibtex", ["--unicode"], "palmira-unicode.bib"),
    ("biblatex", [], "palmira-biblatex.bib"),
    ("jsonl", [], "palmira.jsonl"),
    ("ris", [], "palmira.ris"),
    ("citation", ["--style", "apa"], "palmira-apa.txt"),
    ("citation", ["--style", "apa", "--format", "html"], "palmira-apa.html"),
    ("citation", ["--style", "apa", "--format", "markdown"], "palmira-apa.md"),
    ("citation", ["--style", "apa", "--mode", "citation"], "palmira-apa-citation.txt"),
    ("citation", ["--style", "ieee"], "palmira-ieee.txt"),
    ("citation", ["--style", "vancouver"], "palmira-vancouver.txt"),
]


def _convert(sample: str, target: str, extra: list[str]) -> str:
    result = CliRunner().invoke(cli, ["convert", str(SAMPLES / sample), "-t", target, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("target", "extra", "golden"), CASES)
def test_seed_matches_golden(target: str, extra: list[str], golden: str, accept: bool) -> None:
    output = _convert("palmira.txt", target, extra)
    path = GOLDEN / golden
    if accept:
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("target", "extra", "golden"), CASES)
def test_collapsed_form_gives_identical_output(target: str, extra: list[str], golden: str) -> None:
    assert _convert("palmira-collapsed.txt", target, extra) == _convert(
        "palmira.txt", target, extra
    )
