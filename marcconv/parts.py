"""A split output (``--split N -o out-%03d.bib``): files of N records each.

Each part is a whole document of its format (a CSL-JSON array, a MARCXML
collection), written by a writer of its own and put in place only once it is
complete, as ``-o`` does for one file; the part being written when a run
fails is never left behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Protocol, TextIO

from marcconv.errors import MarcconvError
from marcconv.outputs import check_targets, open_output


class PartWriter(Protocol):
    def emit(self, text: str) -> None: ...

    def close(self) -> None: ...


def part_names(pattern: str) -> Callable[[int], str]:
    """``pattern`` with a printf-style number (``out-%03d.bib``) as a function of the
    part's number; a pattern without exactly one number is refused."""
    try:
        first, second = pattern % 1, pattern % 2
    except (TypeError, ValueError):
        first = second = ""
    if not first or first == second:
        raise MarcconvError(
            f"--split needs -o with one number in its name, such as out-%03d.bib (got {pattern!r})"
        )
    return lambda number: pattern % number


class Parts:
    """Receives rendered entries and writes them ``size`` to a file."""

    def __init__(
        self,
        pattern: str,
        size: int,
        make_writer: Callable[[TextIO], PartWriter],
        inputs: Iterable[str] = (),
    ) -> None:
        self.name = part_names(pattern)
        self.size = size
        self.make_writer = make_writer
        self.inputs = list(inputs)
        self.names: list[str] = []  # the parts written or being written, in order
        self._stack: contextlib.ExitStack | None = None
        self._writer: PartWriter | None = None
        self._count = 0

    def emit(self, text: str) -> None:
        if self._writer is None or self._count == self.size:
            self._next()
        assert self._writer is not None
        self._writer.emit(text)
        self._count += 1

    def close(self) -> None:
        """Finish the last part (an input with no record still gives one, empty)."""
        if self._writer is None:
            self._next()
        self._finish()

    def abort(self) -> None:
        """The run failed: the part being written is removed, never put in place."""
        stack, self._stack, self._writer = self._stack, None, None
        if stack is not None:
            failed = MarcconvError("run failed")
            stack.__exit__(type(failed), failed, None)

    def _next(self) -> None:
        self._finish()
        name = self.name(len(self.names) + 1)
        check_targets(self.inputs, name, None)
        stack = contextlib.ExitStack()
        out = stack.enter_context(open_output(name))
        self._stack = stack
        self.names.append(name)
        self._writer = self.make_writer(out)
        self._count = 0

    def _finish(self) -> None:
        if self._writer is not None and self._stack is not None:
            self._writer.close()
            stack, self._stack, self._writer = self._stack, None, None
            stack.close()
