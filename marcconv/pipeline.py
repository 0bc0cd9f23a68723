"""reader → crosswalk → keys → writer, one record at a time, with an account of each.

Every record read is either written or reported: ``read == written + skipped``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marcconv.crosswalk import to_reference
from marcconv.errors import Diagnostic, MarcconvError, RecordError, Severity
from marcconv.keys import KeyMaker
from marcconv.readers.base import Reader, SourceRecord
from marcconv.writers.base import Writer


@dataclass(slots=True)
class Tally:
    read: int = 0
    written: int = 0
    skipped: int = 0
    warnings: int = 0

    def summary(self) -> str:
        text = f"read {self.read} records, wrote {self.written}, skipped {self.skipped}"
        return text + " (see above)" if self.skipped or self.warnings else text


class StrictStop(MarcconvError):
    """--strict: the first error ends the run."""


@dataclass(slots=True)
class Pipeline:
    reader: Reader
    writer: Writer
    keys: KeyMaker
    report: Callable[[Diagnostic], None]
    strict: bool = False
    progress: Callable[[int], None] | None = None
    tally: Tally = field(default_factory=Tally)

    def _report(self, diagnostic: Diagnostic) -> None:
        if diagnostic.severity is Severity.WARNING:
            self.tally.warnings += 1
        self.report(diagnostic)
        if self.strict and diagnostic.severity is Severity.ERROR:
            raise StrictStop(str(diagnostic))

    def run(self, lines: Iterable[str], source: str) -> None:
        """Convert every record of one input."""
        tally = self.tally
        for item in self.reader(lines, source):
            if isinstance(item, Diagnostic):
                self._report(item)
                continue
            tally.read += 1
            self._convert(item)
            if self.progress is not None and tally.read % 1000 == 0:
                self.progress(tally.read)

    def _convert(self, item: SourceRecord) -> None:
        try:
            ref = to_reference(item)
        except RecordError as exc:
            self._report_all(item.diagnostics)  # what made the record unusable comes first
            self.tally.skipped += 1
            self._report(
                Diagnostic(
                    Severity.ERROR, f"{exc}; record skipped", item.source, item.line, item.record_id
                )
            )
            return
        self._report_all(item.diagnostics)
        ref.id = self.keys.key_for(ref)
        self.writer.write(ref)
        self.tally.written += 1

    def _report_all(self, diagnostics: list[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self._report(diagnostic)
