"""Headless Debian Chromium driven by Playwright against pytest-django's live server: one
browser for the whole run (tests/conftest.py exposes these fixtures to every test folder)."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    """A page that records console errors and every request that leaves the live server."""
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.foreign_requests = []
    own = urlparse(live_server.url).netloc
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))

    def check(request):
        if urlparse(request.url).netloc not in (own, ""):
            page.foreign_requests.append(request.url)

    page.on("request", check)
    yield page
    context.close()
