"""OpenAPI 3 document (``/api/schema/``) and its browsable docs (``/api/docs/``).

drf-spectacular builds the document from the DRF views; Swagger UI and Redoc come from
drf-spectacular-sidecar's static files (offline, no CDN). Every operation documents the
JSON error body ``{"detail": …}`` of CONTRACT.md for 4xx answers (and 503 while the
database is away, gis.outage).
"""

from __future__ import annotations

from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.defaults import page_not_found
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: a message a person can read (4xx, never 500 for bad input).",
    "properties": {"detail": {"type": "string"}},
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def geojson_pages_hook(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a page of ``rest_framework_gis.pagination.GeoJsonPagination``
    carries the *features* array, but drf-spectacular describes it with the whole
    FeatureCollection component and still requires ``results``. Point it at the array."""
    schemas = result.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        features = schema.get("properties", {}).get("features", {})
        ref = features.get("$ref", "")
        if not ref.startswith("#/components/schemas/"):
            continue
        collection = schemas.get(ref.rsplit("/", 1)[1], {})
        inner = collection.get("properties", {}).get("features")
        if inner is None or inner.get("type") != "array":
            continue
        schema["properties"]["features"] = inner
        if "required" in schema:
            schema["required"] = [
                "features" if name == "results" else name for name in schema["required"]
            ]
    return result


def error_responses_hook(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a shared ``Error`` component, the answer of every operation for
    the 4xx statuses it does not document one by one."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {
        "description": "Bad input, not signed in, not allowed or not found.",
        "content": {"application/json": {"schema": _ERROR_REF}},
    }
    unavailable = {
        "description": "The database is briefly unavailable; try again shortly.",
        "content": {"application/json": {"schema": _ERROR_REF}},
    }
    for item in result.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("4XX", error)
            responses.setdefault("503", unavailable)
    return result


JSON_PREFIXES = ("/api/", "/ogc/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a URL under /api/ or /ogc/ that names nothing (``/api/plans/-1/``)
    answers JSON ``{"detail": …}`` like the API's own errors; pages keep Django's page."""
    if request.path.startswith(JSON_PREFIXES):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


# Swagger UI's start-up script comes from the same view (``?script``): no inline code.
swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name="schema", template_name="api_docs/swagger_ui.html"
)
# Redoc styles itself with <style> elements it creates and renders in a blob: worker.
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", swagger_ui, name="api-docs"),
    path("docs/redoc/", redoc, name="api-redoc"),
]
