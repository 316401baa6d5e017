"""``geom_3857`` kept by a trigger instead of a generated column (see gis.geometry)."""

from django.contrib.gis.db.models import fields
from django.db import migrations

from gis.geometry import web_mercator_by_trigger


def copy(field_class):
    return field_class(editable=False, null=True, spatial_index=False, srid=3857)


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_editor_history"),
        ("layers", "0005_web_mercator_copy_by_trigger"),  # the trigger function
    ]

    operations = [
        web_mercator_by_trigger(
            "plan", "planning_plan", copy(fields.MultiPolygonField), "plan_3857_gist"
        ),
        web_mercator_by_trigger(
            "zoningarea",
            "planning_zoningarea",
            copy(fields.MultiPolygonField),
            "zoningarea_3857_gist",
        ),
    ]
