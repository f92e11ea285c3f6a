"""Cut-outs against the rule's text and an exhaustive search; their overlaps by brute force.

The parcels are the awkward ones: concave, L-shaped, with collinear vertices, rotated, with a
sliver spike, in two parts, near and beyond a substation's reach. Every piece offered is checked
with plain shapely on its own shape; which parcels get a piece, and which piece, is checked
against trying every placement at once and keeping each parcel's first passing one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import shapely
from shapely import LineString, Point, box
from shapely.affinity import rotate

from landplan.allocate import _cutout_overlaps, _overlap_exceeds
from landplan.demand import land_demand
from landplan.match import candidates, match
from landplan.match._common import first_per_key, geometry_array
from landplan.match.cutouts import (
    _REACH_SPARE_M,
    _cut_ratios,
    _frontage_edges,
    _Placements,
    _try_cuts,
)
from landplan.match.rules import GeometryRules
from landplan.units import MU_M2, mu_to_m2
from tests.conftest import X0, Y0
from tests.test_match import _frame, _parcels, _project, _zone

# Parcels stand this far apart along the road, out of each other's way.
SPACING = 1500.0
SHAPES = ("rectangle", "l_shape", "notched", "collinear", "spiked", "two_parts")


def _shape(kind: str, width: float, depth: float, x: float):
    """One parcel of the kind, on the road at y = Y0, from x along it."""
    body = box(x, Y0, x + width, Y0 + depth)
    if kind == "l_shape":  # a narrow strip along the road with a block at its east end
        return shapely.union(
            box(x, Y0, x + width, Y0 + depth / 4), box(x + width / 2, Y0, x + width, Y0 + depth)
        ).normalize()
    if kind == "notched":  # a bay cut into the middle of the far side
        return body.difference(box(x + width / 3, Y0 + depth / 2, x + 2 * width / 3, Y0 + depth))
    if kind == "collinear":  # a vertex every 23 m, and a run of near-collinear ones
        return shapely.segmentize(body, 23.0)
    if kind == "spiked":  # a 0.4 m wide spike off the far side: a sliver of the parcel
        spike = box(x + width / 2, Y0 + depth - 1.0, x + width / 2 + 0.4, Y0 + depth + 60.0)
        return shapely.union(body, spike)
    if kind == "two_parts":
        return shapely.MultiPolygon(
            [
                box(x, Y0, x + width / 2 - 5, Y0 + depth),
                box(x + width / 2 + 5, Y0, x + width, Y0 + depth),
            ]
        )
    return body


parcel_specs = st.lists(
    st.tuples(
        st.sampled_from(SHAPES),
        st.floats(120.0, 600.0),
        st.floats(60.0, 450.0),
    ),
    min_size=1,
    max_size=3,
)


def _spied_blocks(project: dict, zone) -> list[tuple]:
    """The cut-out block of a match and what it was made from: (parcels, pos, ctx, rules, out)."""
    seen = []
    real = candidates.cutout_block

    def spy(parcels, pos, ctx, rules):
        out = real(parcels, pos, ctx, rules)
        seen.append((parcels, pos, ctx, rules, out))
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(candidates, "cutout_block", spy)
        match(project, zone, kinds=("cutout",), lang="en")
    return seen


def _every_placement(parcels, pos, ctx, rules) -> dict[int, tuple[shapely.Geometry, int]]:
    """Each parcel's first passing piece and its preference, every placement tried at once."""
    geoms = geometry_array(parcels)[pos]
    single = shapely.get_num_geometries(geoms) == 1
    geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
    edges = _frontage_edges(np.asarray(np.where(single, geoms, None), dtype=object), ctx.roads)
    tried = _Placements.on(edges, ctx.demand.target_m2, _cut_ratios(ctx.zone.policy.siting))
    found = _try_cuts(geoms, tried, ctx, rules)
    ok = np.flatnonzero(pd.isna(found["why"]))
    best = ok[first_per_key(tried.owner[ok], tried.preference[ok])]
    pieces = zip(found["cut"][best], tried.preference[best].tolist(), strict=True)
    return dict(zip(pos[tried.owner[best]].tolist(), pieces, strict=True))


