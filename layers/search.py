"""One search box: "Tờ 12 thửa 345, Tứ Minh", VN-2000 X/Y or lon/lat, street or place
names — accent-insensitive and typo-tolerant in PostgreSQL (unaccent + pg_trgm)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Centroid, Transform
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import F, Func, Q, TextField
from django.db.models.functions import Lower

from gis.crs import WGS84
from layers.models import AdminUnit, LandParcel, Road

LIMIT = 10
_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")
_PARCEL = re.compile(r"\bto\s*(?:so\s*)?(\d+)\D+?thua\s*(?:so\s*)?(\d+)(.*)$")


@dataclass(frozen=True)
class Hit:
    kind: str  # "parcel" | "road" | "commune" | "point"
    label: str
    lon: float
    lat: float
    id: int | None = None
    zoom: int = 18


class Unaccent(Func):
    function = "unaccent"
    output_field = TextField()


def fold(text: str) -> str:
    """Lower case without accents (đ → d), as PostgreSQL's unaccent does."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _lonlat(geom) -> tuple[float, float]:
    point = geom if geom.srid == WGS84 else geom.transform(WGS84, clone=True)
    return point.x, point.y


def _coordinates(query: str) -> list[Hit]:
    match = _PAIR.match(query)
    if not match:
        return []
    a, b = (float(v.replace(",", ".")) for v in match.groups())
    for x, y in ((a, b), (b, a)):
        if 100 <= x <= 115 and 7 <= y <= 24:
            return [Hit("point", f"{y:.6f}, {x:.6f}", x, y, zoom=17)]
    for x, y in ((a, b), (b, a)):
        if 100_000 <= x <= 900_000 and 900_000 <= y <= 2_700_000:
            lon, lat = _lonlat(Point(x, y, srid=settings.GIS_SRID))
            return [Hit("point", f"X {x:.2f}, Y {y:.2f} (VN-2000)", lon, lat, zoom=18)]
    return []


def _parcel_hits(queryset) -> list[Hit]:
    rows = queryset.select_related("commune").annotate(centre=Transform(Centroid("geom"), WGS84))[
        :LIMIT
    ]
    return [
        Hit(
            "parcel",
            f"Tờ {p.sheet} thửa {p.number}, {p.commune.name}",
            p.centre.x,
            p.centre.y,
            p.pk,
        )
        for p in rows
    ]


def parcels(*, sheet: int, number: int, commune: str = "") -> list[Hit]:
    queryset = LandParcel.objects.filter(sheet=sheet, number=number)
    commune = fold(commune).strip(" ,.")
    if commune:
        named = queryset.annotate(folded=Unaccent(Lower("commune__name"))).filter(
            Q(folded__contains=commune) | Q(commune__code=commune)
        )
        if named.exists():
            queryset = named
    return _parcel_hits(queryset.order_by("commune__code"))


def _named(model, query: str, kind: str, zoom: int) -> list[Hit]:
    folded = fold(query)
    rows = (
        model.objects.exclude(name="")
        .filter(geom__isnull=False)
        .annotate(folded=Unaccent(Lower("name")))
        .annotate(score=TrigramWordSimilarity(folded, "folded"))
        .filter(Q(folded__contains=folded) | Q(score__gte=0.5))
        .annotate(centre=Transform(Centroid("geom"), WGS84))
        .order_by(-F("score"), "name")[:LIMIT]
    )
    hits, seen = [], set()
    for row in rows:
        if row.name not in seen:  # one hit per street, not per segment
            seen.add(row.name)
            hits.append(Hit(kind, row.name, row.centre.x, row.centre.y, row.pk, zoom))
    return hits


def search(query: str) -> list[dict[str, object]]:
    query = query.strip()[:200]
    if not query:
        return []
    hits = _coordinates(query)
    if not hits:
        match = _PARCEL.search(fold(query))
        if match:
            hits = parcels(sheet=int(match[1]), number=int(match[2]), commune=match[3])
    if not hits:
        hits = _named(Road, query, "road", 17) + _named(AdminUnit, query, "commune", 14)
    return [asdict(hit) for hit in hits[:LIMIT]]
