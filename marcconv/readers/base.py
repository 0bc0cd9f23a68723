"""What every reader yields: a pymarc record that remembers where it came from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pymarc

from marcconv.errors import Diagnostic, Severity

#: Non-numeric tags that carry a raw value, not subfields (Aleph and Invenio).
LOCAL_CONTROL_TAGS = frozenset({"LDR", "FMT"})


class SourceField(pymarc.Field):
    """A pymarc field that knows the input line it was read from.

    Unlike :class:`pymarc.Field`, it also keeps local control fields such as
    Aleph's ``FMT`` as control fields (pymarc treats only ``001``-``009`` so).
    """

    __slots__ = ("line",)

    def __init__(
        self,
        tag: str,
        line: int,
        indicators: tuple[str, str] | None = None,
        subfields: list[pymarc.Subfield] | None = None,
        data: str | None = None,
    ) -> None:
        if data is not None:
            super().__init__(tag, data=data)
            # pymarc ignores ``data`` for tags it does not consider control tags
            self.control_field = True
            self.data = data
            self._indicators = None
            self.subfields = []
        else:
            super().__init__(
                tag, indicators=pymarc.Indicators(*(indicators or (" ", " "))), subfields=subfields
            )
        self.line = line


@dataclass(slots=True)
class SourceRecord:
    """A record as read: the pymarc record plus its origin and the reader's findings."""

    record: pymarc.Record
    record_id: str
    source: str
    line: int
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, message: str, line: int | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(Severity.WARNING, message, self.source, line or self.line, self.record_id)
        )


#: A reader turns decoded input lines (numbered from 1) into records, and reports
#: input that belongs to no record as a bare diagnostic.
Reader = Callable[[Iterable[str], str], Iterator[SourceRecord | Diagnostic]]


def is_control_tag(tag: str) -> bool:
    return tag.startswith("00") or tag in LOCAL_CONTROL_TAGS
