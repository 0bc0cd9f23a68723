"""The worker pool of --jobs: order kept, a failure or a death an error, never a hang."""

from __future__ import annotations

import os
import signal

import pytest

from marcconv.workers import WorkerDied, WorkerFailed, Workers


def square(n: int) -> int:
    return n * n


def pid_of(_: int) -> int:
    return os.getpid()


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


def die_on_three(n: int) -> int:
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_results_come_in_task_order() -> None:
    with Workers(square, 3) as workers:
        assert list(workers.map(range(50), window=4)) == [n * n for n in range(50)]


def test_a_worker_is_recycled_after_its_tasks() -> None:
    with Workers(pid_of, 1, recycle=2) as workers:
        pids = list(workers.map(range(6)))
    assert len(set(pids)) == 3  # a fresh process every two tasks


def test_an_exception_in_a_worker_is_an_error_with_its_text() -> None:
    with (
        Workers(fail_on_three, 2) as workers,
        pytest.raises(WorkerFailed, match="ValueError: three"),
    ):
        list(workers.map(range(10)))


def test_a_worker_killed_with_a_task_is_an_error_at_once() -> None:
    with Workers(die_on_three, 2) as workers, pytest.raises(WorkerDied, match="signal 9"):
        list(workers.map(range(10)))


def test_a_worker_killed_while_idle_is_an_error_when_it_is_given_work() -> None:
    with Workers(square, 1) as workers:
        results = workers.map(range(10), window=1)
        assert next(results) == 0
        (worker,) = workers._workers
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join()
        with pytest.raises(WorkerDied, match="signal 9"):
            list(results)
