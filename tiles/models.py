"""Raster layers (orthophotos, DEM hillshades) imported with ``import_raster``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RasterLayer(models.Model):
    name = models.SlugField(_("name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    path = models.CharField(_("tiled GeoTIFF (EPSG:3857)"), max_length=500)
    source_name = models.CharField(_("source file"), max_length=255)
    source_crs = models.CharField(_("source CRS"), max_length=64)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("raster layer")
        verbose_name_plural = _("raster layers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title
