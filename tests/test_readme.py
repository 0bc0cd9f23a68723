"""The README's shell examples, run as written: each ``$ command`` in a code block
must print exactly the lines below it (stdout and stderr together, as a terminal
shows them), so the README stays true."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: examples that need what a test cannot assume, and where they are tested instead
ELSEWHERE = {
    "-t tsv": "the plugin example must be pip-installed first (tests/test_plugins.py runs it)",
    "formats | grep tsv": "the plugin example must be pip-installed first (tests/test_plugins.py)",
}

#: tools an example pipes into that a machine may lack (coreutils, grep and sed it has)
OPTIONAL_TOOLS = ("jq",)


def examples() -> list[tuple[int, str, str]]:
    """(line, command, expected output) for every ``$ `` line of a code block."""
    found: list[tuple[int, str, list[str]]] = []
    current: tuple[int, str, list[str]] | None = None
    in_block = False
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
            current = None
            continue
        if not in_block:
            continue
        if line.startswith("$ "):
            current = (number, line[2:], [])
            found.append(current)
        elif found and current is not None:
            current[2].append(line)
    return [(number, command, "\n".join(lines)) for number, command, lines in found]


EXAMPLES = examples()


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(
    ("line", "command", "expected"), EXAMPLES, ids=[f"README:{e[0]}" for e in EXAMPLES]
)
def test_readme_example(line: int, command: str, expected: str, tmp_path: Path) -> None:
    for needle, reason in ELSEWHERE.items():
        if needle in command:
            pytest.skip(reason)
    for tool in OPTIONAL_TOOLS:
        if f"| {tool} " in command and shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    # in a scratch copy of the paths the examples name, so that files they write
    # (split parts) start afresh and never land in the project
    for name in ("samples", "tests/data/marc"):
        shutil.copytree(ROOT / name, tmp_path / name)
    done = subprocess.run(
        ["bash", "-c", f"{{ {command}\n}} 2>&1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.rstrip("\n") == expected, f"README.md line {line}: {command}"
