"""Public API of the layers app: the layer catalogue (``/api/layers/``, from the registry),
search, identify and the parcels (RFC 7946 GeoJSON, public fields only)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.gis.db.models.functions import Transform
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_gis.pagination import GeoJsonPagination

from gis.crs import WGS84
from layers.catalogue import catalogue
from layers.features import BadBBox, bbox_lookup, parse_bbox
from layers.models import LandParcel
from layers.serializers import (
    IdentifySerializer,
    LayerCatalogueSerializer,
    PublicParcelSerializer,
    SearchResultsSerializer,
)

MAX_QUERY_LENGTH = 200
# PostgreSQL integer columns (sheet, number): larger values cannot match anything.
MAX_INT = 2**31 - 1


class ParcelPagination(GeoJsonPagination):
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


@extend_schema(
    summary="Layer catalogue",
    description="Every public layer: titles, kind, tile and vector tile URLs, legend.",
    responses=LayerCatalogueSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def layer_catalogue(request: Request) -> Response:
    return Response({"layers": catalogue(language=get_language() or "vi")})


@extend_schema(
    summary="Search parcels, coordinates, streets and places",
    parameters=[
        OpenApiParameter(
            "q",
            str,
            description='"Tờ 12 thửa 345, Tứ Minh", VN-2000 "X Y", "lat, lon" or a name '
            f"(at most {MAX_QUERY_LENGTH} characters)",
        )
    ],
    responses=SearchResultsSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def search(request: Request) -> Response:
    """``/api/search/?q=…``: parcels, coordinates, streets and places (public)."""
    from layers.search import search as run_search

    query = request.query_params.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        raise ParseError(_("q is too long (200 characters at most)."))
    if "\x00" in query:
        raise ParseError(_("q must not contain NUL characters."))
    return Response({"results": run_search(query)})


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberFilter(django_filters.Filter):
    field_class = forms.IntegerField


class ParcelFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(
        field_name="commune__code", help_text="commune code, e.g. 10540"
    )
    sheet = WholeNumberFilter(min_value=0, max_value=MAX_INT, help_text="map sheet number")
    number = WholeNumberFilter(min_value=0, max_value=MAX_INT, help_text="parcel number")
    land_use = django_filters.CharFilter(
        field_name="land_use__code", lookup_expr="iexact", help_text="main land-use code"
    )
    bbox = django_filters.CharFilter(
        method="filter_bbox", help_text="minlon,minlat,maxlon,maxlat (WGS 84 degrees)"
    )

    class Meta:
        model = LandParcel
        fields = ("commune", "sheet", "number", "land_use", "bbox")

    def filter_bbox(self, queryset, name, value):
        try:
            return queryset.filter(**bbox_lookup("geom", parse_bbox(value)))
        except BadBBox as error:
            raise ParseError(str(error)) from None


class FilterBackend(DjangoFilterBackend):
    """django-filter, with errors as ``{"detail": …}`` (CONTRACT.md) rather than per field."""

    def filter_queryset(self, request, queryset, view):
        try:
            return super().filter_queryset(request, queryset, view)
        except ValidationError as error:
            messages = "; ".join(
                f"{field}: {' '.join(str(m) for m in problems)}"
                for field, problems in error.detail.items()
            )
            raise ParseError(messages) from None


class PublicParcelList(ListAPIView):
    """``/api/parcels/?commune=&sheet=&number=&land_use=&bbox=``: public parcel records as
    RFC 7946 GeoJSON (WGS 84 lon/lat), paged with ``page`` and ``limit``."""

    serializer_class = PublicParcelSerializer
    permission_classes = [AllowAny]
    pagination_class = ParcelPagination
    filter_backends = [FilterBackend]
    filterset_class = ParcelFilter

    def get_queryset(self):
        return (
            LandParcel.objects.select_related("commune", "land_use")
            .annotate(geom_wgs84=Transform("geom", WGS84))
            .order_by("commune__code", "sheet", "number")
        )


@extend_schema(
    summary="Roads, environmental zones and monitoring stations at a point",
    parameters=[
        OpenApiParameter("lon", float, required=True, description="WGS 84 longitude"),
        OpenApiParameter("lat", float, required=True, description="WGS 84 latitude"),
        OpenApiParameter("zoom", int, description="map zoom (0-22, default 17): the tolerance"),
    ],
    responses=IdentifySerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def identify_view(request: Request) -> Response:
    """``/api/identify/?lon=&lat=&zoom=``: roads, environmental zones and stations there."""
    from layers.identify import identify

    try:
        lon, lat = float(request.query_params["lon"]), float(request.query_params["lat"])
        zoom = int(request.query_params.get("zoom", 17))
    except (KeyError, ValueError):
        raise ParseError(_("Give lon, lat (degrees) and zoom.")) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90 and 0 <= zoom <= 22):
        raise ParseError(_("lon, lat or zoom out of range."))
    return Response(identify(lon=lon, lat=lat, zoom=zoom))
