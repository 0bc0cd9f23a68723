"""The MARC → model → output mapping as one Markdown table, made from the code itself.

The MARC side comes from the rule table (:data:`marcconv.crosswalk.rules.RULES`);
the output side is found by running each rule's example field (:data:`EXAMPLES`)
through the crosswalk and every writer, and listing the output fields it changes;
the second table probes each model field with a marker value.  So the tables
cannot drift from what the code does.
``marcconv mapping`` prints it; ``docs/mapping.md`` is this output (a test
checks that it is up to date).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import fields
from typing import Any

from marcconv.crosswalk import to_reference
from marcconv.crosswalk.rules import OTHER_NOTES, RULES, Rule
from marcconv.marc.record import SourceRecord
from marcconv.marc.textmarc import read_textmarc
from marcconv.model import NAME_ROLES, Date, Name, Reference
from marcconv.writers.biblatex import BiblatexWriter
from marcconv.writers.bibtex import BibtexWriter
from marcconv.writers.csljson import to_csl
from marcconv.writers.ris import to_ris

MARKER = "Zqxmarker"
#: identifiers a writer may check: the probe gives valid ones
VALID_PROBES = {"isbn": "978-3-95450-182-3", "issn": "0732-183X"}
#: kinds of work used to probe the writers: the type decides some field names
PROBE_TYPES = ("article-journal", "book", "chapter", "thesis", "report", "paper-conference")
WRITERS = ("csl", "bibtex", "biblatex", "ris")
SKIPPED_ATTRIBUTES = frozenset({"id", "type", "names", "source_record"})


def _probe(attribute: str, kind: str) -> Reference:
    ref = Reference(id="probe", type=kind, title="Probe")
    if attribute.startswith("name:"):
        ref.names = [Name(family=MARKER, given="A", role=attribute[5:])]
        return ref
    current = getattr(ref, attribute)
    value: Any
    if attribute == "issued":
        value = Date(raw="1777", year=1777, month=7)
    elif attribute == "identifiers":
        value = {"handle": [MARKER]}
    elif attribute in VALID_PROBES:
        value = [VALID_PROBES[attribute]]
    elif isinstance(current, list):
        value = [MARKER]
    else:
        value = MARKER
    setattr(ref, attribute, value)
    return ref


def _found(ref: Reference) -> dict[str, set[str]]:
    """Where each writer puts the marker (or the probe date) for ``ref``."""
    wanted = ("1777", MARKER, MARKER.lower(), *VALID_PROBES.values())
    out: dict[str, set[str]] = {writer: set() for writer in WRITERS}
    for key, value in to_csl(ref).items():
        text = json.dumps(value)
        if any(w in text for w in wanted) and key != "id":
            out["csl"].add(key)
    for writer, bib_writer in (("bibtex", BibtexWriter), ("biblatex", BiblatexWriter)):
        bib = io.StringIO()
        bib_writer(bib).write(ref)
        for name, value in re.findall(r"^\s+(\w+) = (.*)$", bib.getvalue(), re.MULTILINE):
            if any(w in value for w in wanted) or (name == "month" and value.strip(",") == "jul"):
                out[writer].add(name)
    for tag, value in re.findall(r"^([A-Z][A-Z0-9])  - (.*)$", to_ris(ref), re.MULTILINE):
        if any(w in value for w in wanted):
            out["ris"].add(tag)
    return out


def writer_columns() -> dict[str, dict[str, str]]:
    """Model field (or ``name:ROLE``) → {"csl": ..., "bibtex": ..., "biblatex": ..., "ris": ...}."""
    attributes = [f.name for f in fields(Reference) if f.name not in SKIPPED_ATTRIBUTES]
    attributes += [f"name:{role}" for role in NAME_ROLES]
    table: dict[str, dict[str, str]] = {}
    for attribute in attributes:
        seen: dict[str, set[str]] = {writer: set() for writer in WRITERS}
        for kind in PROBE_TYPES:
            for writer, names in _found(_probe(attribute, kind)).items():
                seen[writer] |= names
        table[attribute] = {w: ", ".join(sorted(n)) or "—" for w, n in seen.items()}
    return table


#: Each rule's example: (context, example), text MARC fields.  The example is what
#: the rule reads; the context, other fields it needs to mean that (a 980 makes an
#: 037 a report number).  The table lists the output fields the example changes.
EXAMPLES: dict[str, tuple[str, str]] = {
    "001..": ("", "001__ 161903"),
    "003..": ("001__ 10603157", "003__ OCoLC"),
    "010..": ("", "010__ $$a   75002321 "),
    "005..|LDR..|FMT..": ("", "005__ 20160909123456.0"),
    "008..": ("", "008__ 750130s1975    dcu      b    10100 eng  "),
    "020..": ("", "020__ $$a0815769768 (pbk.)"),
    "022..": ("", "022__ $$a0732-183X"),
    "024..": ("", "0247_ $$2DOI$$a10.1103/PhysRevD.57.6452\n0247_ $$2hdl$$a10261/1234"),
    "035..": (
        "",
        "035__ $$a(OCoLC)4282700\n035__ $$9INSPIRETeX$$aGlashow:1961tr\n"
        "035__ $$9arXiv$$aoai:arXiv.org:1207.7214",
    ),
    "050..|090..|082..": ("", "0500_ $$aHC107.N53$$bI58"),
    "037..|088..": (
        "980__ $$aREPORT",
        "037__ $$aCERN-TH-2016-123\n088__ $$aFERMILAB-PUB-16-001\n"
        "037__ $$9arXiv$$aarXiv:1207.7214$$chep-ex",
    ),
    "041..": ("", "041__ $$aeng"),
    "100..|700..": ("", "100__ $$aGlashow, S.L.\n700__ $$aPechman, Joseph A.$$4edt"),
    "701..": ("", "701__ $$aBarbieri, Riccardo"),
    "110..|710..": (
        "100__ $$aAad, Georges",
        "110__ $$aCERN\n7102_ $$aBrookings Institution\n710__ $$aIAEA$$4edt\n710__ $$gATLAS",
    ),
    "720..": ("", "720__ $$aMeta Platforms, Inc.$$eData Collector"),
    "730..": ("", "7300_ $$aMonita Secreta Societatis Jesu.$$lEnglish."),
    "111..|711..": ("", "1112_ $$aInternational Conference on High Energy Physics$$d2016"),
    "245..": ("", "24510 $$aWork incentives :$$bthe New Jersey experiment /$$cJ. Pechman."),
    "130..|240..": ("", "24010 $$aIliad.$$lEnglish"),
    "246..": ("", "2463_ $$aBijou"),
    "740..": ("", "7400_ $$aModern Supreme Court."),
    "880..": (
        "24510 $$6880-01$$aNihon no chasho",
        "880__ $$6245-01/$1$$a日本 の 茶書\n880__ $$6260-02/$1$$a東京 :$$b平凡社",
    ),
    "250..": ("", "250__ $$a2nd ed."),
    "260..|264.1": ("", "260__ $$aWashington :$$bBrookings Institution,$$c[1975]"),
    "269..": ("", "269__ $$c2016-11-09"),
    "300..": ("", "300__ $$axiii, 232 p. ;$$c24 cm."),
    "440..|490..|830..": ("", "4901_ $$aIFIP transactions.$$pApplications in technology ;$$vB-5"),
    "500..": ("", "500__ $$aIncludes index.\n500__ $$9arXiv$$a17 pages, 3 figures"),
    "502..": ("", "502__ $$bPhD$$cUdine U.$$d2010"),
    "520..": ("", "520__ $$aThe first LHC results."),
    OTHER_NOTES: ("", "504__ $$aIncludes bibliographical references."),
    "540..": ("", "540__ $$aCC-BY-4.0$$uhttp://creativecommons.org/licenses/by/4.0/"),
    "600..|610..|611..|630..|650..|651..|653..|655..|689..": (
        "",
        "650_0 $$aNegative income tax$$zNew Jersey$$xCongresses.",
    ),
    "980..": ("", "980__ $$aARTICLE"),
    "773..": (
        "",
        "773__ $$pPhys.Rev.D$$v57$$n10$$c6452-6454$$y1998$$x0556-2821$$z978-3-95450-182-3",
    ),
    "856..": ("", "8564_ $$uhttps://zaguan.unizar.es/record/161903/files/texto_completo.pdf"),
    "909CO": ("", "909CO $$ooai:zaguan.unizar.es:161903$$pdriver"),
    "909C4": ("", "909C4 $$pNucl. Phys.$$v22$$c579-588$$y1961"),
    "909C0": ("", "909C0 $$y1998"),
}  # fmt: skip


def _reference(lines: str) -> Reference:
    text = "".join(f"000000001 {line}\n" for line in lines.splitlines() if line)
    sources = [r for r in read_textmarc(text.splitlines(keepends=True), "example")
               if isinstance(r, SourceRecord)]  # fmt: skip
    if not sources:
        return Reference(id="000000001")
    return to_reference(sources[0], all_records=True)


def _outputs(ref: Reference) -> dict[str, dict[str, str]]:
    """Each writer's fields for ``ref``: {writer: {field: value}} (keys and ids aside)."""
    out: dict[str, dict[str, str]] = {}
    out["csl"] = {k: json.dumps(v, sort_keys=True) for k, v in to_csl(ref).items() if k != "id"}
    for writer, bib_writer in (("bibtex", BibtexWriter), ("biblatex", BiblatexWriter)):
        bib = io.StringIO()
        bib_writer(bib).write(ref)
        fields_ = re.findall(r"^\s+(\w+) = (.*?),?$", bib.getvalue(), re.MULTILINE)
        out[writer] = dict(fields_)  # the last field has no comma after it
    ris: dict[str, str] = {}
    for tag, value in re.findall(r"^([A-Z][A-Z0-9])  - (.*)$", to_ris(ref), re.MULTILINE):
        ris[tag] = ris.get(tag, "") + value + "\n"
    ris.pop("ID", None)
    out["ris"] = ris
    return out


