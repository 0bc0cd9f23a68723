"""Inputs: a path or standard input opened, gzip undone, its MARC serialisation
told, its bytes decoded into numbered lines without ever a decoding traceback.

Input is read in binary and decoded a line at a time, so an invalid byte is
reported with its line number and replaced (U+FFFD) instead of ending the run;
nothing is held beyond the current line.  What is read from here on is the
business of the serialisation's reader (``marcconv.marc``).
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from marcconv import registry
from marcconv.errors import Diagnostic, MarcconvError, Severity
from marcconv.marc.dialects import DIALECT_NAMES, Detection, detect
from marcconv.marc.record import (
    MAX_LINE_BYTES,
    Chunk,
    Cutting,
    SourceRecord,
    cutting_of,
    takes_bytes,
)

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
    first_line: int = 1,
) -> Iterator[str]:
    """Decoded lines of ``stream``; invalid bytes are reported once per line and replaced.

    A line longer than :data:`MAX_LINE_BYTES` is reported and skipped without ever
    being held whole.  Lines are read a block at a time and a block decoded at
    once; only a block with an invalid byte is decoded line by line.
    """
    number = first_line - 1
    size = min(LINE_BLOCK, MAX_LINE_BYTES)  # a longer line always reaches past a block
    while block := stream.read(size):
        long_line = False
        if not block.endswith(b"\n"):  # complete the block's last line
            start = block.rfind(b"\n") + 1
            line = block[start:] + stream.readline(MAX_LINE_BYTES + 1 - (len(block) - start))
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                long_line = True
                block = block[:start]
                while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
            else:
                block = block[:start] + line
        try:
            text = block.decode(encoding)
        except UnicodeDecodeError:
            for raw in _split(block):
                number += 1
                yield _decoded(raw, encoding, source, number, report)
        else:
            lines = text.split("\n")
            last = lines.pop()
            number += len(lines)
            for line_text in lines:
                yield line_text + "\n"
            if last:
                number += 1
                yield last
        if long_line:
            number += 1
            report(
                Diagnostic(
                    Severity.ERROR,
                    f"line longer than {MAX_LINE_BYTES >> 20} MiB (the limit); skipped",
                    source,
                    number,
                )
            )


#: bytes read at a time
LINE_BLOCK = 1 << 20


def _split(block: bytes) -> list[bytes]:
    """A block's lines, each with its line end."""
    parts = block.split(b"\n")
    last = parts.pop()
    return [part + b"\n" for part in parts] + ([last] if last else [])


def _decoded(
    raw: bytes, encoding: str, source: str, number: int, report: Callable[[Diagnostic], None]
) -> str:
    try:
        return raw.decode(encoding)
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
        return raw.decode(encoding, errors="replace")


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


GZIP_MAGIC = b"\x1f\x8b"
#: gzip input may decompress to this many times its size, once past GZIP_FREE bytes:
#: real catalogue dumps compress 5 to 15 times, a "gzip bomb" about 1,000
GZIP_RATIO = 100
GZIP_FREE = 1 << 26
READ_ERRORS = (OSError, EOFError, zlib.error)


