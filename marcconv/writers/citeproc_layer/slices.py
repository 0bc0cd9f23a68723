"""With --jobs: the work a bibliography does item by item, in forked processes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from marcconv.workers import Workers, can_fork

T = TypeVar("T")

#: items per slice handed to a process (--jobs)
SLICE = 200
#: slices a forked process renders before a fresh one takes over: a process copies
#: the pages of the inherited objects it touches, and would in time copy them all
RECYCLE = 8
#: what forked processes inherit: the function they run on slices
_FORKED: dict[str, Callable[[int, int], list[Any]]] = {}


def in_slices(work: Callable[[int, int], list[T]], count: int, jobs: int) -> list[T]:
    """``work(start, stop)`` over ``range(count)``, joined in order.

    With ``jobs`` > 1 the slices run in forked processes, which inherit the
    registered, sorted and disambiguated bibliography, so each renders exactly
    what this process would.  Only the slice bounds and the resulting text
    cross between processes.  A process renders :data:`RECYCLE` slices and
    then ends: touching an inherited object copies its page, and a process that
    lived through the whole run would end up with a copy of every item.
    """
    if jobs < 2 or count < 2 * SLICE or not can_fork():
        return work(0, count)
    _FORKED["work"] = work
    try:
        bounds = [(start, min(start + SLICE, count)) for start in range(0, count, SLICE)]
        with Workers(_forked_work, jobs, recycle=RECYCLE) as workers:
            parts = list(workers.map(bounds))
    finally:
        _FORKED.clear()
    return [value for part in parts for value in part]


def _forked_work(bounds: tuple[int, int]) -> list[Any]:
    return _FORKED["work"](*bounds)
