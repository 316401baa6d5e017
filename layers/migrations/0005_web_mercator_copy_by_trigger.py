"""``geom_3857`` kept by a trigger instead of a generated column (see gis.geometry): a bulk
load can then write copies computed outside the database's core."""

from django.contrib.gis.db.models import fields
from django.db import migrations

from gis.geometry import WEB_MERCATOR_FUNCTION, web_mercator_by_trigger


def copy(field_class):
    return field_class(editable=False, null=True, spatial_index=False, srid=3857)


class Migration(migrations.Migration):
    dependencies = [("layers", "0004_parcel_commune_index_in_natural_key")]

    operations = [
        migrations.RunSQL(
            WEB_MERCATOR_FUNCTION, reverse_sql="DROP FUNCTION gis_web_mercator_copy()"
        ),
        web_mercator_by_trigger(
            "adminunit", "layers_adminunit", copy(fields.MultiPolygonField), "adminunit_3857_gist"
        ),
        web_mercator_by_trigger(
            "constructionpermit",
            "layers_constructionpermit",
            copy(fields.MultiPolygonField),
            "constructionpermit_3857_gist",
        ),
        web_mercator_by_trigger(
            "environmentzone",
            "layers_environmentzone",
            copy(fields.MultiPolygonField),
            "environmentzone_3857_gist",
        ),
        web_mercator_by_trigger(
            "landparcel",
            "layers_landparcel",
            copy(fields.MultiPolygonField),
            "landparcel_3857_gist",
        ),
        web_mercator_by_trigger(
            "monitoringstation",
            "layers_monitoringstation",
            copy(fields.PointField),
            "monitoringstation_3857_gist",
        ),
        web_mercator_by_trigger(
            "redline", "layers_redline", copy(fields.MultiPolygonField), "redline_3857_gist"
        ),
        web_mercator_by_trigger(
            "road", "layers_road", copy(fields.MultiLineStringField), "road_3857_gist"
        ),
    ]
