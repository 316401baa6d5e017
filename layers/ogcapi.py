"""OGC API - Features, Part 1: Core (OGC 17-069r4), read-only, at ``/ogc/``.

One collection per layer of the registry: the rows anyone may see
(``LayerSpec.public_queryset``, the same rows the vector tiles serve) with the layer's
public fields only, as GeoJSON in CRS84 (WGS 84 lon/lat, RFC 7946), transformed by PostGIS
from the storage CRS. QGIS and GDAL (driver ``OAPIF``) read it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from layers import registry
from layers.features import (
    BadBBox,
    bbox_lookup,
    feature_rows,
    layer_extent,
    page_of_features,
    parse_bbox,
    to_feature,
)

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
DEFAULT_LIMIT = 10  # OGC 17-069r4, /req/core/fc-limit-default-minimum-maximum
MAX_LIMIT = 10_000
GEOJSON = "application/geo+json"
JSON = "application/json"
FORMATS = ("json", "geojson")


# --- views ---------------------------------------------------------------------------------


class FirstRenderer(BaseContentNegotiation):
    """OGC clients send all kinds of Accept headers; each resource has one encoding."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class GeoJSONRenderer(JSONRenderer):
    media_type = GEOJSON
    format = "geojson"


def _link(href: str, rel: str, media_type: str, title: str = "") -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _format(request: Request) -> None:
    value = request.query_params.get("f")
    if value is not None and value not in FORMATS:
        raise ParseError(_("f must be json or geojson."))


def _spec(key: str) -> registry.LayerSpec:
    try:
        return registry.get(key)
    except registry.RegistryError:
        raise NotFound(_("No such collection; see /ogc/collections.")) from None


class OGCView(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = FirstRenderer
    renderer_classes = [JSONRenderer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _format(request)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are plain JSON {"detail": …} whatever the resource's own encoding, and
        # f=json asks for GeoJSON labelled as plain JSON.
        errors = response.status_code >= 400
        if isinstance(response, Response) and (errors or request.query_params.get("f") == "json"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSON
        response = super().finalize_response(request, response, *args, **kwargs)
        # Public fields only, whoever asks: any web map may read them from its own site
        # (with "*", browsers send no credentials).
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def url(self, path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v is not None}
        suffix = f"?{urlencode(query)}" if query else ""
        return self.request.build_absolute_uri(f"/ogc/{path}") + suffix


F_PARAMETER = OpenApiParameter(
    "f", str, enum=list(FORMATS), description="Encoding: JSON (GeoJSON for features)."
)
_OBJECT = {"type": "object", "additionalProperties": True}
_LINKS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
        "required": ["href", "rel"],
    },
}
_COLLECTION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}},
        "extent": _OBJECT,
        "links": _LINKS,
    },
    "required": ["id", "links"],
}
_FEATURE = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "integer"},
        "geometry": {"type": "object", "nullable": True},
        "properties": _OBJECT,
    },
    "required": ["type", "geometry", "properties"],
}
_FEATURES = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": _FEATURE},
        "numberMatched": {"type": "integer"},
        "numberReturned": {"type": "integer"},
        "timeStamp": {"type": "string"},
        "links": _LINKS,
    },
    "required": ["type", "features"],
}


class LandingPage(OGCView):
    @extend_schema(
        tags=["ogc"],
        summary="OGC API - Features landing page",
        operation_id="ogc_landing_page",
        parameters=[F_PARAMETER],
        responses={
            200: {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "links": _LINKS,
                },
                "required": ["links"],
            }
        },
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "title": "QuyHoach",
                "description": "Public planning layers of the province (OGC API - Features).",
                "links": [
                    _link(self.url(""), "self", JSON, "This document"),
                    _link(
                        request.build_absolute_uri("/api/schema/") + "?format=json",
                        "service-desc",
                        "application/vnd.oai.openapi+json;version=3.0",
                        "The API definition",
                    ),
                    _link(request.build_absolute_uri("/api/docs/"), "service-doc", "text/html"),
                    _link(self.url("conformance"), "conformance", JSON, "Conformance classes"),
                    _link(self.url("collections"), "data", JSON, "Collections"),
                ],
            }
        )


@extend_schema(exclude=True)
class BareLandingPage(LandingPage):
    """The landing page at ``/ogc`` as well as ``/ogc/``: QGIS (3.22) does not follow the
    relative redirect Django's CommonMiddleware answers for the URL without the slash."""


class Conformance(OGCView):
    @extend_schema(
        tags=["ogc"],
        summary="Conformance classes implemented",
        operation_id="ogc_conformance",
        parameters=[F_PARAMETER],
        responses={
            200: {
                "type": "object",
                "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
                "required": ["conformsTo"],
            }
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"conformsTo": CONFORMANCE})


def collection(view: OGCView, spec: registry.LayerSpec, *, language: str) -> dict[str, Any]:
    key = spec.key
    body: dict[str, Any] = {
        "id": key,
        "title": spec.title(language),
        "description": f"{spec.title_en} — {spec.title_vi}",
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(view.url(f"collections/{key}"), "self", JSON),
            _link(view.url(f"collections/{key}/items"), "items", GEOJSON, spec.title(language)),
        ],
    }
    extent = layer_extent(spec)
    if extent:
        body["extent"] = {"spatial": {"bbox": [extent], "crs": CRS84}}
    return body


