"""Which MARC serialisation an input is, from its first bytes (and its name as a hint).

Binary and document formats announce themselves in their first bytes: ``<``
(MARCXML), ``{`` or ``[`` (MARC-in-JSON), a leader of digits followed by field
terminators (ISO 2709).  The line dialects are told apart line by line by the
shape of their field lines; the dialect most of the first lines have wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

#: one field line of each line dialect, most specific first
LINE_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 000000001 24510 L $$aTitle
    ("alephseq", re.compile(r"\d+ [0-9A-Za-z]{3}.. +L( |$)")),
    # 000000001 245__ $$aTitle    000000001 001__ 123
    ("textmarc", re.compile(r"\d{4,} [0-9A-Za-z]{3}.. ?")),
    # =245  10$aTitle
    ("mrk", re.compile(r"=(?:LDR|[0-9A-Za-z]{3})  ")),
    # 245 10 $a Title    001 123    01087cam a2200277 a 4500
    ("line", re.compile(r"(?:\d{3}|[A-Z]{3}) +\S|\d{5}[a-z ]{5}\d\d.{12}$")),
)

DIALECT_NAMES = {
    "textmarc": "Invenio text MARC",
    "alephseq": "Aleph sequential",
    "mrk": "MarcEdit mnemonic (.mrk)",
    "line": "YAZ/Catmandu line format",
    "marcxml": "MARCXML",
    "iso2709": "ISO 2709 (binary MARC)",
    "marc-json": "MARC-in-JSON",
}

EXTENSIONS = {
    ".xml": "marcxml",
    ".marcxml": "marcxml",
    ".mrc": "iso2709",
    ".marc": "iso2709",
    ".iso": "iso2709",
    ".dat": "iso2709",
    ".mrk": "mrk",
    ".json": "marc-json",
    ".jsonl": "marc-json",
    ".aleph": "alephseq",
    ".seq": "alephseq",
    ".line": "line",
    ".lst": "line",
    ".chr": "line",
}

SAMPLE_LINES = 50


@dataclass(frozen=True, slots=True)
class Detection:
    format: str | None  # None: cannot tell
    reason: str


def line_dialect(line: str) -> str | None:
    """The line dialect whose field-line shape ``line`` has, if any."""
    for name, shape in LINE_SHAPES:
        if shape.match(line):
            return name
    return None


def mixed_dialect_message(line: str, expected: str) -> str | None:
    """An error message if ``line`` is a field line of a dialect other than ``expected``."""
    found = line_dialect(line)
    if found is None or found == expected:
        return None
    return (
        f"this line is {DIALECT_NAMES[found]}, but the input is {DIALECT_NAMES[expected]}:"
        " a file must not mix formats; line skipped"
    )


#: field lines of the dialects, shaped strictly enough that no text that continues
#: an Invenio value (a line with no label) has their form by chance: "100 patients"
#: does not, "245 10 $a Title" and "=245  10$aTitle" do
STRICT_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mrk", re.compile(r"=(?:LDR|[0-9A-Za-z]{3})  \S")),
    ("line", re.compile(r"[0-9A-Za-z]{3} .. \$\S |\d{5}[a-z ]{5}22\d{5}.{3}4500$")),
)


def foreign_line_message(line: str, expected: str) -> str | None:
    """An error message if ``line``, which has no field label of ``expected``, is
    without doubt a field line of another dialect (see :data:`STRICT_SHAPES`)."""
    for name, shape in STRICT_SHAPES:
        if name != expected and shape.match(line):
            return mixed_dialect_message(line, expected) or (
                f"this line is {DIALECT_NAMES[name]}, but the input is"
                f" {DIALECT_NAMES[expected]}: a file must not mix formats; line skipped"
            )
    return None


def _by_extension(name: str) -> str | None:
    suffixes = PurePath(name).suffixes
    for suffix in reversed(suffixes):
        found = EXTENSIONS.get(suffix.lower())
        if found:
            return found
    return None


def detect(head: bytes, name: str = "") -> Detection:
    """The serialisation of an input whose first bytes are ``head``."""
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body:
        hinted = _by_extension(name)
        if hinted:
            return Detection(hinted, f"empty; {DIALECT_NAMES[hinted]} by its extension")
        return Detection(None, "empty input")
    if body[:1] == b"<":
        return Detection("marcxml", "starts with '<'")
    if body[:1] in (b"{", b"["):
        return Detection("marc-json", f"starts with {body[:1].decode()!r}")
    if body[:5].isdigit() and (b"\x1e" in body or b"\x1d" in body):
        return Detection("iso2709", "a leader followed by field terminators (0x1E)")
    if b"<record" in body or b"<marc:record" in body:
        return Detection("marcxml", "holds <record> elements after some leading text")
    votes: dict[str, int] = {}
    sampled = 0
    for raw in body.decode("utf-8", errors="replace").splitlines()[:SAMPLE_LINES]:
        if not raw.strip():
            continue
        sampled += 1
        found = line_dialect(raw)
        if found:
            votes[found] = votes.get(found, 0) + 1
    if votes:
        best = max(votes, key=lambda k: (votes[k], -list(DIALECT_NAMES).index(k)))
        return Detection(
            best,
            f"{votes[best]} of the first {sampled} lines are {DIALECT_NAMES[best]} field lines",
        )
    hinted = _by_extension(name)
    if hinted:
        return Detection(hinted, f"no known line shape; {DIALECT_NAMES[hinted]} by its extension")
    return Detection(None, "no MARC serialisation recognised in the first lines")
