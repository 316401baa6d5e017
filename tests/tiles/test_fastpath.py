"""tiles.fastpath: public vector tiles answered ahead of the middleware stack give the same
answers as the full stack, hand everything else to Django, and fail over to it."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import unquote_to_bytes

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, close_old_connections
from django.test import RequestFactory, override_settings

from tests.factories import ORIGIN_X, ORIGIN_Y, LandParcelFactory, square
from tests.tiles.test_mvt import tile_at
from tiles import mvt
from tiles.fastpath import VectorTileFastPath

pytestmark = pytest.mark.django_db
SAME_HEADERS = (
    "Content-Type",
    "Content-Length",
    "ETag",
    "Cache-Control",
    "Access-Control-Allow-Origin",
    "X-Content-Type-Options",
    "Referrer-Policy",
)


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.content = body


@contextmanager
def kept_connection():
    """As Django's test client does: the request signals must not close the connection
    holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(app, path: str, method: str = "GET", **headers: str) -> Answer:
    environ = RequestFactory().generic(method, path, **headers).environ
    # As a WSGI server gives it: the path's bytes, decoded as ISO-8859-1 (PEP 3333).
    environ["PATH_INFO"] = unquote_to_bytes(path).decode("iso-8859-1")
    started = []
    with kept_connection():
        result = app(environ, lambda status, headers: started.append((status, headers)))
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    status, response_headers = started[0]
    return Answer(status, response_headers, body)


@pytest.fixture
def fast():
    return VectorTileFastPath(WSGIHandler())


@pytest.fixture
def full():
    return WSGIHandler()


@pytest.fixture
def parcel_tile():
    LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    return "/tiles/mvt/parcels/18/{}/{}.pbf".format(*tile_at(ORIGIN_X, ORIGIN_Y, 18))


def test_a_tile_is_the_same_bytes_and_headers_as_through_the_full_stack(fast, full, parcel_tile):
    ours, theirs = call(fast, parcel_tile), call(full, parcel_tile)
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.content and len(ours.content) > 0
    for name in SAME_HEADERS:
        assert ours.headers.get(name) == theirs.headers.get(name), name
    assert ours.headers["Content-Length"] == str(len(ours.content))


def test_the_fast_path_really_skips_the_middleware_stack(fast, full, parcel_tile):
    """The session/locale middleware's marks are on the full stack's answer only."""
    assert "Vary" in call(full, parcel_tile).headers
    assert "Vary" not in call(fast, parcel_tile).headers


def test_a_matching_etag_gets_304_without_a_body(fast, parcel_tile):
    etag = call(fast, parcel_tile).headers["ETag"]
    answer = call(fast, parcel_tile, HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer.headers["ETag"] == etag


def test_an_empty_tile_is_204(fast):
    answer = call(fast, "/tiles/mvt/parcels/16/0/0.pbf")
    assert answer.status_code == 204
    assert answer.content == b""


@pytest.mark.parametrize(
    "path, method",
    [
        ("/tiles/mvt/parcels/23/0/0.pbf", "GET"),  # the view's own range check: 400 JSON
        ("/tiles/mvt/parcels/2/4/0.pbf", "GET"),
        ("/tiles/mvt/owners/16/0/0.pbf", "GET"),  # no such layer: Django's 404
        ("/tiles/mvt/parcels/16/0/0.pbf", "POST"),  # 405 from the full stack
        ("/tiles/mvt/parcels/16/1/2.png", "GET"),
        ("/tiles/mvt/parcels/1e3/1/2.pbf", "GET"),
        ("/tiles/mvt/parcels/16/%D9%A1/2.pbf", "GET"),  # an Arabic-Indic digit
        ("/tiles/mvt/parcels/tilejson.json", "GET"),
        ("/healthz", "GET"),
    ],
)
def test_every_other_request_gets_the_full_stacks_answer(fast, full, path, method):
    ours, theirs = call(fast, path, method), call(full, path, method)
    assert ours.status_code == theirs.status_code
    assert ours.content == theirs.content


def test_the_request_signals_open_and_recycle_the_connection(fast, parcel_tile):
    sent = []

    def started(**kwargs):
        sent.append("started")

    def finished(**kwargs):
        sent.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        call(fast, parcel_tile)
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert sent == ["started", "finished"]


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_is_answered_by_the_full_stack_with_503(fast, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(mvt, "render_tile", lost)
    answer = call(fast, "/tiles/mvt/parcels/16/52122/28868.pbf")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]


def test_plain_http_is_redirected_when_https_is_required(parcel_tile):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_SSL_HOST=None):
        app = VectorTileFastPath(WSGIHandler())  # SecurityMiddleware reads settings once
        answer = call(app, parcel_tile)
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://")


def test_the_production_entry_point_uses_the_fast_path():
    from gis import wsgi

    assert isinstance(wsgi.application, VectorTileFastPath)
    assert isinstance(wsgi.application.application, WSGIHandler)


def test_a_host_not_allowed_gets_the_full_stacks_400(fast, full, parcel_tile, settings):
    settings.ALLOWED_HOSTS = ["tiles.example.vn"]
    ours = call(fast, parcel_tile, HTTP_HOST="evil.example.com")
    theirs = call(full, parcel_tile, HTTP_HOST="evil.example.com")
    assert ours.status_code == theirs.status_code == 400
    assert call(fast, parcel_tile, HTTP_HOST="tiles.example.vn").status_code == 200
