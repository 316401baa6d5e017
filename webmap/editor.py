"""The planners' editor page (``/editor/``): plans and zoning areas drawn in the browser.

Planners and plan approvers only (anonymous users go to the sign-in page, others get 403).
The page talks to ``/api/plans/`` and ``/api/zoning/``; the server validates every write.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from layers.models import LandUseType
from planning.editing import is_approver, is_planner, sees_drafts
from planning.models import Plan


def _labels() -> dict[str, str]:
    return {
        "choose_plan": _("Choose a plan…"),
        "loading_file": _("Loading the file…"),
        "new_plan": _("New plan"),
        "draw_boundary": _("Draw the plan boundary on the map, then finish it on its first point."),
        "draw_zone": _("Draw a zoning area on the map; it snaps to parcel and zone edges."),
        "draw_split": _("Draw a line across the zone, double-click to finish."),
        "pick_merge": _("Click the neighbouring zone to merge into this one."),
        "saved": _("Saved: version %(version)s."),
        "deleted": _("Zone deleted."),
        "conflict": _("Someone saved this zone first (version %(version)s)."),
        "conflict_deleted": _("Someone deleted this zone meanwhile."),
        "their_values": _("Their values"),
        "your_values": _("Your values"),
        "load_theirs": _("Continue from their version"),
        "history": _("History"),
        "no_history": _("No changes recorded yet."),
        "show": _("Show on map"),
        "revert": _("Restore this version"),
        "reverted": _("Version %(version)s restored."),
        "status": _("Status"),
        "decision": _("Decision"),
        "returned": _("Returned for"),
        "submitted": _("Submitted for review."),
        "approved": _("Plan approved."),
        "returned_ok": _("Plan returned to draft."),
        "error": _("The request failed."),
        "confirm_delete": _("Delete this zoning area?"),
        "created_plan": _("Plan created."),
        "geometry": _("Shape"),
        "not_editable": _("This plan is not a draft: it can be read, not edited."),
        "version": _("version"),
        "qcvn_hint": _("QCVN 01:2021: at most %(value)s for lots of %(area)s m²."),
        "qcvn_none": _("QCVN 01:2021 has no coverage table for this land use."),
    }


@login_required
def editor(request: HttpRequest) -> HttpResponse:
    if not sees_drafts(request.user):
        raise PermissionDenied(_("The editor is for planners and plan approvers."))
    english = (get_language() or "vi").startswith("en")
    lon, lat, zoom = settings.MAP_DEFAULT_VIEW
    config = {
        "center": [lat, lon],
        "zoom": zoom,
        "labels": _labels(),
        "roles": {"planner": is_planner(request.user), "approver": is_approver(request.user)},
        "land_uses": [
            {"code": lu.code, "name": lu.name_en if english else lu.name_vi, "color": lu.color}
            for lu in LandUseType.objects.filter(retired_by="").order_by("code")
        ],
        "levels": [{"value": value, "label": str(label)} for value, label in Plan.Level.choices],
    }
    return render(request, "webmap/editor.html", {"editor_config": config})
