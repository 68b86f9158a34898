"""Work in worker processes, a few batches at a time, the results in input order.

What ``kindbehoeften validate --ndjson --jobs N`` and ``export.stream_statistics(...,
jobs=N)`` share: :func:`worker_pool` starts the processes and always shuts them down, and
:func:`in_order` sends batches to them, no more than ``ahead`` waiting at once (memory stays
flat whatever the length of the input), and gives back each result in the order of its batch.
A worker that ends before its work is done (killed, or by the system when memory runs out)
is :class:`WorkerLostError`, not a bug of the library's.

>>> with worker_pool(2) as pool:
...     [(result, tag) for result, tag in in_order(pool, abs, [(-1, "a"), (-2, "b")], ahead=1)]
[(1, 'a'), (2, 'b')]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ..errors import WorkerLostError

if TYPE_CHECKING:  # the process pool's module is imported when a pool starts, not before
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["MAX_JOBS", "in_order", "worker_pool"]

#: The most worker processes that ``jobs`` (``--jobs``) starts.
MAX_JOBS: Final = 256


_Batch = TypeVar("_Batch")
_Result = TypeVar("_Result")
_Tag = TypeVar("_Tag")


@contextmanager
def worker_pool(
    jobs: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """``jobs`` worker processes, each set up with ``initializer(*initargs)``, started now
    (a fork start method forks every worker at the first task: before any thread of the
    caller's, such as a progress bar, runs) and shut down on leaving, its waiting batches
    cancelled, however the block is left (an error, or a consumer that stopped early)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(jobs, initializer=_set_up, initargs=(initializer, initargs))
    try:
        try:
            pool.submit(int).result()
        except BrokenProcessPool as error:
            raise WorkerLostError from error
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _set_up(
    initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
) -> None:  # pragma: no cover - runs in a worker process
    """A worker's start: it ends with the process that started it, then is set up."""
    _end_with_parent()
    if initializer is not None:
        initializer(*initargs)


def _end_with_parent() -> None:  # pragma: no cover - runs in a worker process
    """End this worker as soon as the process that started it has ended. A process killed
    (SIGKILL, or SIGTERM from ``timeout``) cannot shut its pool down, and its workers would
    otherwise wait for work forever, holding its output open. The parent's sentinel is ready
    once it has ended (with ``fork``, a worker started after this one holds it open until
    that one has ended too: they end one after another)."""
    import contextlib
    import multiprocessing
    import os
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    # no thread to be had (a process at its limits): the worker works, unwatched, as it did
    with contextlib.suppress(RuntimeError):
        threading.Thread(target=watch, name="kindbehoeften-parent", daemon=True).start()


def in_order(
    pool: ProcessPoolExecutor,
    work: Callable[[_Batch], _Result],
    batches: Iterable[tuple[_Batch, _Tag]],
    ahead: int,
) -> Iterator[tuple[_Result, _Tag]]:
    """``work(batch)`` of each batch in the pool's processes, with the batch's tag, in the
    order of ``batches``; at most ``ahead`` batches wait for their result at once.

    Should ``batches`` fail (a file that cannot be read), the batches read before it are
    still worked and given back first, as one process would have, and then its error raised.
    A worker that ends before its work is done is :class:`WorkerLostError`.
    """
    from concurrent.futures.process import BrokenProcessPool

    try:
        yield from _in_order(pool, work, batches, ahead)
    except BrokenProcessPool as error:  # the pool's name for it: a process ended, not why
        raise WorkerLostError from error


def _in_order(
    pool: ProcessPoolExecutor,
    work: Callable[[_Batch], _Result],
    batches: Iterable[tuple[_Batch, _Tag]],
    ahead: int,
) -> Iterator[tuple[_Result, _Tag]]:
    pending: deque[tuple[Future[_Result], _Tag]] = deque()
    source = iter(batches)
    while True:
        try:
            batch, tag = next(source)
        except StopIteration:
            break
        except Exception:
            while pending:
                future, waiting = pending.popleft()
                yield future.result(), waiting
            raise
        pending.append((pool.submit(work, batch), tag))
        while len(pending) > ahead:
            future, waiting = pending.popleft()
            yield future.result(), waiting
    while pending:
        future, waiting = pending.popleft()
        yield future.result(), waiting
