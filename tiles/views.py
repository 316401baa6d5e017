"""``/tiles/…``: MapProxy's services (WMTS, TMS, WMS) mounted inside Django, so one
process serves the app and its tiles; nginx may serve the cache files directly in front."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tiles.service import mapproxy_app


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def mapproxy(request: HttpRequest, path: str) -> HttpResponse:
    environ = dict(request.META)
    environ["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "").rstrip("/") + "/tiles"
    environ["PATH_INFO"] = "/" + path
    captured: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers
        return lambda data: None

    body = mapproxy_app()(environ, start_response)
    response = StreamingHttpResponse(body, status=captured["status"])
    for name, value in captured["headers"]:
        response[name] = value
    return response
