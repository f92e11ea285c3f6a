"""Matching against oracles written from the rules' text in plain shapely, on random zones.

The oracles here use none of matching's helpers: adjacency is one boundary inside the other's
tolerance buffer (both ways), frontage the boundary inside the union of the roads' reach
buffers, every hard rule a shapely predicate on the site offered (the parcel, the assembly's
union, the cut-out's polygon, the building's footprint), and assemblies a brute force over
every subset. The zones are grids with offset rows (T-junctions), digitising gaps, extra
collinear vertices, concave and multi-part parcels, rotated as a whole.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geopandas as gpd
import shapely
from shapely import LineString, Point, box
from shapely.affinity import rotate

from landplan.demand import land_demand
from landplan.match import RULES, match, parcel_adjacency
from landplan.policy import Policy
from landplan.units import MU_M2
from landplan.zone import Zone
from tests.conftest import X0, Y0

CRS = "EPSG:4546"
#: Lengths from the oracle's buffers (polygons of 64 segments a quarter) and the exact ones
#: differ by far less than this; cases this close to a threshold are not judged.
SLACK_M = 0.05


def _frame(rows: list[dict], geometry: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs=CRS)


def _project(low_mu: float, high_mu: float, **more) -> dict:
    return {
        "project_id": "J",
        "name": "项目",
        "stage": "signed",
        "investment_wan_yuan": 20000.0,
        "land_mu_min": low_mu,
        "land_mu_max": high_mu,
        **more,
    }


# --- the oracles --------------------------------------------------------------------------------
def oracle_shared(a, b, tol: float) -> float:
    """The shorter of a's boundary inside b's boundary buffer and b's inside a's."""
    ba, bb = a.boundary, b.boundary
    return min(
        ba.intersection(bb.buffer(tol, quad_segs=64)).length,
        bb.intersection(ba.buffer(tol, quad_segs=64)).length,
    )


def oracle_frontage(geom, zone: Zone) -> float:
    """The site's boundary inside the union of the roads' reach (half width + tolerance)."""
    siting = zone.policy.siting
    roads = zone.roads
    if roads.empty:
        return 0.0
    width = roads["width_m"].fillna(siting.road_width_default_m).to_numpy(dtype=float)
    reach = shapely.union_all(
        [
            g.buffer(w / 2 + siting.frontage_tolerance_m, quad_segs=64)
            for g, w in zip(roads.geometry, width, strict=True)
        ]
    )
    return geom.boundary.intersection(reach).length


def oracle_allowed_use(project: dict, policy: Policy) -> list[str]:
    siting = policy.siting
    if project.get("hazard") in siting.hazardous_kinds:
        return list(siting.hazardous_land_use)
    if project.get("hazard") == "energy_storage" or project.get("storage_mwh", 0) > 0:
        return list(siting.storage_land_use)
    return list(siting.industrial_land_use)


def oracle_parcel_suits(row, project: dict, policy: Policy) -> bool:
    """Status, tenure and land-use class: what holds for every part of the parcel."""
    siting = policy.siting
    lease_only = row.status in siting.lease_only_statuses or row.tenure == "collective"
    return (
        row.status in siting.available_statuses
        and not (lease_only and project.get("tenure_ok", "buy") == "buy")
        and row.land_use in oracle_allowed_use(project, policy)
    )


def oracle_geometry_failures(geom, project: dict, zone: Zone) -> dict[str, float]:
    """Each geometric rule the site fails, with its measure (m² overlapped or m of distance)."""
    siting = zone.policy.siting
    cons = zone.constraints
    failures = {}
    blocking = cons.loc[cons["kind"].isin(list(siting.blocking_constraints))]
    overlap = sum(geom.intersection(g).area for g in blocking.geometry)
    if overlap > siting.sliver_area_m2:
        failures["protected"] = overlap
    hazard = project.get("hazard")

    def nearest(kind: str) -> float:
        geoms = cons.loc[cons["kind"] == kind].geometry
        return min((geom.distance(g) for g in geoms), default=math.inf)

    if hazard in siting.hazardous_kinds and nearest("residential") < siting.hazardous_setback_m:
        failures["residential_setback"] = nearest("residential")
    storage = hazard == "energy_storage" or project.get("storage_mwh", 0) > 0
    if storage and nearest("fuel_station") < siting.fuel_station_setback_m:
        failures["fuel_station_setback"] = nearest("fuel_station")
    kv = project.get("voltage_kv", 110.0 if storage else None)
    if kv is not None:
        subs = zone.substations.loc[zone.substations["voltage_kv"] >= kv]
        d = min((geom.distance(g) for g in subs.geometry), default=math.inf)
        if d > siting.substation_max_distance_m:
            failures["power"] = d
    return failures


def oracle_near_threshold(geom, project: dict, zone: Zone) -> bool:
    """Whether a geometric measure lies within the slack of its threshold (not judged)."""
    siting = zone.policy.siting
    cons = zone.constraints
    measures = []
    for kind, limit in (
        ("residential", siting.hazardous_setback_m),
        ("fuel_station", siting.fuel_station_setback_m),
    ):
        for g in cons.loc[cons["kind"] == kind].geometry:
            measures.append((geom.distance(g), limit))
    for g in zone.substations.geometry:
        measures.append((geom.distance(g), siting.substation_max_distance_m))
    blocking = cons.loc[cons["kind"].isin(list(siting.blocking_constraints))]
    measures.append((sum(geom.intersection(g).area for g in blocking.geometry), 1.0))
    return any(abs(m - limit) < 0.5 for m, limit in measures)


# --- random zones -------------------------------------------------------------------------------
STATUSES = [
    "state_reserve",
    "state_reserve",
    "idle",
    "low_efficiency",
    "occupied",
    "reserved_leased",
]


@st.composite
def zones(draw, *, max_rows: int = 3, max_cols: int = 4):
    """A rotated grid of parcels with offset rows, gaps, extra vertices, concave and 2-part ones."""
    n_rows = draw(st.integers(1, max_rows))
    y = 0.0
    specs = []
    for r in range(n_rows):
        height = draw(st.sampled_from([50.0, 80.0, 110.0]))
        offset = draw(st.sampled_from([0.0, 0.0, 25.0, 50.0]))  # offset rows: T-junctions
        widths = draw(
            st.lists(st.sampled_from([40.0, 60.0, 90.0, 130.0]), min_size=2, max_size=max_cols)
        )
        x = offset
        for c, w in enumerate(widths):
            gap = draw(st.sampled_from([0.0, 0.0, 0.0, 1.0, 3.0]))  # 3 m exceeds the tolerance
            shape = draw(st.sampled_from(["box", "box", "box", "vertices", "concave", "two"]))
            cell = box(x, y, x + w - gap, y + height)
            if shape == "vertices":  # the same box digitised with a vertex every 17 m
                cell = shapely.segmentize(cell, 17.0)
            elif shape == "concave":  # an L: a quarter cut away from the top right
                cell = cell.difference(box(x + w / 2, y + height / 2, x + w, y + height))
            elif shape == "two":  # two parts 5 m apart, one parcel
                cell = shapely.MultiPolygon(
                    [
                        box(x, y, x + w / 2 - 2.5, y + height),
                        box(x + w / 2 + 2.5, y, x + w - gap, y + height),
                    ]
                )
            specs.append(
                {
                    "parcel_id": f"P{r}{c}",
                    "status": draw(st.sampled_from(STATUSES)),
                    "land_use": draw(st.sampled_from(["M1", "M2", "M3", "M3", "W"])),
                    "tenure": draw(st.sampled_from(["state", "state", "collective"])),
                    "geometry": cell,
                }
            )
            x += w
        y += height
    span = max(shapely.bounds(s["geometry"])[2] for s in specs)
    angle = draw(st.sampled_from([0.0, 0.0, 17.0, 45.0, 90.0]))

    def place(g):
        return shapely.affinity.translate(rotate(g, angle, origin=(0, 0)), X0, Y0)

    parcels = _frame(
        [{k: v for k, v in s.items() if k != "geometry"} for s in specs],
        [place(s["geometry"]) for s in specs],
    )
    road_y = -draw(st.sampled_from([8.0, 15.0, 30.0, 60.0]))
    roads_rows = [{"road_id": "R-1", "kind": "avenue", "width_m": 20.0}]
    roads_geoms = [place(LineString([(-200, road_y), (span + 200, road_y)]))]
    if draw(st.booleans()):  # a branch road across the grid, between two columns
        x = draw(st.sampled_from([60.0, 100.0, 150.0]))
        roads_rows.append({"road_id": "R-2", "kind": "branch", "width_m": 12.0})
        roads_geoms.append(place(LineString([(x, -50), (x, y + 50)])))
    cons_rows, cons_geoms = [], []
    if draw(st.booleans()):
        hx = draw(st.floats(-300, span + 300))
        cons_rows.append({"constraint_id": "H", "kind": "residential", "name": "村"})
        cons_geoms.append(place(box(hx, y + 150, hx + 80, y + 230)))
    if draw(st.booleans()):
        rx = draw(st.floats(0, span))
        ry = draw(st.floats(0, y))
        cons_rows.append({"constraint_id": "E", "kind": "ecological_red_line", "name": "红线"})
        cons_geoms.append(place(box(rx, ry, rx + 70, ry + 60)))
    sx = draw(st.floats(-1500, span + 1500))
    substations = _frame(
        [{"substation_id": "S", "voltage_kv": 110.0, "name": "站"}],
        [place(Point(sx, y + draw(st.floats(200, 3500))))],
    )
    layers = {
        "parcels": parcels,
        "roads": _frame(roads_rows, roads_geoms),
        "substations": substations,
    }
    if cons_rows:
        layers["constraints"] = _frame(cons_rows, cons_geoms)
    zone = Zone.from_layers(layers)
    low = draw(st.sampled_from([4.0, 6.0, 9.0, 14.0, 25.0]))
    project = _project(
        low,
        low * draw(st.sampled_from([1.0, 1.5, 2.5])),
        tenure_ok=draw(st.sampled_from(["buy", "lease"])),
        hazard=draw(st.sampled_from(["none", "none", "hazardous_waste"])),
    )
    if draw(st.booleans()):
        project["voltage_kv"] = 110.0
    return zone, project


CHECK = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --- adjacency and frontage -----------------------------------------------------------------------
@CHECK
@given(zones())
def test_adjacency_equals_the_shared_boundary_both_ways(case):
    zone, _project = case
    siting = zone.policy.siting
    tol, minimum = siting.adjacency_tolerance_m, siting.adjacency_min_shared_m
    geoms = np.asarray(zone.parcels.geometry.array, dtype=object)
    i, j, shared = parcel_adjacency(geoms, tolerance_m=tol, min_shared_m=minimum)
    found = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared.tolist(), strict=True))
    for a, b in itertools.combinations(range(len(geoms)), 2):
        expected = oracle_shared(geoms[a], geoms[b], tol)
        if abs(expected - minimum) < SLACK_M:
            continue
        if expected >= minimum:
            assert found.get((a, b)) == pytest.approx(expected, abs=SLACK_M), (a, b)
        else:
            assert (a, b) not in found, (a, b, expected)
    # Symmetric: the same pairs and lengths whatever the order of the parcels.
    back = parcel_adjacency(geoms[::-1], tolerance_m=tol, min_shared_m=minimum)
    n = len(geoms) - 1
    mirrored = {
        (min(n - x, n - y), max(n - x, n - y)): d
        for x, y, d in zip(*(v.tolist() for v in back), strict=True)
    }
    assert mirrored.keys() == found.keys()
    for key, d in found.items():
        assert mirrored[key] == pytest.approx(d, abs=1e-6)


@CHECK
@given(zones())
def test_frontage_is_the_boundary_within_every_roads_reach(case):
    zone, project = case
    result = match(project | {"land_mu_min": 0.1, "land_mu_max": 10_000.0}, zone, kinds=("single",))
    for row in result.ranked.itertuples():
        assert row.frontage_m == pytest.approx(oracle_frontage(row.geometry, zone), abs=SLACK_M)


# --- single parcels, assemblies, rejections ----------------------------------------------
def _oracle_sites(zone: Zone, project: dict) -> tuple[set, set]:
    """Return the sites the rules' text allows, by brute force, and those too close to call."""
    policy = zone.policy
    siting = policy.siting
    demand = land_demand(pd.Series(project), policy)
    rows = [r for r in zone.parcels.itertuples() if oracle_parcel_suits(r, project, policy)]
    tol, minimum = siting.adjacency_tolerance_m, siting.adjacency_min_shared_m
    found, unsure = set(), set()

    def adjacent(a, b) -> bool | None:
        d = oracle_shared(a.geometry, b.geometry, tol)
        return None if abs(d - minimum) < SLACK_M else d >= minimum

    for size in range(1, siting.max_group_size + 1):
        for group in itertools.combinations(rows, size):
            areas = [g.area_m2 for g in group]
            total = sum(areas)
            if not demand.min_m2 <= total <= demand.max_m2:
                continue
            if size > 1 and total - min(areas) >= demand.min_m2:
                continue
            ids = frozenset(g.parcel_id for g in group)
            doubtful = False
            reached, todo = {0}, [0]
            while todo:
                k = todo.pop()
                for m in range(size):
                    if m in reached:
                        continue
                    near = adjacent(group[k], group[m])
                    doubtful |= near is None
                    if near:
                        reached.add(m)
                        todo.append(m)
            if len(reached) != size and not doubtful:
                continue
            site = shapely.union_all([g.geometry for g in group])
            site = site.buffer(tol, join_style="mitre").buffer(-tol, join_style="mitre")
            if oracle_near_threshold(site, project, zone):
                unsure.add(ids)
                continue
            if oracle_geometry_failures(site, project, zone):
                continue
            (unsure if doubtful else found).add(ids)
    return found, unsure


