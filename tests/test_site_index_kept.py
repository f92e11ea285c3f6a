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
