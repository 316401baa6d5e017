"""Load the land-use codes with their names, colours and legal source (layers/data/)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "land_use_types.csv"


def load(apps, schema_editor):
    LandUseType = apps.get_model("layers", "LandUseType")
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            LandUseType.objects.update_or_create(code=row.pop("code"), defaults=row)


def unload(apps, schema_editor):
    apps.get_model("layers", "LandUseType").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("layers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
