"""The hostile-input and fault campaign: marcconv run as its users run it, in every way it can fail.

    python -m tests.campaign            # the whole campaign (make fuzz), a few minutes
    python -m tests.campaign --quick    # the part make test runs

Every case runs the real command in a subprocess, in a temporary folder of its
own, with a time limit, and is judged on what a user would see: a traceback,
an exit status outside the rules, records lost, forged or damaged (read back
with marcconv's own readers and with bibtexparser; for TeX, the ``.bbl`` that
real ``latex``+``bibtex`` (plain, plainnat, alpha) and ``biber`` make, and
whether LaTeX opened or wrote a file it should not), a hang, and the peak
memory of the process.  It prints one row per class; every column but the
count of inputs must be zero.  Nothing outside the temporary folders is
touched: the device of the ``-o`` cases is made with ``mknod`` (as root) in
one of them, never the real ``/dev/null``.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
MARC = ROOT / "tests" / "data" / "marc"
SEED = (ROOT / "samples" / "palmira.txt").read_bytes()
SUMMARY = re.compile(
    r"read (\d+) records, wrote (\d+), skipped (\d+)(?:, left out (\d+) \(not bibliographic\))?"
)
SECRET = "QQSECRETQQ"


# ---------------------------------------------------------------------------------- running
@dataclass
class Outcome:
    returncode: int | None
    stdout: bytes
    stderr: bytes
    seconds: float
    peak_kb: int
    hung: bool

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    def counts(self) -> tuple[int, int, int] | None:
        """Read, written, and skipped or left out (each record reported, none lost)."""
        found = SUMMARY.search(self.err)
        if found is None:
            return None
        read, written, skipped, left_out = (int(n or 0) for n in found.groups())
        return read, written, skipped + left_out


def marcconv(
    args: list[str],
    stdin: bytes | Path = b"",
    cwd: Path | None = None,
    timeout: float = 120,
    preexec: Callable[[], None] | None = None,
) -> Outcome:
    """Run ``marcconv ARGS`` with ``stdin`` (bytes, or a file to read) and measure it."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(tempfile.TemporaryFile())
        err = stack.enter_context(tempfile.TemporaryFile())
        feed: IO[bytes]
        if isinstance(stdin, Path):
            feed = stack.enter_context(stdin.open("rb"))
        else:
            feed = stack.enter_context(tempfile.TemporaryFile())
            feed.write(stdin)
            feed.seek(0)
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "marcconv", *args],
            stdin=feed,
            stdout=out,
            stderr=err,
            cwd=cwd,
            preexec_fn=preexec,
        )
        status, peak, hung = _wait(process, start + timeout)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Outcome(status, out.read(), err.read(), seconds, peak, hung)


def _wait(process: subprocess.Popen[bytes], deadline: float) -> tuple[int | None, int, bool]:
    """(exit status, peak RSS in kB, whether it had to be killed).

    The peak is the process's VmHWM, read while it runs: the kernel resets it at
    exec, unlike the maximum RSS of wait4, which counts the memory of the process
    that forked it.
    """
    hung = False
    peak = 0
    status_file = f"/proc/{process.pid}/status"
    while True:
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            process.returncode = code
            return (128 - code if code < 0 else code), peak, hung
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(status_file).read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        if time.monotonic() > deadline and not hung:
            hung = True
            process.kill()
        time.sleep(0.005)


def gzip_file(folder: Path, name: str, parts: list[tuple[bytes, int]]) -> Path:
    """A gzip file of ``parts`` (bytes, times), made a block at a time: a bomb is
    never held whole in this process."""
    path = folder / name
    with gzip.open(path, "wb") as out:
        for block, times in parts:
            for _ in range(times):
                out.write(block)
    return path


# ---------------------------------------------------------------------------------- the table
@dataclass
class Tally:
    inputs: int = 0
    tracebacks: int = 0
    wrong_exits: int = 0
    lost: int = 0  # records lost, forged or damaged
    hangs: int = 0
    peak_kb: int = 0
    notes: list[str] = field(default_factory=list)

    def judge(
        self, name: str, outcome: Outcome, exits: tuple[int, ...], lost: int = 0, inputs: int = 1
    ) -> None:
        self.inputs += inputs
        self.peak_kb = max(self.peak_kb, outcome.peak_kb)
        if outcome.hung:
            self.hangs += 1
            self.notes.append(f"{name}: hung")
            return
        if "Traceback" in outcome.err:
            self.tracebacks += 1
            self.notes.append(f"{name}: traceback: {outcome.err.strip().splitlines()[-1]}")
        if outcome.returncode not in exits:
            self.wrong_exits += 1
            self.notes.append(
                f"{name}: exit {outcome.returncode} (expected {exits}): {_tail(outcome)}"
            )
        if lost:
            self.lost += lost
            self.notes.append(f"{name}: {lost} lost, forged or damaged: {_tail(outcome)}")

    def fault(self, name: str, what: str, lost: int = 1) -> None:
        self.lost += lost
        self.notes.append(f"{name}: {what}")

    @property
    def clean(self) -> bool:
        return not (self.tracebacks or self.wrong_exits or self.lost or self.hangs)


