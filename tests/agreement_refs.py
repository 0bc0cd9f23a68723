"""Make the INSPIRE and CDS references of the agreement measure (``make agreement-refs``).

The references are what INSPIRE's and CERN Document Server's own MARC→JSON rules
(inspire-dojson, cds-dojson: the code those repositories run) make of their
records.  This script runs them on the public records of the shared corpus and
stores, under ``tests/data/agreement/``, the records it read (``records.xml.gz``)
and the part of each rule set's output that a citation can hold
(``expected.json.gz``).
It needs the shared corpus and a Python with both rule sets installed; the
stored files are all the measure itself needs.

    python tests/agreement_refs.py SHARED_CORPUS_DIR
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import lxml.etree as ET

MARC = "http://www.loc.gov/MARC21/slim"
OUT = Path(__file__).parent / "data" / "agreement"

#: the keys of an INSPIRE literature record that a citation can hold, and of each
#: kept key the sub-keys (None: the value itself)
INSPIRE_KEYS: dict[str, tuple[str, ...] | None] = {
    "control_number": None,
    "document_type": None,
    "titles": ("title", "subtitle"),
    "authors": ("full_name", "inspire_roles"),
    "corporate_author": None,
    "collaborations": ("value",),
    "texkeys": None,
    "dois": ("value",),
    "arxiv_eprints": ("value", "categories"),
    "report_numbers": ("value",),
    "isbns": ("value",),
    "publication_info": (
        "journal_title", "journal_volume", "journal_issue", "page_start", "page_end",
        "artid", "year", "material",
    ),
    "imprints": ("publisher", "place", "date"),
    "preprint_date": None,
    "thesis_info": None,
    "number_of_pages": None,
    "abstracts": ("value",),
    "languages": None,
    "license": ("license", "url"),
    "urls": ("value",),
    "public_notes": ("value",),
    "inspire_categories": ("term",),
}  # fmt: skip


def _pruned(record: dict[str, Any], keys: dict[str, tuple[str, ...] | None]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, sub in keys.items():
        if key not in record:
            continue
        value = record[key]
        if sub is not None and isinstance(value, list):
            value = [{k: v[k] for k in sub if k in v} for v in value]
        elif sub is not None and isinstance(value, dict):
            value = {k: value[k] for k in sub if k in value}
        kept[key] = value
    return kept


def _records(data: bytes) -> list[ET._Element]:
    data = re.sub(rb"&(?!#?\w+;)", b"&amp;", data)  # a bare "&" (books_book2.xml)
    root = ET.fromstring(data)
    if root.tag in (f"{{{MARC}}}record", "record"):
        return [root]
    found: list[ET._Element] = root.findall(f".//{{{MARC}}}record") or root.findall(".//record")
    return found


def _collection(records: list[ET._Element]) -> bytes:
    collection = ET.Element(f"{{{MARC}}}collection", nsmap={None: MARC})
    for record in records:
        copy = ET.fromstring(ET.tostring(record))
        for element in copy.iter():
            if isinstance(element.tag, str) and not element.tag.startswith("{"):
                element.tag = f"{{{MARC}}}{element.tag}"
        collection.append(copy)
    ET.cleanup_namespaces(collection)
    return bytes(ET.tostring(collection, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def inspire(corpus: Path) -> None:
    from inspire_dojson import marcxml2record  # type: ignore[import-not-found]

    sources = [
        corpus / "raw/inspire/demo-records.xml.gz",
        corpus / "raw/inspire/demo-records-acceptance.xml.gz",
        *sorted((corpus / "raw/inspire/fixtures").glob("*.xml")),
    ]
    kept, expected = [], {}
    for source in sources:
        data = (
            gzip.decompress(source.read_bytes()) if source.suffix == ".gz" else source.read_bytes()
        )
        for element in _records(data):
            try:
                record = marcxml2record(ET.tostring(element).decode())
            except Exception:  # a kind the rules no longer read (jobs)
                continue
            if not record.get("$schema", "").endswith("hep.json"):
                continue  # authors, institutions, journals ...: not works
            kept.append(element)
            expected[str(record["control_number"])] = _pruned(record, INSPIRE_KEYS)
    _write("inspire", kept, expected, "inspire-dojson")


def cds(corpus: Path) -> None:
    from cds_dojson.marc21 import marc21  # type: ignore[import-not-found]
    from dojson.contrib.marc21.utils import create_record, split_stream  # type: ignore[import-not-found]

    kept, expected = [], {}
    for source in sorted((corpus / "raw/cds").glob("*.xml")):
        data = source.read_bytes()
        data = data[data.index(b"<collection") :] if b"<collection" in data else data
        # (books_book2.xml starts with a pasted browser banner)
        for element in _records(data):
            (blob,) = list(split_stream(io.BytesIO(ET.tostring(element))))
            record = marc21.do(create_record(blob))
            record.pop("_migration", None)
            record.pop("_files", None)
            record.pop("_access", None)
            kept.append(element)
            recid = record.get("recid") or record.get("legacy_recid")
            expected[str(recid)] = json.loads(json.dumps(record, default=str))
    _write("cds", kept, expected, "cds-dojson")


def _write(name: str, records: list[ET._Element], expected: dict[str, Any], tool: str) -> None:
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "records.xml.gz").write_bytes(gzip.compress(_collection(records), mtime=0))
    document = {"made-by": f"{tool} {metadata.version(tool)}", "records": expected}
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (folder / "expected.json.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"{name}: {len(records)} records, {tool} {metadata.version(tool)}")


if __name__ == "__main__":
    corpus = Path(sys.argv[1])
    for make in sys.argv[2:] or ["inspire", "cds"]:
        {"inspire": inspire, "cds": cds}[make](corpus)
