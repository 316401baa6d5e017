"""Top-level URL map (CONTRACT.md, "HTTP")."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from gis.health import healthz

# Unknown URLs under /api/ and /ogc/ answer JSON {"detail": …} (CONTRACT.md).
handler404 = "gis.api_docs.not_found"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(static("quyhoach/favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("gis.api_docs")),
    path("api/", include("layers.urls")),
    path("api/", include("planning.urls")),
    path("api/", include("importers.urls")),
    path("tiles/", include("tiles.urls")),
    path("", include("layers.ogc_urls")),  # /ogc/…, and /ogc itself
    path("", include("webmap.urls")),
]