def _tail(outcome: Outcome) -> str:
    lines = outcome.err.strip().splitlines()
    return lines[-1][:160] if lines else "(no message)"


# ---------------------------------------------------------------------------------- reading back
def items_in(target: str, text: str) -> int:
    """How many items an output holds, read as its consumers read it."""
    if target == "csl-json":
        return len(json.loads(text))
    if target == "jsonl":
        return sum(1 for line in text.splitlines() if json.loads(line))
    if target in ("bibtex", "biblatex"):
        from bibtexparser.entrypoint import parse_string

        library = parse_string(text)
        return -1 if library.failed_blocks else len(library.entries)
    if target == "ris":
        return text.count("\nER  - ") + text.startswith("ER  - ")
    if target == "citation":
        return len([line for line in text.splitlines() if line.strip()])
    return records_in(target, text.encode("utf-8"))


def records_in(source_format: str, data: bytes) -> int:
    """Records marcconv's own reader finds in MARC output (forged ones included)."""
    from marcconv.marc.record import SourceRecord
    from marcconv.sources import read_records

    with tempfile.NamedTemporaryFile(suffix=".marc") as handle:
        handle.write(data)
        handle.flush()
        return sum(
            isinstance(item, SourceRecord)
            for item in read_records(handle.name, source_format, lambda d: None)
        )


# ---------------------------------------------------------------------------------- inputs
def json_record(number: int, fields: list[dict[str, object]]) -> dict[str, object]:
    return {"leader": "00000nam a2200000 a 4500", "fields": [{"001": str(number)}, *fields]}


def datafield(
    tag: str, *pairs: tuple[str, str], ind1: str = " ", ind2: str = " "
) -> dict[str, object]:
    return {tag: {"ind1": ind1, "ind2": ind2, "subfields": [{c: v} for c, v in pairs]}}


#: what a catalogue value may hold to attack LaTeX, BibTeX and biber
TEX_PAYLOADS = [
    "}\\input{secret.txt}",
    "\\input{secret.txt}",
    "{\\input{secret.txt}}",
    "x}\\immediate\\openout5=pwned.tex\\immediate\\write5{owned}\\immediate\\closeout5{",
    "^^5cinput^^7bsecret.txt^^7d",
    "\\^^5cinput",
    "\\csname input\\endcsname{secret.txt}",
    "\\write18{touch pwned.tex}",
    "\\def\\title{x}\\catcode`\\%=11",
    "\\endverb}\\input{secret.txt}",
    "\\endinput",
    "100% sure # 1 & 2 ~ $x_1^2$ \\",
    "$\\input{secret.txt}$",
    "unbalanced { brace",
    "unbalanced } brace",
    "}}}} {{{{",
    "\\}",
    "\\{",
    "a\nb\n\nc",
    "tab\there\x0bvt\x0cff",
    "\x1b]0;title\x07 esc",
    "nul\x00byte",
    "@misc{forged, title={x}}",
    '" # forged # "',
    "a,b=c,\n@string{x=y}",
    # math: harmless math stays math, anything else in $...$ is text
    "$\\input{secret.txt}$",
    "$x^^5cinput^^7bsecret.txt^^7d$",
    "$\\def\\x{y}\\catcode 37=11$",
    "$\\csname input\\endcsname{secret.txt}$",
    "$\\begin{filecontents}{pwned.tex}x\\end{filecontents}$",
    "$\\sqrt{s}=13~\\mathrm{TeV}$ and $D^0 \\to e^\\pm\\mu^\\mp$",
    "$\\text{x}\\}$ and $x}$ and ${x$ and $100%$ and $a#b&c$",
    "$$\\gamma$$ and \\(\\alpha\\) and $5 and $10 and $Υ$ and $é$",
]


def tex_records(payloads: list[str]) -> list[dict[str, object]]:
    """One record per payload and field kind: text, names, identifiers, links."""
    records: list[dict[str, object]] = []
    for payload in payloads:
        for place in range(11):
            # every record its own author: 27 works of one author and year make
            # plainnat's and alpha's labels run out of letters ("2001{")
            author = "".join(chr(97 + int(d)) for d in f"{len(records):04d}").title()
            fields: list[dict[str, object]] = [
                datafield("245", ("a", "Title"), ind1="0", ind2="0"),
                datafield("100", ("a", f"{author}, Jane")),
                datafield("260", ("a", "Place"), ("b", "Publisher"), ("c", "2001")),
            ]
            extra = [
                datafield("245", ("a", payload), ("b", payload), ind1="0", ind2="0"),
                datafield("700", ("a", f"{payload}, {payload}")),
                datafield("020", ("a", f"978{payload}")),
                datafield("022", ("a", f"1234-5678{payload}")),
                datafield("024", ("a", f"10.1234/x{payload}"), ("2", "doi"), ind1="7"),
                datafield("856", ("u", f"http://a.org/{payload}"), ind1="4"),
                datafield("520", ("a", payload)),
                datafield("773", ("t", payload), ("v", payload), ("g", payload)),
                datafield("650", ("a", payload)),
                datafield("037", ("a", f"arXiv:1234.5678{payload}"), ("9", "arXiv")),
                datafield("250", ("a", payload)),
            ][place]
            fields.append(extra)
            records.append(json_record(len(records) + 1, fields))
    return records


