"""Reading input files as numbered text lines, without ever a decoding traceback.

Input is read in binary and decoded a line at a time, so an invalid byte is
reported with its line number and replaced (U+FFFD) instead of ending the run.
Nothing is held beyond the current line.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from marcconv.errors import Diagnostic, MarcconvError, Severity

STDIN = "-"


def display_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise MarcconvError(f"unknown encoding {encoding!r}") from None


def read_lines(
    stream: BinaryIO,
    source: str,
    report: Callable[[Diagnostic], None],
    encoding: str = "utf-8",
) -> Iterator[str]:
    """Decoded lines of ``stream``; invalid bytes are reported once per line and replaced."""
    for number, raw in enumerate(stream, 1):
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError as exc:
            report(
                Diagnostic(
                    Severity.WARNING,
                    f"invalid {encoding} byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
                    " (replaced by U+FFFD; use --encoding if the file is not UTF-8)",
                    source,
                    number,
                )
            )
            yield raw.decode(encoding, errors="replace")


def open_binary(path: str) -> BinaryIO:
    if path == STDIN:
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise MarcconvError(f"cannot read {path}: {exc.strerror}") from None
