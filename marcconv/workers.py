"""Worker processes that fail closed: results in order, a dead worker an error, never a hang.

``--jobs`` runs work in forked processes through :class:`Workers`, which
multiprocessing's ``Pool`` cannot replace here: a ``Pool`` waits forever for
the result of a worker that was killed (``kill -9``, the kernel's OOM killer),
and its workers live on when the main process dies.  Here

* every worker watches its parent: on Linux the kernel ends it when the
  main process ends, however that happens (``| head``, ``kill -9``); elsewhere
  it ends when its pipe to the main process closes;
* a worker that dies with work in hand is a :class:`WorkerDied` error naming
  its exit status or signal, at once;
* an exception in a worker is a :class:`WorkerFailed` error with its text;
* results come back in the order of the tasks, with at most ``window`` tasks
  handed out and not yet taken, so memory stays flat;
* a worker may be recycled after ``recycle`` tasks (a forked process copies
  the pages of every inherited object it touches, and would in time copy them
  all); the fresh one is forked from the main process as it is then.

Workers ignore Ctrl-C (the main process handles it) and die of SIGTERM and
SIGHUP as plain processes do.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from marcconv.errors import MarcconvError

T = TypeVar("T")
R = TypeVar("R")

#: prctl(2) option: the signal the kernel sends a process when its parent ends
PR_SET_PDEATHSIG = 1


class WorkerDied(MarcconvError):
    """A worker process ended with work in hand."""


class WorkerFailed(MarcconvError):
    """The function raised in a worker process."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _die_with(parent: int) -> None:
    """Ask the kernel to end this process when ``parent`` ends (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _serve(
    connection: Connection,
    parent: int,
    function: Callable[[Any], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    recycle: int | None,
) -> None:
    """The body of a worker: take tasks, answer each, until told to stop."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)
    done = 0
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the main process is gone
        if message is None:
            return
        index, task = message
        try:
            answer = (index, True, function(task))
        except Exception:
            answer = (index, False, traceback.format_exc(limit=8))
        connection.send(answer)
        done += 1
        if recycle is not None and done >= recycle:
            return


class _Worker:
    __slots__ = ("connection", "done", "process", "task")

    def __init__(self, process: Any, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.task: int | None = None  # the index of the task in hand
        self.done = 0


class Workers(Generic[T, R]):
    """``function`` over tasks in ``processes`` forked workers; use as a context manager."""

    def __init__(
        self,
        function: Callable[[T], R],
        processes: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        recycle: int | None = None,
    ) -> None:
        self._context = multiprocessing.get_context("fork")
        self._function = function
        self._initializer = initializer
        self._initargs = initargs
        self._recycle = recycle
        self._workers = [self._start() for _ in range(max(1, processes))]

    def _start(self) -> _Worker:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(
                theirs,
                os.getpid(),
                self._function,
                self._initializer,
                self._initargs,
                self._recycle,
            ),
            daemon=True,
        )
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def map(self, tasks: Iterable[T], window: int | None = None) -> Iterator[R]:
        """The results of ``function(task)`` for each task, in the order of ``tasks``."""
        window = window or 2 * len(self._workers)
        pending = iter(tasks)
        results: dict[int, R] = {}
        handed = taken = 0
        exhausted = False
        while True:
            for worker in self._workers:
                if exhausted or handed - taken >= window:
                    break
                if worker.task is None:
                    try:
                        task = next(pending)
                    except StopIteration:
                        exhausted = True
                        break
                    try:
                        worker.connection.send((handed, task))
                    except OSError:  # it died while idle
                        raise self._died(worker) from None
                    worker.task = handed
                    handed += 1
            while taken in results:
                yield results.pop(taken)
                taken += 1
            if exhausted and taken == handed:
                return
            self._collect(results)

    def _collect(self, results: dict[int, R]) -> None:
        """Wait for at least one answer; a worker that died with a task is an error."""
        busy = [w for w in self._workers if w.task is not None]
        if not busy:  # every answer was taken: more tasks may be handed out
            return
        watched: list[Any] = [w.connection for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(watched))
        for position, worker in enumerate(self._workers):
            if worker.task is None:
                continue
            if worker.connection in ready or worker.connection.poll():
                try:
                    index, ok, value = worker.connection.recv()
                except (EOFError, OSError):
                    raise self._died(worker) from None
                if not ok:
                    raise WorkerFailed(f"a worker process failed:\n{value}")
                results[index] = value
                worker.task = None
                worker.done += 1
                if self._recycle is not None and worker.done >= self._recycle:
                    worker.process.join()
                    worker.connection.close()
                    self._workers[position] = self._start()
            elif worker.process.sentinel in ready:
                raise self._died(worker)

    @staticmethod
    def _died(worker: _Worker) -> WorkerDied:
        worker.process.join(1)
        code = worker.process.exitcode
        how = (
            f"was killed by signal {-code} ({signal.Signals(-code).name})"
            if code is not None and code < 0
            else f"ended with status {code}"
        )
        return WorkerDied(f"a worker process (pid {worker.process.pid}) {how}; the run is stopped")

    def close(self) -> None:
        """Stop every worker: idle ones are told to, busy ones are ended."""
        for worker in self._workers:
            with contextlib.suppress(OSError, ValueError):
                if worker.task is None and worker.process.is_alive():
                    worker.connection.send(None)
                else:
                    worker.process.terminate()
        for worker in self._workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()

    def __enter__(self) -> Workers[T, R]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
