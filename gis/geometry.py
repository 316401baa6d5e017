"""Building blocks shared by every spatial model: the stored Web Mercator copy and the
database constraints no geometry may break (valid, not empty, positive area).

Geometries are stored in ``settings.GIS_SRID`` (VN-2000 / TM-3, metres): legal records keep
their coordinates. ``geom_3857`` is their Web Mercator copy, with its own GiST index, so Mapnik
and ``ST_AsMVT`` read without reprojecting on every request.

The copy is kept by a trigger (``web_mercator_copy``), not a generated column: whatever is
written into it, the database recomputes it from ``geom`` on every insert and on every update
that sets either column. A bulk load, holding the table's exclusive lock, switches the trigger
off and writes copies computed by pyproj in the importer's reading thread (the same PROJ
operation, equal to the last bit or within 2 nm), which takes the transformation (~40 % of a
parcel's insert) off the database's core; see ``importers.sql.bulk_load``.
"""

from __future__ import annotations

from functools import cache

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.contrib.postgres.indexes import GistIndex
from django.db.models import BooleanField, F, FloatField, Func
from django.db.models.lookups import Exact, GreaterThan

from gis.crs import WEB_MERCATOR

WEB_MERCATOR_COLUMN = "geom_3857"
WEB_MERCATOR_TRIGGER = "web_mercator_copy"
WEB_MERCATOR_FUNCTION = f"""
CREATE OR REPLACE FUNCTION gis_web_mercator_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.{WEB_MERCATOR_COLUMN} := ST_Transform(NEW.geom, {WEB_MERCATOR});
    RETURN NEW;
END
$$"""


class _TriggerKept:
    """A column the database fills: its value comes back from INSERT … RETURNING, as a
    generated column's would. Migrations record the plain geometry field."""

    db_returning = True
    recorded_as: type[models.GeometryField]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        base = self.recorded_as
        return name, f"{base.__module__}.{base.__qualname__}", args, kwargs


@cache
def _trigger_kept(field_class: type[models.GeometryField]) -> type[models.GeometryField]:
    return type(
        f"WebMercator{field_class.__name__}",
        (_TriggerKept, field_class),
        {"recorded_as": field_class},
    )


def web_mercator_copy(field_class: type[models.GeometryField]) -> models.GeometryField:
    return _trigger_kept(field_class)(
        srid=WEB_MERCATOR, spatial_index=False, null=True, editable=False
    )


def web_mercator_trigger(table: str) -> str:
    """The statement that makes ``table``'s ``geom_3857`` follow its ``geom`` (migrations)."""
    return (
        f"CREATE TRIGGER {WEB_MERCATOR_TRIGGER} BEFORE INSERT OR UPDATE OF geom, "
        f"{WEB_MERCATOR_COLUMN} ON {table} FOR EACH ROW EXECUTE FUNCTION gis_web_mercator_copy()"
    )


def has_web_mercator_copy(model: type[models.Model]) -> bool:
    return any(f.column == WEB_MERCATOR_COLUMN for f in model._meta.concrete_fields)


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


def web_mercator_by_trigger(model_name: str, table: str, field: models.GeometryField, index: str):
    """Migration operation: turn ``table``'s generated ``geom_3857`` column into one kept by
    the trigger, keeping its values and index (PostgreSQL's DROP EXPRESSION)."""
    from django.db import migrations

    column = WEB_MERCATOR_COLUMN
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=column, field=field)],
        database_operations=[
            migrations.RunSQL(
                sql=[
                    f"ALTER TABLE {table} ALTER COLUMN {column} DROP EXPRESSION",
                    web_mercator_trigger(table),
                ],
                reverse_sql=[
                    f"DROP TRIGGER {WEB_MERCATOR_TRIGGER} ON {table}",
                    f"ALTER TABLE {table} DROP COLUMN {column}",
                    f"ALTER TABLE {table} ADD COLUMN {column} geometry({field.geom_type}, "
                    f"{WEB_MERCATOR}) GENERATED ALWAYS AS (ST_Transform(geom, {WEB_MERCATOR})) "
                    "STORED",
                    f"CREATE INDEX {index} ON {table} USING gist ({column})",
                ],
            )
        ],
    )
