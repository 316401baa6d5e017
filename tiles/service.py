"""The MapProxy WSGI app, built once per process from the generated configuration.

The configuration names the database of the live connection, so tests (on the test
database) and production each render from their own data.
"""

from __future__ import annotations

import threading
from pathlib import Path

_lock = threading.Lock()
_app = None
_config_path: Path | None = None


def mapproxy_app():
    global _app, _config_path
    with _lock:
        if _app is None:
            from mapproxy.wsgiapp import make_wsgi_app

            from tiles import config, mapnik_source, mapproxy_fixes

            mapnik_source.register()
            mapproxy_fixes.install()
            _config_path = config.build()
            _app = make_wsgi_app(str(_config_path), ignore_config_warnings=False)
        return _app


def reset() -> None:
    """Forget the app (after the registry or land-use colours change, and in tests)."""
    global _app
    with _lock:
        _app = None


def config_dir() -> Path:
    from tiles import config

    return config.config_dir()
