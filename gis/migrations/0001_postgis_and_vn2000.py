"""PostGIS extensions and the VN-2000 TM-3 projections PostGIS 3.3 lacks (EPSG 9205-9218)."""

import re

import pyproj
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

from gis.crs import VN2000_TM3_MERIDIANS, tm3_proj4


def add_vn2000_srids(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for srid, meridian in sorted(VN2000_TM3_MERIDIANS.items()):
            proj4 = tm3_proj4(meridian)
            # srtext carries TOWGS84 so that even a PostGIS that cannot resolve "EPSG:srid"
            # through PROJ's database keeps the official datum shift.
            srtext = pyproj.CRS.from_proj4(proj4).to_wkt("WKT1_GDAL")
            name = pyproj.CRS.from_epsg(srid).name
            srtext = srtext.replace('PROJCS["unknown"', f'PROJCS["{name}"', 1)
            srtext = re.sub(
                r'GEOGCS\["unknown",DATUM\["[^"]*"',
                'GEOGCS["VN-2000",DATUM["Vietnam_2000"',
                srtext,
                count=1,
            )
            cursor.execute(
                """
                INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
                VALUES (%s, 'EPSG', %s, %s, %s)
                ON CONFLICT (srid) DO NOTHING
                """,
                [srid, srid, srtext, proj4],
            )


def remove_vn2000_srids(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM spatial_ref_sys WHERE srid = ANY(%s) AND srid BETWEEN 9205 AND 9218",
            [list(VN2000_TM3_MERIDIANS)],
        )


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        CreateExtension("postgis"),
        CreateExtension("unaccent"),
        CreateExtension("pg_trgm"),
        migrations.RunPython(add_vn2000_srids, remove_vn2000_srids),
    ]
