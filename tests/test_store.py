"""The store, on both backends: the same tests run on the embedded GeoPackage and on PostGIS."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import geopandas as gpd
import pyogrio
import shapely

from landplan.errors import (
    CRSMismatchError,
    ReservationError,
    SchemaError,
    StaleWriteError,
    StoreError,
)
from landplan.policy import Policy
from landplan.store import open_store
from landplan.units import MU_M2
from landplan.zone import Zone
from tests._store_data import CRS, X0, Y0, box, parcels

NOT_INITIALISED = "not a landplan store yet; create it with `landplan init"
STALE = "changed by someone else after you read it: you read version 1, the store has version 2"
ALREADY_HELD = "P-2: already reserved for project PR-1"


# --- creating and opening --------------------------------------------------------------------


def test_init_creates_once(store_url):
    s = open_store(store_url)
    assert not s.is_initialized()
    with pytest.raises(StoreError, match=NOT_INITIALISED):
        s.load_layer("parcels")
    assert s.init() is True
    assert s.init() is False
    assert s.crs.to_epsg() == 4546
    assert s.count("parcels") == 0
    s.close()


def test_policy_with_another_crs_is_refused(store, store_url):
    other = Policy.default().replace(**{"crs.working": "EPSG:4547"})
    with (
        open_store(store_url, policy=other) as s,
        pytest.raises(CRSMismatchError, match=r"EPSG:4546.*EPSG:4547"),
    ):
        s.load_layer("parcels")


def test_unknown_url_scheme():
    with pytest.raises(StoreError, match="unsupported store 'mysql://x'"):
        open_store("mysql://x")


def test_not_a_geopackage(tmp_path):
    path = tmp_path / "notes.gpkg"
    path.write_text("hello")
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(path)


# --- import and load --------------------------------------------------------------------------


def test_round_trip_keeps_values_types_and_geometry(store):
    summary = store.import_layer("parcels", parcels())
    assert (summary.inserted, summary.updated, summary.deleted) == (5, 0, 0)
    got = store.load_layer("parcels")
    want = parcels()
    assert list(got.index) == [0, 1, 2, 3, 4]
    assert got.crs == CRS
    assert got["parcel_id"].tolist() == want["parcel_id"].tolist()
    assert got["status"].tolist() == want["status"].tolist()
    assert got["holder"].tolist() == ["甲公司", None, "乙公司", None, "丙公司"]
    assert got["agreed_start"].dtype == "datetime64[ns]"
    assert got["agreed_start"].iloc[0] == pd.Timestamp("2023-03-01")
    assert pd.isna(got["agreed_start"].iloc[1])
    assert got["extension_months"].dtype == "Int64"
    assert got["extension_months"].iloc[2] == 6
    assert got["water_supply"].dtype == "boolean"
    assert got["water_supply"].tolist()[:2] == [True, pd.NA]
    assert got["power_kva"].iloc[1] != got["power_kva"].iloc[1]  # NaN
    assert got["area_m2"].tolist() == pytest.approx([10_000.0] * 5)
    assert got["area_mu"].iloc[0] == pytest.approx(10_000.0 / MU_M2)
    assert got["version"].tolist() == [1] * 5
    assert (got.geom_type == "MultiPolygon").all()
    assert shapely.equals(got.geometry.array, want.geometry.array).all()


def test_extra_columns_are_kept(store):
    frame = parcels()
    frame["备注"] = ["东侧临路", None, None, None, "待盘活"]
    store.import_layer("parcels", frame)
    got = store.load_layer("parcels")
    assert got["备注"].tolist() == ["东侧临路", None, None, None, "待盘活"]


def test_load_zone_returns_every_layer(zone_store):
    zone = zone_store.load_zone()
    assert isinstance(zone, Zone)
    assert len(zone.parcels) == 5
    assert len(zone.constraints) == 2
    assert zone.buildings.empty
    assert zone.buildings.crs == CRS
    assert zone.buildings["floors"].dtype == "Int64"
    assert zone.policy.crs.working == "EPSG:4546"
    kinds = dict(zip(zone.constraints["constraint_id"], zone.constraints.geom_type, strict=True))
    assert kinds == {"C-1": "MultiPolygon", "C-2": "MultiLineString"}


def test_columnar_load_equals_the_row_by_row_read(store):
    """The backends' Arrow read gives the frame the row-by-row SQL read gives, value for value."""
    awkward = parcels()
    # Text that CSV and JSON must carry untouched: an empty string beside NULL, separators,
    # quotes, line breaks; a feature without geometry is not allowed, an empty one nowhere near.
    awkward["holder"] = ["", None, 'a "quoted", name', "two\nlines", "逗号，和 ; 分号"]
    awkward["name"] = ["NULL", "t", "\\N", " lead", "trail "]
    awkward["note"] = ["额外", None, "", "x,y", '{"k": 1}']  # a column the schema does not know
    awkward["far_min"] = [0.1 + 0.2, 1e-300, -0.0, None, 123456789.123456789]
    store.import_layer("parcels", awkward)
    store.set_status("parcels", "P-2", "occupied", reason="签约", effective="2001-01-01")
    columnar = store.load_layer("parcels")
    backend = store._backend
    read = backend.read_columns
    try:
        backend.read_columns = lambda *args: None  # the row-by-row read through SQLAlchemy
        rows = store.load_layer("parcels")
    finally:
        backend.read_columns = read
    pd.testing.assert_frame_equal(columnar, rows)
    assert columnar["holder"].tolist()[2:4] == ['a "quoted", name', "two\nlines"]
    assert columnar["note"].tolist()[3:] == ["x,y", '{"k": 1}']
    assert columnar.loc[1, "status"] == "occupied"
    assert columnar["far_min"].tolist()[:3] == [0.1 + 0.2, 1e-300, -0.0]


