"""Where output goes: the one place that opens ``-o`` and ``--errors`` targets.

* ``-`` is standard output.
* A regular file (or a symbolic link to one, or a name that does not exist
  yet) is written to a temporary file in the same folder and renamed over the
  target only when the run is complete, so a failed or interrupted run never
  leaves a truncated file.  A link stays a link: the file it points to is
  replaced.  An existing file keeps its permissions (a ``0600`` file stays
  private) and, where the process may set it, its owner.
* Anything else that exists — a FIFO, a terminal, a character device such as
  ``/dev/null`` or ``/dev/stdout`` — is opened and written in place: it is
  never replaced.  A folder is an error.
* A write that fails (a full disk, a broken device) is a
  :class:`~marcconv.errors.MarcconvError` naming the target, never a traceback;
  the temporary file is removed whatever ends the run, signals included (see
  :func:`marcconv.cli.main`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import TextIO, cast

from marcconv.errors import MarcconvError

STDOUT = "-"


class OutputError(MarcconvError):
    """Output could not be written (a full disk, a closed pipe, a device error)."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class _Checked(io.TextIOBase):
    """A text stream whose write errors name the output they concern."""

    def __init__(self, inner: TextIO, name: str) -> None:
        super().__init__()
        self._inner = inner
        self._name = name
        self.failure: OutputError | None = None  # once a write failed, every later one does

    def _failed(self, exc: OSError) -> OutputError:
        self.failure = OutputError(f"cannot write {self._name}: {exc.strerror or exc}", exc.errno)
        return self.failure

    def write(self, text: str) -> int:
        if self.failure is not None:
            raise self.failure
        try:
            return self._inner.write(text)
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        if self.failure is not None:
            raise self.failure
        try:
            self._inner.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def writable(self) -> bool:
        return True


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.realpath(one) == os.path.realpath(other)


def check_targets(inputs: Iterable[str], output: str, errors: str | None) -> None:
    """Refuse ``-o`` and ``--errors`` naming an input file, or each other: the
    input would be replaced by what was made of it."""
    named = [("-o", output)] + ([("--errors", errors)] if errors is not None else [])
    for option, target in named:
        if target == STDOUT:
            continue
        for path in inputs:
            if path != "-" and os.path.isfile(path) and _same_file(target, path):
                raise MarcconvError(f"{option} {target} is an input; write to another file")
    if errors is not None and (errors == output or _same_file(errors, output)):
        raise MarcconvError(f"--errors {errors} is also the output (-o)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _refuse(path: str, exc: OSError) -> MarcconvError:
    return MarcconvError(f"cannot write {path}: {exc.strerror or exc}")


@contextlib.contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """A text stream for ``path`` (see the module notes); the output is in place
    when the ``with`` block ends without an exception, and never otherwise."""
    if path == STDOUT:
        stdout = _Checked(sys.stdout, "<stdout>")
        yield cast(TextIO, stdout)
        stdout.flush()
        return
    try:
        found = os.stat(path)  # follows links
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise _refuse(path, exc) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise MarcconvError(f"cannot write {path}: it is a folder")
    if found is not None and not stat.S_ISREG(found.st_mode):
        with _in_place(path) as out:
            yield out
        return
    with _replacing(os.path.realpath(path), path, found) as out:
        yield out


@contextlib.contextmanager
def _in_place(path: str) -> Iterator[TextIO]:
    """A FIFO, terminal or device, written as it is."""
    try:
        raw = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _refuse(path, exc) from None
    try:
        out = _Checked(raw, path)
        yield cast(TextIO, out)
        out.flush()
    finally:
        with contextlib.suppress(OSError):
            raw.close()


@contextlib.contextmanager
def _replacing(target: str, shown: str, found: os.stat_result | None) -> Iterator[TextIO]:
    """A regular file, written beside ``target`` and renamed over it at the end."""
    folder = os.path.dirname(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".marcconv-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _refuse(shown, exc) from None
    try:
        if found is not None:  # keep the file's permissions, and its owner if allowed
            os.fchmod(handle, stat.S_IMODE(found.st_mode))
            if (found.st_uid, found.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):
                    os.fchown(handle, found.st_uid, found.st_gid)
        else:
            os.fchmod(handle, 0o666 & ~_umask())
        raw = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        try:
            out = _Checked(raw, shown)
            yield cast(TextIO, out)
            out.flush()
            try:
                os.fsync(raw.fileno())
            except OSError as exc:
                raise out._failed(exc) from None
        finally:
            with contextlib.suppress(OSError):  # after a failed write, closing fails too
                raw.close()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
