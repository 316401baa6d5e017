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