def test_bad_rows_change_nothing_and_are_all_reported(zone_store):
    bad = parcels()
    bad.loc[1, "status"] = "sold-ish"
    bad.loc[3, "parcel_id"] = None
    with pytest.raises(SchemaError) as err:
        zone_store.import_layer("parcels", bad, mode="replace")
    assert {p.column for p in err.value.problems} == {"status", "parcel_id"}
    assert "P-2" in str(err.value) and "nothing was written" in str(err.value)
    assert zone_store.load_layer("parcels")["status"].tolist() == parcels()["status"].tolist()


def test_append_refuses_existing_ids_and_writes_nothing(zone_store):
    more = parcels().iloc[[0, 1]].copy()
    more.loc[1, "parcel_id"] = "P-9"
    more.loc[0, "geometry"] = box(0, 1)
    more.loc[1, "geometry"] = box(1, 1)  # on P-2's ground it would be refused for that too
    with pytest.raises(SchemaError, match=r"P-1.*already holds this id") as err:
        zone_store.import_layer("parcels", more, mode="append")
    assert len(err.value.problems) == 1
    assert zone_store.count("parcels") == 5


def test_append_adds(zone_store):
    more = parcels().iloc[[0]].copy()
    more["parcel_id"] = "P-6"
    more["geometry"] = [box(5)]
    summary = zone_store.import_layer("parcels", more, mode="append")
    assert summary.inserted == 1
    assert zone_store.load_layer("parcels")["parcel_id"].tolist()[-1] == "P-6"


def test_upsert_overwrites_raises_versions_and_records_status_changes(zone_store):
    edit = parcels().iloc[[1, 2]].copy()
    edit["status"] = ["state_reserve", "idle"]  # P-2 unchanged, P-3 occupied -> idle
    new = parcels().iloc[[0]].copy()
    new["parcel_id"] = "P-7"
    new["geometry"] = [box(6)]
    summary = zone_store.import_layer(
        "parcels", pd.concat([edit, new]), mode="upsert", source="edits.gpkg", who="王工"
    )
    assert (summary.inserted, summary.updated, summary.status_events) == (1, 2, 1)
    got = zone_store.load_layer("parcels").set_index("parcel_id")
    assert got.loc["P-3", "status"] == "idle"
    assert got.loc[["P-1", "P-2", "P-3", "P-7"], "version"].tolist() == [1, 2, 2, 1]
    history = zone_store.status_history("parcels", "P-3")
    assert history[["old_status", "new_status", "who"]].values.tolist() == [
        ["occupied", "idle", "王工"]
    ]
    assert history["reason"].iloc[0] == "import edits.gpkg (upsert)"


