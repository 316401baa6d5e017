"""Prefetched: a producer in a background thread, its items consumed in this one."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from importers.prefetch import SWITCH_INTERVAL, Prefetched, quick_handovers


def test_items_come_in_order_and_the_producer_is_closed_in_its_thread():
    closed_in = []

    def produce():
        import threading

        try:
            yield from range(10)
        finally:
            closed_in.append(threading.current_thread().name)

    with ThreadPoolExecutor(1, thread_name_prefix="producer") as executor:
        with Prefetched(produce, executor) as items:
            assert list(items) == list(range(10))
    assert len(closed_in) == 1 and closed_in[0].startswith("producer")


def test_an_error_in_the_producer_is_raised_in_the_consumer():
    def produce():
        yield 1
        raise ValueError("unreadable feature")

    with ThreadPoolExecutor(1) as executor, Prefetched(produce, executor) as items:
        assert next(items) == 1
        with pytest.raises(ValueError, match="unreadable feature"):
            next(items)


def test_leaving_early_stops_the_producer():
    produced = []

    def produce():
        for i in range(1000):
            produced.append(i)
            yield i

    with ThreadPoolExecutor(1) as executor:
        with Prefetched(produce, executor, ahead=2) as items:
            assert next(items) == 0
    assert len(produced) < 10


def test_the_gil_changes_hands_quickly_while_prefetching_then_as_before():
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL  # CPython's default, 5 ms
    with ThreadPoolExecutor(1) as executor:
        with Prefetched(lambda: iter(range(3)), executor) as items:
            assert sys.getswitchinterval() == SWITCH_INTERVAL
            with quick_handovers():  # nested, as the importer's two read-ahead threads
                assert sys.getswitchinterval() == SWITCH_INTERVAL
            assert sys.getswitchinterval() == SWITCH_INTERVAL
            assert list(items) == [0, 1, 2]
    assert sys.getswitchinterval() == before
