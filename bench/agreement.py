"""How often marcconv's citations equal citeproc-js's, style by style.

Converts the text MARC records of ``../shared/corpus/textmarc`` to CSL-JSON and
to a bibliography in each style, then asks the conformance checker
(``../shared/conformance/check citations ITEMS --style S --against OURS``) to
render the same items with citeproc-js and compare entry by entry.  In-text
citations (``--mode citation``) are compared with the single-item citations
citeproc-js writes in ``check compare --out DIR``.  Prints one line per style
and writes the table to ``bench/AGREEMENT.md``.

Records with no title are left out for every style: citeproc-js gives them no
bibliography entry in some styles (MLA), and the checker then stops.

    python bench/agreement.py [STYLE ...]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
CHECK = SHARED / "conformance" / "check"
CORPUS = SHARED / "corpus" / "textmarc"
STYLES = (
    "apa",
    "ieee",
    "chicago-author-date",
    "modern-language-association",
    "american-medical-association",
    "harvard-cite-them-right",
    "nature",
    "vancouver",
)


def references() -> list:  # type: ignore[type-arg]
    sys.path.insert(0, str(ROOT))
    from marcconv.crosswalk import to_reference
    from marcconv.errors import RecordError
    from marcconv.keys import KeyMaker
    from marcconv.marc.record import SourceRecord
    from marcconv.sources import read_records

    keys = KeyMaker()
    refs = []
    for path in sorted(CORPUS.glob("*.txt")):
        for record in read_records(str(path), "textmarc", lambda diagnostic: None):
            if not isinstance(record, SourceRecord):
                continue
            try:
                ref = to_reference(record)
            except RecordError:
                continue
            ref.id = keys.key_for(ref)
            if ref.title:
                refs.append(ref)
    return refs


def render(style: str, refs: list, mode: str) -> str:  # type: ignore[type-arg]
    from marcconv.writers.base import WriterOptions
    from marcconv.writers.citation import format_references

    return format_references(refs, WriterOptions(style=style, mode=mode))


def measure_citations(style: str, refs: list, items: Path, work: Path) -> int:  # type: ignore[type-arg]
    """In-text citations equal to citeproc-js's, matched by item id."""
    out = work / f"compare-{style}"
    subprocess.run(
        [str(CHECK), "compare", str(items), "--style", style, "--out", str(out), "-q"],
        capture_output=True,
        check=False,
    )
    (rendered,) = out.glob("*.json")
    citations = json.loads(rendered.read_text(encoding="utf-8"))["citeproc-js"]["citations"]
    by_id = {citation["id"]: citation["text"] for citation in citations}
    ours = render(style, refs, "citation").splitlines()
    return sum(1 for ref, text in zip(refs, ours, strict=True) if by_id.get(ref.id) == text)


def measure(style: str, refs: list, items: Path, work: Path) -> tuple[int, int]:  # type: ignore[type-arg]
    ours = work / f"{style}.txt"
    ours.write_text(render(style, refs, "bibliography"), encoding="utf-8")
    done = subprocess.run(
        [str(CHECK), "citations", str(items), "--style", style, "--against", str(ours), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    summary = (done.stdout + done.stderr).strip().splitlines()[-1]
    match = re.search(r"exact match (\d+)/(\d+)", summary)
    if match is None:
        raise SystemExit(f"{style}: {summary}")
    return int(match[1]), int(match[2])


def main(argv: list[str]) -> None:
    if not CHECK.exists() or not CORPUS.is_dir():
        raise SystemExit(f"needs {CHECK} and {CORPUS}")
    styles = argv or list(STYLES)
    refs = references()
    sys.path.insert(0, str(ROOT))
    from marcconv.writers.csljson import to_csl

    lines = [
        "# Citations: marcconv (citeproc-py and its layer) against citeproc-js",
        "",
        f"{len(refs)} titled records of `../shared/corpus/textmarc`; an entry or a citation",
        "counts when it is character for character what citeproc-js 2.4.63 writes.",
        "Made by `make agreement`.",
        "",
        "| style | bibliography entries | agreement | in-text citations | agreement |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="agreement-") as tmp:
        work = Path(tmp)
        items = work / "items.json"
        items.write_text(json.dumps([to_csl(r) for r in refs], ensure_ascii=False), "utf-8")
        for style in styles:
            exact, total = measure(style, refs, items, work)
            cites = measure_citations(style, refs, items, work)
            print(
                f"{style:<32} {exact:>4}/{total} {100 * exact / total:5.1f}%"
                f"   in-text {cites:>4}/{len(refs)} {100 * cites / len(refs):5.1f}%",
                flush=True,
            )
            lines.append(
                f"| {style} | {exact}/{total} | {100 * exact / total:.1f}% "
                f"| {cites}/{len(refs)} | {100 * cites / len(refs):.1f}% |"
            )
    if not argv:
        (HERE / "AGREEMENT.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
