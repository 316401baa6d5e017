"""importers.geometry.transformed_wkb: coordinates written over a feature's own WKB give
the bytes shapely would, for every shape, and shapes it cannot write over go to shapely."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from importers.geometry import transformed_wkb


def shift(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x * 1.5 + 0.25, y - 1_000.125


def by_shapely(geometries: np.ndarray) -> list[bytes]:
    moved = shapely.transform(geometries, lambda xy: np.column_stack(shift(xy[:, 0], xy[:, 1])))
    return shapely.to_wkb(moved).tolist()


BOX = shapely.box(580_000.5, 2_300_000.25, 580_005.5, 2_300_020.25)
SHAPES = {
    "polygon": BOX,
    "hexagon": shapely.Point(580_100, 2_300_100).buffer(10, quad_segs=2),
    "polygon with a hole": BOX.buffer(5).difference(BOX),
    "one-part multipolygon": shapely.MultiPolygon([BOX]),
    "two-part multipolygon": shapely.MultiPolygon([BOX, shapely.box(0, 0, 1, 1)]),
    "line": shapely.LineString([(0, 0), (3, 4), (6, 0)]),
    "one-part multiline": shapely.MultiLineString([[(0, 0), (3, 4)]]),
    "two-part multiline": shapely.MultiLineString([[(0, 0), (3, 4)], [(5, 5), (6, 6)]]),
    "point": shapely.Point(1, 2),
    "multipoint": shapely.MultiPoint([(1, 2), (3, 4)]),
    "collection": shapely.GeometryCollection([BOX, shapely.Point(1, 2)]),
}


@pytest.mark.parametrize("name", SHAPES)
def test_each_shape_comes_out_as_shapely_writes_it(name):
    geometries = np.array([SHAPES[name], BOX, SHAPES[name]], dtype=object)
    wkb = shapely.to_wkb(geometries)
    assert transformed_wkb(wkb, geometries, shift) == by_shapely(geometries)


def test_wkb_it_cannot_write_over_goes_to_shapely():
    # Big-endian bytes, and a Z the geometry no longer has: written by shapely, in full.
    geometries = np.array([BOX, BOX], dtype=object)
    wkb = np.array(
        [
            shapely.to_wkb(BOX, byte_order=0),
            shapely.to_wkb(shapely.force_3d(BOX, 7.0)),
        ],
        dtype=object,
    )
    assert transformed_wkb(wkb, geometries, shift) == by_shapely(geometries)


def test_a_batch_of_parcels_is_written_over_in_one_pass():
    x = np.arange(1_000) * 5.5 + 560_000
    geometries = shapely.box(x, 2_300_000, x + 5, 2_300_020)
    wkb = shapely.to_wkb(geometries)
    assert transformed_wkb(wkb, geometries, shift) == by_shapely(geometries)
