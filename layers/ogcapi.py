"""OGC API - Features, Part 1: Core (OGC 17-069r4), read-only, at ``/ogc/``.

One collection per layer of the registry: the rows anyone may see
(``LayerSpec.public_queryset``, the same rows the vector tiles serve) with the layer's
public fields only, as GeoJSON in CRS84 (WGS 84 lon/lat, RFC 7946), transformed by PostGIS
from the storage CRS. QGIS and GDAL (driver ``OAPIF``) read it.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
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
    property_name,
    to_feature,
)
from layers.privacy import resolve_path

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    # Part 3: /collections/{id}/queryables, and its properties as query parameters of items.
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
DEFAULT_LIMIT = 10  # OGC 17-069r4, /req/core/fc-limit-default-minimum-maximum
MAX_LIMIT = 10_000
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
ITEMS_PARAMETERS = {"bbox", "limit", "offset", "f", "datetime"}  # never property filters
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


class SchemaRenderer(JSONRenderer):
    media_type = SCHEMA_JSON
    format = "json"


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
                    _link(self.url("api"), "service-desc", OPENAPI, "The API definition"),
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
            _link(view.url(f"collections/{key}/queryables"), QUERYABLES_REL, SCHEMA_JSON),
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


def _schema_type(field: models.Field) -> dict[str, str]:
    """A public field's JSON Schema type (OGC API - Features Part 3 queryables)."""
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if field.is_relation or isinstance(field, models.IntegerField | models.AutoField):
        return {"type": "integer"}
    if isinstance(field, models.FloatField | models.DecimalField):
        return {"type": "number"}
    if isinstance(field, models.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, models.DateField):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def queryable_fields(spec: registry.LayerSpec) -> dict[str, tuple[str, models.Field]]:
    """Property name → (public field path, model field): what items can be filtered by.
    The public fields only, as everywhere the public reads (no personal data)."""
    model = spec.get_model()
    return {
        property_name(path): (path, resolve_path(model, path)[-1])
        for path in spec.public_fields
        if property_name(path) not in ITEMS_PARAMETERS
    }


def _title(spec: registry.LayerSpec, path: str) -> str:
    """The field's name, with the related row's for a path through a relation: "tên (xã,
    phường)" rather than a bare "tên"."""
    chain = resolve_path(spec.get_model(), path)
    title = str(chain[-1].verbose_name)
    if len(chain) > 1:
        title += f" ({', '.join(str(field.verbose_name) for field in chain[:-1])})"
    return title


def every_queryable() -> dict[str, dict[str, str]]:
    """The queryables of all collections, name → JSON Schema type: the parameters of the
    generic items operation. A name whose type differs between collections (a permit's
    number is text, a parcel's an integer) is described as text."""
    every: dict[str, dict[str, str]] = {}
    for spec in registry.all_layers():
        for name, (_path, field) in queryable_fields(spec).items():
            kind = _schema_type(field)
            every[name] = kind if every.get(name, kind) == kind else {"type": "string"}
    return dict(sorted(every.items()))


def queryables(view: OGCView, spec: registry.LayerSpec, *, language: str) -> dict[str, Any]:
    properties = {}
    for name, (path, field) in queryable_fields(spec).items():
        properties[name] = {"title": _title(spec, path), **_schema_type(field)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": view.url(f"collections/{spec.key}/queryables"),
        "type": "object",
        "title": spec.title(language),
        "properties": properties,
        "additionalProperties": False,
    }


def _filter_value(name: str, raw: str, field: models.Field) -> Any:
    kind = _schema_type(field)
    try:
        if kind["type"] == "integer":
            if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 18:
                raise ValueError(raw)
            return int(raw)
        if kind["type"] == "number":
            number = decimal.Decimal(raw)
            if not number.is_finite():
                raise ValueError(raw)
            return number if isinstance(field, models.DecimalField) else float(number)
        if kind["type"] == "boolean":
            return {"true": True, "false": False}[raw]
        if kind.get("format") == "date":
            return datetime.date.fromisoformat(raw)
        if kind.get("format") == "date-time":
            moment = datetime.datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                raise ValueError(raw)
            return moment
    except (ValueError, KeyError, decimal.InvalidOperation):
        raise ParseError(
            _("%(name)s must be %(kind)s (see the collection's queryables).")
            % {"name": name, "kind": kind.get("format", kind["type"])}
        ) from None
    return raw


def property_filters(spec: registry.LayerSpec, request: Request) -> dict[str, tuple[str, Any]]:
    """Field path → (raw, value) for each queryable given as a query parameter: items whose
    property equals the value (Part 3, queryables as query parameters). Any other parameter
    than those and the items' own is refused (OGC 17-069r4, /req/core/query-param-unknown):
    a filter the server would ignore must not look applied."""
    fields = queryable_fields(spec)
    unknown = sorted(set(request.query_params) - set(fields) - ITEMS_PARAMETERS)
    if unknown:
        raise ParseError(
            _("Unknown parameter %(name)s; these items take %(known)s.")
            % {"name": unknown[0], "known": ", ".join([*sorted(ITEMS_PARAMETERS), *fields])}
        )
    filters = {}
    for name, (path, field) in fields.items():
        raw = request.query_params.get(name)
        if raw is not None:
            filters[path] = (raw, _filter_value(name, raw, field))
    return filters


