"""Page routes."""

from django.urls import path

from webmap import views

urlpatterns = [
    path("", views.planning_map, name="planning-map"),
]
