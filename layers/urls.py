"""API routes of the layers app."""

from django.urls import path

from layers import api

urlpatterns = [
    path("layers/", api.layer_catalogue, name="layer-catalogue"),
    path("search/", api.search, name="search"),
    path("identify/", api.identify_view, name="identify"),
    path("parcels/", api.PublicParcelList.as_view(), name="parcels"),
]