class Queryables(OGCView):
    renderer_classes = [SchemaRenderer]

    @extend_schema(
        tags=["ogc"],
        summary="The properties items can be filtered by (JSON Schema)",
        operation_id="ogc_queryables",
        parameters=[KEY_PARAMETER, F_PARAMETER],
        responses={(200, SCHEMA_JSON): _OBJECT, (200, JSON): _OBJECT},
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(queryables(self, _spec(key), language=_language(request)))


class ItemsSchema(AutoSchema):
    """The items operation lists every collection's queryables as query parameters: GDAL's
    OAPIF driver (QGIS) reads them from the API definition, not from /queryables, to
    decide which attribute filters the server applies. A parameter a collection lacks is
    refused there (400), and GDAL only sends filters on the collection's own properties."""

    def get_override_parameters(self) -> list[OpenApiParameter]:
        described = {"integer": int, "number": float, "boolean": bool}
        return [
            *super().get_override_parameters(),
            *(
                OpenApiParameter(
                    name,
                    described.get(kind["type"], str),
                    description="Equal to this property (see the collection's queryables)",
                )
                for name, kind in every_queryable().items()
            ),
        ]


class Items(OGCView):
    renderer_classes = [GeoJSONRenderer]
    schema = ItemsSchema()

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
        filters = property_filters(spec, request)
        rows = rows.filter(**{path: value for path, (_raw, value) in filters.items()})
        bbox_raw = request.query_params.get("bbox")
        if bbox_raw:
            try:
                bbox = parse_bbox(bbox_raw)
            except BadBBox as error:
                raise ParseError(str(error)) from None
            rows = rows.filter(**bbox_lookup(spec.geometry_field, bbox))
        matched = rows.count()
        features = page_of_features(spec, rows, offset=offset, limit=limit)
        base = {
            **{property_name(path): raw for path, (raw, _value) in filters.items()},
            "bbox": bbox_raw or None,
            "limit": limit,
        }
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


class OpenAPIRenderer(JSONRenderer):
    media_type = OPENAPI
    format = "json"


def _query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    # style and explode as OGC 17-069's own definitions give them: QGIS (3.32 and later)
    # only sends filters on parameters described so.
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": schema,
        "description": description,
    }


# Where QGIS reads the page size it may ask for (else it pages by 100).
LIMIT_PARAMETER = _query_parameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    f"Features per page (larger values are clamped to {MAX_LIMIT})",
)


def _items_parameters(queryables: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    return [
        _query_parameter(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
            "minlon,minlat,maxlon,maxlat (WGS 84 degrees)",
        ),
        {"$ref": "#/components/parameters/limit"},
        _query_parameter("offset", {"type": "integer", "minimum": 0}, "Features to skip"),
        _query_parameter("datetime", {"type": "string"}, "Accepted and ignored"),
        _query_parameter("f", {"type": "string", "enum": list(FORMATS)}, "Encoding"),
        *(
            _query_parameter(name, kind, f"Equal to {name} (a queryable)")
            for name, kind in queryables.items()
        ),
    ]


def _get(operation: str, summary: str, media_type: str, parameters=()) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            "parameters": list(parameters),
            "responses": {
                "200": {"description": summary, "content": {media_type: {}}},
                "400": {"description": "Bad request: JSON {detail}"},
                "404": {"description": "Not found: JSON {detail}"},
            },
        }
    }


def openapi_document(view: OGCView) -> dict[str, Any]:
    """The OGC API's own definition (the landing page's ``service-desc``), paths relative
    to ``/ogc`` as OGC 17-069 writes them. Each collection's items path lists its
    queryables: GDAL's OAPIF driver (QGIS) reads them here to send attribute filters to
    the server instead of downloading every feature."""
    collection_id = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": [spec.key for spec in registry.all_layers()]},
    }
    paths = {
        "/": _get("getLandingPage", "Landing page", JSON),
        "/conformance": _get("getConformance", "Conformance classes", JSON),
        "/collections": _get("getCollections", "Collections", JSON),
        "/collections/{collectionId}": _get(
            "describeCollection", "One collection", JSON, [collection_id]
        ),
        "/collections/{collectionId}/queryables": _get(
            "getQueryables", "Queryables (JSON Schema)", SCHEMA_JSON, [collection_id]
        ),
        # A parameter the collection does not have is refused there (400).
        "/collections/{collectionId}/items": _get(
            "getFeatures",
            "Features",
            GEOJSON,
            [collection_id, *_items_parameters(every_queryable())],
        ),
        "/collections/{collectionId}/items/{featureId}": _get(
            "getFeature",
            "One feature",
            GEOJSON,
            [
                collection_id,
                {
                    "name": "featureId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                },
            ],
        ),
    }
    for spec in registry.all_layers():
        paths[f"/collections/{spec.key}/items"] = _get(
            f"getFeatures_{spec.key}",
            f"Features of {spec.key}",
            GEOJSON,
            _items_parameters(
                {name: _schema_type(field) for name, (_p, field) in queryable_fields(spec).items()}
            ),
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "QuyHoach — OGC API - Features",
            "version": "1.0.0",
            "description": "Public planning layers of the province, public fields only.",
        },
        "servers": [{"url": view.url("").rstrip("/")}],
        "paths": paths,
        "components": {"parameters": {"limit": LIMIT_PARAMETER}},
    }


@extend_schema(exclude=True)
class APIDefinition(OGCView):
    """``/ogc/api``: the OpenAPI 3.0 definition of the OGC API alone (``/api/schema/``
    describes the whole site, under other paths)."""

    renderer_classes = [OpenAPIRenderer]

    def get(self, request: Request) -> Response:
        return Response(openapi_document(self))