def test_upsert_of_a_stale_read_is_refused(zone_store):
    read = zone_store.load_layer("parcels")
    zone_store.set_status("parcels", "P-1", "occupied", reason="sold", who="李")
    edit = read.iloc[[0, 1]].copy()
    edit["holder"] = ["新公司", "另一公司"]
    with pytest.raises(StaleWriteError, match="P-1: read at version 1, the store has version 2"):
        zone_store.import_layer("parcels", edit, mode="upsert")
    got = zone_store.load_layer("parcels")
    assert got["holder"].tolist()[:2] == ["甲公司", None]
    fresh = zone_store.load_layer("parcels").iloc[[0]].copy()
    fresh["holder"] = "新公司"
    zone_store.import_layer("parcels", fresh, mode="upsert")
    got = zone_store.load_layer("parcels")
    assert got["parcel_id"].tolist() == ["P-1", "P-2", "P-3", "P-4", "P-5"]  # order kept
    assert got["version"].iloc[0] == 3


def test_replace_removes_missing_features_and_keeps_history(zone_store):
    zone_store.set_status("parcels", "P-5", "idle", reason="stopped", effective="2026-01-01")
    summary = zone_store.import_layer("parcels", parcels().iloc[:3])
    assert summary.deleted == 2
    assert zone_store.count("parcels") == 3
    assert len(zone_store.status_history("parcels", "P-5")) == 1


def test_import_from_file_reprojects(store, tmp_path):
    path = tmp_path / "parcels.geojson"
    parcels().to_crs(4490).to_file(path)
    summary = store.import_layer("parcels", path)
    assert summary.source == str(path)
    got = store.load_layer("parcels")
    assert got.crs == CRS
    assert got["area_m2"].tolist() == pytest.approx([10_000.0] * 5, rel=1e-6)


def test_user_text_never_reaches_sql(store):
    frame = parcels().iloc[[0]].copy()
    # Ids never hold ';' or ',' (list separators, refused at validation); quotes they may.
    nasty = "P'1\") OR 1=1 -- DROP TABLE parcels"
    frame["parcel_id"] = nasty
    store.import_layer("parcels", frame)
    store.set_status("parcels", nasty, "occupied", reason="'); DELETE FROM status_events; --")
    assert store.load_layer("parcels")["parcel_id"].tolist() == [nasty]
    assert store.status_history("parcels", nasty)["reason"].iloc[0].startswith("');")


# --- statuses ---------------------------------------------------------------------------------


def test_status_change_writes_row_and_event(zone_store):
    event = zone_store.set_status(
        "parcel",
        "P-2",
        "occupied",
        reason="land transferred to 甲",
        effective="2026-06-30",
        who="王工",
        expected_version=1,
    )
    assert (event["old_status"], event["new_status"], event["version"]) == (
        "state_reserve",
        "occupied",
        2,
    )
    row = zone_store.load_layer("parcels").set_index("parcel_id").loc["P-2"]
    assert (row["status"], row["version"]) == ("occupied", 2)
    history = zone_store.status_history("parcels", "P-2")
    assert len(history) == 1
    assert history["effective_date"].iloc[0] == pd.Timestamp("2026-06-30")
    assert history["recorded_at"].iloc[0].tzinfo is not None


def test_status_labels_are_normalised_and_typos_suggested(zone_store):
    zone_store.set_status("parcels", "P-3", "闲置", reason="no work for a year")
    assert zone_store.load_layer("parcels")["status"].iloc[2] == "idle"
    with pytest.raises(StoreError, match="'idel' is not a parcel status; did you mean 'idle'"):
        zone_store.set_status("parcels", "P-1", "idel", reason="typo")


def test_stale_status_change_is_refused(zone_store):
    zone_store.set_status("parcels", "P-1", "occupied", reason="sold", who="李")
    with pytest.raises(StaleWriteError, match=STALE):
        zone_store.set_status(
            "parcels", "P-1", "low_efficiency", reason="audit", expected_version=1
        )
    assert zone_store.load_layer("parcels")["status"].iloc[0] == "occupied"
    assert len(zone_store.status_history("parcels", "P-1")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("P-404", "idle", "x", None), "parcels has no feature 'P-404'"),
        (("P-1", "idle", "x", None), "already 'idle'; nothing was written"),
        (("P-1", "occupied", "  ", None), "needs a reason"),
        (("P-1", "occupied", "x", "30/06/2026"), "not a date; expected YYYY-MM-DD"),
    ],
)
def test_status_change_errors(zone_store, args, message):
    feature, status, reason, date = args
    with pytest.raises(StoreError, match=message):
        zone_store.set_status("parcels", feature, status, reason=reason, effective=date)