# ---------------------------------------------------------------------------------- classes
Runner = Callable[[Tally, Path, "Options"], None]
CLASSES: dict[str, tuple[str, Runner]] = {}


@dataclass(frozen=True)
class Options:
    quick: bool
    seed: int
    tex: bool  # are latex, bibtex and biber here?


def campaign_class(name: str, title: str) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        CLASSES[name] = (title, run)
        return run

    return register


TEX_STYLES = ("plain", "plainnat", "alpha")
#: files LaTeX, bibtex and biber make for a document of their own
OWN_FILES = {"doc.aux", "doc.log", "doc.dvi", "doc.bbl", "doc.blg", "doc.bcf", "doc.run.xml"}


@campaign_class("tex", "TeX injection through any field (real latex, bibtex, biber)")
def tex_injection(tally: Tally, folder: Path, options: Options) -> None:
    payloads = TEX_PAYLOADS[:8] if options.quick else TEX_PAYLOADS
    records = tex_records(payloads)
    source = folder / "hostile.json"
    source.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    for target, extra in (("bibtex", []), ("bibtex", ["--unicode"]), ("biblatex", [])):
        name = f"tex/{target}{''.join(extra)}"
        outcome = marcconv(["convert", str(source), "-t", target, *extra], timeout=300)
        written = outcome.counts()
        parsed = items_in(target, outcome.out) if outcome.returncode in (0, 1) else -1
        lost = len(records) - parsed if parsed >= 0 else len(records)
        tally.judge(name, outcome, (0, 1), lost=lost, inputs=len(records))
        if written is None or not options.tex:
            continue
        runs = TEX_STYLES if target == "bibtex" else ("biber",)
        for style in runs if not extra else runs[:1]:
            _tex_run(
                tally,
                folder / f"{target}{''.join(extra)}-{style}",
                outcome.out,
                style,
                len(records),
            )


def _tex_run(tally: Tally, folder: Path, bib: str, style: str, expected: int) -> None:
    """One document citing every entry, through latex and bibtex (or biber)."""
    folder.mkdir()
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "secret.txt").write_text(f"\\immediate\\write16{{{SECRET}}}")
    if style == "biber":
        preamble = "\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}"
        body = "\\nocite{*}\\printbibliography"
        tools = [["latex", "doc"], ["biber", "doc"], ["latex", "doc"]]
    else:
        package = "\\usepackage{natbib}" if style == "plainnat" else ""
        preamble = f"\\usepackage{{url}}{package}"
        body = f"\\nocite{{*}}\\bibliographystyle{{{style}}}\\bibliography{{refs}}"
        tools = [["latex", "doc"], ["bibtex", "doc"], ["latex", "doc"]]
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}"
        f"{preamble}\\begin{{document}}{body}\\end{{document}}\n"
    )
    before = set(os.listdir(folder))
    for tool in tools:
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                [tool[0], "-interaction=nonstopmode", "-no-shell-escape", *tool[1:]]
                if tool[0] == "latex"
                else tool,
                cwd=folder,
                capture_output=True,
                timeout=300,
                check=False,
            )
    name = f"tex/{style}"
    bbl = (
        (folder / "doc.bbl").read_text("utf-8", "replace") if (folder / "doc.bbl").exists() else ""
    )
    entries = bbl.count("\\entry{") if style == "biber" else bbl.count("\\bibitem")
    log = (
        (folder / "doc.log").read_text("utf-8", "replace") if (folder / "doc.log").exists() else ""
    )
    made = set(os.listdir(folder)) - before - OWN_FILES
    tally.inputs += expected
    if entries != expected:
        tally.fault(name, f"{entries} of {expected} entries in the .bbl", expected - entries)
    if "(./secret.txt" in log or SECRET in log:
        tally.fault(name, "LaTeX read secret.txt")
    opened = set(re.findall(r"^\\openout\d+ = `([^']*)'", log, re.MULTILINE)) - OWN_FILES
    if opened or made:
        tally.fault(name, f"LaTeX wrote a file: {sorted(opened | made)}")
    errors = [line for line in log.splitlines() if line.startswith("! ")]
    # a script pdfLaTeX cannot set (Greek in UTF-8 output): a font limit, said in the README
    script = [line for line in errors if line.startswith("! LaTeX Error: Unicode character")]
    if script:
        tally.notes.append(f"{name}: {len(script)} characters pdfLaTeX cannot set (not counted)")
    errors = [line for line in errors if line not in script]
    if errors:
        tally.fault(name, f"{len(errors)} LaTeX errors, the first {errors[0]!r}", len(errors))


