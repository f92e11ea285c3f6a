"""The site index a store keeps beside itself: read back equal, never stale, on both backends.

Each test compares a match given the kept index with a cold match (no index given: matching
prepares its own from the zone as it is), so a stale index cannot pass.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import shapely

import landplan.match.sites as sites_module
from landplan.match import match
from landplan.sample import make_zone
from tests.test_cli_store import run

# Projects of the sample pipeline that find single parcels, assemblies and cut-outs between them.
PROJECTS = ("PJ-03", "PJ-07", "PJ-12")


@pytest.fixture
def sample_store(store, tmp_path, monkeypatch):
    """The sample zone imported into a store on each backend; caches under ``tmp_path``."""
    monkeypatch.setenv("LANDPLAN_CACHE_DIR", str(tmp_path / "cache"))
    for name, frame in make_zone().items():
        if len(frame):
            store.import_layer(name, frame)
    return store


class Counting:
    """Count how often the index is prepared from scratch."""

    def __init__(self, monkeypatch):
        self.calls = 0
        prepare = sites_module.prepare_sites

        def counted(zone):
            self.calls += 1
            return prepare(zone)

        monkeypatch.setattr(sites_module, "prepare_sites", counted)


def same_as_cold(zone, sites) -> None:
    for project_id in PROJECTS:
        project = zone.projects.loc[zone.projects["project_id"] == project_id].iloc[0]
        kept = match(project, zone, sites=sites)
        cold = match(project, zone)
        pd.testing.assert_frame_equal(kept.ranked, cold.ranked)
        pd.testing.assert_frame_equal(kept.rejections, cold.rejections)


def test_the_kept_index_is_read_back_and_matches_as_a_cold_one(sample_store, monkeypatch):
    zone = sample_store.load_zone()
    counting = Counting(monkeypatch)
    first = sample_store.site_index(zone)
    assert counting.calls == 1
    assert sample_store.cache_location().exists()
    reloaded = sample_store.load_zone()
    again = sample_store.site_index(reloaded)
    assert counting.calls == 1, "the kept index was prepared again"
    assert set(again.measures) == set(first.measures)
    for key, values in first.measures.items():
        assert values.tobytes() == again.measures[key].tobytes(), key
    for a, b in zip(first.adjacency, again.adjacency, strict=True):
        assert a.tobytes() == b.tobytes()
    same_as_cold(reloaded, again)


def _available(zone) -> str:
    parcels = zone.parcels
    offered = parcels["status"].isin(zone.policy.siting.available_statuses)
    return str(parcels.loc[offered, "parcel_id"].iloc[0])


def _changes(store):
    """Each change the index depends on, as a function changing the store or the zone."""

    def parcel_geometry(zone):
        parcels = store.load_layer("parcels")
        at = parcels.index[parcels["parcel_id"] == _available(zone)][0]
        moved = parcels.loc[[at]].drop(columns=["version"]).copy()
        moved.geometry = [shapely.affinity.scale(moved.geometry.iloc[0], 0.9, 0.9)]
        store.import_layer("parcels", moved, mode="upsert")
        return store.load_zone()

    def parcel_status(zone):
        store.set_status("parcels", _available(zone), "occupied", reason="签约供地")
        return store.load_zone()

    def road(zone):
        roads = store.load_layer("roads").drop(columns=["version"])
        first = roads.iloc[[0]].copy()
        first.geometry = [shapely.affinity.translate(first.geometry.iloc[0], 25.0, 0.0)]
        store.import_layer("roads", first, mode="upsert")
        return store.load_zone()

    def policy_key(zone):
        policy = zone.policy.replace(**{"siting.frontage_tolerance_m": 12.0})
        return dataclasses.replace(zone, policy=policy)

    return {
        "parcel geometry": parcel_geometry,
        "parcel status": parcel_status,
        "road": road,
        "policy key": policy_key,
    }


@pytest.mark.parametrize("change", ["parcel geometry", "parcel status", "road", "policy key"])
def test_a_change_the_index_depends_on_is_never_served_stale(sample_store, monkeypatch, change):
    zone = sample_store.load_zone()
    before = sample_store.site_index(zone)
    counting = Counting(monkeypatch)
    changed = _changes(sample_store)[change](zone)
    sites = sample_store.site_index(changed)
    assert counting.calls == 1, f"after a change of {change} the old index was served"
    assert sites is not before
    same_as_cold(changed, sites)
    # The index kept now is the changed zone's: read back without preparing.
    assert sample_store.site_index(changed) is not None
    assert counting.calls == 1


def test_an_unreadable_kept_index_is_prepared_again(sample_store, monkeypatch):
    zone = sample_store.load_zone()
    sample_store.cache_location().parent.mkdir(parents=True, exist_ok=True)
    sample_store.cache_location().write_bytes(b"not an index")
    counting = Counting(monkeypatch)
    same_as_cold(zone, sample_store.site_index(zone))
    assert counting.calls == 1


def test_match_on_a_store_keeps_the_index_and_prints_the_same(sample_store, capsys):
    db = sample_store.location
    sample_store.cache_location().unlink(missing_ok=True)
    assert run("match", "PJ-03", "--db", db, "--lang", "en") == 0
    cold = capsys.readouterr().out
    assert sample_store.cache_location().exists()
    assert run("match", "PJ-03", "--db", db, "--lang", "en") == 0
    assert capsys.readouterr().out == cold
    assert "PJ-03" in cold


# --- the store's state token: what the database changes at every write -----------------------
def _outside_sql(store, sql: str) -> None:
    """Write to the store as another program would: its own connection, no landplan."""
    if store.backend == "sqlite":
        import sqlite3

        from landplan.store._sqlite import _register

        with sqlite3.connect(store.location) as conn:
            # The GeoPackage functions the R*Tree triggers call, as GDAL and QGIS give them.
            _register(conn)
            conn.execute(sql.replace("FROM_SCHEMA.", ""))
        return
    import sqlalchemy as sa

    from tests._store_fixtures import POSTGIS_URL

    url = sa.make_url(store.location)
    schema = url.query["options"].split("=", 1)[1].split(",", 1)[0]
    # A client with the server's own search path, naming the schema itself.
    engine = sa.create_engine(POSTGIS_URL)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql.replace("FROM_SCHEMA.", f'"{schema}".'))
    finally:
        engine.dispose()


def _writes(store):
    """Every way a store's tables change, each as a function of a loaded zone."""

    def import_constraint(zone):
        moved = store.load_layer("constraints").drop(columns=["version"]).iloc[[0]].copy()
        moved.geometry = [shapely.affinity.translate(moved.geometry.iloc[0], 30.0, 0.0)]
        store.import_layer("constraints", moved, mode="upsert")

    def update_attributes(zone):
        first = store.load_layer("substations").iloc[[0]]
        store.update_attributes(
            "substations",
            pd.DataFrame({"substation_id": first["substation_id"], "voltage_kv": [35.0]}),
            reason="扩容",
        )

    def set_and_retract(zone):
        pid = _available(zone)
        store.set_status("parcels", pid, "occupied", reason="签约供地")
        store.retract_status("parcels", pid, reason="录入有误")

    def reserve(zone):
        store.reserve("PJ-03", [_available(zone)])

    def outside_road(zone):
        _outside_sql(store, "UPDATE FROM_SCHEMA.roads SET width_m = width_m + 10")

    def outside_delete(zone):
        first = "(SELECT min(fid) FROM FROM_SCHEMA.corridors)"
        _outside_sql(store, f"DELETE FROM FROM_SCHEMA.corridors WHERE fid = {first}")

    return {
        "import": import_constraint,
        "attributes": update_attributes,
        "status set and retracted": set_and_retract,
        "reservation": reserve,
        "another program's update": outside_road,
        "another program's delete": outside_delete,
    }


