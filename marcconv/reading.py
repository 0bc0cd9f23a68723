"""From a path to records: open, detect the serialisation, hand to its reader."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from marcconv import registry
from marcconv.errors import Diagnostic, MarcconvError
from marcconv.inputs import STDIN, display_name, open_binary, peek, read_lines
from marcconv.readers.base import SourceRecord, takes_bytes
from marcconv.readers.dialects import DIALECT_NAMES, Detection, detect

GZIP_MAGIC = b"\x1f\x8b"


def _name_hint(path: str) -> str:
    name = "" if path == STDIN else path
    return name.removesuffix(".gz")


def _peek_through_gzip(raw: BinaryIO) -> tuple[bytes, BinaryIO]:
    """First bytes and stream, decompressed on the fly if the input is gzip."""
    head, stream = peek(raw)
    if head.startswith(GZIP_MAGIC):
        head, stream = peek(gzip.GzipFile(fileobj=stream, mode="rb"))  # type: ignore[arg-type]
    return head, stream


def detect_path(path: str) -> tuple[Detection, bytes]:
    """What ``path`` holds, judged from its first bytes (and its name)."""
    raw = open_binary(path)
    try:
        head, _ = _peek_through_gzip(raw)
    except (OSError, EOFError) as exc:
        raise MarcconvError(f"cannot read {display_name(path)}: {exc}") from None
    finally:
        if path != STDIN:
            raw.close()
    return detect(head, _name_hint(path)), head


def read_records(
    path: str,
    source_format: str,
    report: Callable[[Diagnostic], None],
    encoding: str = "utf-8",
    announce: Callable[[str], None] | None = None,
) -> Iterator[SourceRecord | Diagnostic]:
    """Every record (and bare diagnostic) of one input, read lazily.

    ``source_format`` ``auto`` looks at the input; ``announce`` hears what was found.
    """
    name = display_name(path)
    raw = open_binary(path)
    try:
        try:
            head, stream = _peek_through_gzip(raw)
        except (OSError, EOFError) as exc:
            raise MarcconvError(f"cannot read {name}: {exc}") from None
        chosen = source_format
        if chosen == registry.AUTO:
            found = detect(head, _name_hint(path))
            if found.format is None:
                if not head.strip():
                    return  # an empty input holds no records
                raise MarcconvError(
                    f"cannot tell the input format of {name}: {found.reason}; name it with -f"
                )
            chosen = found.format
            if announce is not None:
                announce(f"{name}: {DIALECT_NAMES.get(chosen, chosen)} ({found.reason})")
        reader = registry.reader_function(chosen)
        try:
            if takes_bytes(reader):
                yield from reader(stream, name)
            else:
                yield from reader(read_lines(stream, name, report, encoding), name)
        except (OSError, EOFError, zlib.error) as exc:  # a device error, a corrupt .gz
            raise MarcconvError(f"cannot read {name}: {exc}") from None
    finally:
        if path != STDIN:
            raw.close()