def _language(request: Request) -> str:
    return getattr(request, "LANGUAGE_CODE", "vi") or "vi"


class Collections(OGCView):
    @extend_schema(
        tags=["ogc"],
        summary="The collections: one per public layer",
        operation_id="ogc_collections",
        parameters=[F_PARAMETER],
        responses={
            200: {
                "type": "object",
                "properties": {
                    "links": _LINKS,
                    "collections": {"type": "array", "items": _COLLECTION},
                },
                "required": ["links", "collections"],
            }
        },
    )
    def get(self, request: Request) -> Response:
        language = _language(request)
        return Response(
            {
                "links": [_link(self.url("collections"), "self", JSON)],
                "collections": [
                    collection(self, spec, language=language) for spec in registry.all_layers()
                ],
            }
        )


KEY_PARAMETER = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    enum=list(registry.CONTRACT_KEYS),
    description="Collection (layer key)",
)


class Collection(OGCView):
    @extend_schema(
        tags=["ogc"],
        summary="One collection",
        operation_id="ogc_collection",
        parameters=[KEY_PARAMETER, F_PARAMETER],
        responses={200: _COLLECTION},
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(collection(self, _spec(key), language=_language(request)))


def _integer(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ParseError(_("%(name)s must be a whole number.") % {"name": name})
    value = int(raw)
    if value < minimum:
        raise ParseError(
            _("%(name)s must be at least %(minimum)s.") % {"name": name, "minimum": minimum}
        )
    return value


class Items(OGCView):
    renderer_classes = [GeoJSONRenderer]

    @extend_schema(
        tags=["ogc"],
        summary="Features of a collection (GeoJSON, CRS84)",
        operation_id="ogc_items",
        parameters=[
            KEY_PARAMETER,
            F_PARAMETER,
            OpenApiParameter(
                "bbox",
                str,
                description="minlon,minlat,maxlon,maxlat (WGS 84 degrees)",
                explode=False,
            ),
            OpenApiParameter(
                "limit",
                int,
                description=f"Features per page (1-{MAX_LIMIT}, default {DEFAULT_LIMIT}; "
                f"larger values are clamped to {MAX_LIMIT})",
            ),
            OpenApiParameter("offset", int, description="Features to skip (paging)"),
            OpenApiParameter("datetime", str, description="Accepted and ignored"),
        ],
        responses={
            (200, GEOJSON): OpenApiResponse(response=_FEATURES, description="GeoJSON"),
            (200, JSON): OpenApiResponse(response=_FEATURES, description="GeoJSON (f=json)"),
        },
    )
    def get(self, request: Request, key: str) -> Response:
        spec = _spec(key)
        limit = min(_integer(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
        offset = _integer(request, "offset", 0, 0)
        rows = spec.public_queryset()
        bbox_raw = request.query_params.get("bbox")
        if bbox_raw:
            try:
                bbox = parse_bbox(bbox_raw)
            except BadBBox as error:
                raise ParseError(str(error)) from None
            rows = rows.filter(**bbox_lookup(spec.geometry_field, bbox))
        matched = rows.count()
        features = page_of_features(spec, rows, offset=offset, limit=limit)
        base = {"bbox": bbox_raw or None, "limit": limit}
        path = f"collections/{key}/items"
        links = [
            _link(self.url(path, **base, offset=offset or None), "self", GEOJSON),
            _link(self.url(path, **base, offset=offset or None, f="json"), "alternate", JSON),
            _link(self.url(f"collections/{key}"), "collection", JSON),
        ]
        if offset + len(features) < matched:
            links.append(_link(self.url(path, **base, offset=offset + limit), "next", GEOJSON))
        if offset > 0:
            previous = max(offset - limit, 0) or None
            links.append(_link(self.url(path, **base, offset=previous), "prev", GEOJSON))
        return Response(
            {
                "type": "FeatureCollection",
                "features": features,
                "numberMatched": matched,
                "numberReturned": len(features),
                "timeStamp": timezone.now().isoformat(timespec="seconds"),
                "links": links,
            }
        )


class Item(OGCView):
    renderer_classes = [GeoJSONRenderer]

    @extend_schema(
        tags=["ogc"],
        summary="One feature (GeoJSON, CRS84)",
        operation_id="ogc_item",
        parameters=[
            KEY_PARAMETER,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Feature id"),
            F_PARAMETER,
        ],
        responses={
            (200, GEOJSON): OpenApiResponse(response=_FEATURE, description="GeoJSON"),
            (200, JSON): OpenApiResponse(response=_FEATURE, description="GeoJSON (f=json)"),
        },
    )
    def get(self, request: Request, key: str, id: str) -> Response:
        spec = _spec(key)
        row = None
        if id.isascii() and id.isdigit() and len(id) <= 18:
            row = feature_rows(spec).filter(pk=int(id)).first()
        if row is None:
            raise NotFound(_("No such feature in this collection."))
        feature = to_feature(spec, row)
        path = f"collections/{key}/items/{id}"
        feature["links"] = [
            _link(self.url(path), "self", GEOJSON),
            _link(self.url(path, f="json"), "alternate", JSON),
            _link(self.url(f"collections/{key}"), "collection", JSON),
        ]
        return Response(feature)
