"""gis.db: the connection health check that needs no round trip (gis/db/base.py)."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def other():
    """A second, private connection to the test database."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def queries_sent(wrapper, action) -> int:
    sent = []
    original = wrapper.connection.cursor

    def counting_cursor(*args, **kwargs):
        sent.append(1)
        return original(*args, **kwargs)

    wrapper.connection.cursor = counting_cursor
    try:
        action()
    finally:
        del wrapper.connection.cursor
    return len(sent)


def test_an_idle_live_connection_is_usable_without_a_query(other):
    assert connection.vendor == "postgresql" and type(other).__module__ == "gis.db.base"
    result = []
    assert queries_sent(other, lambda: result.append(other.is_usable())) == 0
    assert result == [True]


def test_a_terminated_session_is_seen_without_waiting_for_a_query(other):
    with other.connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    deadline = time.monotonic() + 5
    while other.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's goodbye takes a moment to arrive
    assert not other.is_usable()
    other.health_check_done = False  # as at the end of every request
    other.close_if_health_check_failed()
    assert other.connection is None  # Django drops it; the next query reconnects
    other.ensure_connection()
    assert other.is_usable()


def test_a_failed_transaction_gets_the_full_check(other):
    other.connection.autocommit = False
    with other.connection.cursor() as cursor:
        with pytest.raises(psycopg.errors.DivisionByZero):
            cursor.execute("SELECT 1/0")
    assert queries_sent(other, other.is_usable) == 1
    assert not other.is_usable()
