"""A plugin package (tests/plugin_example) installed for real adds a writer.

The package is installed with pip into a temporary directory and marcconv runs
in a subprocess with that directory on its path, so the entry point is found
exactly as it would be after ``pip install marcconv-tsv``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

PLUGIN = ROOT / "tests" / "plugin_example"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("plugin")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(PLUGIN)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"could not install the example plugin: {done.stderr.strip()[-300:]}")
    return target


def _marcconv(plugin_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(plugin_path), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "marcconv", *args],
        capture_output=True, text=True, env=env, check=False, cwd=ROOT,
    )  # fmt: skip


def test_formats_lists_the_plugin_writer(plugin_path: Path) -> None:
    done = _marcconv(plugin_path, "formats")
    assert done.returncode == 0, done.stderr
    assert "  tsv          from marcconv-tsv" in done.stdout.splitlines()


def test_convert_uses_the_plugin_writer(plugin_path: Path) -> None:
    for jobs in ("1", "2"):
        done = _marcconv(
            plugin_path, "convert", str(SAMPLES / "palmira.txt"), "-t", "tsv", "-j", jobs
        )
        assert done.returncode == 0, done.stderr
        header, row = done.stdout.splitlines()
        assert header == "id\ttype\tyear\tdoi\ttitle"
        assert row.startswith(
            "llombartcussac2025second\tarticle-journal\t2025\t10.1200/JCO-24-01865\tSecond-Line"
        )


def test_a_plugin_never_shadows_a_built_in(plugin_path: Path) -> None:
    done = _marcconv(plugin_path, "formats")
    assert done.stdout.count("  bibtex ") == 1