def test_history_stays_in_date_order(zone_store):
    zone_store.set_status("parcels", "P-1", "occupied", reason="a", effective="2026-06-30")
    with pytest.raises(StoreError, match="before its last recorded change"):
        zone_store.set_status("parcels", "P-1", "idle", reason="b", effective="2026-01-01")


def test_status_on_a_date(zone_store):
    zone_store.set_status("parcels", "P-1", "occupied", reason="sold", effective="2026-03-01")
    zone_store.set_status(
        "parcels", "P-1", "low_efficiency", reason="audit", effective="2026-09-01"
    )
    zone_store.set_status("parcels", "P-2", "idle", reason="x", effective="2026-05-01")
    on = zone_store.status_on("parcels", "2026-04-01")
    assert on.name == "status"
    assert on.to_dict() == {
        "P-1": "occupied",
        "P-2": "state_reserve",
        "P-3": "occupied",
        "P-4": "state_reserve",
        "P-5": "low_efficiency",
    }
    assert zone_store.status_on("parcels", "2025-01-01")["P-1"] == "idle"
    assert zone_store.status_on("parcels", dt.date(2026, 12, 31))["P-1"] == "low_efficiency"


def test_layers_without_status(zone_store):
    with pytest.raises(
        StoreError,
        match="layer 'roads' has no status; statuses are kept for parcels, buildings, projects",
    ):
        zone_store.set_status("roads", "R-1", "idle", reason="x")


# --- project stages -----------------------------------------------------------------------------


def _dated_projects() -> gpd.GeoDataFrame:
    from tests._store_data import projects

    frame = projects()
    frame["stage_date"] = pd.to_datetime(["2026-03-18", None])
    return frame


def test_import_records_a_dated_stage_event_for_new_projects(store):
    summary = store.import_layer(
        "projects", _dated_projects(), source="pipeline.xlsx", who="招商科"
    )
    assert summary.status_events == 1  # PR-2 has no stage date: no event to date it by
    history = store.status_history("projects", "PR-1")
    assert history[["old_status", "new_status", "who"]].values.tolist() == [
        [None, "signed", "招商科"]
    ]
    assert history["effective_date"].iloc[0] == pd.Timestamp("2026-03-18")
    assert history["reason"].iloc[0] == "import pipeline.xlsx (replace)"
    assert store.status_history("project", "PR-2").empty
    # Before its first event a project was not yet in the pipeline.
    assert store.status_on("projects", "2026-01-01").to_dict() == {
        "PR-1": None,
        "PR-2": "framework",
    }


def test_stage_changes_are_events_and_move_the_stage_date(store):
    store.import_layer("projects", _dated_projects())
    event = store.set_status(
        "project", "PR-1", "已落地", reason="land handed over", effective="2026-05-20", who="王工"
    )
    assert (event["layer"], event["old_status"], event["new_status"]) == (
        "projects",
        "signed",
        "landed",
    )
    row = store.load_layer("projects").set_index("project_id").loc["PR-1"]
    assert (row["stage"], row["stage_date"], row["version"]) == (
        "landed",
        pd.Timestamp("2026-05-20"),
        2,
    )
    assert store.status_on("projects", "2026-04-30")["PR-1"] == "signed"
    assert store.status_on("projects", "2026-05-20")["PR-1"] == "landed"
    with pytest.raises(StoreError, match="'landing' is not a project stage; did you mean"):
        store.set_status("projects", "PR-2", "landing", reason="x")
    with pytest.raises(StoreError, match="before its last recorded change"):
        store.set_status(
            "projects", "PR-1", "under_construction", reason="x", effective="2026-05-01"
        )


def test_upserted_stage_change_is_dated_by_the_stage_date(store):
    store.import_layer("projects", _dated_projects())
    edit = store.load_layer("projects").iloc[[1]].copy()
    edit["stage"] = "signed"
    edit["stage_date"] = pd.Timestamp("2026-06-23")
    summary = store.import_layer("projects", edit, mode="upsert", source="edits.csv")
    assert summary.status_events == 1
    events = store.status_events("projects")
    assert events[["feature_id", "old_status", "new_status"]].values.tolist() == [
        ["PR-1", None, "signed"],
        ["PR-2", "framework", "signed"],
    ]
    assert events["effective_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-18", "2026-06-23"]


