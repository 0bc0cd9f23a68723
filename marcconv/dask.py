"""marcconv on a Dask cluster, for catalogues that outgrow one machine.

``pip install 'marcconv[dask]'``, then, with a ``dask.distributed.Client`` (or
none: Dask's local scheduler)::

    from marcconv import dask as marcconv_dask
    tally = marcconv_dask.convert(["union-1.txt", "union-2.mrc"], "bibtex",
                                  "union.bib", split_bytes=64 << 20)

The output equals ``marcconv convert union-1.txt union-2.mrc -t bibtex`` byte for
byte, citation keys included.  It runs the one pipeline of
:mod:`marcconv.engine` in four steps:

1. *plan* (here): each input is cut into partitions: byte ranges of about
   ``split_bytes`` where its reader can say where a record starts (text MARC,
   Aleph sequential, ISO 2709: :attr:`~marcconv.marc.record.Cutting.record_start`),
   else the whole file; a partition holds the records that start in it;
2. *measure* (on the cluster): the lines and records of each range, so that each
   knows the line numbers and record ordinals it starts at;
3. *convert* (on the cluster): each partition read, converted and rendered by a
   :class:`~marcconv.engine.Converter`, with a placeholder for each key; the
   results stay on the cluster, only the key bases come back;
4. *keys* (here), then *write* (on the cluster): the keys a one-process run
   would give.  Each key base is counted per partition; the k-th record with
   a base gets the base and, after the first, the k-th suffix (``a``, ``b``
   …), given in input order across partitions.  When those keys are all
   distinct, that is exactly what one process gives; when a suffixed key
   meets another record's base (rare), the keys are given one by one in input
   order instead.  Each partition then writes its file; ``output`` is either
   one file (the parts are joined in order here, as one run writes them) or a
   pattern with ``{}`` (``"out/part-{:05d}.bib"``), each partition a complete
   file of its own.

This process holds, at most, one distinct key base per record (the key step)
and one partition's text at a time.  A formatted bibliography (``citation``)
needs the whole set sorted in one place and is not run here.
"""

from __future__ import annotations

import importlib
import io
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from marcconv import registry
from marcconv.engine import Assembler, Converter, Entry, Job, Tally, convert_input
from marcconv.errors import Diagnostic, MarcconvError, Severity
from marcconv.keys import DEFAULT_PATTERN, Fingerprints, KeyMaker, letter_suffix
from marcconv.marc.record import Chunk, Cutting
from marcconv.marc.writing import RecordNumbers, RecordWriter
from marcconv.options import WriterOptions
from marcconv.sources import opened, read_lines
from marcconv.writers.base import Writer

#: the size of a partition of a large file
SPLIT_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Part:
    """One partition: a byte range of an input (``end`` None: to its end), or the
    whole input; ``first_line`` and ``first_ordinal`` place it in its input."""

    path: str
    format: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    first_ordinal: int = 0


@dataclass(slots=True)
class Converted:
    """A partition converted: its entries, with placeholders where the keys go."""

    entries: list[Entry]
    bases: list[str | None] = field(default_factory=list)  # of the written entries, in order


@dataclass(slots=True)
class Written:
    """A partition written: its items' text, joined as one run joins them."""

    text: str
    items: int
    diagnostics: list[Diagnostic]
    tally: Tally


def plan(
    paths: Iterable[str], source_format: str = registry.AUTO, split_bytes: int = SPLIT_BYTES
) -> list[Part]:
    """The partitions of ``paths``, in input order (see the module notes)."""
    parts: list[Part] = []
    for path in paths:
        with opened(path, source_format) as source:
            found, cutting = source.format, source.cutting
        if found is None:
            parts.append(Part(path, "textmarc"))  # empty: said so when converted
            continue
        size = os.path.getsize(path)
        if (
            cutting is None
            or cutting.record_start is None
            or size <= split_bytes
            or _is_gzip(path)
            or (found == "textmarc" and _collapsed(path))
        ):
            parts.append(Part(path, found))
            continue
        with open(path, "rb") as stream:
            starts = [0]
            for offset in range(split_bytes, size, split_bytes):
                start = cutting.record_start(stream, offset)
                if starts[-1] < start < size:
                    starts.append(start)
        ends: list[int | None] = [*starts[1:], None]
        parts.extend(Part(path, found, a, b) for a, b in zip(starts, ends, strict=True))
    return parts


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as stream:
        return stream.read(2) == b"\x1f\x8b"


