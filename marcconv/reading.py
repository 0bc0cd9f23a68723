"""From a path to records: open, detect the serialisation, hand to its reader."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from marcconv import registry
from marcconv.errors import Diagnostic, MarcconvError
from marcconv.inputs import STDIN, display_name, open_binary, peek, read_lines
from marcconv.readers.base import SourceRecord, takes_bytes
from marcconv.readers.dialects import DIALECT_NAMES, Detection, detect

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


@contextmanager
def opened(
    path: str, source_format: str, announce: Callable[[str], None] | None = None
) -> Iterator[Input]:
    """Open ``path`` (``-``: standard input), decompress gzip, detect the format.

    ``source_format`` ``auto`` looks at the input; ``announce`` hears what was found.
    """
    name = display_name(path)
    raw = open_binary(path)
    try:
        try:
            head, stream = _peek_through_gzip(raw, name)
        except READ_ERRORS as exc:
            raise MarcconvError(f"cannot read {name}: {exc}") from None
        chosen: str | None = source_format
        if chosen == registry.AUTO:
            found = detect(head, _name_hint(path))
            if found.format is None and head.strip():
                raise MarcconvError(
                    f"cannot tell the input format of {name}: {found.reason}; name it with -f"
                )
            chosen = found.format
            if announce is not None and chosen is not None:
                announce(f"{name}: {DIALECT_NAMES.get(chosen, chosen)} ({found.reason})")
        yield Input(name, chosen, stream)
    finally:
        if path != STDIN:
            raw.close()


def read_records(
    path: str,
    source_format: str,
    report: Callable[[Diagnostic], None],
    encoding: str = "utf-8",
    announce: Callable[[str], None] | None = None,
) -> Iterator[SourceRecord | Diagnostic]:
    """Every record (and bare diagnostic) of one input, read lazily."""
    with opened(path, source_format, announce) as source:
        if source.format is None:
            return  # an empty input holds no records
        reader = registry.reader_function(source.format)
        if not takes_bytes(reader):
            yield from reader(source.lines(report, encoding), source.name)
            return
        try:
            yield from reader(source.stream, source.name)
        except READ_ERRORS as exc:  # a device error, a corrupt .gz
            raise MarcconvError(f"cannot read {source.name}: {exc}") from None