def test_upsert_dated_before_the_last_stage_change_writes_nothing(store):
    store.import_layer("projects", _dated_projects())
    store.set_status("projects", "PR-1", "landed", reason="x", effective="2026-05-20")
    edit = store.load_layer("projects").iloc[[0]].copy()
    edit["stage"] = "under_construction"
    edit["stage_date"] = pd.Timestamp("2026-04-01")
    with pytest.raises(
        SchemaError,
        match=r"PR-1.*dated 2026-04-01, before the feature's last "
        r"recorded change \(2026-05-20\)",
    ):
        store.import_layer("projects", edit, mode="upsert")
    assert store.load_layer("projects")["stage"].iloc[0] == "landed"
    assert len(store.status_events("projects")) == 2


def test_status_events_of_every_layer(zone_store):
    zone_store.set_status(
        "parcels", "P-5", "occupied", reason="revitalised", effective="2026-04-01"
    )
    zone_store.set_status("projects", "PR-1", "landed", reason="x", effective="2026-03-01")
    events = zone_store.status_events()
    assert events[["layer", "feature_id"]].values.tolist() == [
        ["projects", "PR-1"],
        ["parcels", "P-5"],
    ]
    assert events["effective_date"].dtype == "datetime64[ns]"


# --- reservations -------------------------------------------------------------------------------


def test_reserve_and_release(zone_store):
    done = zone_store.reserve("PR-1", ["P-2", "P-1"], who="招商科", note="50 亩机械项目")
    assert sorted(done["parcel_id"]) == ["P-1", "P-2"]
    active = zone_store.reservations()
    assert active["parcel_id"].tolist() == ["P-1", "P-2"]
    assert (active["project_id"] == "PR-1").all()
    assert zone_store.release("PR-1", ["P-1"], reason="site too small") == 1
    assert zone_store.reservations()["parcel_id"].tolist() == ["P-2"]
    zone_store.reserve("PR-2", ["P-1"])
    assert len(zone_store.reservations(active=False)) == 3
    with pytest.raises(ReservationError, match="holds no active reservation of P-9"):
        zone_store.release("PR-1", ["P-9"])


def test_reservation_refusals_name_every_parcel_and_write_nothing(zone_store):
    zone_store.reserve("PR-1", ["P-2"])
    with pytest.raises(ReservationError) as err:
        zone_store.reserve("PR-2", ["P-1", "P-2", "P-3", "P-4", "P-5", "P-404"])
    text = str(err.value)
    assert "4 of 6 parcel(s) refused; nothing was reserved" in text
    assert ALREADY_HELD in text
    assert "P-3: status is 'occupied'; only state_reserve, idle" in text
    assert "P-4: lies in ecological_red_line C-1 (北山生态红线)" in text
    assert "P-404: no such parcel" in text
    assert "P-1:" not in text and "P-5:" not in text  # P-5 only touches the red line
    assert zone_store.reservations()["parcel_id"].tolist() == ["P-2"]


def test_reserve_needs_a_known_project(zone_store):
    with pytest.raises(ReservationError, match="project 'PR-404' is not in the store"):
        zone_store.reserve("PR-404", ["P-1"])


def test_database_allows_one_active_reservation_per_parcel(zone_store):
    zone_store.reserve("PR-1", ["P-1"])
    table = zone_store._backend.tables["reservations"]
    row = {
        "project_id": "PR-2",
        "parcel_id": "P-1",
        "who": "x",
        "reserved_at": dt.datetime.now(dt.UTC),
    }
    with pytest.raises(sa.exc.IntegrityError), zone_store._backend.engine.begin() as conn:
        conn.execute(table.insert(), row)
    with zone_store._backend.engine.begin() as conn:  # a released one may repeat
        conn.execute(table.insert(), {**row, "released_at": dt.datetime.now(dt.UTC)})


# --- export and the file itself ----------------------------------------------------------------


def test_export_writes_a_geopackage(zone_store, tmp_path):
    out = zone_store.export_layer("parcels", tmp_path / "out.gpkg")
    back = pyogrio.read_dataframe(out, layer="parcels")
    assert back["parcel_id"].tolist() == ["P-1", "P-2", "P-3", "P-4", "P-5"]
    assert back.crs == CRS
    assert "version" in back


