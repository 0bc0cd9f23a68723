"""``--jobs N``: records converted in worker processes, written in input order.

The main process only decodes lines and cuts them into batches where a record
certainly ends (a new record id; see :func:`textmarc_batches`); each worker reads
its batch with the ordinary reader, converts and renders every record with a
placeholder for the citation key, and the main process gives the keys in input
order and writes.  The output is byte for byte that of ``--jobs 1``.  At most
``2 × N`` batches are in flight, so memory stays flat whatever the input size.

A writer that needs the whole set (citations) renders each item to what it
gathers, and formats the set at the end.  Inputs in other serialisations, and
writers that number records as they go (text MARC, Aleph), run in one process.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from marcconv import registry
from marcconv.crosswalk import to_reference
from marcconv.errors import Diagnostic, NotBibliographic, RecordError
from marcconv.keys import KeyMaker
from marcconv.pipeline import Entry, Pipeline, left_out_note, skip_error
from marcconv.readers.alephseq import ALEPH_LINE
from marcconv.readers.base import SourceRecord
from marcconv.readers.textmarc import is_collapsed, label_of_line
from marcconv.workers import Workers
from marcconv.writers.base import Writer, WriterOptions

#: lines per batch: about a hundred records of a large repository dump
BATCH_LINES = 5000
#: the formats whose input can be cut into batches of lines
BATCHED_FORMATS = ("textmarc", "alephseq")


@dataclass(frozen=True, slots=True)
class Job:
    """What every worker is set up with."""

    writer: str
    options: WriterOptions
    key_pattern: str
    source_format: str
    placeholder: str
    all_records: bool = False


@dataclass(slots=True)
class Batch:
    source: str
    first_line: int
    lines: list[str]
    collapsed: bool | None = None
    notes: list[Diagnostic] = field(default_factory=list)  # found while decoding


def new_placeholder() -> str:
    """A token no record can contain, standing for the key until the main process knows it."""
    return "zzmarcconvkey" + secrets.token_hex(8)


def textmarc_batches(
    lines: Iterable[str], source: str, notes: list[Diagnostic], size: int | None = None
) -> Iterator[Batch]:
    """Cut text MARC lines before a line that starts a new record for certain.

    That is a field line whose id differs from the previous field line's, when
    nothing since that line could be split as the collapsed form (whose pieces may
    carry other ids).  A collapsed input is never cut.  Lines are only looked at
    once a batch is full, so this costs the main process next to nothing.
    """
    size = size or BATCH_LINES
    batch = Batch(source, 1, [])
    first: tuple[str, str] | None = None  # the input's first field: id, value
    for number, line in enumerate(lines, 1):
        if batch.collapsed is None:  # until the input's first field is complete
            label = label_of_line(line)
            if label is None:
                if first is not None:
                    first = (first[0], f"{first[1]} {line.strip()}")
            elif first is None:
                first = (label[0], label[2])
            else:
                batch.collapsed = is_collapsed(*first)
        elif len(batch.lines) >= size and not batch.collapsed:
            label = label_of_line(line)
            if label is not None and _starts_record(batch.lines, label[0]):
                _hand_over(notes, batch, number)
                yield batch
                batch = Batch(source, number, [], False)
        batch.lines.append(line)
    if batch.lines or notes:
        batch.notes = list(notes)
        yield batch


def _starts_record(lines: list[str], recid: str) -> bool:
    """Does a field line with ``recid`` after ``lines`` start a record for certain?"""
    for back in range(len(lines) - 1, -1, -1):
        label = label_of_line(lines[back])
        if label is not None:
            previous = label[0]
            return recid != previous and not any(
                is_collapsed(previous, text) for text in lines[back:]
            )
    return False


def _hand_over(notes: list[Diagnostic], batch: Batch, next_line: int) -> None:
    """Give ``batch`` the decoding notes of its own lines (not of the next batch's first)."""
    batch.notes = [d for d in notes if d.line is None or d.line < next_line]
    notes[:] = [d for d in notes if d.line is not None and d.line >= next_line]


def alephseq_batches(
    lines: Iterable[str], source: str, notes: list[Diagnostic], size: int | None = None
) -> Iterator[Batch]:
    """Cut Aleph sequential lines where the system number changes."""
    size = size or BATCH_LINES
    batch = Batch(source, 1, [])
    previous: str | None = None
    for number, line in enumerate(lines, 1):
        match = ALEPH_LINE.match(line)
        if match is not None:
            sysno = match.group(1)
            if len(batch.lines) >= size and previous is not None and sysno != previous:
                _hand_over(notes, batch, number)
                yield batch
                batch = Batch(source, number, [])
            previous = sysno
        batch.lines.append(line)
    if batch.lines or notes:
        batch.notes = list(notes)
        yield batch


BATCHERS: dict[str, Callable[[Iterable[str], str, list[Diagnostic]], Iterator[Batch]]] = {
    "textmarc": textmarc_batches,
    "alephseq": alephseq_batches,
}

# ----------------------------------------------------------------------- workers
_WORKER: dict[str, Any] = {}


def _init_worker(job: Job) -> None:
    _WORKER["job"] = job
    _WORKER["writer"] = registry.writer_class(job.writer)(io.StringIO(), job.options)
    _WORKER["keys"] = KeyMaker(job.key_pattern)
    _WORKER["reader"] = registry.reader_function(job.source_format)


def convert_batch(batch: Batch) -> list[Entry]:
    """Read, convert and render one batch (in a worker process)."""
    job: Job = _WORKER["job"]
    writer: Writer = _WORKER["writer"]
    keys: KeyMaker = _WORKER["keys"]
    reader = _WORKER["reader"]
    if job.source_format == "textmarc":
        items = reader(batch.lines, batch.source, batch.first_line, batch.collapsed)
    else:
        items = reader(batch.lines, batch.source, batch.first_line)
    entries = [Entry(batch.notes)] if batch.notes else []
    for item in items:
        if isinstance(item, Diagnostic):
            entries.append(Entry([item]))
            continue
        entries.append(_convert(item, writer, keys, job))
    return entries


def _convert(item: SourceRecord, writer: Writer, keys: KeyMaker, job: Job) -> Entry:
    try:
        if item.failure is not None:
            raise RecordError(item.failure, item.record_id)
        ref = to_reference(item, all_records=job.all_records)
        base = keys.base_for(ref)
        ref.id = job.placeholder
        text = writer.render(ref)
    except NotBibliographic as exc:
        return Entry(item.diagnostics, left_out=left_out_note(item, exc))
    except RecordError as exc:
        return Entry(item.diagnostics, error=skip_error(item, exc))
    return Entry(item.diagnostics, text, base, cut_lists=writer.cuts_names(ref))


# ----------------------------------------------------------------------- main side
def can_run(source_format: str, writer: Any) -> bool:
    return source_format in BATCHED_FORMATS and isinstance(writer, Writer) and writer.renders_items


def run(pipeline: Pipeline, batches: Iterable[Batch], jobs: int, job: Job) -> None:
    """Convert ``batches`` on ``jobs`` processes; results are taken in input order."""
    pipeline.placeholder = job.placeholder
    with Workers(convert_batch, jobs, _init_worker, (job,)) as workers:
        for entries in workers.map(batches, 2 * jobs):
            pipeline.take(entries)
