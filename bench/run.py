"""marcconv's benchmark: records per second and peak memory against the floor.

    python bench/run.py                       # N = 1,000, 10,000 and 100,000
    python bench/run.py --sizes 1000 --quick  # a smoke run

For each N it builds a text MARC file of N realistic records (the records of
``../shared/corpus`` in turn, or those of ``samples/`` and ``tests/data/marc``
on a clone without it), the same records as MARCXML and ISO 2709, and then
measures, each in its own process:

* the floor: a plain Python loop that only splits the lines into tag and subfields;
* pymarc parsing the same records as ISO 2709 and as MARCXML (``map_xml``);
* ``marcconv convert -t FORMAT`` for each writer, with ``--jobs 1`` and ``--jobs 2``;
* citations: ``-t citation`` for apa and ieee on the first 1,000, 10,000 and
  100,000 records (``--citations 500,2000`` for a shorter run).

Peak memory is the process's own high-water mark (``VmHWM``) and, where worker
processes add more than 5 % to it, the largest sum of the proportional set sizes
of all processes (sampled while it runs).  The table gives
every figure as a ratio to the floor and is written to ``bench/RESULTS.md``
with a description of the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "textmarc"
DATA = HERE / "data"

#: runs a Python snippet or marcconv and prints its own peak RSS (kB) on stderr at exit
PEAK = """
import atexit, sys
def _peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM"):
                    sys.stderr.write("\\npeak-kB " + line.split()[1] + "\\n")
    except OSError:
        import resource
        sys.stderr.write("\\npeak-kB %d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
atexit.register(_peak)
"""

FLOOR = (
    PEAK
    + """
count, previous = 0, None
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        recid, tag, value = line[:9], line[10:15], line[16:]
        subfields = value.split("$$")
        if recid != previous:
            count, previous = count + 1, recid
print(count)
"""
)

PYMARC_ISO = (
    PEAK
    + """
import pymarc
with open(sys.argv[1], "rb") as data:
    print(sum(1 for record in pymarc.MARCReader(data, permissive=True) if record is not None))
"""
)

PYMARC_XML = (
    PEAK
    + """
import pymarc
count = []
pymarc.map_xml(lambda record: count.append(1), sys.argv[1])
print(len(count))
"""
)

MARCCONV = (
    PEAK
    + """
from marcconv.cli import main
main(sys.argv[1:])
"""
)


#: all processes' memory is shown where it exceeds the main process's peak this much
WORKERS_SHOWN = 1.05


@dataclass
class Measure:
    label: str
    records: int
    seconds: float
    peak_mb: float  # the main process's VmHWM
    all_mb: float  # the largest sum of PSS over it and its worker processes, sampled

    def memory(self) -> str:
        """Peak memory; also that of all processes together where workers add to it."""
        if self.all_mb > self.peak_mb * WORKERS_SHOWN:
            return f"{self.peak_mb:.0f} MB (all processes {self.all_mb:.0f} MB)"
        return f"{self.peak_mb:.0f} MB"

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def pool() -> list[list[str]]:
    """Records as lists of text MARC lines without their record id."""
    sys.path.insert(0, str(ROOT))
    from marcconv.crosswalk import to_reference
    from marcconv.errors import NotBibliographic, RecordError
    from marcconv.marc.record import SourceRecord
    from marcconv.sources import read_records

    paths = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    if not paths:
        paths = sorted((ROOT / "samples").glob("palmira.txt")) + sorted(
            (ROOT / "tests" / "data" / "marc").glob("*.*")
        )
    records: list[list[str]] = []
    for path in paths:
        if path.suffix == ".md":
            continue
        for item in read_records(str(path), "auto", lambda d: None):
            if not isinstance(item, SourceRecord) or item.failure or item.diagnostics:
                continue
            try:
                to_reference(item)
            except (RecordError, NotBibliographic):
                continue
            if len(_iso2709(item)) > ISO2709_MAX or not _plain_codes(item):
                continue  # ISO 2709 or pymarc cannot hold it; every run reads the same records
            records.append(_text_lines(item))
    return records


ISO2709_MAX = 99_999


def _plain_codes(item: Any) -> bool:
    """No indicator or subfield code pymarc would refuse (some test records have them)."""
    return all(
        fld.indicator1.isascii()
        and fld.indicator2.isascii()
        and all(sub.code.isascii() and sub.code.isalnum() for sub in fld.subfields)
        for fld in item.record.fields
        if not fld.control_field
    )


def _iso2709(item: Any) -> bytes:
    import pymarc

    record = pymarc.Record(leader="00000nam a2200000 a 4500")
    record.fields = [f for f in item.record.fields if not f.tag.isalpha()]
    return bytes(record.as_marc())


def _text_lines(item: object) -> list[str]:
    import io

    from marcconv.marc.textmarc import TextmarcWriter

    out = io.StringIO()
    TextmarcWriter(out).write_record(item)  # type: ignore[arg-type]
    return [line[line.index(" ") :] for line in out.getvalue().splitlines(keepends=True)]


def build(n: int, records: list[list[str]]) -> dict[str, Path]:
    """The N-record inputs: text MARC, MARCXML and ISO 2709 of the same records."""
    DATA.mkdir(exist_ok=True)
    files = {kind: DATA / f"records-{n}.{kind}" for kind in ("txt", "xml", "mrc")}
    if all(p.exists() for p in files.values()):
        return files
    with open(files["txt"], "w", encoding="utf-8") as out:
        for number in range(1, n + 1):
            recid = f"{number:09d}"
            out.write("".join(recid + line for line in records[(number - 1) % len(records)]))
    import pymarc

    from marcconv.marc.marcxml import MarcxmlWriter
    from marcconv.marc.record import SourceRecord
    from marcconv.sources import read_records

    with open(files["mrc"], "wb") as mrc, open(files["xml"], "w", encoding="utf-8") as xml:
        xml_writer = MarcxmlWriter(xml)  # replaces what XML cannot hold, as pymarc does not
        for item in read_records(str(files["txt"]), "textmarc", lambda d: None):
            if isinstance(item, SourceRecord):
                record = pymarc.Record(leader="00000nam a2200000 a 4500")
                record.fields = [f for f in item.record.fields if not f.tag.isalpha()]
                mrc.write(record.as_marc())
                item.record = record
                item.has_leader = True
                xml_writer.write_record(item)
        xml_writer.close()
    return files


#: seconds between two samples of the memory of a run's processes
SAMPLE = 0.25


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of a process and all its descendants, in kB (Linux):
    pages that forked processes still share are counted once in all."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (OSError, StopIteration, ValueError):
            continue  # it ended meanwhile, or this is not Linux
    return total


def run(label: str, records: int, argv: list[str]) -> Measure:
    """One timed run; it must have read exactly ``records`` records."""
    start = time.perf_counter()
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    ) as process:
        most = 0
        while True:
            try:
                stdout, stderr = process.communicate(timeout=SAMPLE)
                break
            except subprocess.TimeoutExpired:
                most = max(most, tree_pss_kb(process.pid))
    seconds = time.perf_counter() - start
    summary = re.search(r"read (\d+) records", stderr)
    count = int(summary.group(1)) if summary else int((stdout.split() or ["-1"])[0])
    if process.returncode != 0 or count != records:
        raise SystemExit(
            f"{label}: exit {process.returncode}, {count} of {records} records: {stderr[-2000:]}"
        )
    peak = stderr.rsplit("peak-kB ", 1)
    peak_mb = int(peak[1].split()[0]) / 1024 if len(peak) == 2 else float("nan")
    return Measure(label, records, seconds, peak_mb, most / 1024)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kb = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}"
    )


def marcconv_command(python: str, path: str, *options: str) -> list[str]:
    """``marcconv convert PATH OPTIONS`` in a fresh interpreter, output discarded."""
    return [python, "-c", MARCCONV, "convert", path, *options, "-q", "-v", "-o", os.devnull]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--formats", default="csl-json,bibtex,ris")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument(
        "--citations",
        default="1000,10000,100000",
        help="items per citation run (cost must be linear)",
    )
    parser.add_argument("--styles", default="apa,ieee")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--quick", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    python = sys.executable
    records = pool()
    print(f"{len(records)} distinct source records; {machine()}", flush=True)
    table: dict[int, list[Measure]] = {}
    for n in sizes:
        files = build(n, records)
        txt = str(files["txt"])
        rows = [
            run("floor: split lines (plain Python)", n, [python, "-c", FLOOR, txt]),
            run("pymarc: ISO 2709", n, [python, "-c", PYMARC_ISO, str(files["mrc"])]),
            run("pymarc: MARCXML", n, [python, "-c", PYMARC_XML, str(files["xml"])]),
        ]
        for fmt in args.formats.split(","):
            for jobs in args.jobs.split(","):
                rows.append(
                    run(
                        f"marcconv -t {fmt} --jobs {jobs}",
                        n,
                        marcconv_command(python, txt, "-t", fmt, "--jobs", jobs),
                    )
                )
        table[n] = rows
        for row in rows:
            print(f"  N={n:>7} {row.label:<36} {row.rate:>9.0f} rec/s {row.memory()}", flush=True)
    citations: dict[int, list[Measure]] = {}
    cite_file = str(build(max(sizes), records)["txt"])
    for cite_n in [min(int(n), max(sizes)) for n in args.citations.split(",")]:
        head = citation_input(cite_file, cite_n)
        citations[cite_n] = []
        for style in args.styles.split(","):
            for jobs in args.jobs.split(","):
                row = run(
                    f"marcconv -t citation --style {style} --jobs {jobs}",
                    cite_n,
                    marcconv_command(
                        python, str(head), "-t", "citation", "--style", style, "--jobs", jobs
                    ),
                )
                citations[cite_n].append(row)
                print(
                    f"  N={cite_n:>7} {row.label:<36} {row.rate:>9.0f} items/s {row.memory()}",
                    flush=True,
                )
    report = render(table, citations, len(records))
    print(report)
    if not args.quick:
        Path(args.out).write_text(report, encoding="utf-8")


def citation_input(records_file: str, count: int) -> Path:
    """The first ``count`` records of ``records_file``, for the citation runs."""
    head = DATA / f"citations-{count}.txt"
    with open(records_file, encoding="utf-8") as src, open(head, "w", encoding="utf-8") as out:
        for line in src:
            if int(line[:9]) > count:
                break
            out.write(line)
    return head


def render(
    table: dict[int, list[Measure]], citations: dict[int, list[Measure]], distinct: int
) -> str:
    sizes = sorted(table)
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Input: text MARC records cycling through {distinct} distinct real records"
        " (those of the shared corpus that convert, fit ISO 2709's 99,999 bytes and have"
        " indicators and subfield codes pymarc reads);"
        " the same records as ISO 2709 and MARCXML for pymarc.",
        "Made by `make bench` (`python bench/run.py`); each figure is one run in its own"
        " process, start-up included; peak memory is the process's VmHWM and, where"
        " worker processes add more than 5 % to it, the largest sum over all processes"
        f" of their proportional set size (PSS: shared pages counted once), sampled every"
        f" {SAMPLE} s.",
        "",
        "Records per second (ratio to the floor) and peak memory:",
        "",
        "| run | " + " | ".join(f"N = {n:,}" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    labels = [m.label for m in table[sizes[0]]]
    for position, label in enumerate(labels):
        cells = []
        for n in sizes:
            row, floor = table[n][position], table[n][0]
            cells.append(f"{row.rate:,.0f}/s ({row.rate / floor.rate:.2f}×), {row.memory()}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if citations:
        counts = sorted(citations)
        lines += [
            "",
            "Citations: items per second and peak memory (with --jobs, forked processes"
            " render slices beside the main one):",
            "",
            "| run | " + " | ".join(f"{n:,} items" for n in counts) + " |",
            "|---|" + "---|" * len(counts),
        ]
        for position, first in enumerate(citations[counts[0]]):
            cells = [
                f"{citations[n][position].rate:,.0f}/s, {citations[n][position].memory()}"
                for n in counts
            ]
            lines.append(f"| {first.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