def test_embedded_store_is_a_geopackage_gdal_reads(tmp_path):
    path = tmp_path / "zone.gpkg"
    s = open_store(path)
    s.init()
    s.import_layer("parcels", parcels())
    s.set_status("parcels", "P-1", "occupied", reason="sold")
    layers = dict(pyogrio.list_layers(path).tolist())
    assert layers["parcels"] == "MultiPolygon"
    assert "status_events" in layers and "reservations" in layers
    info = pyogrio.read_info(path, layer="parcels")
    assert info["capabilities"]["fast_spatial_filter"]  # GDAL sees the R*Tree
    assert info["total_bounds"] == pytest.approx((X0, Y0, X0 + 500, Y0 + 100))
    hit = pyogrio.read_dataframe(path, layer="parcels", bbox=(X0 + 110, Y0 + 10, X0 + 120, Y0 + 20))
    assert hit["parcel_id"].tolist() == ["P-2"]
    events = pyogrio.read_dataframe(path, layer="status_events")
    assert events["new_status"].tolist() == ["occupied"]
    # GDAL (as QGIS does) can add a feature; the R*Tree triggers keep the index in step.
    extra = gpd.GeoDataFrame(
        {"parcel_id": ["Q-1"], "status": ["idle"]},
        geometry=[shapely.MultiPolygon([box(9)])],
        crs=CRS,
    )
    pyogrio.write_dataframe(extra, path, layer="parcels", append=True)
    assert s.count("parcels") == 6
    hit = pyogrio.read_dataframe(path, layer="parcels", bbox=(X0 + 910, Y0 + 10, X0 + 920, Y0 + 20))
    assert hit["parcel_id"].tolist() == ["Q-1"]
    s.close()


def test_rtree_follows_edits(tmp_path):
    s = open_store(tmp_path / "zone.gpkg")
    s.init()
    s.import_layer("parcels", parcels())
    s.import_layer("parcels", parcels().iloc[:2])
    with s._backend.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM rtree_parcels_geom")).scalar()
    assert n == 2
    s.close()


def test_bulk_import_matches_row_count(store):
    n = 2_000
    ii = np.arange(n)
    frame = gpd.GeoDataFrame(
        {"parcel_id": [f"G-{i:05d}" for i in ii], "status": ["state_reserve"] * n},
        geometry=shapely.box(
            X0 + (ii % 50) * 100,
            Y0 + (ii // 50) * 100,
            X0 + (ii % 50) * 100 + 90,
            Y0 + (ii // 50) * 100 + 90,
        ),
        crs=CRS,
    )
    store.import_layer("parcels", frame)
    got = store.load_layer("parcels")
    assert len(got) == n
    assert got["area_m2"].sum() == pytest.approx(n * 8100.0)


def test_loaded_layers_are_typed_as_the_validator_types_them(zone_store):
    from landplan.layers import LAYERS
    from landplan.validation import validate_layer

    for name in LAYERS:
        loaded = zone_store.load_layer(name)
        fresh = validate_layer(parcels() if name == "parcels" else None, name)
        assert [c for c in loaded.columns if c != "version"] == list(fresh.columns), name
        assert loaded.drop(columns="version").dtypes.astype(str).tolist() == (
            fresh.dtypes.astype(str).tolist()
        ), name
    want = validate_layer(parcels(), "parcels")
    want = want.set_geometry(
        gpd.GeoSeries(
            shapely.multipolygons(np.asarray(want.geometry.array).reshape(-1, 1)), crs=want.crs
        )
    )
    pd.testing.assert_frame_equal(zone_store.load_layer("parcels").drop(columns="version"), want)


def test_both_backends_are_typed_against_the_store_protocol():
    import inspect

    from landplan.store._backend import Backend
    from landplan.store._postgis import PostgisBackend
    from landplan.store._sqlite import SqliteBackend

    wanted = {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(Backend, inspect.isfunction)
        if not name.startswith("_")
    }
    assert {"insert_features", "lock", "decode", "explain"} <= set(wanted)
    for backend in (SqliteBackend, PostgisBackend):
        assert Backend in backend.__mro__
        for name, signature in wanted.items():
            # Defined by the backend itself, not inherited from the protocol's stubs.
            assert name in vars(backend), (backend.__name__, name)
            own = inspect.signature(vars(backend)[name])
            assert list(own.parameters) == list(signature.parameters), (backend.__name__, name)
