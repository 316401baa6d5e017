"""Planning projects (quy hoạch) and their zoning areas (ô quy hoạch).

Geometries in ``settings.GIS_SRID`` (VN-2000 / TM-3, metres). Controls follow
QCVN 01:2021/BXD: net building coverage as a fraction (0-1), height in metres and floors,
land-use coefficient (FAR), setbacks in metres.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis.geometry import geometry_constraints, web_mercator_copy, web_mercator_index
from layers.models import LandUseType

SRID = settings.GIS_SRID


class Plan(models.Model):
    class Level(models.TextChoices):
        GENERAL = "general", _("General plan")
        ZONING = "zoning", _("Zoning plan (1/2000)")
        DETAILED = "detailed", _("Detailed plan (1/500)")
        LAND_USE = "land_use", _("Land-use plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    name = models.CharField(_("name"), max_length=255)
    level = models.CharField(_("planning level"), max_length=20, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    decision_number = models.CharField(_("approving decision"), max_length=80, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    geom = models.MultiPolygonField(_("plan boundary"), srid=SRID)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-approved_on", "name"]
        indexes = [web_mercator_index("plan")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "superseded"])
                | (Q(approved_on__isnull=False) & ~Q(decision_number="")),
                name="plan_approved_has_decision",
            ),
            *geometry_constraints("plan", polygonal=True),
        ]

    def __str__(self) -> str:
        return self.name


class ZoningArea(models.Model):
    """A zoning area with its land use and planning controls; ``version`` guards edits."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="zones"
    )
    zone_code = models.CharField(_("zone code"), max_length=40)
    land_use = models.ForeignKey(
        LandUseType,
        verbose_name=_("planned land use"),
        on_delete=models.PROTECT,
        related_name="zones",
    )
    max_coverage = models.DecimalField(
        _("max net building coverage"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("fraction 0-1 (QCVN 01:2021)"),
    )
    max_floors = models.PositiveSmallIntegerField(_("max floors"), null=True, blank=True)
    max_height_m = models.DecimalField(
        _("max height (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    max_far = models.DecimalField(
        _("max land-use coefficient"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_setback_m = models.DecimalField(
        _("min front setback (m)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    geom = models.MultiPolygonField(_("zone boundary"), srid=SRID)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("zoning area")
        verbose_name_plural = _("zoning areas")
        ordering = ["plan", "zone_code"]
        indexes = [web_mercator_index("zoningarea")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "zone_code"], name="zoningarea_code_per_plan"),
            models.CheckConstraint(
                condition=Q(max_coverage__isnull=True)
                | (Q(max_coverage__gt=0) & Q(max_coverage__lte=1)),
                name="zoningarea_coverage_fraction",
            ),
            models.CheckConstraint(
                condition=Q(max_far__isnull=True) | Q(max_far__gt=0), name="zoningarea_far_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_height_m__isnull=True) | Q(max_height_m__gt=0),
                name="zoningarea_height_positive",
            ),
            models.CheckConstraint(
                condition=Q(min_setback_m__isnull=True) | Q(min_setback_m__gte=0),
                name="zoningarea_setback_nonnegative",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="zoningarea_version_positive"),
            *geometry_constraints("zoningarea", polygonal=True),
        ]

    def __str__(self) -> str:
        return f"{self.zone_code} ({self.plan})"


class ZoningAreaRevision(models.Model):
    """One saved version of a zoning area: who changed it, when, why, and the state after.

    The zone is referred to by its id, not a foreign key, so the history of a deleted zone
    stays. The state before a change is the previous revision of the same zone.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        REVERT = "revert", _("Reverted")
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merged")

    zone_id = models.BigIntegerField(_("zoning area id"), db_index=True)
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="zone_revisions"
    )
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    # The zone's attributes after the change (zone_code, land_use code, controls as text
    # so decimals come back exactly); empty and no geometry after a deletion.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    geom = models.MultiPolygonField(_("zone boundary"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("zoning area revision")
        verbose_name_plural = _("zoning area revisions")
        ordering = ["zone_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["zone_id", "version"], name="zonerevision_version"),
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} v{self.version} ({self.action})"