@CHECK
@given(zones())
def test_single_parcels_and_assemblies_equal_brute_force(case):
    zone, project = case
    result = match(project, zone, kinds=("single", "assembly"))
    got = {frozenset(ids.split(";")) for ids in result.ranked["parcel_ids"]}
    expected, unsure = _oracle_sites(zone, project)
    assert got - unsure == expected - unsure
    assert len(got) == len(result.ranked)
    singles = result.ranked.loc[result.ranked["kind"] == "single"]
    assert all(";" not in ids for ids in singles["parcel_ids"])


@CHECK
@given(zones())
def test_every_rejection_is_true_of_its_parcel(case):
    zone, project = case
    policy = zone.policy
    result = match(project, zone)
    parcels = zone.parcels.set_index("parcel_id")
    offered = {pid for ids in result.ranked["parcel_ids"].dropna() for pid in ids.split(";")}
    rejected = set(result.rejections["parcel_id"].dropna())
    assert set(parcels.index) <= offered | rejected  # every parcel is offered or explained
    assert set(result.rejections["rule"]) <= set(RULES)
    for rej in result.rejections.dropna(subset=["parcel_id"]).itertuples():
        row = parcels.loc[rej.parcel_id]
        geom = row.geometry
        siting = policy.siting
        if rej.rule == "status":
            assert row.status not in siting.available_statuses
        elif rej.rule == "tenure":
            assert row.status in siting.lease_only_statuses or row.tenure == "collective"
        elif rej.rule == "land_use":
            assert row.land_use not in oracle_allowed_use(project, policy)
        elif rej.rule in ("protected", "residential_setback", "fuel_station_setback", "power"):
            if not oracle_near_threshold(geom, project, zone):
                assert rej.rule in oracle_geometry_failures(geom, project, zone)
        elif rej.rule == "area":
            assert rej.parcel_id not in offered or "assembly" in rej.reason


