"""OGC API - Features routes (``/ogc/``), see ``layers.ogcapi``."""

from django.urls import include, path

from layers import ogcapi

ogc = [
    path("", ogcapi.LandingPage.as_view(), name="ogc-landing"),
    path("conformance", ogcapi.Conformance.as_view(), name="ogc-conformance"),
    path("api", ogcapi.APIDefinition.as_view(), name="ogc-api"),
    path("collections", ogcapi.Collections.as_view(), name="ogc-collections"),
    path("collections/<str:key>", ogcapi.Collection.as_view(), name="ogc-collection"),
    path("collections/<str:key>/items", ogcapi.Items.as_view(), name="ogc-items"),
    path("collections/<str:key>/queryables", ogcapi.Queryables.as_view(), name="ogc-queryables"),
    path("collections/<str:key>/items/<str:id>", ogcapi.Item.as_view(), name="ogc-item"),
]

urlpatterns = [
    # README gives the address without the slash, and QGIS (3.22) does not follow the
    # relative redirect to /ogc/ that CommonMiddleware answers: the landing page is there too.
    path("ogc", ogcapi.BareLandingPage.as_view(), name="ogc-landing-bare"),
    path("ogc/", include(ogc)),
]
