"""The overlap check's bound: never below the true intersection, so no overlap is missed."""

from __future__ import annotations

import numpy as np

import shapely
from shapely import affinity, box

from landplan.validation import overlap_bound, overlapping_pairs


def _exact(geoms: np.ndarray, tolerance: float):
    """Every pair i < j intersected with GEOS, without any index or bound."""
    out = []
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            area = geoms[i].intersection(geoms[j]).area
            if area > tolerance:
                out.append((i, j, area))
    return out


def _grid(bearing: float, noise: float, seed: int) -> list:
    rng = np.random.default_rng(seed)
    cells = []
    for x in range(6):
        for y in range(5):
            cell = box(x * 40, y * 30, x * 40 + 40, y * 30 + 30)
            cell = affinity.translate(cell, *rng.normal(0, noise, 2))
            cells.append(affinity.rotate(cell, bearing, origin=(0, 0)))
    return cells


def test_bound_is_never_below_the_intersection():
    rng = np.random.default_rng(3)
    shapes = [
        affinity.rotate(box(0, 0, rng.uniform(5, 50), rng.uniform(5, 50)), rng.uniform(0, 180))
        for _ in range(60)
    ]
    shapes = [affinity.translate(s, *rng.uniform(0, 60, 2)) for s in shapes]
    shapes += [
        shapely.Polygon([(0, 0), (30, 0), (30, 30), (15, 5), (0, 30)]),  # concave
        box(0, 0, 40, 40).difference(box(10, 10, 30, 30)),  # a hole
        shapely.MultiPolygon([box(0, 0, 5, 5), box(20, 20, 30, 25)]),
        box(5, 5, 6, 6),  # inside the hole
    ]
    geoms = np.array(shapes, dtype=object)
    i, j = np.triu_indices(len(geoms), 1)
    bound = overlap_bound(geoms, i, geoms, j)
    exact = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    assert (bound >= exact - 1e-9).all()
    assert (bound[exact > 0] > 0).all()


def test_overlapping_pairs_equal_the_exact_check_on_degenerate_grids():
    for bearing in (0.0, 17.3, 45.0, 90.0, 133.0):
        cells = _grid(bearing, noise=1e-7, seed=int(bearing))
        cells += [
            affinity.rotate(box(39.5, 0, 80, 30), bearing, origin=(0, 0)),  # 0.5 m × 30 m over
            affinity.rotate(box(40, 30, 40.9, 31.0), bearing, origin=(0, 0)),  # 0.9 m² inside
            affinity.rotate(box(80, 60, 80, 90), bearing, origin=(0, 0)),  # empty, no area
            affinity.rotate(box(120, 60, 121.2, 61), bearing, origin=(0, 0)),  # 1.2 m² inside
            affinity.rotate(box(0, 0, 240, 150), bearing + 0.5, origin=(0, 0)),  # over all
        ]
        geoms = np.array(cells, dtype=object)
        left, right, area = overlapping_pairs(geoms, None, 1.0)
        expected = _exact(geoms, 1.0)
        assert list(zip(left.tolist(), right.tolist(), strict=True)) == [
            (a, b) for a, b, _ in expected
        ]
        assert np.allclose(area, [x for _, _, x in expected])
        assert len(expected) > 30


def test_between_a_file_and_the_store():
    stored = np.array(_grid(30.0, noise=0.0, seed=0), dtype=object)
    new = np.array([affinity.rotate(box(38, 0, 60, 10), 30.0, origin=(0, 0))], dtype=object)
    left, right, area = overlapping_pairs(new, stored, 1.0)
    exact = shapely.area(shapely.intersection(new[0], stored))
    assert right.tolist() == np.flatnonzero(exact > 1.0).tolist()
    assert left.tolist() == [0] * len(right)
    assert np.allclose(area, exact[exact > 1.0])
