"""Public layer catalogue (``/api/layers/``): built from the registry, nothing else."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language

from layers.catalogue import catalogue


def layer_catalogue(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": catalogue(language=get_language() or "vi")})
