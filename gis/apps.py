"""The project app: settings, roles, the embedded cluster, CRS helpers."""

from django.apps import AppConfig


class GisConfig(AppConfig):
    name = "gis"
    # django.contrib.gis already owns the label "gis".
    label = "quyhoach"
    verbose_name = "QuyHoach"

    def ready(self) -> None:
        # Connect the audit log's sign-in receivers (gis/audit.py).
        from gis import audit  # noqa: F401
