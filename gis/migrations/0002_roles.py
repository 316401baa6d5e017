"""The roles of CONTRACT.md as Django groups, with their model permissions.

planner: plans and zoning areas; plan_approver: the same, to review and approve;
permit_officer: construction permits and their applicants, reading parcels and holders.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "planner": {
        "planning.plan": ("view", "add", "change"),
        "planning.zoningarea": ("view", "add", "change", "delete"),
        "layers.landparcel": ("view",),
        "layers.redline": ("view", "add", "change"),
    },
    "plan_approver": {
        "planning.plan": ("view", "change"),
        "planning.zoningarea": ("view",),
        "layers.landparcel": ("view",),
    },
    "permit_officer": {
        "layers.constructionpermit": ("view", "add", "change"),
        "layers.permitapplicant": ("view", "add", "change"),
        "layers.landparcel": ("view",),
        "layers.parcelholder": ("view",),
        "planning.zoningarea": ("view",),
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for model_label, actions in grants.items():
            app_label, model = model_label.split(".")
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quyhoach", "0001_postgis_and_vn2000"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("layers", "0002_land_use_types"),
        ("planning", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