@campaign_class("targets", "-o targets: links, FIFOs, devices, modes, folders, full disks")
def output_targets(tally: Tally, folder: Path, options: Options) -> None:
    seed = str(ROOT / "samples" / "palmira.txt")
    convert = ["convert", seed, "-t", "bibtex", "-o"]

    def leftovers() -> int:
        return sum(1 for p in folder.rglob(".marcconv-*"))

    (folder / "real.bib").write_text("old")
    (folder / "link.bib").symlink_to("real.bib")
    outcome = marcconv([*convert, str(folder / "link.bib")])
    tally.judge("targets/symlink", outcome, (0,))
    if (
        not (folder / "link.bib").is_symlink()
        or "@article" not in (folder / "real.bib").read_text()
    ):
        tally.fault("targets/symlink", "the link was replaced or its file not written")

    fifo = folder / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    outcome = marcconv([*convert, str(fifo)])
    received = reader.communicate(timeout=60)[0]
    tally.judge("targets/fifo", outcome, (0,))
    if not stat.S_ISFIFO(fifo.lstat().st_mode) or not received.startswith(b"@article"):
        tally.fault("targets/fifo", "the FIFO was replaced or its reader got nothing")

    if os.geteuid() == 0:
        device = folder / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        outcome = marcconv([*convert, str(device)])
        tally.judge("targets/device", outcome, (0,))
        if not stat.S_ISCHR(device.lstat().st_mode):
            tally.fault("targets/device", "the device was replaced")
    else:
        tally.notes.append("targets/device: skipped (mknod needs root)")

    private = folder / "private.bib"
    private.write_text("old")
    private.chmod(0o600)
    outcome = marcconv([*convert, str(private)])
    tally.judge("targets/private", outcome, (0,))
    if stat.S_IMODE(private.stat().st_mode) != 0o600:
        tally.fault("targets/private", f"mode became {oct(stat.S_IMODE(private.stat().st_mode))}")

    (folder / "dir").mkdir()
    tally.judge("targets/folder", marcconv([*convert, str(folder / "dir")]), (2,))
    tally.judge("targets/full", marcconv([*convert, "/dev/full"]), (2,))
    grown = folder / "grown.bib"
    grown.write_text("old")
    big = folder / "big.txt"
    big.write_bytes(_many_records(300))
    outcome = marcconv(
        ["convert", str(big), "-t", "bibtex", "-o", str(grown)], preexec=_limit_file_size
    )
    tally.judge("targets/file-size-limit", outcome, (2,))
    if grown.read_text() != "old":
        tally.fault("targets/file-size-limit", "the old file was damaged")
    if leftovers():
        tally.fault("targets", f"{leftovers()} temporary files left")


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _many_records(count: int) -> bytes:
    text = SEED.decode("utf-8")
    return "".join(text.replace("000161903", f"{n:09d}") for n in range(1, count + 1)).encode()


@campaign_class("errors", "--errors FILE: never destroys input, fails loudly")
def errors_file(tally: Tally, folder: Path, options: Options) -> None:
    source = folder / "w.txt"
    original = b"000000001 245__ $$aT\n000000001 260__ oops\n"
    source.write_bytes(original)
    tally.judge(
        "errors/input",
        marcconv(["convert", str(source), "-t", "ris", "--errors", str(source)]),
        (2,),
    )
    if source.read_bytes() != original:
        tally.fault("errors/input", "the input was destroyed")
    log = folder / "kept.jsonl"
    log.write_text("kept")
    outcome = marcconv(["convert", str(source), "-t", "nosuch", "--errors", str(log)])
    tally.judge("errors/usage", outcome, (2,))
    if log.read_text() != "kept":
        tally.fault("errors/usage", "a refused run truncated the --errors file")
    outcome = marcconv(
        ["convert", str(source), "-t", "ris", "--errors", "/dev/full", "-o", str(folder / "o.ris")]
    )
    tally.judge("errors/full", outcome, (2,))
    if (folder / "o.ris").exists():
        tally.fault("errors/full", "output landed although its diagnostics were lost")
    outcome = marcconv(["convert", str(source), "-t", "ris", "--errors", str(folder / "e.jsonl")])
    tally.judge("errors/written", outcome, (0,))
    if len((folder / "e.jsonl").read_text().splitlines()) != 1:
        tally.fault("errors/written", "the diagnostic is not in the file")


