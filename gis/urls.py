"""Top-level URL map (CONTRACT.md, "HTTP")."""

from django.contrib import admin
from django.urls import include, path

from gis.health import healthz

# Unknown URLs under /api/ and /ogc/ answer JSON {"detail": …} (CONTRACT.md).
handler404 = "gis.api_docs.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("gis.api_docs")),
    path("api/", include("layers.urls")),
    path("api/", include("planning.urls")),
    path("tiles/", include("tiles.urls")),
    path("ogc/", include("layers.ogc_urls")),
    path("", include("webmap.urls")),
]
