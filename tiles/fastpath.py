"""Public vector tiles answered ahead of Django's middleware stack, the way WhiteNoise
serves static files ahead of it.

``/tiles/mvt/LAYER/Z/X/Y.pbf`` is the map's most frequent request (a dozen per pan) and
the same for every visitor: no session, user, language, form or cookie plays a part. The
full stack (sessions, locale, CSRF, authentication, messages, audit, django-axes, CSP,
URL resolution) costs ~0.7 ms a tile on this machine, a tenth of a typical tile's SQL
(bench/tiles prints the figures). So this WSGI wrapper gives a well-formed public tile
request straight to the view, :func:`tiles.mvt_views.vector_tile`, behind Django's
``SecurityMiddleware`` alone (HTTPS redirect, HSTS, ``nosniff``, referrer policy), with
the request signals that open and recycle database connections.

Anything else goes to Django untouched: other paths and methods, a layer that has no
vector tiles, and any request the view fails on. A failed tile is answered again by the
whole stack, so errors look and are logged the same everywhere (a lost database: 503).
The Django test client and ``runserver`` do not pass through here; tests/tiles/
test_fastpath.py checks that both routes give the same answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from django.core import signals
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware

from tiles import mvt_views

logger = logging.getLogger(__name__)

# The view checks the numbers' ranges; anything else is for Django's URL patterns.
TILE_PATH = re.compile(
    r"^/tiles/mvt/(?P<layer>[a-z][a-z0-9_]*)/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,7})"
    r"/(?P<y>[0-9]{1,7})\.pbf$"
)
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class VectorTileFastPath:
    def __init__(self, application: WSGIApp) -> None:
        self.application = application
        self.secured = SecurityMiddleware(self._tile)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = TILE_PATH.match(environ.get("PATH_INFO", ""))
        if (
            match is None
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or mvt_views.vector_layer(match["layer"]) is None
        ):
            return self.application(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        request = WSGIRequest(environ)
        request.tile = match.groupdict()
        try:
            response = self.secured(request)
        except Exception:
            logger.debug("tile %s answered by the full stack", request.path, exc_info=True)
            signals.request_finished.send(sender=self.__class__)
            return self.application(environ, start_response)
        response._handler_class = self.__class__  # close() sends request_finished
        if not response.has_header("Content-Length"):  # as CommonMiddleware sets it
            response.headers["Content-Length"] = str(len(response.content))
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response

    @staticmethod
    def _tile(request: HttpRequest) -> HttpResponse:
        request.get_host()  # ALLOWED_HOSTS, as the full stack checks it (DisallowedHost)
        return mvt_views.vector_tile(request, **request.tile)
