"""Producing a stream in a background thread while the caller consumes it.

The importer reads, checks and converts features in Python while PostgreSQL loads the
previous batch: on two cores the two halves overlap (the thread waiting on the database
socket releases the GIL).
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, wait
from contextlib import contextmanager
from typing import Any

_DONE = object()

# GIL hand-over interval while a Prefetched runs (CPython's default: 5 ms).
SWITCH_INTERVAL = 0.001
_switching = threading.Lock()
_running = 0
_default_interval = sys.getswitchinterval()


@contextmanager
def quick_handovers() -> Iterator[None]:
    """The GIL changes hands every millisecond while the block runs (in any thread: the
    interval is the process's), then as before once no such block runs.

    The thread feeding PostgreSQL sends a batch's COPY data a socket buffer at a time,
    waking some thirty times a batch, and each time must take the GIL back from the
    reading thread, which holds it while converting. At CPython's default 5 ms a 6 MB
    COPY that PostgreSQL reads in 0.08 s took 0.2 s against a busy thread, 0.06 s at
    1 ms; the busy thread lost nothing measurable."""
    global _running, _default_interval
    with _switching:
        if _running == 0:
            _default_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, _default_interval))
        _running += 1
    try:
        yield
    finally:
        with _switching:
            _running -= 1
            if _running == 0:
                sys.setswitchinterval(_default_interval)


class Prefetched:
    """``with Prefetched(produce, executor) as items:`` iterates ``produce()`` in the
    executor's thread, at most ``ahead`` items ahead. An exception in the thread is raised
    in the consumer; leaving the block early stops the producing and closes its iterator.

    ``executor`` has a single thread: work submitted to it earlier (warming per-thread
    state, such as pyproj's transformations) is done, in the same thread, first."""

    def __init__(
        self, produce: Callable[[], Iterator[Any]], executor: Executor, *, ahead: int = 2
    ) -> None:
        self._produce = produce
        self._executor = executor
        self._items: queue.Queue[Any] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()

    def __enter__(self) -> Iterator[Any]:
        self._handovers = quick_handovers()
        self._handovers.__enter__()
        self._running = self._executor.submit(self._work)
        return self._consume()

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        try:
            wait([self._running])
        finally:
            self._handovers.__exit__(None, None, None)

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        iterator = self._produce()
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed over, raised in the consumer
            self._put(exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def _consume(self) -> Iterator[Any]:
        while True:
            item = self._items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
