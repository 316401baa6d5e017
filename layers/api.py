"""Public layer catalogue (``/api/layers/``): built from the registry, nothing else."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language

from layers.catalogue import catalogue


def layer_catalogue(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": catalogue(language=get_language() or "vi")})


def search(request: HttpRequest) -> JsonResponse:
    """``/api/search/?q=…``: parcels, coordinates, streets and places (public)."""
    from layers.search import search as run_search

    query = request.GET.get("q", "")
    if len(query) > 200:
        return JsonResponse({"detail": "q is too long (200 characters at most)."}, status=400)
    return JsonResponse({"results": run_search(query)})
