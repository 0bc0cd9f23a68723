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
* ``marcconv.dask`` on a local cluster of two worker processes, to CSL-JSON
  (where ``marcconv[dask]`` is installed), beside ``--jobs 2``;
* the peers, on the same records: Catmandu (reading them as Aleph sequential, with
  the fix files of ``bench/peers``), bibutils (from MODS) and Citation.js (from
  marcconv's own CSL-JSON), each where it is installed (``make bench-tools``);
* citations: ``-t citation`` for apa and ieee on the first 1,000, 10,000 and
  100,000 records (``--citations 500,2000`` for a shorter run).

Each figure is the median of ``--repeat`` runs (one run from 100,000 records on)
and is given as wall time and as CPU time (user + system of the process and all
its children, from ``wait4``): these machines are shared, and CPU time is what
a busy neighbour disturbs least.  Peak memory is the largest resident set of any
one process of the run and, where worker processes add more than 5 % to it, the
largest sum of the proportional set sizes of all processes (sampled while it
runs).  The tables and the ratios to the floor and to each peer are written to
``bench/RESULTS.md`` with a description of the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "textmarc"
DATA = HERE / "data"
PEERS = HERE / "peers"

#: prepended to each Python run: prints its own peak resident set (kB) on stderr at exit
PEAK = """
import atexit, sys
def _peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM"):
                    sys.stderr.write("\\npeak-kB " + line.split()[1] + "\\n")
    except OSError:
        pass
atexit.register(_peak)
"""

FLOOR = (
    PEAK
    + """
import sys
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
import sys, pymarc
with open(sys.argv[1], "rb") as data:
    print(sum(1 for record in pymarc.MARCReader(data, permissive=True) if record is not None))
"""
)

MARCCONV = (
    PEAK
    + """
from marcconv.cli import main
main(sys.argv[1:])
"""
)

PYMARC_XML = (
    PEAK
    + """
import sys, pymarc
count = []
pymarc.map_xml(lambda record: count.append(1), sys.argv[1])
print(len(count))
"""
)


#: all processes' memory is shown where it exceeds the main process's peak this much
WORKERS_SHOWN = 1.05


@dataclass
class Measure:
    label: str
    records: int
    seconds: float  # wall time
    cpu: float  # user + system time of the process and all its children
    peak_mb: float  # the largest resident set of any one process of the run
    all_mb: float  # the largest sum of PSS over it and its worker processes, sampled
    written: int = -1  # a peer's entries in its output, where they are counted

    def memory(self) -> str:
        """Peak memory; also that of all processes together where workers add to it."""
        if self.all_mb > self.peak_mb * WORKERS_SHOWN:
            return f"{self.peak_mb:.0f} MB (all processes {self.all_mb:.0f} MB)"
        return f"{self.peak_mb:.0f} MB"

    @property
    def rate(self) -> float:
        """Records per second of wall time."""
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        """Records per second of CPU time."""
        return self.records / self.cpu if self.cpu else 0.0


def median(runs: list[Measure]) -> Measure:
    """The median wall time, CPU time and memory of repeated runs of one command."""
    first = runs[0]
    return Measure(
        first.label,
        first.records,
        statistics.median(m.seconds for m in runs),
        statistics.median(m.cpu for m in runs),
        statistics.median(m.peak_mb for m in runs),
        statistics.median(m.all_mb for m in runs),
        min(m.written for m in runs),
    )


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


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """The largest resident high-water mark (VmHWM) of a process and its descendants,
    and the sum of their proportional set sizes (pages that forked processes still
    share are counted once in all), in kB (Linux; zeros elsewhere)."""
    most = total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            most = max(most, hwm)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (OSError, StopIteration, ValueError):
            continue  # it ended meanwhile, or this is not Linux
    return most, total


class Sampler(threading.Thread):
    """Samples a process tree's memory every ``SAMPLE`` seconds until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.all_kb = pid, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        first = [0.005, 0.02, 0.05, 0.1]  # then every SAMPLE: short runs are sampled too
        while not self.done.wait(first.pop(0) if first else SAMPLE):
            peak, total = tree_memory_kb(self.pid)
            self.peak_kb, self.all_kb = max(self.peak_kb, peak), max(self.all_kb, total)


#: how a run's output tells how many records it read or wrote
Counter = str


def run(label: str, records: int, argv: list[str], count: Counter = "summary") -> Measure:
    """One timed run; it must have read (or, for a peer, written) exactly ``records``.

    ``count`` says where the number is: ``summary`` (marcconv's ``read N records``
    on stderr), ``first`` (the first word of stdout), or a regular expression
    counted over the lines of stdout (a peer's entries)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        sampler = Sampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # its CPU time, and that of its children
        sampler.done.set()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        if count == "summary":
            found = re.search(r"read (\d+) records", stderr)
            got = int(found.group(1)) if found else -1
        elif count == "first":
            got = int((out.read().split() or [b"-1"])[0])
        else:
            entry = re.compile(count.encode())
            got = sum(1 for line in out if entry.match(line))
    peer = count not in ("summary", "first")
    if process.returncode != 0 or (got != records and not peer):
        raise SystemExit(
            f"{label}: exit {process.returncode}, {got} of {records} records: {stderr[-2000:]}"
        )
    sampler.join()
    # ru_maxrss would count the bench's own memory (Linux keeps it across fork and exec):
    # a Python run reports its own VmHWM at exit; a peer's is sampled
    reported = re.findall(r"peak-kB (\d+)", stderr)
    peak_kb = max([sampler.peak_kb, *map(int, reported)])
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(label, records, seconds, cpu, peak_kb / 1024, sampler.all_kb / 1024, got)


def repeated(
    times: int, label: str, records: int, argv: list[str], count: Counter = "summary"
) -> Measure:
    """The median of ``times`` runs."""
    return median([run(label, records, argv, count) for _ in range(times)])


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


#: a BibTeX entry and a RIS record, as each peer writes them (counted over its output)
ENTRY = {"bibtex": r"@\w+\{", "ris": r"TY  - "}


@dataclass(frozen=True)
class Peer:
    name: str
    tool: str  # the program that must be on PATH
    source: str  # which prepared input it reads: "seq", "mods" or "json"
    commands: dict[str, list[str]]  # format -> argv, "{input}" standing for the input file
    note: str
    largest: int = 10**9  # run on inputs of at most this many records
    once: bool = False  # one run per figure, not the median of --repeat


PEER_LIST = [
    Peer(
        "Catmandu",
        "catmandu",
        "seq",
        {
            fmt: [
                *("catmandu", "convert", "MARC", "--type", "ALEPHSEQ", "--file", "{input}"),
                *("to", exporter, "--fix", str(PEERS / f"catmandu-{fmt}.fix")),
            ]
            for fmt, exporter in (("bibtex", "BibTeX"), ("ris", "RIS"))
        },
        "Perl; reads marcconv's Aleph sequential output of the same records and maps"
        " about 25 core fields with `bench/peers/catmandu-*.fix` (marcconv maps every field)",
    ),
    Peer(
        "bibutils",
        "xml2bib",
        "mods",
        {"bibtex": ["xml2bib", "{input}"], "ris": ["xml2ris", "{input}"]},
        "C; reads MODS (made untimed from marcconv's RIS by `ris2xml`): it cannot read MARC."
        " A few records with thousands of authors take it about a second each, so it runs"
        " once per figure and on at most 10,000 records",
        largest=10_000,
        once=True,
    ),
    Peer(
        "Citation.js",
        "node",
        "json",
        {fmt: ["node", str(PEERS / "citation-js.js"), "{input}", fmt] for fmt in ("bibtex", "ris")},
        "JavaScript; only writes: it reads marcconv's own CSL-JSON of the same records",
    ),
]


def dask_ready() -> bool:
    """Is ``marcconv[dask]`` installed (dask.distributed)?"""
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def peer_ready(peer: Peer) -> bool:
    if shutil.which(peer.tool) is None:
        return False
    if peer.name == "Citation.js":
        return (PEERS / "node_modules" / "@citation-js" / "plugin-ris").is_dir()
    if peer.name == "bibutils":
        return shutil.which("ris2xml") is not None
    return True


def peer_input(python: str, txt: str, source: str) -> str:
    """marcconv's output that a peer reads, made once per input (not timed)."""
    target = Path(txt).with_suffix("." + source)
    if target.exists():
        return str(target)
    if source == "mods":
        ris = Path(txt).with_suffix(".ris")
        subprocess.run(
            [python, "-m", "marcconv", "convert", txt, "-t", "ris", "-q", "-o", str(ris)],
            check=True,
        )
        with open(target, "wb") as mods:
            subprocess.run(
                ["ris2xml", "-un", str(ris)], stdout=mods, stderr=subprocess.DEVNULL, check=True
            )
        ris.unlink()
    else:
        fmt = {"seq": "alephseq", "json": "csl-json"}[source]
        subprocess.run(
            [python, "-m", "marcconv", "convert", txt, "-t", fmt, "-q", "-o", str(target)],
            check=True,
        )
    return str(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--formats", default="csl-json,bibtex,ris")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure below 100,000")
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
    formats = args.formats.split(",")
    python = sys.executable
    records = pool()
    print(f"{len(records)} distinct source records; {machine()}", flush=True)
    ready = [peer for peer in PEER_LIST if peer_ready(peer)]
    missing = [peer.name for peer in PEER_LIST if peer not in ready]
    if missing:
        print(f"not installed (make bench-tools): {', '.join(missing)}", flush=True)
    table: dict[int, list[Measure]] = {}
    peers: dict[int, dict[tuple[str, str], Measure]] = {}
    for n in sizes:
        times = args.repeat if n < 100_000 else 1
        files = build(n, records)
        txt = str(files["txt"])
        rows = [
            repeated(
                times, "floor: split lines (plain Python)", n, [python, "-c", FLOOR, txt], "first"
            ),
            repeated(
                times, "pymarc: ISO 2709", n, [python, "-c", PYMARC_ISO, str(files["mrc"])], "first"
            ),
            repeated(
                times, "pymarc: MARCXML", n, [python, "-c", PYMARC_XML, str(files["xml"])], "first"
            ),
        ]
        for fmt in formats:
            for jobs in args.jobs.split(","):
                rows.append(
                    repeated(
                        times,
                        f"marcconv -t {fmt} --jobs {jobs}",
                        n,
                        marcconv_command(python, txt, "-t", fmt, "--jobs", jobs),
                    )
                )
        if dask_ready():
            size = os.path.getsize(txt)
            rows.append(
                repeated(
                    times,
                    "marcconv.dask -t csl-json, 2 workers",
                    n,
                    [python, str(HERE / "dask_run.py"), txt, "csl-json", str(max(size // 16, 1))],
                )
            )
        peers[n] = {}
        for peer in ready:
            if n > peer.largest:
                continue
            source = peer_input(python, txt, peer.source)
            for fmt, argv in peer.commands.items():
                if fmt in formats:
                    command = [source if arg == "{input}" else arg for arg in argv]
                    label = f"{peer.name}: {fmt}"
                    peers[n][peer.name, fmt] = measure = repeated(
                        times, label, n, command, "^" + ENTRY[fmt]
                    )
                    rows.append(measure)
        table[n] = rows
        for row in rows:
            print(
                f"  N={n:>7} {row.label:<36} {row.rate:>7.0f} rec/s wall"
                f" {row.cpu_rate:>7.0f} rec/s CPU  {row.memory()}",
                flush=True,
            )
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
                    f"  N={cite_n:>7} {row.label:<36} {row.rate:>7.0f} items/s wall"
                    f" {row.cpu_rate:>7.0f} items/s CPU  {row.memory()}",
                    flush=True,
                )
    report = render(table, peers, citations, len(records), args.repeat, missing)
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
    table: dict[int, list[Measure]],
    peers: dict[int, dict[tuple[str, str], Measure]],
    citations: dict[int, list[Measure]],
    distinct: int,
    repeat: int,
    missing: list[str],
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
        "Made by `make bench` (`python bench/run.py`); each figure is the median of"
        f" {repeat} runs (one run from 100,000 records on), each in its own process,"
        " start-up included. Rates are given per second of CPU time (user + system of the"
        " run and all its processes: what a shared, noisy machine disturbs least) and per"
        " second of wall time. Peak memory is the largest resident set of any one process"
        " and, where worker processes add more than 5 % to it, the largest sum over all"
        " processes of their proportional set size (PSS: shared pages counted once),"
        f" sampled every {SAMPLE} s.",
        "",
        "Records per CPU second (ratio to the floor's), per wall second, and peak memory:",
        "",
        "| run | " + " | ".join(f"N = {n:,}" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    labels = list(dict.fromkeys(m.label for n in sizes for m in table[n]))
    for label in labels:  # a peer that runs only up to some N has no cell above it
        cells = []
        for n in sizes:
            row = next((m for m in table[n] if m.label == label), None)
            floor = table[n][0]
            cells.append(
                "–"
                if row is None
                else f"{row.cpu_rate:,.0f}/s CPU ({row.cpu_rate / floor.cpu_rate:.2f}×),"
                f" {row.rate:,.0f}/s wall, {row.memory()}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += _peer_table(table, peers, missing)
    if citations:
        counts = sorted(citations)
        lines += [
            "",
            "Citations: items per CPU second, per wall second, and peak memory (with --jobs,"
            " forked processes render slices beside the main one):",
            "",
            "| run | " + " | ".join(f"{n:,} items" for n in counts) + " |",
            "|---|" + "---|" * len(counts),
        ]
        for position, first in enumerate(citations[counts[0]]):
            cells = [
                f"{citations[n][position].cpu_rate:,.0f}/s CPU,"
                f" {citations[n][position].rate:,.0f}/s wall, {citations[n][position].memory()}"
                for n in counts
            ]
            lines.append(f"| {first.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _peer_table(
    table: dict[int, list[Measure]],
    peers: dict[int, dict[tuple[str, str], Measure]],
    missing: list[str],
) -> list[str]:
    """marcconv on one core beside each peer, format by format, as ratios."""
    names = [peer.name for peer in PEER_LIST if peer.name not in missing]
    if not names:
        return ["", f"No peer is installed ({', '.join(missing)}): `make bench-tools`."]
    lines = [
        "",
        "Beside the peers, one core (`--jobs 1`), same records: records per CPU second,"
        " and marcconv's rate as a multiple of each peer's (above 1: marcconv is faster).",
        "",
        "| N | format | marcconv | " + " | ".join(names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for n in sorted(peers):
        ours_by_label = {m.label: m for m in table[n]}
        for fmt in ("bibtex", "ris"):
            ours = ours_by_label.get(f"marcconv -t {fmt} --jobs 1")
            if ours is None:
                continue
            cells = []
            for name in names:
                theirs = peers[n].get((name, fmt))
                cells.append(
                    f"{theirs.cpu_rate:,.0f}/s ({ours.cpu_rate / theirs.cpu_rate:.2f}×)"
                    if theirs
                    else "–"
                )
            lines.append(f"| {n:,} | {fmt} | {ours.cpu_rate:,.0f}/s | " + " | ".join(cells) + " |")
    short = sorted(
        f"{m.label} wrote {m.written:,} entries from {m.records:,} records (N = {n:,})"
        for n in peers
        for m in peers[n].values()
        if 0 <= m.written != m.records
    )
    lines += ["", "What each peer does:", ""]
    lines += [f"- {peer.name}: {peer.note}." for peer in PEER_LIST if peer.name in names]
    if missing:
        lines.append(f"- Not installed here, so not run: {', '.join(missing)}.")
    if short:
        lines += [
            "",
            "Rates are per record read; some peers wrote fewer entries: " + "; ".join(short) + ".",
        ]
    return lines


if __name__ == "__main__":
    main()