@pytest.mark.parametrize("write", list(_writes(None)))
def test_every_write_gives_the_store_another_state(sample_store, write):
    zone = sample_store.load_zone()
    before = sample_store.state()
    assert before
    _writes(sample_store)[write](zone)
    assert sample_store.state() != before
    # The zone read before the write is no longer the store's: its index is checked by digest.
    assert sample_store._as_loaded(zone) is None
    changed = sample_store.load_zone()
    assert sample_store._as_loaded(changed) == sample_store.state()


def test_a_zone_as_loaded_is_fingerprinted_by_the_store_s_state(sample_store, monkeypatch):
    zone = sample_store.load_zone(on_use=True)
    sample_store.site_index(zone)

    def digest(_zone):
        raise AssertionError("a zone as loaded was digested")

    monkeypatch.setattr(sites_module, "site_fingerprint", digest)
    counting = Counting(monkeypatch)
    again = sample_store.load_zone(on_use=True)
    sites = sample_store.site_index(again)
    assert counting.calls == 0
    same_as_cold(again, sites)


def test_a_zone_changed_after_loading_is_digested(sample_store, monkeypatch):
    zone = sample_store.load_zone()
    sample_store.site_index(zone)
    digested = []
    digest = sites_module.site_fingerprint
    monkeypatch.setattr(sites_module, "site_fingerprint", lambda z: digested.append(1) or digest(z))
    counting = Counting(monkeypatch)
    # A layer replaced in memory: the store's state no longer speaks for the zone.
    parcels = zone.parcels.copy()
    at = parcels.index[parcels["parcel_id"] == _available(zone)][0]
    parcels.loc[at, "geometry"] = shapely.affinity.scale(parcels.loc[at, "geometry"], 0.8, 0.8)
    zone.parcels = parcels
    sites = sample_store.site_index(zone)
    assert digested and counting.calls == 1
    same_as_cold(zone, sites)


