"""Where output goes: stdout, or a file that appears only once it is complete."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO

from marcconv.errors import MarcconvError

STDOUT = "-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """A text stream for ``path``; a file is written to a temporary name in the same
    folder and renamed when the run succeeds, so a failed or interrupted run never
    leaves a truncated file behind."""
    if path == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".marcconv-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise MarcconvError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            yield out
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