class _Counted(io.RawIOBase):
    """A stream that counts the bytes read through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class _Inflated(io.RawIOBase):
    """Gzip decompressed on the fly, refused past :data:`GZIP_RATIO` times its size."""

    def __init__(self, compressed: BinaryIO, name: str) -> None:
        self.compressed = _Counted(compressed)
        self.inflated = gzip.GzipFile(fileobj=self.compressed, mode="rb")
        self.name_shown = name
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.inflated.readinto(buffer)
        self.count += count
        if self.count > GZIP_FREE and self.count > GZIP_RATIO * self.compressed.count:
            raise MarcconvError(
                f"cannot read {self.name_shown}: it decompresses to more than {GZIP_RATIO}"
                " times its size (the limit for gzip input)"
            )
        return count


def _name_hint(path: str) -> str:
    name = "" if path == STDIN else path
    return name.removesuffix(".gz")


def _peek_through_gzip(raw: BinaryIO, name: str) -> tuple[bytes, BinaryIO]:
    """First bytes and stream, decompressed on the fly if the input is gzip."""
    head, stream = peek(raw)
    if head.startswith(GZIP_MAGIC):
        head, stream = peek(io.BufferedReader(_Inflated(stream, name), 1 << 16))
    return head, stream


def detect_path(path: str) -> tuple[Detection, bytes]:
    """What ``path`` holds, judged from its first bytes (and its name)."""
    raw = open_binary(path)
    try:
        head, _ = _peek_through_gzip(raw, display_name(path))
    except READ_ERRORS as exc:
        raise MarcconvError(f"cannot read {display_name(path)}: {exc}") from None
    finally:
        if path != STDIN:
            raw.close()
    return detect(head, _name_hint(path)), head


@dataclass(slots=True)
class Input:
    """An opened input: its display name, its serialisation, its bytes."""

    name: str
    format: str | None  # None: an empty input of unknown format
    stream: BinaryIO

    def lines(self, report: Callable[[Diagnostic], None], encoding: str) -> Iterator[str]:
        """Decoded lines; a device error or a corrupt .gz is a :class:`MarcconvError`."""
        try:
            yield from read_lines(self.stream, self.name, report, encoding)
        except READ_ERRORS as exc:
            raise MarcconvError(f"cannot read {self.name}: {exc}") from None

    def records(
        self, report: Callable[[Diagnostic], None], encoding: str = "utf-8"
    ) -> Iterator[SourceRecord | Diagnostic]:
        """Every record (and bare diagnostic), read by the input's reader as a whole;
        problems found while decoding go to ``report``."""
        if self.format is None:
            return  # an empty input holds no records
        reader = registry.reader_function(self.format)
        if not takes_bytes(reader):
            yield from reader(self.lines(report, encoding), self.name)
            return
        try:
            yield from reader(self.stream, self.name)
        except READ_ERRORS as exc:  # a device error, a corrupt .gz
            raise MarcconvError(f"cannot read {self.name}: {exc}") from None

    @property
    def cutting(self) -> Cutting | None:
        """How the input's reader cuts it into chunks (None: it reads it whole)."""
        return None if self.format is None else cutting_of(registry.reader_function(self.format))

    def chunks(self, encoding: str = "utf-8") -> Iterator[Chunk]:
        """The input cut into record-aligned chunks, each with the notes of its lines."""
        cutting = self.cutting
        if cutting is None:
            raise MarcconvError(f"{self.format} input cannot be cut into chunks")
        notes: list[Diagnostic] = []
        data: Any = self.stream if cutting.binary else self.lines(notes.append, encoding)
        try:
            yield from cutting.chunks(data, self.name, notes)
        except READ_ERRORS as exc:
            raise MarcconvError(f"cannot read {self.name}: {exc}") from None


@contextmanager
def opened(
    path: str, source_format: str, announce: Callable[[str], None] | None = None
) -> Iterator[Input]:
    """Open ``path`` (``-``: standard input), decompress gzip, detect the format.

    ``source_format`` ``auto`` looks at the input; ``announce`` hears what was found.
    """
    raw = open_binary(path)
    try:
        yield from_stream(raw, display_name(path), source_format, _name_hint(path), announce)
    finally:
        if path != STDIN:
            raw.close()


def from_stream(
    raw: BinaryIO,
    name: str,
    source_format: str = registry.AUTO,
    name_hint: str = "",
    announce: Callable[[str], None] | None = None,
) -> Input:
    """An input already open as a binary stream (named ``name`` in diagnostics):
    gzip decompressed on the fly, the format detected unless named."""
    try:
        head, stream = _peek_through_gzip(raw, name)
    except READ_ERRORS as exc:
        raise MarcconvError(f"cannot read {name}: {exc}") from None
    chosen: str | None = source_format
    if chosen == registry.AUTO:
        found = detect(head, name_hint)
        if found.format is None and head.strip():
            raise MarcconvError(
                f"cannot tell the input format of {name}: {found.reason}; name it with -f"
            )
        chosen = found.format
        if announce is not None and chosen is not None:
            announce(f"{name}: {DIALECT_NAMES.get(chosen, chosen)} ({found.reason})")
    return Input(name, chosen, stream)


def read_records(
    path: str,
    source_format: str,
    report: Callable[[Diagnostic], None],
    encoding: str = "utf-8",
    announce: Callable[[str], None] | None = None,
) -> Iterator[SourceRecord | Diagnostic]:
    """Every record (and bare diagnostic) of one input, read lazily."""
    with opened(path, source_format, announce) as source:
        yield from source.records(report, encoding)