@campaign_class("signals", "SIGTERM, SIGHUP, killed workers and parents, closed pipes")
def signals(tally: Tally, folder: Path, options: Options) -> None:
    big = folder / "big.txt"
    big.write_bytes(_many_records(8000 if options.quick else 20_000))
    cases = [(number, jobs) for number in (signal.SIGTERM, signal.SIGHUP) for jobs in ("1", "2")]
    for number, jobs in cases:
        name = f"signals/{signal.Signals(number).name}/j{jobs}"
        out = folder / f"out-{number}-{jobs}.bib"
        process = _start(["convert", str(big), "-t", "bibtex", "-j", jobs, "-o", str(out)])
        workers = _busy(process, int(jobs))
        process.send_signal(number)
        _judge_process(tally, name, process, (128 + number,))
        if out.exists() or list(folder.glob(".marcconv-*")):
            tally.fault(name, "a file was left behind")
        _judge_gone(tally, name, workers)

    process = _start(["convert", str(big), "-t", "ris", "-j", "2", "-o", str(folder / "w.ris")])
    workers = _busy(process, 2)
    if workers:
        os.kill(workers[0], signal.SIGKILL)
    _judge_process(tally, "signals/worker-killed", process, (2,))

    process = _start(
        ["convert", str(big), "-t", "csl-json", "-j", "2", "-o", str(folder / "p.json")]
    )
    workers = _busy(process, 2)
    process.kill()
    process.wait()
    tally.inputs += 1
    _judge_gone(tally, "signals/parent-killed", workers)

    for jobs in ("1", "2"):
        process = _start(["convert", str(big), "-t", "bibtex", "-j", jobs], stdout=subprocess.PIPE)
        assert process.stdout is not None
        process.stdout.read(100)
        workers = _children(process.pid)
        process.stdout.close()
        _judge_process(tally, f"signals/closed-pipe/j{jobs}", process, (141,))
        _judge_gone(tally, f"signals/closed-pipe/j{jobs}", workers)


