"""A plan's lifecycle: draft → in review → approved (→ superseded), or back to draft.

Approval supersedes the zones of older approved plans that the new plan's boundary covers:
**whole zones**, not the covered part only. A zone is one legal unit of the older decision;
cutting it would rewrite an approved record and break time travel (``superseded_on`` says
when the whole zone stopped being in force). A zone counts as covered when more than
``SUPERSEDE_MIN_M2`` of it lies inside the new boundary, so shared edges do not count.
An older plan whose zones are all superseded becomes ``superseded`` itself.

Tiles of the public zoning layer are invalidated after commit for the new boundary and
the superseded zones: on approval only, never on draft edits (the public never sees drafts).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.gis.db.models.functions import Area, Intersection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.events import layer_changed
from planning.editing import (
    SLIVER_M2,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
    geometry_from_geojson,
    is_approver,
    is_planner,
    sees_drafts,
)
from planning.models import SRID, Plan, ZoningArea

SUPERSEDE_MIN_M2 = 1.0
PUBLIC_STATUSES = (Plan.Status.APPROVED, Plan.Status.SUPERSEDED)


def visible_plans(user: Any):
    """Planners and approvers see every plan; everyone else the approved ones."""
    plans = Plan.objects.all()
    return plans if sees_drafts(user) else plans.filter(status__in=PUBLIC_STATUSES)


def allowed_actions(plan: Plan, user: Any) -> list[str]:
    """What ``user`` may do with ``plan`` now (the editor shows these buttons)."""
    actions = []
    if plan.status == Plan.Status.DRAFT and is_planner(user):
        actions += ["edit", "submit"]
    if plan.status == Plan.Status.IN_REVIEW and is_approver(user):
        actions += ["approve", "return"]
    return actions


def _locked(plan_id: int) -> Plan:
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan."))
    return plan


def _check_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 255:
            errors["name"] = [_("Give the plan a name (at most 255 characters).")]
        cleaned["name"] = name
    if "level" in data or not partial:
        if data.get("level") not in Plan.Level.values:
            errors["level"] = [
                _("Choose one of: %(levels)s.") % {"levels": ", ".join(Plan.Level.values)}
            ]
        cleaned["level"] = data.get("level")
    if "geometry" in data or not partial:
        try:
            cleaned["geom"] = geometry_from_geojson(data.get("geometry"))
        except Invalid as error:
            errors.update(error.errors)
    if errors:
        raise Invalid(_("Some values need correcting."), errors)
    return cleaned


def create_plan(*, data: dict[str, Any], by: Any) -> Plan:
    if not is_planner(by):
        raise NotAllowed(_("Only planners may create plans."))
    cleaned = _check_fields(data, partial=False)
    return Plan.objects.create(status=Plan.Status.DRAFT, created_by=by, **cleaned)


def update_plan(*, plan_id: int, data: dict[str, Any], by: Any) -> Plan:
    """Name, level and boundary of a draft; its zones must stay inside the boundary."""
    if not is_planner(by):
        raise NotAllowed(_("Only planners may edit plans."))
    with transaction.atomic():
        plan = _locked(plan_id)
        if plan.status != Plan.Status.DRAFT:
            raise InvalidState(_("Only draft plans can be edited."))
        cleaned = _check_fields(data, partial=True)
        if "geom" in cleaned:
            outside = [
                zone.zone_code
                for zone in plan.zones.all()
                if zone.geom.difference(cleaned["geom"]).area > SLIVER_M2
            ]
            if outside:
                raise Invalid(
                    _("Zones would lie outside the boundary."),
                    {
                        "geometry": [
                            _("Outside the new boundary: %(c)s.") % {"c": ", ".join(outside)}
                        ]
                    },
                )
        for name, value in cleaned.items():
            setattr(plan, name, value)
        plan.save()
    return plan


def submit_plan(*, plan_id: int, by: Any) -> Plan:
    if not is_planner(by):
        raise NotAllowed(_("Only planners may submit plans."))
    with transaction.atomic():
        plan = _locked(plan_id)
        if plan.status != Plan.Status.DRAFT:
            raise InvalidState(_("Only a draft can be submitted for review."))
        if not plan.zones.exists():
            raise Invalid(
                _("A plan without zoning areas cannot be submitted."),
                {"zones": [_("Draw at least one zoning area.")]},
            )
        plan.status = Plan.Status.IN_REVIEW
        plan.submitted_at = timezone.now()
        plan.submitted_by = by
        plan.save()
    return plan


def return_plan(*, plan_id: int, by: Any, reason: Any) -> Plan:
    if not is_approver(by):
        raise NotAllowed(_("Only plan approvers may return plans."))
    reason = str(reason or "").strip()
    with transaction.atomic():
        plan = _locked(plan_id)
        if plan.status != Plan.Status.IN_REVIEW:
            raise InvalidState(_("Only a plan in review can be returned."))
        if not reason:
            raise Invalid(
                _("Say why the plan goes back."), {"reason": [_("A reason is required.")]}
            )
        plan.status = Plan.Status.DRAFT
        plan.return_reason = reason
        plan.save()
    return plan


def _approval_date(raw: Any) -> datetime.date:
    try:
        day = raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw))
    except ValueError:
        raise Invalid(
            _("Give the approval date."), {"approved_on": [_("A date as YYYY-MM-DD.")]}
        ) from None
    if day > timezone.localdate():
        raise Invalid(
            _("Give the approval date."), {"approved_on": [_("Cannot be in the future.")]}
        )
    return day


def approve_plan(*, plan_id: int, by: Any, decision_number: Any, approved_on: Any) -> Plan:
    """Approve a plan in review and supersede the older zones it covers (module docstring)."""
    if not is_approver(by):
        raise NotAllowed(_("Only plan approvers may approve plans."))
    decision = str(decision_number or "").strip()
    if not decision or len(decision) > 80:
        raise Invalid(
            _("Give the approving decision."),
            {"decision_number": [_("The decision number is required (at most 80 characters).")]},
        )
    day = _approval_date(approved_on)
    with transaction.atomic():
        plan = _locked(plan_id)
        if plan.status != Plan.Status.IN_REVIEW:
            raise InvalidState(_("Only a plan in review can be approved."))
        plan.status = Plan.Status.APPROVED
        plan.decision_number = decision
        plan.approved_on = day
        plan.approved_by = by
        plan.save()
        covered = (
            ZoningArea.objects.select_for_update(of=("self",))
            .filter(
                plan__status=Plan.Status.APPROVED,
                plan__approved_on__lte=day,
                superseded_on__isnull=True,
                geom__intersects=plan.geom,
            )
            .exclude(plan=plan)
            .annotate(covered=Area(Intersection("geom", plan.geom)))
        )
        superseded = [zone for zone in covered if zone.covered.sq_m > SUPERSEDE_MIN_M2]
        ZoningArea.objects.filter(pk__in=[z.pk for z in superseded]).update(superseded_on=day)
        for older in {z.plan_id for z in superseded}:
            if not ZoningArea.objects.filter(plan_id=older, superseded_on__isnull=True).exists():
                Plan.objects.filter(pk=older).update(
                    status=Plan.Status.SUPERSEDED, superseded_on=day
                )
        changed = plan.geom
        for zone in superseded:
            changed = changed.union(zone.geom.envelope)
        extent = changed.extent
        transaction.on_commit(lambda: layer_changed("zoning", extent, srid=SRID))
    return plan
