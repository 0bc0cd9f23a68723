"""The one pipeline: inputs → chunks → converted entries → output, every record
accounted for (``read == written + skipped + left out``).

Three parts, so that the same conversion runs in this process, in worker
processes (``--jobs``) and on a cluster (:mod:`marcconv.dask`):

- an input is cut into record-aligned :class:`~marcconv.marc.record.Chunk` objects
  where its serialisation's reader says it may be (:func:`chunks`);
- :class:`Converter` turns a chunk (or a stream of records) into :class:`Entry`
  objects: each record read, converted and rendered, with a placeholder where its
  citation key (or record number) goes; it runs anywhere;
- :class:`Assembler` takes the entries in input order, gives the keys, writes,
  reports and counts; it runs once, in the process that writes.

:func:`run` puts them together for a list of inputs; the command line and the
Python API call it.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from marcconv import registry
from marcconv.crosswalk import reference_to_write
from marcconv.errors import Diagnostic, MarcconvError, NotBibliographic, RecordError, Severity
from marcconv.keys import DEFAULT_PATTERN, KeyMaker
from marcconv.marc.record import Chunk, SourceRecord, cutting_of
from marcconv.marc.writing import RecordNumbers, RecordWriter, own_number
from marcconv.options import WriterOptions
from marcconv.sources import Input, display_name, opened
from marcconv.workers import Workers
from marcconv.writers.base import Writer


def new_placeholder() -> str:
    """A token no record can contain, standing for the key until the run gives it."""
    return "zzmarcconvkey" + secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Job:
    """What a conversion does, whatever runs it: picklable, the same everywhere."""

    target: str  # the output format
    options: WriterOptions = field(default_factory=WriterOptions)
    key_pattern: str = DEFAULT_PATTERN
    all_records: bool = False  # write records that are not bibliographic items too
    placeholder: str = field(default_factory=new_placeholder)


@dataclass(slots=True)
class Entry:
    """One record converted and rendered, or the reason it was not.

    An entry with neither text nor error nor left_out carries diagnostics outside any
    record (an undecodable line, a broken document).
    """

    diagnostics: list[Diagnostic]
    text: str | None = None  # rendered, with the placeholder where the key goes
    key_base: str | None = None  # what the key is made from (None: the text has no key)
    error: Diagnostic | None = None
    left_out: Diagnostic | None = None  # not a bibliographic item
    cut_lists: bool = False  # the writer cut a long list of names

    @property
    def is_record(self) -> bool:
        return self.text is not None or self.error is not None or self.left_out is not None


def skip_error(item: SourceRecord, exc: RecordError) -> Diagnostic:
    return Diagnostic(
        Severity.ERROR, f"{exc}; record skipped", item.source, item.line, item.record_id
    )


def left_out_note(item: SourceRecord, exc: NotBibliographic) -> Diagnostic:
    return Diagnostic(
        Severity.WARNING,
        f"{exc.what}, not a bibliographic item; left out (--all-records writes it)",
        item.source,
        item.line,
        item.record_id,
    )


# ------------------------------------------------------------------- converting
class Converter:
    """Converts records for one :class:`Job`: made once per process."""

    def __init__(self, job: Job, writer: Writer | RecordWriter | None = None) -> None:
        self.job = job
        self.writer = writer or registry.writer_class(job.target)(io.StringIO(), job.options)
        self.keys = KeyMaker(job.key_pattern)

    def entries(self, items: Iterable[SourceRecord | Diagnostic]) -> Iterator[Entry]:
        """An entry for every record (and bare diagnostic) a reader yields."""
        for item in items:
            if isinstance(item, Diagnostic):
                yield Entry([item])
            else:
                yield self.entry(item)

    def chunk(self, chunk: Chunk) -> list[Entry]:
        """The entries of one chunk, read by its serialisation's reader."""
        cutting = cutting_of(registry.reader_function(chunk.format))
        assert cutting is not None, chunk.format
        found = [Entry(chunk.notes)] if chunk.notes else []
        found.extend(self.entries(cutting.read(chunk)))
        return found

    def entry(self, item: SourceRecord) -> Entry:
        job, writer = self.job, self.writer
        try:
            if item.failure is not None:
                raise RecordError(item.failure, item.record_id)
            if isinstance(writer, RecordWriter):
                own = (own_number(item) or "") if writer.numbered else None
                text = writer.render_record(item, job.placeholder)
                return Entry(item.diagnostics, text, own)
            ref = reference_to_write(item, all_records=job.all_records)
            base = self.keys.base_for(ref)
            ref.id = job.placeholder
            text = writer.render(ref)
        except NotBibliographic as exc:
            return Entry(item.diagnostics, left_out=left_out_note(item, exc))
        except RecordError as exc:
            return Entry(item.diagnostics, error=skip_error(item, exc))
        return Entry(item.diagnostics, text, base, cut_lists=writer.cuts_names(ref))


