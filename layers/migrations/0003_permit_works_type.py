import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0002_land_use_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="constructionpermit",
            name="works_type",
            field=models.CharField(
                choices=[
                    ("detached_house", "Detached or row house"),
                    ("apartment", "Apartment building"),
                    ("commercial", "Commercial or mixed-use building"),
                    ("other", "Other works"),
                ],
                default="detached_house",
                max_length=20,
                verbose_name="type of works",
            ),
        ),
        migrations.AddField(
            model_name="constructionpermit",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="updated at"
            ),
            preserve_default=False,
        ),
    ]
