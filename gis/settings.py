"""Django settings, all from environment variables (documented in README.md).

One file, typed helpers, safe defaults for production when ``DEBUG`` is off.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
VAR_DIR = Path(os.environ.get("QUYHOACH_VAR_DIR", BASE_DIR / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    # No key given: one random key per installation, kept in var/ (mode 0600) so sessions
    # survive restarts. Several web servers behind a load balancer must share SECRET_KEY.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# The province's legal CRS: VN-2000 / TM-3 with the provincial central meridian.
# 9209 = VN-2000 / TM-3 105-30 (Hải Dương, Circular 25/2014/TT-BTNMT Appendix 02).
GIS_SRID = envint("GIS_SRID", 9209)
TILE_CACHE_DIR = Path(os.environ.get("TILE_CACHE_DIR", VAR_DIR / "tiles")).resolve()
# MapProxy cache backend for every layer: "file" (default, with precise invalidation),
# or "geopackage", "redis", "s3" for a scaled deployment; TILE_CACHE_OPTIONS is JSON merged
# into each layer's cache block, e.g. {"host": "redis.internal", "port": 6379} or
# {"bucket_name": "tiles", "endpoint_url": "https://s3.example"} (docs/tiles.md).
TILE_CACHE_TYPE = os.environ.get("TILE_CACHE_TYPE", "file")
TILE_CACHE_OPTIONS = json.loads(os.environ.get("TILE_CACHE_OPTIONS", "{}") or "{}")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media")).resolve()
MEDIA_URL = "/media/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Login throttling (django-axes) and the Content-Security-Policy header (django-csp).
    "axes",
    "csp",
    "gis.apps.GisConfig",
    "layers",
    "planning",
    "importers",
    "tiles",
    "webmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "gis.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gis.locale.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: the audit log knows who wrote; a lost database answers 503.
    "gis.audit.AuditMiddleware",
    "gis.outage.DatabaseOutageMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gis.urls"
WSGI_APPLICATION = "gis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config["ENGINE"] = "gis.db"
        return {"default": config}
    from gis.pgcluster import default_cluster

    return {
        "default": {
            "ENGINE": "gis.db",
            **default_cluster().settings(),
            "CONN_MAX_AGE": 60,
            # Reconnect by itself after the database restarts.
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": os.environ.get("QUYHOACH_TEST_DB", "test_quyhoach")},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese is the default language; English is the switch.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static")).resolve()
# Hashed, compressed file names in production (after ``collectstatic``); plain files
# served from the apps' folders in development and tests.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", not STATIC_MANIFEST)

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    # Sessions for the browser, tokens for scripts ("Authorization: Token …"; create one
    # with ``manage.py drf_create_token USERNAME`` or in the admin).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI 3 at /api/schema/, Swagger UI and Redoc at /api/docs/ (served from our own
# static files: drf-spectacular-sidecar, no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "QuyHoach API",
    "DESCRIPTION": (
        "Public planning data of the province: layer catalogue, search, parcels (RFC 7946 "
        "GeoJSON, WGS 84 lon/lat), planning reports, zoning, plans and permits. "
        "OGC API - Features (read-only) is served at /ogc/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is checked by tests/api/test_schema.py (--validate --fail-on-warn), not
    # by every ``check --deploy`` on a production host.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gis.api_docs.geojson_pages_hook",
        "gis.api_docs.error_responses_hook",
    ],
}

# Production hardening: on by default whenever DEBUG is off (``check --deploy`` is clean),
# each switchable for a deployment behind a TLS-terminating proxy.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# Uploaded files above this size go to a temporary file instead of memory (importer
# uploads can reach IMPORT_MAX_BYTES); requests with more form fields are refused.
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
FILE_UPLOAD_PERMISSIONS = 0o640

# Sign-in throttling (django-axes): AXES_FAILURE_LIMIT failed sign-ins for one user name
# from one address lock that pair out for AXES_COOLOFF_MINUTES (429, gis.security.
# lockout_response). Counting the pair, not the address alone, keeps colleagues
# behind one office NAT address from locking each other out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gis.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "gis.security.client_ip"
AXES_VERBOSE = False

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # On the handler too: records of Django's own loggers (django.request's "Bad Request")
    # reach it by propagation, which the root logger's level does not filter.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# gis.W001: Debian 12's GDAL 3.6 cannot block file/network access from spatial references.
# We never hand user-supplied SRS text to Django's GDAL: importers parse .prj files with
# pyproj and read data with pyogrio's own GDAL.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# The map's opening view (lon, lat, zoom): the old Hải Dương city centre.
MAP_DEFAULT_VIEW = (106.3145, 20.9405, 14)
# Our own base-map tiles for the admin's map widgets ("" = no background).
BASEMAP_TILE_URL = os.environ.get("BASEMAP_TILE_URL", "")

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline code.
# No 'unsafe-inline' styles either: Leaflet and OpenLayers set styles through the CSSOM,
# which CSP allows. A view that needs more relaxes it with csp.decorators.
_csp_images = [SELF, "data:", "blob:"]
if BASEMAP_TILE_URL:
    _csp_images.append("{0.scheme}://{0.netloc}".format(urlsplit(BASEMAP_TILE_URL)))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _csp_images,
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
# Permissions-Policy (gis.security.PermissionsPolicyMiddleware): the map's "locate me"
# needs geolocation on our own origin; nothing else is used.
PERMISSIONS_POLICY = {
    "geolocation": "(self)",
    "camera": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
}

# Imports: size limit for an uploaded or given file (and for a zip's unpacked contents),
# the largest unpack ratio a zip may have, and the province's extent in WGS 84
# (west, south, east, north) that imported coordinates must fall inside: Hải Phòng city
# with the former Hải Dương province, with a margin.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 2 * 1024**3)
IMPORT_MAX_ZIP_RATIO = envint("IMPORT_MAX_ZIP_RATIO", 200)
PROVINCE_BBOX = tuple(
    float(v) for v in envlist("PROVINCE_BBOX", ["105.85", "20.45", "107.25", "21.35"])
)

# Shared between web workers (import progress, …): files under var/cache by default.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CACHE_DIR", str(VAR_DIR / "cache")),
    }
}

# Imported rasters (tiled GeoTIFFs in Web Mercator).
RASTER_DIR = Path(os.environ.get("RASTER_DIR", VAR_DIR / "rasters")).resolve()
