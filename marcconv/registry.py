"""Readers and writers by name: a built-in table plus the entry points of plugins.

A plugin package adds a writer with one entry in its ``pyproject.toml``::

    [project.entry-points."marcconv.writers"]
    my-format = "my_package.module:MyWriter"   # a marcconv.writers.base.Writer subclass

and a reader (a function ``(lines, source) -> Iterator[SourceRecord | Diagnostic]``)
under ``marcconv.readers``.  Built-ins are imported only when used, so
``marcconv --version`` stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from marcconv.errors import MarcconvError

WRITER_GROUP = "marcconv.writers"
READER_GROUP = "marcconv.readers"

# name → ("module:attribute", one-line description)
BUILTIN_WRITERS: dict[str, tuple[str, str]] = {
    "csl-json": (
        "marcconv.writers.csljson:CslJsonWriter",
        "CSL-JSON array (pandoc, Zotero, citeproc-js)",
    ),
    "bibtex": (
        "marcconv.writers.bibtex:BibtexWriter",
        "BibTeX; LaTeX accents, or UTF-8 with --unicode",
    ),
    "biblatex": ("marcconv.writers.biblatex:BiblatexWriter", "BibLaTeX for biber, UTF-8"),
    "ris": ("marcconv.writers.ris:RisWriter", "RIS (EndNote, Zotero, Mendeley)"),
    "jsonl": (
        "marcconv.writers.csljson:JsonLinesWriter",
        "CSL-JSON, one item per line (jq, grep)",
    ),
    "citation": (
        "marcconv.writers.citation:CitationWriter",
        "bibliography in a CSL style (--style)",
    ),
    "textmarc": ("marcconv.marc.textmarc:TextmarcWriter", "MARC as Invenio text MARC"),
    "alephseq": ("marcconv.marc.alephseq:AlephseqWriter", "MARC as Aleph sequential"),
    "line": ("marcconv.marc.line:YazLineWriter", "MARC in the YAZ line format"),
    "marcxml": ("marcconv.marc.marcxml:MarcxmlWriter", "MARC as MARCXML"),
    "iso2709": ("marcconv.marc.iso2709:Iso2709Writer", "MARC as binary MARC (.mrc), UTF-8"),
    "mrk": ("marcconv.marc.mrk:MrkWriter", "MARC as MarcEdit mnemonic text (.mrk)"),
    "marc-json": ("marcconv.marc.marcjson:MarcJsonWriter", "MARC as MARC-in-JSON"),
}
BUILTIN_READERS: dict[str, tuple[str, str]] = {
    "textmarc": (
        "marcconv.marc.textmarc:read_textmarc",
        "Invenio text MARC, line or collapsed form",
    ),
    "alephseq": ("marcconv.marc.alephseq:read_alephseq", "Aleph sequential"),
    "line": ("marcconv.marc.line:read_line", "YAZ / Catmandu line format"),
    "mrk": ("marcconv.marc.mrk:read_mrk", "MarcEdit / MARCMaker mnemonic (.mrk)"),
    "marcxml": ("marcconv.marc.marcxml:read_marcxml", "MARCXML (no DTDs or entities)"),
    "iso2709": ("marcconv.marc.iso2709:read_iso2709", "binary MARC (.mrc), UTF-8 or MARC-8"),
    "marc-json": ("marcconv.marc.marcjson:read_marcjson", "MARC-in-JSON"),
}
#: the input format that means "look at the input"
AUTO = "auto"


@dataclass(frozen=True, slots=True)
class Plugin:
    name: str
    target: str  # "module:attribute"
    description: str
    origin: str  # "built-in" or the distribution that provides it

    def load(self) -> Any:
        module, _, attribute = self.target.partition(":")
        try:
            return getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as exc:
            raise MarcconvError(f"cannot load {self.name!r} from {self.target}: {exc}") from exc


def _table(builtin: dict[str, tuple[str, str]], group: str) -> dict[str, Plugin]:
    table = {
        name: Plugin(name, target, description, "built-in")
        for name, (target, description) in builtin.items()
    }
    for ep in entry_points(group=group):
        if ep.name in table:
            continue  # a plugin never shadows a built-in
        dist = ep.dist.name if ep.dist is not None else "plugin"
        table[ep.name] = Plugin(ep.name, ep.value, f"from {dist}", dist)
    return table


def writers() -> dict[str, Plugin]:
    return _table(BUILTIN_WRITERS, WRITER_GROUP)


def readers() -> dict[str, Plugin]:
    return _table(BUILTIN_READERS, READER_GROUP)


def _get(table: dict[str, Plugin], name: str, kind: str) -> Any:
    plugin = table.get(name)
    if plugin is None:
        raise MarcconvError(f"unknown {kind} {name!r}; choose from {', '.join(sorted(table))}")
    return plugin.load()


def writer_class(name: str) -> Any:
    return _get(writers(), name, "output format")


def reader_function(name: str) -> Any:
    return _get(readers(), name, "input format")
