"""Public layer catalogue (``/api/layers/``): built from the registry, nothing else."""

from __future__ import annotations

from django.contrib.gis.db.models.functions import Transform
from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from rest_framework.exceptions import ParseError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework_gis.pagination import GeoJsonPagination

from layers.catalogue import catalogue
from layers.models import LandParcel
from layers.serializers import PublicParcelSerializer


class ParcelPagination(GeoJsonPagination):
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


def layer_catalogue(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": catalogue(language=get_language() or "vi")})


def search(request: HttpRequest) -> JsonResponse:
    """``/api/search/?q=…``: parcels, coordinates, streets and places (public)."""
    from layers.search import search as run_search

    query = request.GET.get("q", "")
    if len(query) > 200:
        return JsonResponse({"detail": "q is too long (200 characters at most)."}, status=400)
    return JsonResponse({"results": run_search(query)})


class PublicParcelList(ListAPIView):
    """``/api/parcels/?commune=&sheet=&number=``: public parcel records as GeoJSON."""

    serializer_class = PublicParcelSerializer
    permission_classes = [AllowAny]
    pagination_class = ParcelPagination

    def get_queryset(self):
        params = self.request.query_params
        queryset = LandParcel.objects.select_related("commune", "land_use").annotate(
            geom_wgs84=Transform("geom", 4326)
        )
        if params.get("commune"):
            queryset = queryset.filter(commune__code=params["commune"])
        for name in ("sheet", "number"):
            if params.get(name):
                try:
                    queryset = queryset.filter(**{name: int(params[name])})
                except ValueError:
                    raise ParseError(f"{name} must be a whole number.") from None
        return queryset.order_by("commune__code", "sheet", "number")


def identify_view(request: HttpRequest) -> JsonResponse:
    """``/api/identify/?lon=&lat=&zoom=``: roads, environmental zones and stations there."""
    from layers.identify import identify

    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        zoom = int(request.GET.get("zoom", 17))
    except (KeyError, ValueError):
        return JsonResponse({"detail": "Give lon, lat (degrees) and zoom."}, status=400)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90 and 0 <= zoom <= 22):
        return JsonResponse({"detail": "lon, lat or zoom out of range."}, status=400)
    return JsonResponse(identify(lon=lon, lat=lat, zoom=zoom))
