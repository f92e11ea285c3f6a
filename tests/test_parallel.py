"""Work shared among cores gives what one call on the whole gives, whatever the number of parts."""

from __future__ import annotations

import numpy as np
import pytest

import shapely

from landplan._parallel import by_parts, cores


def _shapes(n: int, seed: int = 0) -> np.ndarray:
    """Polygons of every kind a zone holds: concave, holed, two-part, empty and missing."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    geoms = shapely.box(x, y, x + rng.uniform(1, 30, n), y + rng.uniform(1, 30, n))
    geoms[::7] = shapely.difference(geoms[::7], shapely.buffer(shapely.points(x, y)[::7], 5.0))
    geoms[::11] = shapely.multipolygons(
        [
            [g, shapely.box(a + 50, b, a + 60, b + 10)]
            for g, a, b in zip(geoms[::11], x[::11], y[::11], strict=True)
        ]
    )
    geoms[3::13] = shapely.Polygon()
    geoms[5::17] = None
    return geoms


def _closing(geoms: np.ndarray) -> np.ndarray:
    opened = shapely.buffer(geoms, 0.5, join_style="mitre")
    return shapely.buffer(opened, -0.5, join_style="mitre")


@pytest.mark.parametrize("threads", ["1", "2", "3", "8"])
def test_parts_give_the_values_of_one_call(monkeypatch, threads):
    monkeypatch.setenv("LANDPLAN_THREADS", threads)
    geoms = _shapes(2000)
    whole = _closing(geoms)
    parted = by_parts(_closing, geoms, min_part=64)
    assert parted.shape == whole.shape
    assert (shapely.to_wkb(parted) == shapely.to_wkb(whole)).all()


def test_tuples_and_mappings_are_joined_in_order(monkeypatch):
    monkeypatch.setenv("LANDPLAN_THREADS", "3")
    geoms = _shapes(1000, seed=1)
    shift = np.arange(len(geoms), dtype=float)

    def measures(g, s):
        return {"area": shapely.area(g) + s, "n": shapely.get_num_coordinates(g)}

    def pair(g, s):
        return shapely.length(g), s * 2

    got = by_parts(measures, geoms, shift, min_part=10)
    assert np.array_equal(got["area"], shapely.area(geoms) + shift, equal_nan=True)
    assert np.array_equal(got["n"], shapely.get_num_coordinates(geoms))
    length, doubled = by_parts(pair, geoms, shift, min_part=10)
    assert np.array_equal(length, shapely.length(geoms), equal_nan=True)
    assert np.array_equal(doubled, shift * 2)


def test_work_handed_out_inside_a_part_runs_there(monkeypatch):
    # A part asking for parts again must not wait on the threads that run it.
    monkeypatch.setenv("LANDPLAN_THREADS", "2")
    geoms = _shapes(4000, seed=2)

    def outer(g):
        return by_parts(shapely.area, g, min_part=10)

    assert np.array_equal(by_parts(outer, geoms, min_part=10), shapely.area(geoms), equal_nan=True)


def test_a_failing_part_raises_its_error(monkeypatch):
    monkeypatch.setenv("LANDPLAN_THREADS", "2")

    def fails(values):
        if values[0] > 0:
            raise ValueError("no such part")
        return values

    with pytest.raises(ValueError, match="no such part"):
        by_parts(fails, np.arange(100), min_part=10)


def test_short_or_empty_input_is_one_call(monkeypatch):
    monkeypatch.setenv("LANDPLAN_THREADS", "4")
    calls = []

    def area(g):
        calls.append(len(g))
        return shapely.area(g)

    assert by_parts(area, np.array([], dtype=object)).shape == (0,)
    by_parts(area, _shapes(100), min_part=64)
    assert calls == [0, 100]


def test_the_cores_asked_for_are_used(monkeypatch):
    monkeypatch.setenv("LANDPLAN_THREADS", "3")
    assert cores() == 3
    monkeypatch.setenv("LANDPLAN_THREADS", "none")
    assert cores() >= 1