def _collapsed(path: str) -> bool:
    """Is a text MARC file in the collapsed form (it cannot be cut)?"""
    from marcconv.marc.textmarc import is_collapsed, label_of_line

    with open(path, "rb") as stream:
        for raw in stream:
            label = label_of_line(raw.decode("utf-8", "replace"))
            if label is not None:
                return is_collapsed(label[0], label[2])
    return False


def _cutting(part: Part) -> Cutting:
    from marcconv.marc.record import cutting_of

    cutting = cutting_of(registry.reader_function(part.format))
    assert cutting is not None
    return cutting


def _range(part: Part) -> bytes:
    with open(part.path, "rb") as stream:
        stream.seek(part.start)
        return stream.read() if part.end is None else stream.read(part.end - part.start)


def measure(part: Part) -> tuple[int, int]:
    """The lines and the records of a byte range (step 2)."""
    if _whole(part):
        return 0, 0  # nothing to carry over to another part
    data = _range(part)
    cutting = _cutting(part)
    if cutting.binary:
        return 0, sum(len(c.records) for c in cutting.chunks(io.BytesIO(data), part.path, []))
    return data.count(b"\n"), 0


def _whole(part: Part) -> bool:
    return part.start == 0 and part.end is None


def convert_part(part: Part, job: Job, encoding: str = "utf-8") -> Converted:
    """A partition read, converted and rendered (step 3)."""
    converter = Converter(job)
    found: list[Entry] = []
    if _whole(part):
        collector = _Collector(converter.writer)
        with opened(part.path, part.format) as source:
            convert_input(source, converter, collector, encoding)  # type: ignore[arg-type]
        found = collector.entries
        if not any(entry.is_record for entry in found):
            found.append(Entry([_no_record(part.path)]))
    else:
        for chunk in _chunks(part, encoding):
            found.extend(converter.chunk(chunk))
    bases = [e.key_base for e in found if e.text is not None]
    return Converted(found, bases)


def _no_record(path: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, "no MARC record in this input", path)


class _Collector:
    """Takes a whole input's entries as :func:`engine.convert_input` hands them."""

    def __init__(self, writer: Writer | RecordWriter) -> None:
        self.writer = writer
        self.entries: list[Entry] = []

    def take(self, entries: Iterable[Entry]) -> None:
        self.entries.extend(entries)

    def note(self, diagnostic: Diagnostic) -> None:
        self.entries.append(Entry([diagnostic]))


def _chunks(part: Part, encoding: str) -> list[Chunk]:
    data = _range(part)
    cutting = _cutting(part)
    name = part.path
    if cutting.binary:
        chunks = list(cutting.chunks(io.BytesIO(data), name, [], 1 << 62))
        for chunk in chunks:
            chunk.records = [
                (ordinal + part.first_ordinal, offset + part.start, raw, unterminated)
                for ordinal, offset, raw, unterminated in chunk.records
            ]
        return chunks
    notes: list[Diagnostic] = []
    lines = list(read_lines(io.BytesIO(data), name, notes.append, encoding, part.first_line))
    return [Chunk(name, part.format, part.first_line, lines, collapsed=False, notes=notes)]


def write_part(
    converted: Converted, job: Job, keys: list[str] | dict[str, int] | None, path: str | None
) -> Written:
    """A partition's entries with their keys, written as one run writes them
    (step 4): into ``path`` as a complete file of its own, or returned for joining."""
    heard: list[Diagnostic] = []
    out = io.StringIO()
    writer = registry.writer_class(job.target)(out, job.options)
    if path is None:
        out.seek(0)
        out.truncate()  # the opening a writer writes at once (MARCXML) is written here
    assembler = Assembler(writer, job, heard.append)
    assembler.keys = _Given(keys)  # type: ignore[assignment]
    assembler.take(converted.entries)
    if path is not None:
        writer.close()
        with open(path, "w", encoding="utf-8", newline="") as target:
            target.write(out.getvalue())
        return Written("", writer.count, heard, assembler.tally)
    text = out.getvalue()
    if writer.count and isinstance(writer, Writer):
        text = text[len(writer.opening) :]  # joined here: the first item's opening goes
    return Written(text, writer.count, heard, assembler.tally)


class _Given:
    """The keys the key step gave a partition, handed out in its order."""

    def __init__(self, keys: list[str] | dict[str, int] | None) -> None:
        self.keys = keys
        self.position = 0
        self.seen: Counter[str] = Counter()

    def unique(self, base: str) -> str:
        keys = self.keys
        if isinstance(keys, list):
            key = keys[self.position]
            self.position += 1
            return key
        before = (keys or {}).get(base, 0) + self.seen[base]
        self.seen[base] += 1
        return base if before == 0 else base + letter_suffix(before - 1)


