"""Production settings: DEBUG=0 with a real SECRET_KEY and ALLOWED_HOSTS passes
``manage.py check --deploy`` with no warnings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "STATIC_", "DJANGO_ALLOW"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_check(
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="quyhoach.haiphong.gov.vn"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_mode_is_flagged_by_the_deploy_check():
    result = run_check(DEBUG="1", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr
