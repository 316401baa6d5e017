"""pytest plugin (``-p gis.testenv``): environment for the test run, set before
pytest-django imports the settings."""

import os

# The test client and the live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# One test database per run, so runs side by side on one cluster do not collide.
os.environ.setdefault("QUYHOACH_TEST_DB", f"test_quyhoach_{os.getpid()}")
# Serve static files from the apps' folders: no collectstatic before tests.
os.environ.setdefault("STATIC_MANIFEST", "0")
