"""Page routes."""

from django.urls import path

from webmap import views

urlpatterns = [
    path("", views.planning_map, name="planning-map"),
    path("report/<int:parcel_id>/", views.printable_report, name="printable-report"),
]