# --- cut-outs -------------------------------------------------------------------------------------
@st.composite
def big_parcels(draw):
    """One large parcel — rectangle, concave, with collinear vertices — by a road, rotated."""
    width = draw(st.floats(250.0, 700.0))
    depth = draw(st.floats(200.0, 500.0))
    shape = draw(st.sampled_from(["box", "vertices", "concave", "notch"]))
    plain = shape in ("box", "vertices")
    parcel = box(0, 0, width, depth)
    if shape == "vertices":
        parcel = shapely.segmentize(parcel, 40.0)
    elif shape == "concave":
        parcel = parcel.difference(box(width * 0.4, depth * 0.5, width, depth))
    elif shape == "notch":  # a notch cut into the frontage edge
        parcel = parcel.difference(box(width * 0.3, -1, width * 0.45, depth * 0.4))
    angle = draw(st.floats(-60.0, 60.0))

    def place(g):
        return shapely.affinity.translate(rotate(g, angle, origin=(0, 0)), X0, Y0)

    road = LineString([(-500, -15), (width + 500, -15)])
    layers = {
        "parcels": _frame(
            [{"parcel_id": "BIG", "status": "state_reserve", "land_use": "M3", "tenure": "state"}],
            [place(parcel)],
        ),
        "roads": _frame([{"road_id": "R", "kind": "secondary", "width_m": 20.0}], [place(road)]),
    }
    cons_rows, cons_geoms = [], []
    if draw(st.booleans()):  # a village near one end
        hx = draw(st.sampled_from([-250.0, width + 100.0]))
        cons_rows.append({"constraint_id": "H", "kind": "residential", "name": "村"})
        cons_geoms.append(place(box(hx, 0, hx + 150, 150)))
    if draw(st.booleans()):  # a red line touching the parcel
        cons_rows.append({"constraint_id": "E", "kind": "ecological_red_line", "name": "红线"})
        ex = draw(st.floats(0, width - 60))
        cons_geoms.append(place(box(ex, depth - 20, ex + 60, depth + 50)))
    if cons_rows:
        layers["constraints"] = _frame(cons_rows, cons_geoms)
    sx = draw(st.floats(-3500.0, width + 3500.0))
    layers["substations"] = _frame(
        [{"substation_id": "S", "voltage_kv": 110.0, "name": "站"}], [place(Point(sx, -200))]
    )
    zone = Zone.from_layers(layers)
    target = draw(st.floats(8.0, 60.0))
    project = _project(target, target, hazard=draw(st.sampled_from(["none", "hazardous_waste"])))
    if draw(st.booleans()):
        project["voltage_kv"] = 110.0
    # A plain rectangle large enough to be cut, with nothing near it, always has room for a
    # square on its frontage.
    large = width * depth >= zone.policy.siting.cutout_min_ratio * target * MU_M2
    surely = plain and large and not cons_rows and "voltage_kv" not in project
    return zone, project, surely


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(big_parcels())
def test_every_cutout_passes_every_rule_itself(case):
    zone, project, surely = case
    siting = zone.policy.siting
    result = match(project, zone, kinds=("cutout",))
    if surely:
        assert len(result.ranked) == 1
    parent = zone.parcels.geometry.iloc[0]
    target = land_demand(pd.Series(project), zone.policy).target_m2
    for site in result.ranked.itertuples():
        cut = site.geometry
        assert cut.geom_type == "Polygon"
        assert parent.buffer(0.01).contains(cut)
        assert abs(cut.area - target) <= siting.cutout_area_tolerance * target + 1e-6
        envelope = shapely.get_coordinates(shapely.oriented_envelope(cut))
        sides = sorted(np.hypot(*(envelope[1:3] - envelope[0:2]).T))
        assert sides[1] / sides[0] <= siting.cutout_max_aspect + 1e-6
        assert oracle_frontage(cut, zone) > 0
        assert site.frontage_m == pytest.approx(oracle_frontage(cut, zone), abs=SLACK_M)
        assert not oracle_geometry_failures(cut, project, zone)
        rest = parent.difference(cut)
        real = [p for p in getattr(rest, "geoms", [rest]) if p.area > siting.sliver_area_m2]
        assert len(real) == 1
        assert real[0].area >= siting.cutout_min_remainder_mu * MU_M2 - 1e-6


@settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    width=st.floats(300.0, 700.0),
    depth=st.floats(250.0, 500.0),
    target=st.floats(8.0, 40.0),
    angle=st.floats(-45.0, 45.0),
    step=st.sampled_from([10.0, 25.0, 40.0]),
)
def test_collinear_vertices_change_no_cutout(width, depth, target, angle, step):
    """A parcel digitised with extra vertices on its edges gives the same cut-out as its twin."""
    results = []
    for parcel in (box(0, 0, width, depth), shapely.segmentize(box(0, 0, width, depth), step)):
        zone = Zone.from_layers(
            {
                "parcels": _frame(
                    [{"parcel_id": "BIG", "status": "state_reserve", "land_use": "M1"}],
                    [rotate(shapely.affinity.translate(parcel, X0, Y0), angle, origin=(X0, Y0))],
                ),
                "roads": _frame(
                    [{"road_id": "R", "kind": "secondary", "width_m": 20.0}],
                    [
                        rotate(
                            LineString([(X0 - 500, Y0 - 15), (X0 + width + 500, Y0 - 15)]),
                            angle,
                            origin=(X0, Y0),
                        )
                    ],
                ),
            }
        )
        results.append(match(_project(target, target), zone, kinds=("cutout",)).ranked)
    plain, dense = results
    assert len(plain) == len(dense) == 1
    assert plain.geometry.iloc[0].symmetric_difference(dense.geometry.iloc[0]).area < 1.0