def assign_keys(
    bases: list[list[str | None]], job: Job, numbered: bool
) -> list[list[str] | dict[str, int] | None]:
    """What each partition needs to give its keys (step 4, here): for record
    numbers and when counted keys would meet, the keys themselves; else, for
    each base seen before the partition, how many times."""
    if numbered:  # MARC record numbers depend on the number before: given in order
        numbers = RecordNumbers()
        return [[numbers.unique(base or "") for base in part] for part in bases]
    totals: Counter[str] = Counter()
    offsets: list[dict[str, int]] = []
    for part in bases:
        here = Counter(b for b in part if b is not None)
        offsets.append({b: totals[b] for b in here if totals[b]})
        totals.update(here)
    if _counted_keys_are_distinct(totals):
        return list(offsets)
    keys = KeyMaker(job.key_pattern)
    return [[keys.unique(b) for b in part if b is not None] for part in bases]


def _counted_keys_are_distinct(totals: Counter[str]) -> bool:
    """Are the keys counting gives (base, base + a, base + b …) all distinct, as
    the one-process key maker tells them apart?  Then it gives the same keys."""
    given = Fingerprints()
    for base, count in totals.items():
        for k in range(count):
            key = base if k == 0 else base + letter_suffix(k - 1)
            if key in given:
                return False
            given.add(key)
    return True


def convert(
    paths: Iterable[str],
    to: str,
    output: str,
    *,
    source_format: str = registry.AUTO,
    key_pattern: str = DEFAULT_PATTERN,
    all_records: bool = False,
    options: WriterOptions | None = None,
    split_bytes: int = SPLIT_BYTES,
    encoding: str = "utf-8",
    report: Callable[[Diagnostic], None] | None = None,
) -> Tally:
    """Convert ``paths`` on the current Dask scheduler (a distributed ``Client``
    if one is running) into ``output``: one file, or a pattern with ``{}`` for a
    file per partition.  Diagnostics go to ``report`` in input order."""
    dask: Any = importlib.import_module("dask")  # an optional dependency: marcconv[dask]
    if to == "citation":
        raise MarcconvError("a formatted bibliography needs the whole set: use marcconv convert")
    writer_class = registry.writer_class(to)
    job = Job(to, options or WriterOptions(), key_pattern, all_records)
    parts = plan(list(paths), source_format, split_bytes)
    measured = dask.compute(*[dask.delayed(measure)(p) for p in parts])
    lines = ordinals = 0
    placed = []
    for part, (count_lines, count_records) in zip(parts, measured, strict=True):
        if part.start == 0:
            lines = ordinals = 0
        placed.append(replace(part, first_line=lines + 1, first_ordinal=ordinals))
        lines += count_lines
        ordinals += count_records
    converted = dask.persist(*[dask.delayed(convert_part)(p, job, encoding) for p in placed])
    bases = dask.compute(*[dask.delayed(_bases)(c) for c in converted])
    numbered = issubclass(writer_class, RecordWriter) and writer_class.numbered
    given = assign_keys(list(bases), job, numbered)
    per_part = "{" in output
    targets = [output.format(i) if per_part else None for i in range(len(placed))]
    written = dask.compute(
        *[
            dask.delayed(write_part)(c, job, k, t)
            for c, k, t in zip(converted, given, targets, strict=True)
        ]
    )
    tally = Tally()
    for part in written:
        for diagnostic in part.diagnostics:
            if report is not None:
                report(diagnostic)
        for name in ("read", "written", "skipped", "left_out", "cut_lists", "warnings", "errors"):
            setattr(tally, name, getattr(tally, name) + getattr(part.tally, name))
    if not per_part:
        _join(output, writer_class, job, written)
    return tally


def _bases(converted: Converted) -> list[str | None]:
    return converted.bases


def _join(output: str, writer_class: Any, job: Job, written: Iterable[Written]) -> None:
    """The parts as one file, as one run writes it: the opening, the items with
    separators between them, the closing."""
    from marcconv.outputs import open_output

    with open_output(output) as out:
        writer = writer_class(out, job.options)
        count = 0
        for part in written:
            if not part.items:
                continue
            if isinstance(writer, Writer):
                out.write(writer.separator if count else writer.opening)
            out.write(part.text)
            count += part.items
        writer.count = count
        writer.close()