def _obeys_the_rule(cut, parcel, zone, target_m2: float, road, reach_m: float, substation):
    """The cut-out rule's text, checked with plain shapely on the piece itself."""
    siting = zone.policy.siting
    assert cut.geom_type == "Polygon"  # one piece
    assert abs(cut.area - target_m2) <= siting.cutout_area_tolerance * target_m2
    assert parcel.buffer(1e-6).contains(cut)
    ring = np.asarray(shapely.oriented_envelope(cut).exterior.coords)
    sides = np.hypot(*np.diff(ring[:3], axis=0).T)
    assert sides.max() / sides.min() <= siting.cutout_max_aspect * (1 + 1e-9)  # compact
    # road frontage: some stretch of its boundary within the road's reach (a buffer lies inside
    # the true reach, so a stretch found in it is truly there)
    assert cut.boundary.intersection(road.buffer(reach_m, quad_segs=64)).length > 0
    assert cut.distance(substation) <= siting.substation_max_distance_m  # the hard rule itself
    rest = shapely.get_parts(parcel.difference(cut))
    usable = [p for p in rest if p.area > siting.sliver_area_m2]
    assert len(usable) == 1  # a single remainder
    assert usable[0].area >= mu_to_m2(siting.cutout_min_remainder_mu)


@settings(max_examples=80, deadline=None)
@given(
    specs=parcel_specs,
    target_mu=st.floats(8.0, 40.0),
    tilt=st.floats(-40.0, 40.0),
    substation_x=st.floats(-3600.0, 7000.0),
    substation_y=st.floats(-200.0, 600.0),
    side_roads=st.booleans(),
)
def test_cutouts_are_the_first_compliant_pieces_and_obey_the_rule(
    specs, target_mu, tilt, substation_x, substation_y, side_roads
):
    shapes = [_shape(kind, w, d, X0 + k * SPACING) for k, (kind, w, d) in enumerate(specs)]
    shapes = [rotate(s, tilt, origin=(X0, Y0)) for s in shapes]
    lines = [LineString([(X0 - 4000, Y0 - 15), (X0 + 6000, Y0 - 15)])]
    if side_roads:  # roads along each parcel's west and east sides: more frontage edges to try
        for k, (_kind, w, _d) in enumerate(specs):
            for x in (X0 + k * SPACING - 15, X0 + k * SPACING + w + 15):
                lines.append(LineString([(x, Y0 - 100), (x, Y0 + 600)]))
    lines = [rotate(line, tilt, origin=(X0, Y0)) for line in lines]
    road = shapely.MultiLineString(lines)
    substation = rotate(Point(X0 + substation_x, Y0 + substation_y), tilt, origin=(X0, Y0))
    zone = _zone(
        _parcels([(f"P{k}", "state_reserve", "M1", s) for k, s in enumerate(shapes)]),
        roads=_frame(
            [{"road_id": f"R{k}", "kind": "secondary", "width_m": 20.0} for k in range(len(lines))],
            lines,
        ),
        substations=_frame([{"substation_id": "S", "voltage_kv": 110.0}], [substation]),
    )
    project = _project(
        land_mu_min=target_mu,
        land_mu_max=target_mu,
        voltage_kv=110.0,
        fixed_investment_wan_yuan=None,
    )
    reach_m = 10.0 + zone.policy.siting.frontage_tolerance_m
    for parcels, pos, ctx, rules, (block, rejections) in _spied_blocks(project, zone):
        offered = dict(zip(block["members"][:, 0].tolist(), block["geometry"], strict=True))
        every = _every_placement(parcels, pos, ctx, rules)
        per_edge = len(_cut_ratios(zone.policy.siting)) * 3
        for _cut, preference in every.values():
            event(f"placed on edge {preference // per_edge}, {'not ' * (preference > 0)}preferred")
        assert sorted(offered) == sorted(every)
        for at, cut in offered.items():
            assert shapely.equals_exact(cut, every[at][0], tolerance=0.0)
            _obeys_the_rule(cut, shapes[at], zone, target_mu * MU_M2, road, reach_m, substation)
        event(f"{len(offered)} of {len(pos)} offered")
        hopeless = rules.beyond_power_reach(
            np.asarray(shapely.get_geometry(geometry_array(parcels)[pos], 0)),
            spare_m=_REACH_SPARE_M,
        )
        event(f"{int(hopeless.sum())} out of power's reach")
        refused = set(rejections["parcel_id"])
        assert refused == {f"P{k}" for k in pos.tolist() if k not in offered}


