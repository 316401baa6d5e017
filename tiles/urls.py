"""Tile routes: vector tiles (``/tiles/mvt/…``) and the MapProxy services."""

from django.urls import path

from tiles import views

urlpatterns = [
    path("<path:path>", views.mapproxy, name="mapproxy"),
]
