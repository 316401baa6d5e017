"""Tile routes: vector tiles (``/tiles/mvt/…``) and the MapProxy services."""

from django.urls import path, re_path

from tiles import draft_mvt, mvt_views, views

urlpatterns = [
    path(
        "mvt/drafts/zoning/<int:plan>/<str:z>/<str:x>/<str:y>.pbf",
        draft_mvt.draft_tile,
        name="mvt-draft-zoning",
    ),
    path("mvt/<str:layer>/<str:z>/<str:x>/<str:y>.pbf", mvt_views.vector_tile, name="mvt"),
    path("mvt/<str:layer>/tilejson.json", mvt_views.tilejson, name="mvt-tilejson"),
    path("mvt/<str:layer>/metadata.json", mvt_views.gdal_metadata, name="mvt-metadata"),
    # Before MapProxy's catch-all: every other path under mvt is ours too (a JSON 404).
    re_path(r"^mvt(?:/(?P<rest>.*))?$", mvt_views.not_found),
    path("<path:path>", views.mapproxy, name="mapproxy"),
]