def test_a_status_changed_in_place_is_not_served_stale(sample_store, monkeypatch):
    zone = sample_store.load_zone()
    sample_store.site_index(zone)
    counting = Counting(monkeypatch)
    again = sample_store.load_zone()
    at = again.parcels.index[again.parcels["parcel_id"] == _available(again)][0]
    again.parcels.loc[at, "status"] = "occupied"
    sites = sample_store.site_index(again)
    assert counting.calls == 1
    same_as_cold(again, sites)


def test_a_store_made_anew_in_the_same_place_has_another_state(tmp_path, monkeypatch):
    from landplan.store import open_store

    monkeypatch.setenv("LANDPLAN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "zone.gpkg"
    states = []
    for seed in (1, 2):
        path.unlink(missing_ok=True)
        with open_store(path) as store:
            store.init()
            for name, frame in make_zone(n_parcels=80, seed=seed).items():
                if len(frame):
                    store.import_layer(name, frame)
            states.append(store.state())
            zone = store.load_zone()
            counting = Counting(monkeypatch)
            sites = store.site_index(zone)
            assert counting.calls == 1, "the index of the store that was there before was served"
            same_as_cold(zone, sites)
    assert states[0] != states[1]


def test_a_store_from_before_the_state_token_is_given_one(sample_store, monkeypatch):
    from landplan.store import open_store

    # As an earlier landplan made it: no token, no triggers.
    if sample_store.backend == "sqlite":
        import sqlite3

        with sqlite3.connect(sample_store.location) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND name LIKE 'landplan_state_%'"
                )
            ]
            for name in names:
                conn.execute(f'DROP TRIGGER "{name}"')
            conn.execute("DELETE FROM landplan_meta WHERE key = 'state'")
    else:
        _outside_sql(sample_store, "DELETE FROM FROM_SCHEMA.landplan_meta WHERE key = 'state'")
        for table in ("parcels", "roads", "status_events"):
            _outside_sql(sample_store, f'DROP TRIGGER landplan_state ON FROM_SCHEMA."{table}"')
    location = sample_store.location
    sample_store.close()
    with open_store(location) as store:
        first = store.state()
        assert first
        store.set_status("parcels", _available(store.load_zone()), "occupied", reason="签约供地")
        assert store.state() != first


def _cluster_project(zone):
    clusters = set(zone.policy.review.clusters)
    projects = zone.projects[zone.projects["cluster"].isin(clusters)]
    return projects.iloc[0]


def test_a_kept_index_knows_the_clusters_without_reading_the_enterprises(sample_store):
    zone = sample_store.load_zone(on_use=True)
    sample_store.site_index(zone)  # prepared and kept: reads the enterprises once
    again = sample_store.load_zone(on_use=True)
    sites = sample_store.site_index(again)
    project = _cluster_project(again)
    kept = match(project, again, sites=sites)
    assert "enterprises" not in again.__dict__, "the enterprises were read"
    cold = match(project, sample_store.load_zone())
    pd.testing.assert_frame_equal(kept.ranked, cold.ranked)
    assert (kept.ranked["cluster_enterprises"] > 0).any()


def test_enterprises_replaced_in_the_zone_are_the_ones_scored(sample_store):
    zone = sample_store.load_zone(on_use=True)
    sample_store.site_index(zone)
    again = sample_store.load_zone(on_use=True)
    sites = sample_store.site_index(again)
    project = _cluster_project(again)
    moved = again.enterprises.copy()  # read by the zone itself: still the store's
    assert again.as_stored("enterprises")
    mine = moved["cluster"] == project["cluster"]
    moved.loc[mine, "geometry"] = moved.loc[mine, "geometry"].translate(5000.0, 5000.0)
    again.enterprises = moved
    assert not again.as_stored("enterprises")
    scored = match(project, again, sites=sites)
    cold = match(project, again)
    pd.testing.assert_frame_equal(scored.ranked, cold.ranked)
    before = match(project, sample_store.load_zone())
    assert not scored.ranked["cluster_enterprises"].equals(before.ranked["cluster_enterprises"])
