"""WSGI entry point (gunicorn ``gis.wsgi``); starts the embedded cluster when it is in use.
Public vector tiles are answered ahead of the middleware stack (tiles.fastpath)."""

import os

from django.core.wsgi import get_wsgi_application

from gis.pgcluster import ensure_running, uses_embedded_cluster

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis.settings")
if uses_embedded_cluster() and os.environ.get("QUYHOACH_NO_AUTOSTART") != "1":
    ensure_running()

application = get_wsgi_application()

from tiles.fastpath import VectorTileFastPath  # noqa: E402 - needs the apps loaded

application = VectorTileFastPath(application)
