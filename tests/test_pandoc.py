"""INSPIRE records through pandoc, as a physicist writing in Markdown uses them:
``pandoc --citeproc`` with marcconv's CSL-JSON or BibLaTeX as the bibliography,
and marcconv's Markdown citations read by pandoc.  Needs pandoc (``make test``
installs it where it can); skipped, saying so, where it is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from marcconv.cli import cli
from tests.conftest import ROOT

RECORDS = ROOT / "tests" / "data" / "inspire" / "inspire.txt"
PANDOC = shutil.which("pandoc")
pytestmark = pytest.mark.skipif(
    PANDOC is None, reason="pandoc not installed: `make test` installs it"
)


def _convert(*args: str) -> str:
    result = CliRunner().invoke(cli, ["convert", str(RECORDS), "-q", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _pandoc(*args: str, stdin: str = "") -> str:
    assert PANDOC is not None
    done = subprocess.run([PANDOC, *args], input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


DOCUMENT = '---\nnocite: "@*"\n---\n\n# References\n'


def test_csl_json_titles_keep_their_math_through_title_case(tmp_path: Path) -> None:
    # pandoc's default style (Chicago) title-cases titles: "\gamma" must not
    # become "\Gamma", another letter
    (tmp_path / "refs.json").write_text(_convert("-t", "csl-json"), encoding="utf-8")
    out = _pandoc("--citeproc", "--bibliography", str(tmp_path / "refs.json"), "-t", "plain",
                  stdin=DOCUMENT)  # fmt: skip
    assert "$\\gamma$" in out
    assert "\\Gamma" not in out and "\\Sqrt" not in out
    assert "Angle" in out  # the style did title-case the rest


def _math(document: str) -> list[str]:
    """The TeX of every math element of a pandoc document (its JSON AST)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Math":
                found.append(node["c"][1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(document))
    return found


def test_a_biblatex_bibliography_gives_pandoc_math(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(_convert("-t", "biblatex"), encoding="utf-8")
    out = _pandoc("--citeproc", "--bibliography", str(tmp_path / "refs.bib"), "-t", "json",
                  stdin=DOCUMENT)  # fmt: skip
    assert {"\\gamma", "\\sqrt{s_{NN}}", "\\sqrt{s}=13~\\mathrm{TeV}"} <= set(_math(out))


def test_markdown_citations_are_read_as_math() -> None:
    markdown = _convert("-t", "citation", "--format", "markdown")
    out = _pandoc("-f", "markdown", "-t", "json", stdin=markdown)
    assert {"\\gamma", "\\sqrt{s_{NN}}", "\\sqrt{s}=13~\\mathrm{TeV}"} <= set(_math(out))


GOLDEN = ROOT / "tests" / "data" / "golden-records"


@pytest.mark.parametrize("style", ["apa", "vancouver", "ieee", "modern-language-association"])
def test_markdown_citations_read_back_as_the_text_ones(style: str) -> None:
    """pandoc reads each Markdown entry back to the plain-text entry: escapes
    keep "*", "--", "1." as text, and no italics swallow a period.  pandoc sets
    a no-break space after abbreviations ("Rev. Lett."), which is set aside;
    entries with math are read as math (test above), not compared here."""
    files = [str(path) for path in sorted(GOLDEN.glob("*.txt"))]
    run = CliRunner().invoke
    args = ["convert", *files, "-q", "-t", "citation", "--style", style]
    text = run(cli, [*args, "--format", "text"]).stdout.splitlines()
    markdown = run(cli, [*args, "--format", "markdown"]).stdout.strip().split("\n\n")
    back = _pandoc("-f", "markdown", "-t", "plain", "--wrap=none", stdin="\n\n".join(markdown))
    read = [entry.replace("\xa0", " ").strip() for entry in back.strip().split("\n\n")]
    assert len(text) == len(markdown) == len(read) > 20
    compared = [
        (t.strip(), r) for t, m, r in zip(text, markdown, read, strict=True) if "$" not in m
    ]
    assert len(compared) > 15
    assert [t for t, r in compared if t != r] == []
