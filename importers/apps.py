"""File importers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = _("Imports")

    def ready(self) -> None:
        import pyogrio

        # GDAL matches a shapefile's .prj against the whole EPSG database each time it
        # opens the file (50 ms, four times an import). The importer reads the .prj itself
        # (projections.resolve_crs), and a GeoPackage's CRS comes from its own table.
        pyogrio.set_gdal_config_options({"USE_OSR_FIND_MATCHES": False})
