"""Reading input files as numbered text lines, without ever a decoding traceback.

Input is read in binary and decoded a line at a time, so an invalid byte is
reported with its line number and replaced (U+FFFD) instead of ending the run.
Nothing is held beyond the current line.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from marcconv.errors import Diagnostic, MarcconvError, Severity
from marcconv.readers.base import MAX_LINE_BYTES

STDIN = "-"
#: bytes looked at to tell the input format
HEAD_SIZE = 1 << 16
MIN_HEAD = 1 << 12


def display_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


#: every printable ASCII character and a line end: what an encoding must read as ASCII
ASCII_PROBE = bytes(range(0x20, 0x7F)) + b"\n"


def check_encoding(encoding: str) -> str:
    """The codec name of ``encoding`` if lines in it can be read one at a time: a
    text encoding in which ASCII is ASCII (not rot13 or base64, which are not text
    encodings, nor UTF-16 or EBCDIC, whose line ends are other bytes)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):
        raise MarcconvError(f"unknown encoding {encoding!r}") from None
    try:
        ascii_compatible = (
            getattr(info, "_is_text_encoding", True)
            and ASCII_PROBE.decode(info.name) == ASCII_PROBE.decode("ascii")
            and b"\xff\xfe\n".decode(info.name, "replace").endswith("\n")
        )
    except (UnicodeError, LookupError, TypeError, ValueError):
        ascii_compatible = False
    if not ascii_compatible:
        raise MarcconvError(
            f"encoding {encoding!r} cannot be read a line at a time (it is not a text"
            " encoding in which ASCII stays ASCII); convert the input to UTF-8 first,"
            " e.g. with iconv"
        )
    return info.name


def read_lines(
    stream: BinaryIO,
    source: str,
    report: Callable[[Diagnostic], None],
    encoding: str = "utf-8",
) -> Iterator[str]:
    """Decoded lines of ``stream``; invalid bytes are reported once per line and replaced.

    A line longer than :data:`MAX_LINE_BYTES` is reported and skipped without ever
    being held whole.
    """
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            report(
                Diagnostic(
                    Severity.ERROR,
                    f"line longer than {MAX_LINE_BYTES >> 20} MiB (the limit); skipped",
                    source,
                    number,
                )
            )
            continue
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


def check_inputs(paths: Iterable[str]) -> None:
    """Refuse, before anything is read or written, an input that does not exist,
    is a folder or cannot be opened."""
    for path in paths:
        if path == STDIN:
            continue
        try:
            if os.path.isdir(path):
                raise MarcconvError(f"cannot read {path}: it is a folder")
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise MarcconvError(f"cannot read {path}: {exc.strerror or exc}") from None


def open_binary(path: str) -> BinaryIO:
    if path == STDIN:
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise MarcconvError(f"cannot read {path}: {exc.strerror}") from None


class _Replay(io.RawIOBase):
    """A stream that gives ``head`` again, then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        read1 = getattr(self._rest, "read1", self._rest.read)
        data = read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peek(stream: BinaryIO, size: int = HEAD_SIZE) -> tuple[bytes, BinaryIO]:
    """The first bytes of ``stream`` (for format detection) and a stream that
    still starts at the beginning."""
    head = b""
    read1 = getattr(stream, "read1", stream.read)
    while len(head) < size:
        block = read1(size - len(head))
        if not block:
            break
        head += block
        if b"\n" in head and len(head) >= MIN_HEAD:
            break
    return head, io.BufferedReader(_Replay(head, stream), buffer_size=1 << 16)