def rule_outputs(rule: Rule) -> dict[str, list[str]]:
    """The output fields each writer writes from the rule's example: those that
    differ between the example's record and its context alone, for every kind of
    work (the kind names some fields: a book's publisher, a report's institution)."""
    context, example = EXAMPLES[rule.label]
    found: dict[str, set[str]] = {writer: set() for writer in WRITERS}
    for kind in PROBE_TYPES:
        before, after = _reference(context), _reference(f"{context}\n{example}")
        before.type = after.type = kind
        old, new = _outputs(before), _outputs(after)
        for writer in WRITERS:
            found[writer] |= {k for k, v in new[writer].items() if old[writer].get(k) != v}
    return {writer: sorted(found[writer]) for writer in WRITERS}


def _label(rule: Rule) -> str:
    return " ".join(f"`{alt.replace('.', '_')}`" for alt in rule.label.split("|"))


def render() -> str:
    """The whole Markdown page."""
    columns = writer_columns()
    lines = [
        "# MARC 21 → marcconv → CSL-JSON, BibTeX, BibLaTeX, RIS",
        "",
        "Generated by `marcconv mapping` from the rule table",
        "(`marcconv/crosswalk/rules.py`): each rule's example field (in",
        "`marcconv/mapping_doc.py`) is converted and written by every writer, and the",
        "output fields it changes are listed, for every kind of work; do not edit.",
        "Labels are tag + both indicators as text MARC prints them (`_` blank or any).",
        "",
        "| MARC | what the rule does | model | CSL-JSON | BibTeX | BibLaTeX | RIS |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        summary = (rule.apply.__doc__ or "").strip().splitlines()[0] if rule.apply.__doc__ else ""
        cells = rule_outputs(rule)
        lines.append(
            f"| {_label(rule)} | {summary.replace('|', '/')} | {rule.targets.replace('|', '/')}"
            + "".join(f" | {', '.join(cells[writer]) or '—'}" for writer in WRITERS)
            + " |"
        )
    lines += [
        "",
        "## Model field → output",
        "",
        "| model | CSL-JSON | BibTeX | BibLaTeX | RIS |",
        "|---|---|---|---|---|",
    ]
    for attribute, out in columns.items():
        lines.append(f"| `{attribute}` | " + " | ".join(out[w] for w in WRITERS) + " |")
    lines += [
        "",
        "The kind of work (CSL `type`, BibTeX entry type, RIS `TY`) is decided in",
        "`marcconv/crosswalk/types.py`; its docstring gives the order of evidence.",
    ]
    return "\n".join(lines) + "\n"
