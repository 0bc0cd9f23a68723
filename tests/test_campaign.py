"""The hostile-input and fault campaign (tests/campaign.py), its quick part: every column zero.

``make fuzz`` runs the whole campaign; this runs the same classes on fewer
inputs.  The TeX runs need latex, bibtex and biber (``make fuzz`` installs
them; in CI the conformance setup does); without them that part is skipped
and the test says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import campaign


@pytest.mark.parametrize("name", list(campaign.CLASSES))
def test_quick_campaign_class_is_clean(name: str) -> None:
    options = campaign.Options(quick=True, seed=20261130, tex=campaign.tex_available())
    if name == "tex" and not options.tex:
        pytest.skip("latex, bibtex or biber not installed: the TeX runs are skipped")
    tally = campaign.run([name], options)[name]
    assert tally.inputs > 0
    assert tally.clean, "\n".join(tally.notes)


@pytest.mark.skipif(not campaign.tex_available(), reason="latex, bibtex or biber not installed")
def test_the_tex_check_sees_an_injection(tmp_path: Path) -> None:
    """The campaign's judge is not blind: a .bib written without escaping is caught."""
    raw = (
        "@misc{a, author = {A, B}, title = {\\input{secret.txt}}, year = {2001},"
        " note = {\\immediate\\openout5=pwned.tex\\immediate\\write5{x}\\immediate\\closeout5}}\n"
        "@misc{b, author = {C, D}, title = {unbalanced \\} brace}, year = {2001}}\n"
        "@misc{c, author = {E, F}, title = {fine}, year = {2001}}\n"
    )
    tally = campaign.Tally()
    campaign._tex_run(tally, tmp_path / "plain", raw, "plain", 3)
    notes = "\n".join(tally.notes)
    assert "LaTeX read secret.txt" in notes
    assert "LaTeX wrote a file" in notes and "pwned.tex" in notes
    assert "LaTeX errors" in notes
    assert not tally.clean


def test_the_memory_probe_measures_the_process_itself() -> None:
    """VmHWM, not wait4's maximum, which counts the memory of the forking process."""
    ballast = bytearray(300 << 20)  # this process grows; the child must not inherit it
    outcome = campaign.marcconv(["--version"])
    assert outcome.returncode == 0 and outcome.peak_kb < 150_000
    del ballast