_PROCESS: dict[str, Converter] = {}  # a worker process's converter, made by its start-up


def _start_worker(job: Job) -> None:
    _PROCESS["converter"] = Converter(job)


def _convert_in_worker(chunk: Chunk) -> list[Entry]:
    return _PROCESS["converter"].chunk(chunk)


# ------------------------------------------------------------------- assembling
@dataclass(slots=True)
class Tally:
    read: int = 0
    written: int = 0
    skipped: int = 0
    left_out: int = 0  # records that are not bibliographic items
    cut_lists: int = 0  # records whose long list of names a writer cut by default
    warnings: int = 0
    errors: int = 0  # errors outside a record (unreadable lines, a broken document)

    def summary(self) -> str:
        text = f"read {self.read} records, wrote {self.written}, skipped {self.skipped}"
        if self.left_out:
            text += f", left out {self.left_out} (not bibliographic)"
        if self.errors:
            text += f", {self.errors} input errors"
        return text + " (see above)" if self.skipped or self.warnings or self.errors else text

    @property
    def failed(self) -> bool:
        return bool(self.skipped or self.errors)


#: records between two calls of a run's ``progress``
PROGRESS_EVERY = 1000


class StrictStop(MarcconvError):
    """--strict: the first error ends the run."""


class _Enough(Exception):
    """--limit: every record asked for is written; the run ends here."""


@dataclass(frozen=True, slots=True)
class Window:
    """Which records a run takes, counted in records read, as yaz-marcdump's
    offset and limit: the first ``skip`` are passed over, then at most ``limit``."""

    skip: int = 0
    limit: int | None = None


class Sink(Protocol):
    """Where rendered entries go: a writer, or the parts of a split output."""

    def emit(self, text: str) -> None: ...

    def close(self) -> None: ...


