"""Thematic layers: administrative units, land-use codes, cadastral parcels, transport,
environment and construction permits.

Geometries are in ``settings.GIS_SRID`` (VN-2000 / TM-3, metres). Personal data (parcel
holders, permit applicants) lives in separate one-to-one tables (``ParcelHolder``,
``PermitApplicant``) that no public serializer or layer declaration names.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gis.geometry import geometry_constraints, web_mercator_copy, web_mercator_index

SRID = settings.GIS_SRID


class AdminUnit(models.Model):
    """A province, (former) district or commune/ward, kept with its validity dates so the
    old codes in pre-2025 cadastral files still resolve."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province / city")
        DISTRICT = "district", _("District (abolished 1 July 2025)")
        COMMUNE = "commune", _("Commune")
        WARD = "ward", _("Ward")
        TOWNSHIP = "township", _("Township")
        SPECIAL_ZONE = "special_zone", _("Special zone")

    code = models.CharField(_("official code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    geom = models.MultiPolygonField(_("boundary"), srid=SRID, null=True, blank=True)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        indexes = [web_mercator_index("adminunit")]
        constraints = [
            *geometry_constraints("adminunit", polygonal=True, nullable=True),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="adminunit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LandUseType(models.Model):
    """A land-use code (loại đất) with its official names and map colour.

    Loaded as data by a migration, with the legal source of each row; 2014 codes that
    old files still carry stay, marked with the circular that dropped them.
    """

    class Group(models.TextChoices):
        AGRICULTURAL = "agricultural", _("Agricultural land")
        NON_AGRICULTURAL = "non_agricultural", _("Non-agricultural land")
        UNUSED = "unused", _("Unused land")

    code = models.CharField(_("code"), max_length=8, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=160)
    name_en = models.CharField(_("English name"), max_length=160)
    group = models.CharField(_("land group"), max_length=20, choices=Group.choices)
    color = models.CharField(_("map colour"), max_length=7, help_text=_("#RRGGBB on land-use maps"))
    source = models.CharField(_("legal source"), max_length=200)
    retired_by = models.CharField(
        _("retired by"),
        max_length=200,
        blank=True,
        help_text=_("The regulation that dropped this code, if any"),
    )

    class Meta:
        verbose_name = _("land-use type")
        verbose_name_plural = _("land-use types")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(color__regex=r"^#[0-9A-F]{6}$"), name="landusetype_color_hex"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,4}$"), name="landusetype_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"


class LandParcel(models.Model):
    """A cadastral parcel (thửa đất): commune + map sheet + parcel number."""

    # No index of its own: the natural key's unique index starts with the commune.
    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="parcels",
        db_index=False,
    )
    sheet = models.PositiveIntegerField(_("map sheet number"))
    number = models.PositiveIntegerField(_("parcel number"))
    # The legal area as recorded (m², one decimal): never recomputed from the geometry.
    area_m2 = models.DecimalField(_("legal area (m²)"), max_digits=12, decimal_places=1)
    land_use_codes = models.CharField(
        _("land-use codes as recorded"), max_length=40, help_text=_('e.g. "ONT+CLN"')
    )
    land_use = models.ForeignKey(
        LandUseType,
        verbose_name=_("main land use"),
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    old_sheet = models.PositiveIntegerField(_("old map sheet number"), null=True, blank=True)
    old_number = models.PositiveIntegerField(_("old parcel number"), null=True, blank=True)
    map_scale = models.PositiveIntegerField(_("map scale denominator"), null=True, blank=True)
    geom = models.MultiPolygonField(_("parcel boundary"), srid=SRID)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("land parcel")
        verbose_name_plural = _("land parcels")
        ordering = ["commune", "sheet", "number"]
        indexes = [web_mercator_index("landparcel")]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "sheet", "number"], name="landparcel_natural_key"
            ),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="landparcel_area_positive"),
            models.CheckConstraint(condition=Q(sheet__gte=1), name="landparcel_sheet_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="landparcel_number_positive"),
            *geometry_constraints("landparcel", polygonal=True),
        ]

    def __str__(self) -> str:
        return f"Tờ {self.sheet} thửa {self.number}"