@pytest.mark.parametrize("tilt", [0.0, 17.0, -63.0, 90.0])
def test_a_piece_on_a_later_edge_where_the_best_edge_is_out_of_power_reach(tilt):
    # 500 m along the south road, 300 m deep, roads on the west and east too; the substation
    # 2,950 m north of the parcel and 400 m west of it: a 20 mu piece on the south road lies
    # beyond its 3,000 m, one at the north end of the west side within it
    parcel = box(X0, Y0, X0 + 500, Y0 + 300)
    lines = [
        LineString([(X0 - 600, Y0 - 15), (X0 + 1100, Y0 - 15)]),
        LineString([(X0 - 15, Y0 - 100), (X0 - 15, Y0 + 400)]),
        LineString([(X0 + 515, Y0 - 100), (X0 + 515, Y0 + 400)]),
    ]
    turn = {"angle": tilt, "origin": (X0, Y0)}
    substation = rotate(Point(X0 - 400, Y0 + 3250), **turn)
    zone = _zone(
        _parcels([("P0", "state_reserve", "M1", rotate(parcel, **turn))]),
        roads=_frame(
            [{"road_id": f"R{k}", "kind": "secondary", "width_m": 20.0} for k in range(3)],
            [rotate(line, **turn) for line in lines],
        ),
        substations=_frame([{"substation_id": "S", "voltage_kv": 110.0}], [substation]),
    )
    project = _project(land_mu_min=20.0, land_mu_max=20.0, voltage_kv=110.0)
    ((parcels, pos, ctx, rules, (block, _rejections)),) = _spied_blocks(project, zone)
    ((cut, preference),) = _every_placement(parcels, pos, ctx, rules).values()
    assert preference >= len(_cut_ratios(zone.policy.siting)) * 3  # not on the best edge
    assert shapely.equals_exact(block["geometry"][0], cut, tolerance=0.0)
    reach_m = 10.0 + zone.policy.siting.frontage_tolerance_m
    roads = shapely.MultiLineString([rotate(line, **turn) for line in lines])
    _obeys_the_rule(cut, rotate(parcel, **turn), zone, 20 * MU_M2, roads, reach_m, substation)


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(SHAPES),
    width=st.floats(120.0, 600.0),
    depth=st.floats(60.0, 450.0),
    tilt=st.floats(-90.0, 90.0),
    beyond=st.one_of(st.floats(-50.0, 50.0), st.sampled_from([0.0, 1e-7, -1e-7, 1e-3])),
)
def test_a_parcel_out_of_power_reach_is_so_for_every_piece(kind, width, depth, tilt, beyond):
    shape = rotate(_shape(kind, width, depth, X0), tilt, origin=(X0, Y0))
    reach = 3000.0
    # the substation due south of the parcel's lowest point, ``beyond`` past the reach
    low = min(shapely.get_coordinates(shape), key=lambda p: p[1])
    substation = Point(low[0], low[1] - reach - beyond)
    zone = _zone(
        _parcels([("P", "state_reserve", "M1", shape)]),
        substations=_frame([{"substation_id": "S", "voltage_kv": 110.0}], [substation]),
    )
    project = _project(land_mu_min=10.0, land_mu_max=10.0, voltage_kv=110.0)
    rules = GeometryRules.of(land_demand(pd.Series(project), zone.policy), zone)
    part = shapely.get_geometry(shape, 0) if shape.geom_type == "MultiPolygon" else shape
    flagged = rules.beyond_power_reach(np.array([part], dtype=object), spare_m=_REACH_SPARE_M)[0]
    # flagged only where the parcel itself is beyond the reach: then so is every piece of it
    assert not flagged or part.distance(substation) > reach
    if part.distance(substation) > reach + 1e-3:
        assert flagged


