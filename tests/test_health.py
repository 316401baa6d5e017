"""/healthz (CONTRACT.md): 200 and {"db": "ok", "tiles": "ok"} when healthy, 503 otherwise."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthy_service_answers_200_with_db_and_tiles_ok(client, settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "tiles": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_an_unwritable_tile_cache_answers_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.TILE_CACHE_DIR = blocker / "tiles"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tiles"] != "ok"
    assert response.json()["db"] == "ok"


def test_pages_speak_vietnamese_even_to_an_english_browser(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Bản đồ quy hoạch" in page


def test_the_language_switch_turns_pages_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Planning map" in client.get("/").content.decode()


def test_the_favicon_is_ours(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body.startswith(b"<svg")
