"""A file without .prj in a merged province: Hải Phòng holds cadastral files surveyed in
TM-3 105°30′ (EPSG:9209, former Hải Dương) and 105°45′ (EPSG:9210, its own land). Both fit
the province box; the boundaries of the communes the file names tell them apart."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry

from importers.services import ImportOptions, run_import
from layers.models import AdminUnit, LandParcel
from tests.importers.conftest import X0, Y0, lot, parcel_rows, write_shapefile

pytestmark = pytest.mark.django_db

TO_9210 = pyproj.Transformer.from_crs(9209, 9210, always_xy=True)


@pytest.fixture
def ward_with_boundary(ward):
    """Tứ Minh with a 2 km square boundary round the test lots (EPSG:9209)."""
    ward.geom = GEOSGeometry(
        shapely.MultiPolygon([shapely.box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)]).wkt,
        srid=9209,
    )
    ward.save()
    return ward


def rows_in_9210(n: int) -> list[dict]:
    rows = parcel_rows(n)
    for i, row in enumerate(rows):
        row["geometry"] = shapely.transform(lot(i), _to_9210)
    return rows


def _to_9210(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(TO_9210.transform(xy[:, 0], xy[:, 1]))


def test_a_file_in_the_other_zone_is_refused_naming_it(ward_with_boundary, tmp_path):
    path = write_shapefile(tmp_path / "in", rows_in_9210(3), prj=None)
    report = run_import(layer="parcels", path=path)
    assert not report.ok
    assert "EPSG:9210" in report.error and "--srid 9210" in report.error
    assert "10540" in report.error
    assert not LandParcel.objects.exists()


def test_with_srid_the_same_file_lands_on_its_commune(ward_with_boundary, tmp_path):
    path = write_shapefile(tmp_path / "in", rows_in_9210(3), prj=None)
    report = run_import(layer="parcels", path=path, options=ImportOptions(srid=9210))
    assert report.ok, report.error
    corner = min(LandParcel.objects.get(number=1).geom[0].exterior_ring.coords)
    assert corner == pytest.approx((X0, Y0), abs=1e-6)


def test_a_file_in_the_default_zone_loads_with_the_usual_warning(ward_with_boundary, tmp_path):
    report = run_import(
        layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(3), prj=None)
    )
    assert report.ok, report.error
    assert any("No .prj" in w and "EPSG:9209" in w for w in report.warnings)
    assert not any("do not lie on the communes" in w for w in report.warnings)


def test_communes_without_boundaries_leave_the_default(ward, tmp_path):
    assert AdminUnit.objects.get(code="10540").geom is None
    path = write_shapefile(tmp_path / "in", rows_in_9210(3), prj=None)
    report = run_import(layer="parcels", path=path)
    assert report.ok, report.error  # nothing to tell the zones apart: the default, warned
    assert any("No .prj" in w for w in report.warnings)


def test_features_off_their_communes_in_every_zone_are_warned_about(ward, tmp_path):
    ward.geom = GEOSGeometry(
        shapely.MultiPolygon([shapely.box(X0 + 40_000, Y0, X0 + 41_000, Y0 + 1000)]).wkt,
        srid=9209,
    )
    ward.save()
    report = run_import(
        layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(3), prj=None)
    )
    assert report.ok, report.error
    assert any("do not lie on the communes they name (10540)" in w for w in report.warnings)