# --- floor space ------------------------------------------------------------------------
@st.composite
def zones_with_buildings(draw):
    """A random zone, a vacant or occupied building on each parcel, and a floor-space project."""
    zone, project = draw(zones())
    rows, footprints = [], []
    for k, parcel in enumerate(zone.parcels.itertuples()):
        inner = parcel.geometry.buffer(-draw(st.sampled_from([2.0, 8.0])))
        if inner.is_empty:
            continue
        inner = max(getattr(inner, "geoms", [inner]), key=lambda g: g.area)
        rows.append(
            {
                "building_id": f"B{k}",
                "parcel_id": parcel.parcel_id,
                "status": draw(st.sampled_from(["vacant", "partly_vacant", "in_use"])),
                "floors": 1,
                "floor_area_m2": 6000.0,
                "vacant_area_m2": draw(st.sampled_from([1000.0, 4000.0, 6000.0])),
            }
        )
        footprints.append(inner)
    layers = {name: getattr(zone, name) for name in ("parcels", "roads", "substations")}
    layers["constraints"] = zone.constraints
    layers["buildings"] = _frame(rows, footprints) if rows else zone.buildings
    zone = Zone.from_layers(layers)
    project = {k: v for k, v in project.items() if not k.startswith("land_mu")}
    return zone, project | {"can_use_building": True, "floor_area_m2": 3000.0}


@CHECK
@given(zones_with_buildings())
def test_floor_space_equals_the_rules_judged_on_the_building_and_its_parcel(case):
    zone, project = case
    policy = zone.policy
    result = match(project, zone, kinds=("floor_space",))
    got = set(result.ranked["building_id"])
    land_use = zone.parcels.set_index("parcel_id")["land_use"]
    expected, unsure = set(), set()
    for b in zone.buildings.itertuples():
        if oracle_near_threshold(b.geometry, project, zone):
            unsure.add(b.building_id)
            continue
        if (
            b.status in policy.siting.floor_space_statuses
            and b.vacant_area_m2 >= project["floor_area_m2"]
            and land_use.get(b.parcel_id) in oracle_allowed_use(project, policy)
            and not oracle_geometry_failures(b.geometry, project, zone)
        ):
            expected.add(b.building_id)
    assert got - unsure == expected - unsure
