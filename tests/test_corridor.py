"""Corridor phases: an exact partition, hand-computed chainages and areas per phase."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geopandas as gpd
from shapely import LineString, Point, box, union_all

from landplan.corridor import corridor, corridor_phases
from landplan.errors import GeometryError, LandplanError
from landplan.zone import Zone

X0, Y0 = 602_600.0, 2_533_800.0
MU = 10000.0 / 15.0


def make_zone(line=None, *, breaks="1000;2000", constraints=None) -> Zone:
    """A 3 km avenue along y = Y0; 200 m corridor (100 m either side).

    Parcels (all 100 m deep, north of the avenue from Y0 to Y0 + 100):
    A: x 0-500 idle; B: x 900-1100 straddles the first break, state reserve;
    C: x 2500-2700 occupied; D: x 1500-1600 planned; E: x 500-600 north of the corridor's
    edge (Y0 + 150 to Y0 + 250), reserve, half inside? no: wholly outside.
    """
    line = line or LineString([(X0, Y0), (X0 + 3000, Y0)])
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["A", "B", "C", "D", "E"],
            "status": ["idle", "state_reserve", "occupied", "planned", "state_reserve"],
            "land_use": ["M1", "M2", "M1", "M1", "M1"],
        },
        geometry=[
            box(X0, Y0, X0 + 500, Y0 + 100),
            box(X0 + 900, Y0, X0 + 1100, Y0 + 100),
            box(X0 + 2500, Y0, X0 + 2700, Y0 + 100),
            box(X0 + 1500, Y0, X0 + 1600, Y0 + 100),
            box(X0 + 500, Y0 + 150, X0 + 600, Y0 + 250),
        ],
        crs="EPSG:4546",
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "parcel_id": ["C", "C"],
            "status": ["vacant", "in_use"],
            "floors": [2, 1],
            "floor_area_m2": [4000.0, 1000.0],
            "vacant_area_m2": [4000.0, 0.0],
        },
        geometry=[
            box(X0 + 2510, Y0 + 10, X0 + 2560, Y0 + 50),
            box(X0 + 2600, Y0 + 10, X0 + 2650, Y0 + 30),
        ],
        crs="EPSG:4546",
    )
    corridors = gpd.GeoDataFrame(
        {
            "corridor_id": ["C-1"],
            "name": ["新城大道"],
            "width_m": [200.0],
            "phase_breaks_m": [breaks],
        },
        geometry=[line],
        crs="EPSG:4546",
    )
    layers = {"parcels": parcels, "buildings": buildings, "corridors": corridors}
    if constraints is not None:
        layers["constraints"] = constraints
    return Zone.from_layers(layers)


def test_phases_of_a_straight_avenue_by_hand():
    result = corridor(make_zone())
    phases = result.phases.set_index("phase")
    assert result.breaks_m == [1000.0, 2000.0, 3000.0]
    assert phases["area_m2"].tolist() == pytest.approx([200_000.0] * 3)
    assert result.area_m2 == pytest.approx(600_000.0)
    # Phase 1: A (50 000 m2 idle) + west half of B (10 000 m2 reserve).
    assert phases.loc[1, "idle_mu"] == pytest.approx(50_000 / MU)
    assert phases.loc[1, "state_reserve_mu"] == pytest.approx(10_000 / MU)
    assert phases.loc[2, "state_reserve_mu"] == pytest.approx(10_000 / MU)
    assert phases.loc[2, "planned_mu"] == pytest.approx(10_000 / MU)
    # Planned land is supply (developable) but not yet available.
    assert phases.loc[2, "available_mu"] == pytest.approx(10_000 / MU)
    assert phases.loc[2, "developable_mu"] == pytest.approx(20_000 / MU)
    assert phases.loc[3, "occupied_mu"] == pytest.approx(20_000 / MU)
    assert phases.loc[3, "developable_mu"] == 0.0
    assert phases.loc[3, "vacant_floor_m2"] == 4000.0
    assert phases.loc[3, "vacant_buildings"] == 1
    assert phases["cumulative_developable_mu"].tolist() == pytest.approx(
        np.cumsum([60_000, 20_000, 0]) / MU
    )
    # E lies outside the corridor: it is nowhere.
    assert "E" not in set(result.pieces["parcel_id"])
    # Areas add up: parcels plus unparcelled land make each phase.
    assert (phases["parcel_mu"] + phases["unparcelled_mu"]).tolist() == pytest.approx(
        phases["area_mu"].tolist()
    )


def test_chainage_of_pieces_by_hand():
    result = corridor(make_zone())
    pieces = result.pieces.set_index(["parcel_id", "phase"])
    # Centroids: A at x = 250; B's halves at 950 and 1050; D at 1550.
    assert pieces.loc[("A", 1), "chainage_m"] == pytest.approx(250.0)
    assert pieces.loc[("B", 1), "chainage_m"] == pytest.approx(950.0)
    assert pieces.loc[("B", 2), "chainage_m"] == pytest.approx(1050.0)
    assert pieces.loc[("D", 2), "chainage_m"] == pytest.approx(1550.0)


def test_curve_accumulates_along_the_avenue():
    result = corridor(make_zone())
    curve = result.curve.set_index("chainage_m")
    # Steps of 250 m: A (centroid 250 m) falls in the step 250-500 m.
    assert curve.loc[500.0, "cumulative_developable_mu"] == pytest.approx(50_000 / MU)
    assert curve.loc[1250.0, "cumulative_developable_mu"] == pytest.approx(70_000 / MU)
    assert curve["cumulative_developable_mu"].iloc[-1] == pytest.approx(80_000 / MU)
    assert curve["cumulative_vacant_floor_m2"].iloc[-1] == 4000.0
    assert curve.index[-1] == pytest.approx(3000.0)


def test_constraints_reduce_developable_land():
    red_line = gpd.GeoDataFrame(
        {"constraint_id": ["K1", "K2"], "kind": ["ecological_red_line", "basic_farmland"]},
        # K1 covers A's west 100 m (10 000 m2); K2 overlaps K1 and 50 m more (5 000 m2).
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 50, Y0, X0 + 150, Y0 + 100)],
        crs="EPSG:4546",
    )
    result = corridor(make_zone(constraints=red_line))
    phases = result.phases.set_index("phase")
    assert phases.loc[1, "constrained_mu"] == pytest.approx(15_000 / MU)
    assert phases.loc[1, "developable_mu"] == pytest.approx(45_000 / MU)
    only_k2 = corridor(make_zone(constraints=red_line), exclude=["basic_farmland"])
    assert only_k2.phases.loc[0, "constrained_mu"] == pytest.approx(10_000 / MU)


@pytest.mark.parametrize(
    "line",
    [
        LineString([(X0, Y0), (X0 + 1500, Y0), (X0 + 1500, Y0 + 1500)]),
        LineString([(X0, Y0), (X0 + 1000, Y0 + 300), (X0 + 1400, Y0 - 600), (X0 + 3000, Y0)]),
    ],
    ids=["right-angle", "zigzag"],
)
def test_phases_partition_a_bent_corridor(line):
    polygons = corridor_phases(line, width_m=400.0, breaks_m=[700.0, 1500.0, 1600.0, line.length])
    whole = line.buffer(200.0, cap_style="flat")
    total = sum(p.area for p in polygons)
    assert total == pytest.approx(whole.area, rel=1e-6)
    assert union_all(polygons).symmetric_difference(whole).area < 1e-6 * whole.area
    for i in range(len(polygons)):
        for j in range(i + 1, len(polygons)):
            assert polygons[i].intersection(polygons[j]).area < 1e-6


def test_phase_length_and_given_breaks():
    zone = make_zone()
    assert corridor(zone, phase_length_m=1200.0).breaks_m == [1200.0, 2400.0, 3000.0]
    assert corridor(zone, breaks_m=[0.0, 2500.0]).breaks_m == [2500.0, 3000.0]
    no_breaks = make_zone(breaks="")
    # The policy's corridor.phase_length_m is 2000 m.
    assert corridor(no_breaks).breaks_m == [2000.0, 3000.0]


def test_projects_whose_sites_lie_in_a_phase():
    sites = gpd.GeoDataFrame(
        {"project_id": ["J1", "J2", "J1", "J3"]},
        geometry=[
            box(X0 + 100, Y0, X0 + 200, Y0 + 50),
            box(X0 + 1500, Y0, X0 + 1600, Y0 + 50),
            box(X0 + 300, Y0, X0 + 400, Y0 + 50),
            Point(X0 + 9000, Y0),
        ],
        crs="EPSG:4546",
    )
    phases = corridor(make_zone(), candidates=sites).phases.set_index("phase")
    assert phases["projects"].tolist() == ["J1", "J2", ""]
    assert phases["n_projects"].tolist() == [1, 1, 0]


def test_errors_say_what_was_expected():
    zone = make_zone()
    with pytest.raises(LandplanError, match=r"phase break\(s\) \[5000.0\] m lie outside"):
        corridor(zone, breaks_m=[1000.0, 5000.0])
    with pytest.raises(LandplanError, match="not increasing"):
        corridor(zone, breaks_m=[2000.0, 1000.0])
    with pytest.raises(LandplanError, match=r"no avenue 'X'; expected a name or corridor_id"):
        corridor(zone, "X")


def test_a_broken_avenue_is_refused():
    from shapely import MultiLineString

    gap = MultiLineString([[(X0, Y0), (X0 + 1000, Y0)], [(X0 + 1100, Y0), (X0 + 2000, Y0)]])
    with pytest.raises(GeometryError, match="expected one continuous LineString"):
        corridor(make_zone(gap))


def test_sample_avenue_phases_add_up():
    from landplan.sample import make_zone as sample_zone

    zone = Zone.from_layers(sample_zone(n_parcels=200))
    result = corridor(zone)
    assert len(result.phases) == len(result.breaks_m) >= 2
    assert result.phases["area_m2"].sum() == pytest.approx(
        zone.corridors.geometry.iloc[0].buffer(result.width_m / 2, cap_style="flat").area,
        rel=1e-6,
    )
    by_status = result.land_by_status.groupby("phase")["area_mu"].sum()
    parcel_mu = result.phases.set_index("phase")["parcel_mu"]
    assert by_status.to_numpy() == pytest.approx(parcel_mu.loc[by_status.index].to_numpy())
    assert isinstance(result.pieces, pd.DataFrame)


def test_breaks_written_with_commas_as_validation_accepts_them():
    """Validation accepts ';' or ',' (either width) between breaks; the analysis reads the same."""
    with_commas = corridor(make_zone(breaks="1000，2000"))
    assert with_commas.breaks_m == [1000.0, 2000.0, 3000.0]


def test_map_phases_are_the_analysed_phases_on_a_bent_avenue():
    from landplan.maps import phase_frame

    bent = LineString([(X0, Y0), (X0 + 1500, Y0), (X0 + 2500, Y0 + 1000)])
    zone = make_zone(bent, breaks="1000;2000")
    drawn = phase_frame(zone, zone.policy)
    analysed = corridor(zone).phases
    assert drawn["phase"].tolist() == [1, 2, 3]
    assert drawn.area.tolist() == pytest.approx(analysed["area_m2"].tolist())
    # The phases partition the band: no overlap at the bend.
    assert drawn.union_all().area == pytest.approx(drawn.area.sum())
