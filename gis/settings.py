"""Django settings, all from environment variables (documented in README.md).

One file, typed helpers, safe defaults for production when ``DEBUG`` is off.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
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
    "gis.apps.GisConfig",
    "layers",
    "planning",
    "importers",
    "tiles",
    "webmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gis.locale.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
        return {"default": config}
    from gis.pgcluster import default_cluster

    return {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
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
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# gis.W001: Debian 12's GDAL 3.6 cannot block file/network access from spatial references.
# We never hand user-supplied SRS text to Django's GDAL: importers parse .prj files with
# pyproj and read data with pyogrio's own GDAL.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# The map's opening view (lon, lat, zoom): the old Hải Dương city centre.
MAP_DEFAULT_VIEW = (106.3145, 20.9405, 14)
# Our own base-map tiles for the admin's map widgets ("" = no background).
BASEMAP_TILE_URL = os.environ.get("BASEMAP_TILE_URL", "")

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
