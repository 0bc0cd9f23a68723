"""reader → crosswalk → keys → writer, one record at a time, with an account of each.

Every record read is either written or reported: ``read == written + skipped``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marcconv.crosswalk import to_reference
from marcconv.errors import Diagnostic, MarcconvError, NotBibliographic, RecordError, Severity
from marcconv.keys import KeyMaker
from marcconv.readers.base import SourceRecord
from marcconv.writers.base import RecordWriter, Writer


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


@dataclass(slots=True)
class Entry:
    """One record converted in a worker process: rendered text or the reason it was not.

    An entry with neither text nor error carries diagnostics outside any record.
    """

    diagnostics: list[Diagnostic]
    text: str | None = None  # rendered, with the placeholder where the key goes
    key_base: str = ""
    error: Diagnostic | None = None
    left_out: Diagnostic | None = None  # not a bibliographic item
    cut_lists: bool = False  # the writer cut a long list of names


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


class StrictStop(MarcconvError):
    """--strict: the first error ends the run."""


@dataclass(slots=True)
class Pipeline:
    writer: Writer | RecordWriter
    keys: KeyMaker
    report: Callable[[Diagnostic], None]
    strict: bool = False
    progress: Callable[[int], None] | None = None
    tally: Tally = field(default_factory=Tally)
    placeholder: str | None = None  # --jobs: stands for the key in rendered items
    all_records: bool = False  # write records that are not bibliographic items too

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

    def run(self, items: Iterable[SourceRecord | Diagnostic]) -> None:
        """Convert every record a reader yields for one input."""
        tally = self.tally
        for item in items:
            if isinstance(item, Diagnostic):
                self._report(item, in_record=False)
                continue
            tally.read += 1
            self._convert(item)
            if self.progress is not None and tally.read % 1000 == 0:
                self.progress(tally.read)

    def take(self, entries: Iterable[Entry]) -> None:
        """Account for records converted elsewhere (``--jobs``), in input order."""
        tally = self.tally
        for entry in entries:
            if entry.error is None and entry.text is None and entry.left_out is None:
                # a problem outside any record
                for diagnostic in entry.diagnostics:
                    self._report(diagnostic, in_record=False)
                continue
            tally.read += 1
            self._report_all(entry.diagnostics)
            if entry.left_out is not None:
                tally.left_out += 1
                self._report(entry.left_out)
            elif entry.error is not None:
                tally.skipped += 1
                self._report(entry.error)
            else:
                assert entry.text is not None and self.placeholder is not None
                assert isinstance(self.writer, Writer)
                key = self.keys.unique(entry.key_base)
                self.writer.emit(entry.text.replace(self.placeholder, key, 1))
                tally.written += 1
                tally.cut_lists += entry.cut_lists
            if self.progress is not None and tally.read % 1000 == 0:
                self.progress(tally.read)

    def _convert(self, item: SourceRecord) -> None:
        try:
            if item.failure is not None:
                raise RecordError(item.failure, item.record_id)
            if isinstance(self.writer, RecordWriter):
                self.writer.write_record(item)
                self._report_all(item.diagnostics)
                self.tally.written += 1
                return
            ref = to_reference(item, all_records=self.all_records)
            base = self.keys.base_for(ref)
            ref.id, suffixes = self.keys.propose(base)
            self.writer.write(ref)  # refuses (RecordError) before it writes anything
        except NotBibliographic as exc:
            self._report_all(item.diagnostics)
            self.tally.left_out += 1
            self._report(left_out_note(item, exc))
            return
        except RecordError as exc:
            self._report_all(item.diagnostics)  # what made the record unusable comes first
            self.tally.skipped += 1
            self._report(skip_error(item, exc))
            return
        self.keys.claim(base, ref.id, suffixes)
        self._report_all(item.diagnostics)
        self.tally.written += 1
        if isinstance(self.writer, Writer) and self.writer.cuts_names(ref):
            self.tally.cut_lists += 1

    def _report_all(self, diagnostics: list[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self._report(diagnostic)