def _busy(process: subprocess.Popen[bytes], jobs: int) -> list[int]:
    """Wait until the run is under way (its workers started), then its workers."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        workers = _children(process.pid)
        if len(workers) >= (jobs if jobs > 1 else 0):
            time.sleep(0.3)  # well into the records
            return workers
        time.sleep(0.02)
    return []


def _start(args: list[str], stdout: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "marcconv", *args], stdout=stdout, stderr=subprocess.PIPE
    )


def _judge_process(
    tally: Tally, name: str, process: subprocess.Popen[bytes], exits: tuple[int, ...]
) -> None:
    start = time.monotonic()
    try:
        _, stderr = process.communicate(timeout=60)
        hung = False
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        hung = True
    code = process.returncode
    tally.judge(
        name,
        Outcome(128 - code if code < 0 else code, b"", stderr, time.monotonic() - start, 0, hung),
        exits,
    )


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(n) for n in found.stdout.split()]


def _judge_gone(tally: Tally, name: str, pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    for pid in pids:
        while _alive(pid):
            if time.monotonic() > deadline:
                tally.hangs += 1
                tally.notes.append(f"{name}: worker {pid} outlived the run")
                return
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


FORGING = ["\n", "\r", "\n000000099 245__ $$aFORGED", "\r\n=245  10$aFORGED", "\x85", "\u2028"]


@campaign_class("forging", "MARC output forging records through labels and values")
def forging(tally: Tally, folder: Path, options: Options) -> None:
    records: list[dict[str, object]] = []
    for payload in FORGING:
        for place in ("ind1", "ind2", "tag", "code", "value", "control"):
            fields: list[dict[str, object]] = [datafield("245", ("a", "Title"), ind1="0", ind2="0")]
            if place == "tag":
                fields.append(datafield(f"24{payload}5", ("a", "x")))
            elif place == "code":
                fields.append(datafield("246", (f"a{payload}", "x")))
            elif place == "value":
                fields.append(datafield("246", ("a", f"x{payload}y")))
            elif place == "control":
                fields.append({"008": f"x{payload}y"})
            else:
                indicators = {"ind1": " ", "ind2": " ", place: f"0{payload}"}
                fields.append(datafield("246", ("a", "x"), **indicators))
            records.append(json_record(len(records) + 1, fields))
    source = folder / "forging.json"
    source.write_text("\n".join(json.dumps(r) for r in records))
    for target in ("textmarc", "alephseq", "line", "marcxml", "mrk", "iso2709", "marc-json"):
        if target not in _writers():
            continue
        outcome = marcconv(["convert", str(source), "-t", target])
        back = records_in(target, outcome.stdout) if outcome.returncode in (0, 1) else 0
        forged = abs(back - len(records))
        tally.judge(f"forging/{target}", outcome, (0, 1), lost=forged, inputs=len(records))
        # "FORGED" may stay as the text of a value; it must never start a record
        again = marcconv(["convert", "-f", target, "-t", "textmarc"], stdin=outcome.stdout)
        if any(line.startswith("000000099") for line in again.out.splitlines()):
            tally.fault(f"forging/{target}", "a forged record id appears")


def _writers() -> set[str]:
    from marcconv import registry

    return set(registry.writers())


@campaign_class("inputs", "inputs that once gave tracebacks: nesting, surrogates, gzip")
def input_tracebacks(tally: Tally, folder: Path, options: Options) -> None:
    cases: list[tuple[str, bytes, tuple[int, ...]]] = [
        ("json-deep", b"[" * 100_000 + b"]" * 100_000, (1,)),
        ("json-deep-object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, (1,)),
        (
            "json-surrogate",
            json.dumps(json_record(1, [datafield("245", ("a", "x\ud800y"))])).encode(),
            (0,),
        ),
        ("xml-deep", b"<collection><record>" + b"<a>" * 200_000, (1,)),
        ("xml-wide", b"<collection>" + b"<record></record>" * 50_000 + b"</collection>", (1,)),
        (
            "gzip-bomb",
            gzip_file(
                folder, "b.gz", [(b"000000001 245__ $$aT\n", 1), (b" " * (1 << 20), 300)]
            ).read_bytes(),
            (2,),
        ),
        (
            "xml-gzip-bomb",
            gzip_file(
                folder, "x.gz", [(b"<collection><record>", 1), (b"<a>" * (1 << 20), 30)]
            ).read_bytes(),
            (1, 2),
        ),
        ("gzip-truncated", gzip.compress(SEED * 20)[:-40], (2,)),
        ("gzip-empty", gzip.compress(b""), (1,)),
        ("nul-bytes", b"\x00" * 100_000, (1, 2)),
        ("binary-noise", bytes(random.Random(1).randrange(256) for _ in range(100_000)), (1, 2)),
    ]
    data = bytearray(gzip.compress(SEED * 5))
    for at in range(30, 60):
        data[at] ^= 0x55
    cases.append(("gzip-corrupt", bytes(data), (2,)))
    for name, payload, exits in cases:
        for target in ("csl-json", "bibtex", "textmarc") if not options.quick else ("csl-json",):
            outcome = marcconv(["convert", "-t", target], stdin=payload)
            tally.judge(f"inputs/{name}/{target}", outcome, exits)
            if outcome.peak_kb > 500_000:
                tally.fault(f"inputs/{name}", f"peak memory {outcome.peak_kb // 1024} MB")


@campaign_class("loss", "silent loss: nested records, namespaces, CDATA, empty input, counts")
def silent_loss(tally: Tally, folder: Path, options: Options) -> None:
    cases: list[tuple[str, bytes, int, str]] = [
        (
            "nested-record",
            b"<collection><record><controlfield tag='001'>A</controlfield><datafield tag='245'"
            b" ind1='0' ind2='0'><subfield code='a'>T</subfield></datafield><record>"
            b"<controlfield tag='001'>B</controlfield></record></record></collection>",
            1,
            "it holds another <record>",
        ),
        (
            "foreign-record",
            b"<collection xmlns:x='urn:x'><record><controlfield tag='001'>C</controlfield>"
            b"<x:record><controlfield tag='001'>D</controlfield></x:record></record></collection>",
            1,
            "is not MARCXML",
        ),
        (
            "cdata",
            b"<record><datafield tag='245' ind1='0' ind2='0'><subfield code='a'>"
            b"<![CDATA[A & B]]></subfield></datafield></record>",
            1,
            "",
        ),
        ("empty", b"", 0, "no MARC record"),
        ("blank", b"\n\n  \n", 0, "no MARC record"),
        ("junk", b"not marc at all\n", 0, ""),
    ]
    for name, data, records, said in cases:
        for target in ("csl-json", "line", "textmarc", "marcxml"):
            outcome = marcconv(["convert", "-t", target], stdin=data)
            counts = outcome.counts()
            lost = 0
            if counts is not None:
                read, written, skipped = counts
                held = items_in(target, outcome.out) if outcome.stdout else 0
                lost = abs(read - written - skipped) + abs(held - written) + abs(read - records)
            if said and said not in outcome.err:
                lost += 1
            tally.judge(f"loss/{name}/{target}", outcome, (0, 1, 2), lost=lost)
    cdata = marcconv(["convert", "-t", "jsonl"], stdin=cases[2][1])
    if '"A & B"' not in cdata.out:
        tally.fault("loss/cdata", f"CDATA changed: {cdata.out[:80]}")
    odd = b"000000001 245__ $$aT\n000000002 LDR__ short\n000000003 FMT__ BK\n"
    for target in ("line", "textmarc", "alephseq"):
        outcome = marcconv(["convert", "-t", target], stdin=odd)
        counts = outcome.counts() or (0, 0, 0)
        back = records_in(target, outcome.stdout)
        tally.judge(f"loss/written-{target}", outcome, (1,), lost=abs(back - counts[1]))


@campaign_class("options", "command-line and format edges")
def cli_edges(tally: Tally, folder: Path, options: Options) -> None:
    seed = str(ROOT / "samples" / "palmira.txt")
    usage_errors = [
        *(["--key-pattern", p] for p in ("{auth:%}", "{year:d}", "{}", "{auth", "x}", "{auth!r}")),
        *(["--encoding", e] for e in ("rot13", "base64", "idna", "utf-16", "cp037", "hex")),
        ["-t", "citation", "--style", "a" * 5000],
        ["-t", "citation", "--style", "../../../../etc/hostname"],
        ["-t", "citation", "--locale", "xx-YY"],
        ["-t", "nosuch"],
        ["-f", "nosuch"],
        ["--jobs", "-1"],
        ["--max-authors", "0"],
    ]
    for extra in usage_errors:
        to = [] if "-t" in extra else ["-t", "bibtex"]
        outcome = marcconv(["convert", seed, *to, *extra])
        tally.judge(f"options/{' '.join(extra)[:40]}", outcome, (2,))
    outcome = marcconv(["convert", seed, str(folder / "none.txt"), "-t", "ris"])
    tally.judge("options/missing-second-input", outcome, (2,), lost=1 if outcome.stdout else 0)
    mixed = [
        b"000000001 245__ $$aOne\n=245  10$aMRK line\n000000001 100__ $$aX, Y\n",
        b"000000001 245__ $$aOne\n245 10 $a YAZ line $c A\n",
    ]
    for number, data in enumerate(mixed):
        outcome = marcconv(["convert", "-t", "jsonl"], stdin=data)
        glued = (
            "line" in json.loads(outcome.out.splitlines()[0]).get("title", "")
            if outcome.out
            else True
        )
        tally.judge(f"options/mixed-{number}", outcome, (1,), lost=int(glued))
    whole = (MARC / "camel.mrc").read_bytes()
    parts = whole.split(b"\x1d")
    joined = parts[0] + parts[1] + b"\x1d" + b"\x1d".join(parts[2:])
    outcome = marcconv(["convert", "-t", "jsonl"], stdin=joined)
    tally.judge(
        "options/iso-missing-terminator",
        outcome,
        (0,),
        lost=abs(len(outcome.out.splitlines()) - 10),
    )
    controls = b"000000001 245__ $$aT\x1b]0;x\x07\x00\n"
    for target in ("ris", "csl-json", "bibtex", "textmarc", "citation"):
        outcome = marcconv(["convert", "-t", target], stdin=controls)
        bad = sum(outcome.out.count(char) for char in ("\x1b", "\x07", "\x00"))
        tally.judge(f"options/controls/{target}", outcome, (0,), lost=bad)


@campaign_class("slow", "slow paths: time for 8n against n (linear: about 8)")
def slow_paths(tally: Tally, folder: Path, options: Options) -> None:
    size = 5_000 if options.quick else 40_000

    def textmarc(n: int) -> bytes:
        return b"000000001 520__ $$astart\n" + b"continued line of the abstract\n" * n

    def line(n: int) -> bytes:
        return b"245 10 $a start\n" + b"    continued line of the title\n" * n

    def marcjson(n: int) -> bytes:
        return json.dumps(json_record(1, [datafield("520", ("a", "x" * (n * 200)))])).encode()

    def xml(n: int) -> bytes:
        return (
            b"<record><datafield tag='520' ind1=' ' ind2=' '><subfield code='a'>"
            + (b"x&amp;" * (n * 30))
            + b"</subfield></datafield></record>"
        )

    def records(n: int) -> bytes:
        return _many_records(max(1, n // 200))

    for name, make, fmt in (
        ("textmarc-continuations", textmarc, "textmarc"),
        ("line-continuations", line, "line"),
        ("json-one-big-record", marcjson, "marc-json"),
        ("xml-one-long-line", xml, "marcxml"),
        ("many-records", records, "textmarc"),
    ):
        small = marcconv(["convert", "-f", fmt, "-t", "csl-json"], stdin=make(size))
        large = marcconv(
            ["convert", "-f", fmt, "-t", "csl-json"], stdin=make(8 * size), timeout=300
        )
        base = marcconv(["--version"]).seconds  # start-up, not the path being measured
        ratio = (large.seconds - base) / max(small.seconds - base, 0.02)
        tally.judge(f"slow/{name}", small, (0, 1))
        tally.judge(f"slow/{name}/8n", large, (0, 1))
        tally.notes.append(f"slow/{name}: n {small.seconds:.2f} s, 8n {large.seconds:.2f} s")
        if ratio > 24:  # quadratic gives 64
            tally.hangs += 1
            tally.notes.append(f"slow/{name}: 8n took {ratio:.0f} times n (quadratic)")


ORIGINALS: list[tuple[str, bytes]] = [
    ("textmarc", SEED),
    ("alephseq", (MARC / "rug01.aleph").read_bytes()),
    ("mrk", (MARC / "camel.mrk").read_bytes()[:3000]),
    ("line", (MARC / "code4lib.line").read_bytes()),
    ("marcxml", (MARC / "batch.xml").read_bytes()[:6000]),
    ("marc-json", (MARC / "one.json").read_bytes()),
    ("iso2709", (MARC / "camel.mrc").read_bytes()[:3000]),
    ("iso2709", (MARC / "marc8.dat").read_bytes()),
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Damage a real record as dumps are damaged: cut, flipped, doubled, spliced."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["truncate", "flip", "drop", "duplicate", "swap", "insert", "huge"])
        lines = bytes(out).split(b"\n")
        if kind == "truncate" and out:
            del out[rng.randrange(len(out)) :]
        elif kind == "flip" and out:
            out[rng.randrange(len(out))] = rng.randrange(256)
        elif kind == "drop":
            out = bytearray(
                bytes(out).replace(rng.choice([b"$$", b"$", b"<", b"\x1f", b"\x1e"]), b"", 3)
            )
        elif kind == "duplicate" and lines:
            at = rng.randrange(len(lines))
            lines.insert(at, lines[at])
            out = bytearray(b"\n".join(lines))
        elif kind == "swap" and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            out = bytearray(b"\n".join(lines))
        elif kind == "insert":
            junk = rng.choice(
                [
                    b"\xff\xfe",
                    b"\x00",
                    b"\r",
                    b"\n\n",
                    b"&",
                    b"]]>",
                    b"<!--",
                    "é\u2028".encode(),
                    b"\\ud800",
                ]
            )
            at = rng.randrange(len(out) + 1)
            out[at:at] = junk
        elif kind == "huge":
            at = rng.randrange(len(out) + 1)
            out[at:at] = b"x" * rng.randint(10_000, 100_000)
    return bytes(out)


@campaign_class("mutations", "mutated real records in all seven input formats")
def mutations(tally: Tally, folder: Path, options: Options) -> None:
    rng = random.Random(options.seed)
    count = 60 if options.quick else 700
    targets = ["csl-json", "bibtex", "ris", "textmarc", "marcxml"]
    jobs = []
    for number in range(count):
        fmt, original = ORIGINALS[number % len(ORIGINALS)]
        jobs.append((number, fmt, mutate(original, rng), targets[number % len(targets)]))

    def one(job: tuple[int, str, bytes, str]) -> tuple[str, Outcome, int, str]:
        number, fmt, data, target = job
        args = ["convert", "-t", target] + (["-f", fmt] if number % 3 == 0 else [])
        outcome = marcconv(args, stdin=data)
        lost = 0
        counts = outcome.counts()
        if counts is not None and outcome.returncode in (0, 1):
            read, written, skipped = counts
            try:
                held = items_in(target, outcome.out)
            except ValueError:
                held = -1
            lost = abs(read - written - skipped) + abs(held - written)
        if fmt in ("textmarc", "alephseq") and outcome.returncode in (0, 1):
            parallel = marcconv([*args, "-j", "2"], stdin=data)
            lost += int(parallel.stdout != outcome.stdout)
        return f"mutations/{number}/{fmt}->{target}", outcome, lost, target

    with ThreadPoolExecutor(2) as pool:
        for name, outcome, lost, _target in pool.map(one, jobs):
            exits = (0, 1, 2)
            tally.judge(name, outcome, exits, lost=lost)
            if outcome.returncode == 2 and not outcome.err.startswith("Error: "):
                tally.wrong_exits += 1
                tally.notes.append(f"{name}: exit 2 without a one-line error")


# ---------------------------------------------------------------------------------- main
def run(names: list[str], options: Options, out: io.TextIOBase | None = None) -> dict[str, Tally]:
    results: dict[str, Tally] = {}
    for name in names:
        title, runner = CLASSES[name]
        tally = Tally()
        with tempfile.TemporaryDirectory(prefix=f"marcconv-campaign-{name}-") as folder:
            started = time.monotonic()
            runner(tally, Path(folder), options)
            tally.notes.append(f"{time.monotonic() - started:.0f} s")
        results[name] = tally
        if out is not None:
            print(_row(name, title, tally), file=out, flush=True)
    return results


HEADER = (
    "| class | what | inputs | tracebacks | wrong exits | lost, forged or damaged | hangs |"
    " peak MB |\n|---|---|--:|--:|--:|--:|--:|--:|"
)


def _row(name: str, title: str, tally: Tally) -> str:
    peak = f"{tally.peak_kb / 1024:.0f}" if tally.peak_kb else "–"  # not measured
    return (
        f"| {name} | {title} | {tally.inputs:,} | {tally.tracebacks} | {tally.wrong_exits} |"
        f" {tally.lost} | {tally.hangs} | {peak} |"
    )


def tex_available() -> bool:
    return all(shutil.which(tool) for tool in ("latex", "bibtex", "biber"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the part make test runs")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--verbose", "-v", action="store_true", help="every note, not only faults")
    parser.add_argument("classes", nargs="*", help=f"some of: {', '.join(CLASSES)}")
    args = parser.parse_args(argv)
    unknown = set(args.classes) - set(CLASSES)
    if unknown:
        parser.error(f"unknown classes {sorted(unknown)}; choose from {', '.join(CLASSES)}")
    options = Options(args.quick, args.seed, tex_available())
    if not options.tex:
        print("latex, bibtex or biber missing: the TeX runs are skipped (make fuzz installs them)")
    print(HEADER, flush=True)
    results = run(args.classes or list(CLASSES), options, sys.stdout)  # type: ignore[arg-type]
    total = sum(t.inputs for t in results.values())
    print(f"\n{total:,} inputs; seed {args.seed}")
    for name, tally in results.items():
        if args.verbose or not tally.clean:
            for note in tally.notes:
                print(f"  {name}: {note}")
    return 0 if all(t.clean for t in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
