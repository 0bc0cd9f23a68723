"""marcconv on Dask (marcconv/dask.py): a LocalCluster of two worker processes gives
``marcconv convert``'s bytes, keys and diagnostics, from inputs cut into many
record-aligned byte ranges."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from marcconv.engine import Job
from marcconv.keys import KeyMaker
from tests.conftest import ROOT, SAMPLES

pytest.importorskip("distributed", reason="marcconv[dask] not installed")
from dask.distributed import Client, LocalCluster

from marcconv import dask as marcconv_dask

DATA = ROOT / "tests" / "data"
INPUTS = [
    str(DATA / "golden-records" / "invenio-demo.txt"),  # text MARC, cut in ranges
    str(DATA / "marc" / "rug01.aleph"),  # Aleph sequential
    str(DATA / "agreement" / "openlibrary" / "bin" / "880_arabic_french_many_linkages.mrc"),
    str(DATA / "marc" / "camel.mrc"),  # ISO 2709, several records
    str(DATA / "marc" / "batch.xml"),  # MARCXML: a whole partition
    str(DATA / "agreement" / "inspire" / "records.xml.gz"),  # gzip: a whole partition
    str(DATA / "golden-records" / "inspire.txt"),
    str(DATA / "golden-records" / "openlibrary.txt"),
    str(DATA / "golden-records" / "catmandu-marc.txt"),
    str(DATA / "inspire" / "inspire.txt"),
    str(DATA / "marc" / "bad_records.mrc"),  # damaged binary records, reported
    str(SAMPLES / "palmira.txt"),
]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def _command(target: str, output: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "marcconv", "convert", *INPUTS, "-t", target, "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return [line for line in done.stderr.splitlines() if not line.startswith(("read ", "note: "))]


def test_the_inputs_are_cut_into_many_ranges() -> None:
    parts = marcconv_dask.plan(INPUTS, split_bytes=2000)
    ranged = [p for p in parts if not (p.start == 0 and p.end is None)]
    assert len(ranged) > 20
    for path in {p.path for p in ranged}:  # contiguous, nothing left between
        mine = [p for p in parts if p.path == path]
        assert [p.start for p in mine[1:]] == [p.end for p in mine[:-1]]


@pytest.mark.parametrize("target", ["csl-json", "bibtex", "ris", "textmarc", "marcxml"])
def test_two_workers_give_what_one_process_gives(
    client: Client, target: str, tmp_path: Path
) -> None:
    expected = _command(target, tmp_path / "one")
    heard: list[str] = []
    tally = marcconv_dask.convert(
        INPUTS,
        target,
        str(tmp_path / "dask"),
        split_bytes=2000,
        report=lambda d: heard.append(str(d)),
    )
    assert (tmp_path / "dask").read_bytes() == (tmp_path / "one").read_bytes()
    assert heard == expected  # the same diagnostics, in the same order
    assert tally.read == tally.written + tally.skipped + tally.left_out > 80


def test_a_file_per_partition(client: Client, tmp_path: Path) -> None:
    _command("csl-json", tmp_path / "one.json")
    marcconv_dask.convert(
        INPUTS, "csl-json", str(tmp_path / "part-{:04d}.json"), split_bytes=2000,
        report=lambda d: None,
    )  # fmt: skip
    parts = sorted(tmp_path.glob("part-*.json"))
    assert len(parts) > 20
    items = [item for part in parts for item in json.loads(part.read_text(encoding="utf-8"))]
    assert items == json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))


def test_keys_across_partitions_equal_one_run() -> None:
    job = Job("bibtex")
    # counted: "smith2020" twice in the first part, once in the second
    bases: list[list[str | None]] = [["smith2020", "doe2019", "smith2020"], ["smith2020"]]
    given = marcconv_dask.assign_keys(bases, job, numbered=False)
    keys = [_keys(part, given[i]) for i, part in enumerate(bases)]
    one = KeyMaker()
    assert keys == [[one.unique(b) for b in part if b] for part in bases]
    # a suffixed key meets another record's base: given one by one, in order
    bases = [["smith2020", "smith2020a"], ["smith2020"]]
    given = marcconv_dask.assign_keys(bases, job, numbered=False)
    one = KeyMaker()
    assert given == [[one.unique(b) for b in part if b] for part in bases]
    assert given[1] == ["smith2020b"]


def _keys(bases: list[str | None], given: object) -> list[str]:
    handed = marcconv_dask._Given(given)  # type: ignore[arg-type]
    return [handed.unique(b) for b in bases if b is not None]


def test_a_bibliography_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="whole set"):
        marcconv_dask.convert(INPUTS[:1], "citation", str(tmp_path / "x"))
