"""``/tiles/mvt/drafts/zoning/PLAN/Z/X/Y.pbf``: the zones of one plan in any state, for the
people who may see drafts (planners and plan approvers; CONTRACT.md keeps drafts private).

The same ``tiles.mvt`` builder as the public tiles, over the zoning layer's declaration
with the plan as the filter instead of "approved and in force"; never cached by proxies.
"""

from __future__ import annotations

import re
from dataclasses import replace

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from layers import registry
from planning.editing import sees_drafts
from tiles import mvt
from tiles.mvt_views import CONTENT_TYPE

_ZOOM = re.compile(r"^[0-9]{1,2}$")
_INDEX = re.compile(r"^[0-9]{1,7}$")


def draft_spec(plan_id: int) -> registry.LayerSpec:
    spec = registry.get("zoning")
    return replace(
        spec,
        key="zoning_draft",
        public_filter={"plan_id": plan_id},
        public_fields=(*spec.public_fields, "plan__status", "version"),
    )


@require_http_methods(["GET", "HEAD"])
def draft_tile(request: HttpRequest, plan: int, z: str, x: str, y: str) -> HttpResponse:
    if not sees_drafts(request.user):
        return JsonResponse({"detail": "draft zoning is for planners and approvers"}, status=403)
    if not (_ZOOM.match(z) and _INDEX.match(x) and _INDEX.match(y)):
        return JsonResponse({"detail": "z, x and y must be non-negative integers"}, status=400)
    try:
        tile = mvt.render_tile(draft_spec(plan), int(z), int(x), int(y))
    except mvt.InvalidTile as error:
        return JsonResponse({"detail": str(error)}, status=400)
    response = HttpResponse(tile, status=200 if tile else 204, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