# --- overlaps of cut-outs -------------------------------------------------------------------------
def _piece(kind: str, x: float, y: float, w: float, h: float, tilt: float):
    body = box(x, y, x + w, y + h)
    if kind == "clipped":  # a rectangle clipped by a concave parcel
        parcel = shapely.union(
            box(x - 50, y, x + w / 2, y + h), box(x - 50, y, x + w + 50, y + h / 3)
        )
        body = body.intersection(parcel)
    elif kind == "collinear":
        body = shapely.segmentize(body, 7.0)
    elif kind == "repeated_start":  # the first vertex digitised twice: no first edge to square to
        ring = list(body.exterior.coords)
        body = shapely.Polygon([ring[0], *ring])
    elif kind == "holed":
        body = body.difference(box(x + w / 4, y + h / 4, x + w / 2, y + h / 2))
    elif kind == "two_parts":
        body = shapely.MultiPolygon([box(x, y, x + w / 3, y + h), box(x + w / 2, y, x + w, y + h)])
    elif kind == "sliver":
        body = box(x, y, x + w, y + 0.01)
    return rotate(body, tilt, origin=(X0, Y0))


pieces = st.tuples(
    st.sampled_from(
        ["plain", "clipped", "collinear", "repeated_start", "holed", "two_parts", "sliver"]
    ),
    st.floats(0.0, 150.0),
    st.floats(0.0, 150.0),
    st.floats(0.5, 120.0),
    st.floats(0.5, 120.0),
)


@settings(max_examples=80, deadline=None)
@given(
    specs=st.lists(pieces, min_size=2, max_size=8),
    tilt=st.floats(-90.0, 90.0),
    tolerance=st.sampled_from([0.0, 1.0, 50.0]),
)
def test_overlap_bounds_decide_as_the_intersection_does(specs, tilt, tolerance):
    geoms = np.array(
        [_piece(k, X0 + x, Y0 + y, w, h, tilt) for k, x, y, w, h in specs], dtype=object
    )
    a, b = np.triu_indices(len(geoms), 1)
    plain = shapely.area(shapely.intersection(geoms[a], geoms[b])) > tolerance
    np.testing.assert_array_equal(_overlap_exceeds(geoms, a, b, tolerance), plain)


@pytest.mark.parametrize("shift", [0.0, 1e-9, -1e-9, 1e-6, -1e-6, 1e-3, -1e-3])
def test_overlap_by_the_tolerance_itself_is_not_more(shift):
    # two 100 m rotated rectangles sharing a strip of exactly 1 m² (give or take ``shift``)
    first = rotate(box(X0, Y0, X0 + 100, Y0 + 100), 33.0, origin=(X0, Y0))
    second = rotate(box(X0 + 99.99 - shift, Y0, X0 + 199.99, Y0 + 100), 33.0, origin=(X0, Y0))
    geoms = np.array([first, second], dtype=object)
    a, b = np.array([0]), np.array([1])
    plain = shapely.area(shapely.intersection(first, second)) > 1.0
    assert _overlap_exceeds(geoms, a, b, 1.0)[0] == plain


@settings(max_examples=40, deadline=None)
@given(
    specs=st.lists(
        st.tuples(pieces, st.integers(0, 2), st.sampled_from(["shape", "shape", "none", "empty"])),
        min_size=1,
        max_size=10,
    ),
    tilt=st.floats(-90.0, 90.0),
)
def test_cutout_overlaps_are_the_overlapping_pairs_of_each_parcel(specs, tilt):
    geoms = []
    for (k, x, y, w, h), _parcel, given_as in specs:
        shape = _piece(k, X0 + x, Y0 + y, w, h, tilt)
        geoms.append({"shape": shape, "none": None, "empty": shapely.Polygon()}[given_as])
    geometry = np.array([None, *geoms], dtype=object)  # candidate 0 is another kind of site
    cut = np.arange(1, len(specs) + 1)
    parcel = np.array([p for _spec, p, _given in specs])
    u, v = _cutout_overlaps(cut, parcel, geometry, 1.0)
    found = {(int(min(x, y)), int(max(x, y))) for x, y in zip(u, v, strict=True)}
    expected = set()
    for i in range(len(cut)):
        for j in range(i + 1, len(cut)):
            if parcel[i] != parcel[j]:
                continue
            g, h = geometry[cut[i]], geometry[cut[j]]
            unknown = any(s is None or s.is_empty for s in (g, h))
            if unknown or shapely.intersection(g, h).area > 1.0:
                expected.add((int(cut[i]), int(cut[j])))
    assert found == expected
    assert len(u) == len(found)  # each pair once
