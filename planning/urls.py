"""API routes of the planning app."""

from django.urls import path

from planning import api, permits_api, plans_api, zoning_api

urlpatterns = [
    path("planning-report/", api.PlanningReportView.as_view(), name="planning-report"),
    path("plans/", plans_api.PlanList.as_view(), name="plan-list"),
    path("plans/<int:pk>/", plans_api.PlanDetail.as_view(), name="plan-detail"),
    path("plans/<int:pk>/submit/", plans_api.PlanSubmit.as_view(), name="plan-submit"),
    path("plans/<int:pk>/approve/", plans_api.PlanApprove.as_view(), name="plan-approve"),
    path("plans/<int:pk>/return/", plans_api.PlanReturn.as_view(), name="plan-return"),
    path("zoning/", zoning_api.ZoneList.as_view(), name="zoning-list"),
    path("zoning/split/", zoning_api.ZoneSplit.as_view(), name="zoning-split"),
    path("zoning/merge/", zoning_api.ZoneMerge.as_view(), name="zoning-merge"),
    path("zoning/qcvn/", zoning_api.QcvnSuggestion.as_view(), name="zoning-qcvn"),
    path("zoning/<int:pk>/", zoning_api.ZoneDetail.as_view(), name="zoning-detail"),
    path("zoning/<int:pk>/history/", zoning_api.ZoneHistory.as_view(), name="zoning-history"),
    path("zoning/<int:pk>/revert/", zoning_api.ZoneRevert.as_view(), name="zoning-revert"),
    path("permits/", permits_api.PermitList.as_view(), name="permit-list"),
    path("permits/<int:pk>/", permits_api.PermitDetail.as_view(), name="permit-detail"),
    path("permits/<int:pk>/check/", permits_api.PermitCheck.as_view(), name="permit-check"),
    path("permits/<int:pk>/decide/", permits_api.PermitDecide.as_view(), name="permit-decide"),
]
