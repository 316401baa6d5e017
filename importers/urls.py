"""API routes of the importers app."""

from django.urls import path

from importers import api

urlpatterns = [
    path("plans/<int:pk>/import/", api.PlanZoningImport.as_view(), name="plan-import"),
]
