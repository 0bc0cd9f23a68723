"""Our output judged by independent consumers: ../shared/conformance (CI has it).

Those checkers use real third-party tools (CSL-JSON schema, bibtexparser,
pybtex, bibtex, biber, rispy, bibutils, citeproc-js).  In a clone without
../shared these tests are skipped, and say so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from marcconv.cli import cli
from tests.conftest import SAMPLES, SHARED

CHECK = SHARED / "conformance" / "check"

pytestmark = pytest.mark.skipif(
    not CHECK.exists(), reason=f"conformance checkers not found at {CHECK} (only in CI)"
)


def _write(tmp_path: Path, target: str, name: str, *extra: str) -> Path:
    out = tmp_path / name
    result = CliRunner().invoke(
        cli, ["convert", str(SAMPLES / "palmira.txt"), "-t", target, "-o", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def _check(*args: str) -> str:
    done = subprocess.run(
        [str(CHECK), *args], capture_output=True, text=True, check=False, timeout=600
    )
    if "No module named" in done.stderr:
        pytest.skip(f"conformance checkers not set up (run {CHECK.parent}/setup.sh)")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("target", "checker", "name", "extra"),
    [
        ("csl-json", "csljson", "items.json", ()),
        ("bibtex", "bibtex", "refs.bib", ()),
        ("bibtex", "bibtex", "refs-unicode.bib", ("--unicode",)),
        ("ris", "ris", "refs.ris", ()),
    ],
)
def test_output_passes_without_errors_or_warnings(
    tmp_path: Path, target: str, checker: str, name: str, extra: tuple[str, ...]
) -> None:
    summary = _check(checker, str(_write(tmp_path, target, name, *extra))).strip().splitlines()[-1]
    assert summary.endswith(" 0 errors, 0 warnings"), summary


@pytest.mark.parametrize("mode", ["text", "html"])
def test_apa_citation_agrees_with_citeproc_js(tmp_path: Path, mode: str) -> None:
    items = _write(tmp_path, "csl-json", "items.json")
    ext = "txt" if mode == "text" else "html"
    apa = _write(tmp_path, "citation", f"apa.{ext}", "--style", "apa", "--format", mode)
    summary = _check(
        "citations", str(items), "--style", "apa", "--mode", mode, "--against", str(apa)
    )
    assert "exact match 1/1 (100%)" in summary, summary