class ParcelHolder(models.Model):
    """Personal data of a parcel's land user: staff only, never public."""

    parcel = models.OneToOneField(
        LandParcel, verbose_name=_("parcel"), on_delete=models.CASCADE, related_name="holder"
    )
    holder_name = models.CharField(_("land user"), max_length=255, blank=True)
    id_number = models.CharField(_("ID card number"), max_length=20, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("parcel holder (private)")
        verbose_name_plural = _("parcel holders (private)")

    def __str__(self) -> str:
        return str(self.parcel)


class Road(models.Model):
    class RoadClass(models.TextChoices):
        EXPRESSWAY = "expressway", _("Expressway")
        NATIONAL = "national", _("National road")
        PROVINCIAL = "provincial", _("Provincial road")
        ARTERIAL = "arterial", _("Urban arterial road")
        MAIN = "main", _("Urban main road")
        LOCAL = "local", _("Local street")
        ALLEY = "alley", _("Alley")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160, blank=True)
    road_class = models.CharField(_("road class"), max_length=20, choices=RoadClass.choices)
    width_m = models.DecimalField(
        _("current width (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    planned_width_m = models.DecimalField(
        _("planned red-line width (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    geom = models.MultiLineStringField(_("centre line"), srid=SRID)
    geom_3857 = web_mercator_copy(models.MultiLineStringField)

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["code"]
        indexes = [web_mercator_index("road")]
        constraints = [
            models.CheckConstraint(
                condition=Q(width_m__isnull=True) | Q(width_m__gt=0), name="road_width_positive"
            ),
            models.CheckConstraint(
                condition=Q(planned_width_m__isnull=True) | Q(planned_width_m__gt=0),
                name="road_planned_width_positive",
            ),
            *geometry_constraints("road", polygonal=False),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class RedLine(models.Model):
    """Planned road land bounded by the red line (chỉ giới đường đỏ)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    road = models.ForeignKey(
        Road,
        verbose_name=_("road"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="red_lines",
    )
    planned_width_m = models.DecimalField(
        _("planned width (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    decision = models.CharField(_("approving decision"), max_length=160, blank=True)
    geom = models.MultiPolygonField(_("planned road land"), srid=SRID)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)

    class Meta:
        verbose_name = _("red line")
        verbose_name_plural = _("red lines")
        ordering = ["code"]
        indexes = [web_mercator_index("redline")]
        constraints = [*geometry_constraints("redline", polygonal=True)]

    def __str__(self) -> str:
        return self.code


class EnvironmentZone(models.Model):
    class Kind(models.TextChoices):
        FLOOD = "flood_zone", _("Flood zone")
        INDUSTRIAL_BUFFER = "industrial_buffer", _("Industrial buffer zone")
        WATER_SOURCE = "water_source_protection", _("Water-source protection zone")
        CEMETERY_BUFFER = "cemetery_buffer", _("Cemetery buffer zone")
        HERITAGE = "heritage_protection", _("Heritage protection zone")
        OTHER = "other", _("Other constraint")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    no_build = models.BooleanField(_("building prohibited"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    geom = models.MultiPolygonField(_("area"), srid=SRID)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)

    class Meta:
        verbose_name = _("environmental zone")
        verbose_name_plural = _("environmental zones")
        ordering = ["code"]
        indexes = [web_mercator_index("environmentzone")]
        constraints = [*geometry_constraints("environmentzone", polygonal=True)]

    def __str__(self) -> str:
        return self.name


class MonitoringStation(models.Model):
    class Medium(models.TextChoices):
        AIR = "air", _("Air")
        SURFACE_WATER = "surface_water", _("Surface water")
        GROUNDWATER = "groundwater", _("Groundwater")
        NOISE = "noise", _("Noise")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    medium = models.CharField(_("monitored medium"), max_length=20, choices=Medium.choices)
    geom = models.PointField(_("location"), srid=SRID)
    geom_3857 = web_mercator_copy(models.PointField)

    class Meta:
        verbose_name = _("monitoring station")
        verbose_name_plural = _("monitoring stations")
        ordering = ["code"]
        indexes = [web_mercator_index("monitoringstation")]
        constraints = [*geometry_constraints("monitoringstation", polygonal=False)]

    def __str__(self) -> str:
        return self.name


class MonitoringReading(models.Model):
    station = models.ForeignKey(
        MonitoringStation,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="readings",
    )
    parameter = models.CharField(_("parameter"), max_length=40, help_text=_("e.g. PM2.5, BOD5"))
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=20)
    measured_at = models.DateTimeField(_("measured at"))

    class Meta:
        verbose_name = _("monitoring reading")
        verbose_name_plural = _("monitoring readings")
        ordering = ["station", "parameter", "-measured_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "parameter", "measured_at"], name="reading_unique"
            ),
        ]
        indexes = [models.Index(fields=["station", "parameter", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.parameter} = {self.value} {self.unit}"


class ConstructionPermit(models.Model):
    """A construction permit application and, once issued, the permit (giấy phép xây dựng)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New construction")
        RENOVATION = "renovation", _("Repair or renovation")
        RELOCATION = "relocation", _("Relocation")
        TEMPORARY = "temporary", _("Temporary permit")
        PHASED = "phased", _("By phase")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CHECKING = "checking", _("Being checked")
        RETURNED = "returned", _("Returned for more documents")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ISSUED = "issued", _("Issued")

    class WorksType(models.TextChoices):
        # Picks the QCVN 01:2021 coverage table and the statutory processing time.
        DETACHED_HOUSE = "detached_house", _("Detached or row house")
        APARTMENT = "apartment", _("Apartment building")
        COMMERCIAL = "commercial", _("Commercial or mixed-use building")
        OTHER = "other", _("Other works")

    number = models.CharField(_("permit number"), max_length=40, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    works_type = models.CharField(
        _("type of works"),
        max_length=20,
        choices=WorksType.choices,
        default=WorksType.DETACHED_HOUSE,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    works_name = models.CharField(_("works name"), max_length=255)
    parcels = models.ManyToManyField(LandParcel, verbose_name=_("parcels"), related_name="permits")
    intended_use = models.CharField(_("intended use (land-use code)"), max_length=8, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors above ground"))
    basements = models.PositiveSmallIntegerField(_("basements"), default=0)
    height_m = models.DecimalField(_("height (m)"), max_digits=6, decimal_places=2)
    gross_floor_area_m2 = models.DecimalField(
        _("gross floor area (m²)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    ground_floor_area_m2 = models.DecimalField(
        _("ground-floor area (m²)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    geom = models.MultiPolygonField(_("building footprint"), srid=SRID, null=True, blank=True)
    geom_3857 = web_mercator_copy(models.MultiPolygonField)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("construction permit")
        verbose_name_plural = _("construction permits")
        ordering = ["due_on", "pk"]
        indexes = [
            web_mercator_index("constructionpermit"),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(floors__gte=1), name="permit_floors_positive"),
            models.CheckConstraint(condition=Q(height_m__gt=0), name="permit_height_positive"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")), name="permit_due_after_received"
            ),
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (Q(number__isnull=False) & Q(issued_on__isnull=False)),
                name="permit_issued_has_number_and_date",
            ),
            *geometry_constraints("constructionpermit", polygonal=True, nullable=True),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} {self.works_name}"


class PermitApplicant(models.Model):
    """Personal data of a permit's applicant (chủ đầu tư): officers only, never public."""

    permit = models.OneToOneField(
        ConstructionPermit,
        verbose_name=_("permit"),
        on_delete=models.CASCADE,
        related_name="applicant",
    )
    name = models.CharField(_("applicant name"), max_length=255)
    id_number = models.CharField(_("ID card number"), max_length=20, blank=True)
    address = models.CharField(_("applicant address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("permit applicant (private)")
        verbose_name_plural = _("permit applicants (private)")

    def __str__(self) -> str:
        return self.name
