"""Tests of the sample zone generator and the committed sample files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shapely

from landplan.errors import LandplanError
from landplan.layers import LAYERS
from landplan.sample import AS_OF, GPKG_LAYERS, make_zone, write_sample
from landplan.units import MU_M2
from landplan.zone import Zone

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
AS_OF_TS = pd.Timestamp(AS_OF)
YEAR = pd.Timedelta(days=365)


@pytest.fixture(scope="module")
def zone() -> dict:
    return make_zone()


def _pairs_overlap_m2(geoms: np.ndarray) -> float:
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    if not keep.any():
        return 0.0
    return float(shapely.area(shapely.intersection(geoms[i[keep]], geoms[j[keep]])).max())


def _chainage(zone: dict, frame) -> np.ndarray:
    """Distance along the avenue from its west end."""
    line = zone["corridors"].geometry.iloc[0]
    return shapely.line_locate_point(line, shapely.centroid(np.asarray(frame.geometry.values)))


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_the_same_zone(zone):
    again = make_zone()
    assert list(again) == list(zone)
    for name in zone:
        pd.testing.assert_frame_equal(
            pd.DataFrame(again[name].drop(columns="geometry")),
            pd.DataFrame(zone[name].drop(columns="geometry")),
        )
        assert again[name].geometry.to_wkb().tolist() == zone[name].geometry.to_wkb().tolist()


def test_another_seed_gives_another_zone(zone):
    other = make_zone(seed=7)
    assert len(other["parcels"]) == len(zone["parcels"])
    assert not other["parcels"].geometry.geom_equals(zone["parcels"].geometry).all()
    assert (other["parcels"]["status"] != zone["parcels"]["status"]).any()


def test_write_sample_reproduces_the_committed_files(tmp_path):
    paths = write_sample(tmp_path)
    assert {p.name for p in paths.values()} == {"zone.gpkg", "projects.csv", "projects.xlsx"}
    for path in paths.values():
        committed = SAMPLE_DIR / path.name
        assert committed.exists(), f"{committed} missing: regenerate with write_sample"
        assert path.read_bytes() == committed.read_bytes(), f"{path.name} differs from {committed}"
    assert (SAMPLE_DIR / "projects.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_committed_sample_is_small():
    total = sum(p.stat().st_size for p in SAMPLE_DIR.iterdir())
    assert total < 2_000_000


def test_bad_parcel_count_is_rejected():
    with pytest.raises(LandplanError, match="n_parcels must be at least 1"):
        make_zone(n_parcels=0)
    with pytest.raises(LandplanError, match="positive integer"):
        make_zone(n_parcels=12.5)


# --- schema and validation ----------------------------------------------------------------------


def test_layers_follow_the_schema(zone):
    assert set(zone) == set(LAYERS)
    for name, frame in zone.items():
        spec = LAYERS[name]
        assert frame.crs.to_epsg() == 4546, name
        extra = set(frame.columns) - set(spec.names) - {"geometry", "note"}
        assert not extra, f"{name}: columns outside the schema {sorted(extra)}"
        for column in spec.columns:
            if column.required:
                assert column.name in frame, f"{name}.{column.name}"
                assert frame[column.name].notna().all(), f"{name}.{column.name}"
            if column.vocab is not None and column.name in frame:
                values = set(frame[column.name].dropna())
                assert values <= set(column.vocab.values), f"{name}.{column.name}: {values}"


def test_zone_validates(zone):
    validated = Zone.from_layers(zone)
    for name, frame in zone.items():
        assert len(getattr(validated, name)) == len(frame)
    assert validated.parcels["area_mu"].to_numpy() == pytest.approx(
        zone["parcels"]["area_mu"].to_numpy(), abs=1e-3
    )


def test_zone_is_near_112e_22_9n(zone):
    lon, lat = zone["parcels"].to_crs("EPSG:4490").geometry.union_all().centroid.coords[0]
    assert lon == pytest.approx(112.05, abs=0.06)
    assert lat == pytest.approx(22.9, abs=0.03)


# --- parcels ------------------------------------------------------------------------------------


def test_parcel_count_and_areas(zone):
    parcels = zone["parcels"]
    assert len(parcels) == 450
    assert parcels["parcel_id"].is_unique
    area_mu = shapely.area(np.asarray(parcels.geometry.values)) / MU_M2
    assert area_mu.min() >= 5.0
    assert area_mu.max() <= 200.0
    assert np.median(area_mu) == pytest.approx(20.0, rel=0.3)
    assert len(make_zone(n_parcels=37)["parcels"]) == 37


def test_status_shares(zone):
    shares = zone["parcels"]["status"].value_counts(normalize=True)
    assert shares["occupied"] == pytest.approx(0.45, abs=0.08)
    assert shares["state_reserve"] == pytest.approx(0.19, abs=0.07)
    assert shares["planned"] == pytest.approx(0.11, abs=0.05)
    for status in ("idle", "low_efficiency", "under_construction", "reserved_leased"):
        assert 0.03 <= shares[status] <= 0.12, status


def test_built_up_west_reserve_east(zone):
    parcels = zone["parcels"]
    x = pd.Series(_chainage(zone, parcels)).groupby(parcels["status"].to_numpy()).median()
    assert x["occupied"] < x["state_reserve"] < x["planned"]
    assert x["low_efficiency"] < x["state_reserve"]


def test_parcels_do_not_overlap(zone):
    assert _pairs_overlap_m2(np.asarray(zone["parcels"].geometry.values)) < 1e-3


def test_parcels_keep_off_constraints_and_roads(zone):
    parcels, roads = zone["parcels"], zone["roads"]
    nogo = zone["constraints"]
    hit = parcels.sindex.query(np.asarray(nogo.geometry.values), predicate="intersects")
    assert hit.shape[1] == 0
    corridors = shapely.buffer(
        np.asarray(roads.geometry.values), roads["width_m"].to_numpy() / 2 - 0.01, cap_style="flat"
    )
    assert parcels.sindex.query(corridors, predicate="intersects").shape[1] == 0


def test_villages_reserved_land_and_m3(zone):
    parcels, constraints = zone["parcels"], zone["constraints"]
    villages = constraints.loc[constraints["kind"] == "residential"].geometry.union_all()
    reserved = parcels[parcels["status"] == "reserved_leased"]
    assert (reserved["tenure"] == "collective").all()
    assert reserved["village"].notna().all()
    assert set(reserved["village"]) <= set(constraints["name"])
    assert (reserved.distance(villages) < 500).all()
    assert (parcels.loc[parcels["status"] != "reserved_leased", "tenure"] == "state").all()
    m3 = parcels[parcels["land_use"] == "M3"]
    assert len(m3) >= 5
    assert (m3.distance(villages) > 300).all()
    available = parcels["status"].isin(["state_reserve", "idle", "reserved_leased"])
    assert (available & (parcels["land_use"] == "M3")).any()
    assert (available & (parcels.distance(villages) < 300)).any()


def test_idle_parcels_cover_every_clock(zone):
    idle = zone["parcels"][zone["parcels"]["status"] == "idle"]
    not_started = idle[idle["actual_start"].isna()]
    since = AS_OF_TS - not_started["agreed_start"]
    plain = not_started["extension_months"] == 0
    assert (plain & (since < YEAR)).any()  # before the one-year clock
    assert (plain & (since > YEAR) & (since < 2 * YEAR)).any()  # idle, fee due
    assert (plain & (since > 2 * YEAR)).any()  # past the two-year recovery
    assert (not_started["extension_months"].between(1, 12) & ~plain).any()
    started = idle[idle["actual_start"].notna()]
    short = (started["developed_share"] < 1 / 3) | (started["invested_share"] < 0.25)
    suspended = AS_OF_TS - started["suspended_since"]
    assert (short & (suspended > YEAR)).any()  # idle under rule 2
    assert (short & (suspended < YEAR)).any()  # suspended, clock running
    assert (~short).any()  # started far enough: not idle by rule 2


def test_dates_are_consistent(zone):
    parcels = zone["parcels"]
    done = parcels["completed"].notna()
    assert (parcels.loc[done, "completed"] > parcels.loc[done, "actual_start"]).all()
    assert (parcels.loc[done, "completed"] <= AS_OF_TS).all()
    building = parcels[parcels["status"] == "under_construction"]
    overdue = AS_OF_TS - building["agreed_completion"] > 2 * YEAR
    assert overdue.any() and not overdue.all()
    sold = parcels["status"].isin(["occupied", "low_efficiency", "idle", "under_construction"])
    assert parcels.loc[sold, "land_price_wan_yuan"].gt(0).all()
    assert parcels.loc[~sold, "land_price_wan_yuan"].isna().all()


# --- buildings ----------------------------------------------------------------------------------


def test_buildings_lie_within_their_parcels(zone):
    buildings = zone["buildings"]
    parcels = zone["parcels"].set_index("parcel_id").geometry
    within = shapely.within(
        np.asarray(buildings.geometry.values),
        np.asarray(parcels.loc[buildings["parcel_id"]].values),
    )
    assert within.all()
    assert _pairs_overlap_m2(np.asarray(buildings.geometry.values)) == 0.0
    statuses = zone["parcels"].set_index("parcel_id").loc[buildings["parcel_id"], "status"]
    assert set(statuses) == {"occupied", "low_efficiency", "under_construction", "idle"}


def test_building_figures(zone):
    b = zone["buildings"]
    footprint = shapely.area(np.asarray(b.geometry.values))
    ratio = b["floor_area_m2"].to_numpy() / (footprint * b["floors"].to_numpy())
    assert ratio == pytest.approx(np.full(len(b), 0.98), abs=0.025)
    assert (b["vacant_area_m2"] <= b["floor_area_m2"]).all()
    assert ((b["floors"] == 1) & (b["storey_height_m"] > 8)).sum() >= 20
    standard = b[b["standard_factory"]]
    assert {"vacant", "partly_vacant", "in_use"} <= set(standard["status"])
    vacant = standard[standard["status"] == "vacant"]
    assert (vacant["vacant_area_m2"] == vacant["floor_area_m2"]).all()
    partly = b[b["status"] == "partly_vacant"]
    assert (
        (partly["vacant_area_m2"] > 0) & (partly["vacant_area_m2"] < partly["floor_area_m2"])
    ).all()


# --- enterprises --------------------------------------------------------------------------------


def _per_parcel(zone: dict) -> pd.DataFrame:
    """Output and tax per mu of every parcel with enterprises (multi-parcel firms split by area)."""
    parcels = zone["parcels"].set_index("parcel_id")
    e = zone["enterprises"].assign(pid=zone["enterprises"]["parcel_id"].str.split(";"))
    e = e.explode("pid")
    e["mu"] = parcels["area_mu"].reindex(e["pid"]).to_numpy()
    e["share"] = e["mu"] / e.groupby("enterprise_id")["mu"].transform("sum")
    e["out"] = e["output_wan_yuan"] * e["share"]
    e["tax"] = e["tax_wan_yuan"] * e["share"]
    totals = e.groupby("pid")[["out", "tax"]].sum()
    totals = totals.join(parcels[["status", "area_mu"]])
    return totals.assign(
        out_mu=totals["out"] / totals["area_mu"], tax_mu=totals["tax"] / totals["area_mu"]
    )


def test_enterprises_reference_built_parcels(zone):
    e, parcels = zone["enterprises"], zone["parcels"].set_index("parcel_id")
    assert e["enterprise_id"].is_unique
    refs = e["parcel_id"].str.split(";").explode()
    assert refs.isin(parcels.index).all()
    assert set(parcels.loc[refs, "status"]) == {"occupied", "low_efficiency"}
    assert e["parcel_id"].str.contains(";").sum() >= 3
    built = parcels.index[parcels["status"].isin(["occupied", "low_efficiency"])]
    assert set(built) == set(refs)


def test_enterprise_industries_and_leaders(zone):
    e = zone["enterprises"]
    prefix = {
        "metal_smart_manufacturing": ("33", "42"),
        "machinery_equipment": ("34", "35"),
        "hydrogen_energy": ("38", "26"),
        "new_materials": ("26", "30", "42"),
    }
    for cluster, starts in prefix.items():
        codes = e.loc[e["cluster"] == cluster, "industry_code"]
        assert len(codes) > 5
        assert codes.str.startswith(starts).all(), cluster
    assert (e["industry_code"].str.startswith("44")).sum() == 1
    leaders = e[e["chain_leader"]]
    fuel_cell = leaders[leaders["industry_code"] == "3849"]
    assert len(fuel_cell) == 1
    assert fuel_cell["cluster"].iloc[0] == "hydrogen_energy"
    assert fuel_cell["high_tech"].iloc[0]
    assert leaders["output_wan_yuan"].min() > e["output_wan_yuan"].quantile(0.9)


def test_enterprise_indicators_are_plausible(zone):
    e = zone["enterprises"]
    producing = e[e["operating_status"] == "producing"]
    va_share = producing["value_added_wan_yuan"] / producing["output_wan_yuan"]
    assert va_share.between(0.1, 0.35).all()
    tce_per_wan = producing["energy_tce"] / producing["output_wan_yuan"]
    assert tce_per_wan.median() == pytest.approx(0.025, rel=0.5)
    assert (e["employees"] >= 8).all()
    assert (e["year"] == 2025).all()
    stopped = e[e["operating_status"] != "producing"]
    assert len(stopped) >= 5
    assert stopped["stopped_since"].notna().all()
    assert producing["stopped_since"].isna().all()
    assert (AS_OF_TS - e["last_tax_date"] > 2 * YEAR).sum() >= 3
    long_silent = e[e["last_tax_date"] < pd.Timestamp("2025-01-01")]
    assert (long_silent["tax_wan_yuan"] == 0).all()


def test_low_efficiency_parcels_have_weak_indicators(zone):
    per = _per_parcel(zone)
    low = per[per["status"] == "low_efficiency"]
    occupied = per[per["status"] == "occupied"]
    assert len(low) >= 15
    assert (low["out_mu"] < 150).all()  # below half the 300 万元/亩 control value
    assert (low["tax_mu"] < 3).all()
    assert occupied["out_mu"].median() > 300
    assert occupied["tax_mu"].median() > 10


# --- constraints, infrastructure, corridor, projects ---------------------------------------------


def test_constraints_and_substations(zone):
    kinds = set(zone["constraints"]["kind"])
    assert kinds == {
        "ecological_red_line",
        "basic_farmland",
        "water_protection",
        "residential",
        "river",
        "fuel_station",
    }
    assert (zone["constraints"]["kind"] == "residential").sum() == 4
    volts = zone["substations"]["voltage_kv"].value_counts()
    assert volts[220.0] >= 1 and volts[110.0] >= 2
    assert (zone["substations"]["spare_mva"] <= zone["substations"]["capacity_mva"]).all()
    red_line = zone["constraints"].set_index("kind").geometry["ecological_red_line"]
    parcels = zone["parcels"]
    assert red_line.centroid.y > parcels.geometry.union_all().centroid.y
    assert _chainage(zone, zone["constraints"].iloc[[0]])[0] > np.median(_chainage(zone, parcels))


def test_corridor_runs_west_to_east_with_phases(zone):
    corridor = zone["corridors"].iloc[0]
    (x0, _), (x1, _) = corridor.geometry.coords[0], corridor.geometry.coords[-1]
    assert x1 > x0
    breaks = [float(b) for b in corridor["phase_breaks_m"].split(";")]
    assert breaks == sorted(breaks)
    assert 0 < breaks[0] and breaks[-1] < corridor.geometry.length
    assert set(zone["roads"]["kind"]) == {"avenue", "secondary", "branch"}
    assert (zone["roads"]["kind"] == "avenue").sum() == 1


def test_the_report_projects(zone):
    p = zone["projects"].set_index("project_id")
    assert len(p) >= 18
    report = p.loc[["PJ-01", "PJ-02", "PJ-03", "PJ-04", "PJ-05", "PJ-06"]]
    assert list(report["stage"]) == ["signed"] * 4 + ["framework"] * 2
    assert p.loc["PJ-01", "hazard"] == "hazardous_waste"
    assert p.loc["PJ-01", "name"] == "润滑油资源再生项目"
    assert p.loc["PJ-02", "cluster"] == "machinery_equipment"
    assert p.loc["PJ-04", "tenure_ok"] == "lease"
    assert p.loc["PJ-04", "cluster"] == "metal_smart_manufacturing"
    for pid in ("PJ-05", "PJ-06"):
        assert p.loc[pid, "stage_date"] == pd.Timestamp("2026-06-23")
    storage = p.loc["PJ-06"]
    assert storage["storage_mwh"] == 200.0
    assert storage["voltage_kv"] == 110.0
    assert storage["hazard"] == "energy_storage"
    assert storage["land_mu_min"] <= 0.17 * 200 <= storage["land_mu_max"]
    assert set(p["stage"]) == {"prospect", "framework", "signed"}
    assert p["land_mu_min"].between(5, 120).all() and p["land_mu_max"].between(5, 120).all()
    assert (p["land_mu_min"] <= p["land_mu_max"]).all()
    assert (p["fixed_investment_wan_yuan"] <= p["investment_wan_yuan"]).all()
    small = p[p["can_use_building"]]
    assert len(small) >= 3
    assert (
        small[["floor_area_m2", "floor_load_min_kn_m2", "clear_height_min_m"]].notna().all().all()
    )
    assert p["stage_date"].max() <= pd.Timestamp(AS_OF)


# --- scale --------------------------------------------------------------------------------------


def test_ten_thousand_parcels():
    big = make_zone(n_parcels=10_000)
    parcels = big["parcels"]
    assert len(parcels) == 10_000
    assert parcels["parcel_id"].iloc[-1] == "P-10000"
    area_mu = parcels["area_mu"].to_numpy()
    assert area_mu.min() >= 5.0 and area_mu.max() <= 200.0
    assert _pairs_overlap_m2(np.asarray(parcels.geometry.values)) < 1e-3
    assert len(big["buildings"]) > 5_000
    refs = big["enterprises"]["parcel_id"].str.split(";").explode()
    assert refs.isin(parcels["parcel_id"]).all()
    assert len(big["substations"]) > len(make_zone(n_parcels=450)["substations"])
    assert {dt.date(2026, 6, 30)} == {AS_OF}
    assert list(GPKG_LAYERS) == [n for n in big if n != "projects"]
