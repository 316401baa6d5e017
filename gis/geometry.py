"""Building blocks shared by every spatial model: the stored Web Mercator copy and the
database constraints no geometry may break (valid, not empty, positive area).

Geometries are stored in ``settings.GIS_SRID`` (VN-2000 / TM-3, metres): legal records keep
their coordinates. ``geom_3857`` is a generated column with its own GiST index so Mapnik and
``ST_AsMVT`` read without reprojecting on every request.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid, Transform
from django.contrib.postgres.indexes import GistIndex
from django.db.models import BooleanField, F, FloatField, Func
from django.db.models.lookups import Exact, GreaterThan

WEB_MERCATOR = 3857


def web_mercator_copy(field_class: type[models.GeometryField]) -> models.GeneratedField:
    return models.GeneratedField(
        expression=Transform("geom", WEB_MERCATOR),
        output_field=field_class(srid=WEB_MERCATOR, spatial_index=False),
        db_persist=True,
        editable=False,
    )


def geometry_constraints(
    table: str, *, polygonal: bool, nullable: bool = False
) -> list[models.CheckConstraint]:
    """Valid, non-empty geometry; polygons also of positive area."""
    conditions = {
        "valid": IsValid("geom"),
        "not_empty": Exact(
            Func(F("geom"), function="ST_IsEmpty", output_field=BooleanField()), False
        ),
    }
    if polygonal:
        conditions["positive_area"] = GreaterThan(
            Func(F("geom"), function="ST_Area", output_field=FloatField()), 0
        )
    constraints = []
    for name, condition in conditions.items():
        if nullable:
            condition = models.Q(geom__isnull=True) | models.Q(condition)
        constraints.append(models.CheckConstraint(condition=condition, name=f"{table}_geom_{name}"))
    return constraints


def web_mercator_index(table: str) -> GistIndex:
    return GistIndex(fields=["geom_3857"], name=f"{table[:18]}_3857_gist")
