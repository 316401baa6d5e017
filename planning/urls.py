"""API routes of the planning app."""

from django.urls import path

from planning import api

urlpatterns = [
    path("planning-report/", api.PlanningReportView.as_view(), name="planning-report"),
]