class Assembler:
    """Takes entries in input order: gives each its key (or record number), writes
    it, reports its diagnostics, counts it."""

    def __init__(
        self,
        writer: Writer | RecordWriter,
        job: Job,
        report: Callable[[Diagnostic], None],
        strict: bool = False,
        progress: Callable[[int], None] | None = None,
        tally: Tally | None = None,
        window: Window | None = None,
        sink: Sink | None = None,
    ) -> None:
        self.writer = writer
        self.sink: Sink = sink if sink is not None else writer
        self.window = window or Window()
        self.seen = 0  # records met, those passed over by the window included
        self.placeholder = job.placeholder
        self.keys: KeyMaker | RecordNumbers = (
            RecordNumbers() if isinstance(writer, RecordWriter) else KeyMaker(job.key_pattern)
        )
        self.report = report
        self.strict = strict
        self.progress = progress
        self.tally = tally or Tally()

    def _report(self, diagnostic: Diagnostic, in_record: bool = True) -> None:
        if diagnostic.severity is Severity.WARNING:
            self.tally.warnings += 1
        elif not in_record:
            self.tally.errors += 1
        self.report(diagnostic)
        if self.strict and diagnostic.severity is Severity.ERROR:
            raise StrictStop(str(diagnostic))

    def note(self, diagnostic: Diagnostic) -> None:
        """Report a problem of the input outside any record (an undecodable line)."""
        self._report(diagnostic, in_record=False)

    def take(self, entries: Iterable[Entry]) -> None:
        tally, window = self.tally, self.window
        for entry in entries:
            if not entry.is_record:
                for diagnostic in entry.diagnostics:
                    self.note(diagnostic)
                continue
            self.seen += 1
            if self.seen <= window.skip:
                continue
            if window.limit is not None and tally.read >= window.limit:
                raise _Enough
            tally.read += 1
            for diagnostic in entry.diagnostics:
                self._report(diagnostic)
            if entry.left_out is not None:
                tally.left_out += 1
                self._report(entry.left_out)
            elif entry.error is not None:
                tally.skipped += 1
                self._report(entry.error)
            else:
                assert entry.text is not None
                text = entry.text
                if entry.key_base is not None:
                    text = text.replace(self.placeholder, self.keys.unique(entry.key_base))
                self.sink.emit(text)
                tally.written += 1
                tally.cut_lists += entry.cut_lists
            if self.progress is not None and tally.read % PROGRESS_EVERY == 0:
                self.progress(tally.read)


# -------------------------------------------------------------------- running
def convert_input(
    source: Input,
    converter: Converter,
    assembler: Assembler,
    encoding: str = "utf-8",
    workers: int = 1,
) -> None:
    """Every record of one opened input, converted and written in input order: its
    chunks on ``workers`` processes where its reader can cut it and the writer
    renders items one by one, else here."""
    if source.cutting is None:
        assembler.take(converter.entries(source.records(assembler.note, encoding)))
        return
    pieces = source.chunks(encoding)
    if workers > 1 and _renders_items(assembler.writer):
        with Workers(_convert_in_worker, workers, _start_worker, (converter.job,)) as pool:
            for entries in pool.map(pieces, 2 * workers):
                assembler.take(entries)
        return
    for chunk in pieces:
        assembler.take(converter.chunk(chunk))


def _renders_items(writer: Writer | RecordWriter) -> bool:
    return isinstance(writer, RecordWriter) or writer.renders_items


def run(
    paths: Iterable[str],
    job: Job,
    writer: Writer | RecordWriter,
    report: Callable[[Diagnostic], None],
    *,
    source_format: str = registry.AUTO,
    encoding: str = "utf-8",
    workers: int = 1,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    announce: Callable[[str], None] | None = None,
    tally: Tally | None = None,
    window: Window | None = None,
    sink: Sink | None = None,
) -> Tally:
    """Convert every input (a path, or ``-`` for standard input) with ``writer`` (made
    for ``job``: ``registry.writer_class(job.target)(out, job.options)``), and close it.

    Diagnostics go to ``report``; the :class:`Tally` says what happened.  An input
    that holds no record is an error of its own.  ``window`` takes only some of the
    records (and stops reading once it has them); ``sink`` receives the rendered
    entries instead of ``writer`` (a split output), and is closed in its place.
    Raises :class:`StrictStop` with ``strict`` at the first error, and
    :class:`MarcconvError` for an input that cannot be read at all.
    """
    assembler = Assembler(writer, job, report, strict, progress, tally, window, sink)
    converter = Converter(job, writer)
    try:
        for path in paths:
            before = assembler.seen
            with opened(path, source_format, announce) as source:
                convert_input(source, converter, assembler, encoding, workers)
            if assembler.seen == before:
                assembler.note(
                    Diagnostic(Severity.ERROR, "no MARC record in this input", display_name(path))
                )
    except _Enough:
        pass
    assembler.sink.close()
    return assembler.tally
