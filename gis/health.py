"""``/healthz``: 200 with ``{"db": "ok", "tiles": "ok"}`` when healthy, 503 otherwise."""

from __future__ import annotations

import logging
import os
import tempfile

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health check: database unavailable: %s", exc)
        # Drop the broken connection so the next request reconnects.
        connection.close_if_unusable_or_obsolete()
        return "unavailable"
    return "ok"


def _tiles() -> str:
    """The tile cache folder must exist (or be creatable) and take writes."""
    cache_dir = settings.TILE_CACHE_DIR
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=".healthz-"):
            pass
    except OSError as exc:
        logger.warning("health check: tile cache not writable: %s", exc)
        return "unwritable"
    if not os.access(cache_dir, os.W_OK):
        return "unwritable"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    status = {"db": _database(), "tiles": _tiles()}
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)
