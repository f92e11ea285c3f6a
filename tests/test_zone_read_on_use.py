"""A zone read from a store with its large layers read when first used (``on_use=True``)."""

from __future__ import annotations

import dataclasses

import pytest

from landplan.match import match
from landplan.sample import make_zone
from landplan.zone import Zone

LATER = ("buildings", "enterprises")


@pytest.fixture
def sample_store(store):
    """The sample zone of 300 parcels in a store on each backend."""
    for name, frame in make_zone(n_parcels=300).items():
        if len(frame):
            store.import_layer(name, frame)
    return store


def test_layers_are_read_when_first_used_and_equal_a_whole_read(sample_store):
    whole = sample_store.load_zone()
    zone = sample_store.load_zone(on_use=True)
    assert isinstance(zone, Zone)
    assert not any(name in vars(zone) for name in LATER)
    assert len(zone.buildings) == len(whole.buildings) > 0
    assert "buildings" in vars(zone) and "enterprises" not in vars(zone)
    assert zone.buildings is zone.buildings  # read once, then kept
    for name, frame in whole.layers().items():
        assert getattr(zone, name).equals(frame), name
    assert zone.policy == whole.policy


def test_a_layer_is_read_after_the_store_is_closed(sample_store):
    zone = sample_store.load_zone(on_use=True)
    sample_store.close()
    assert len(zone.enterprises) > 0


def test_a_copy_made_by_replace_holds_every_layer(sample_store):
    zone = sample_store.load_zone(on_use=True)
    some = zone.parcels.iloc[:10]
    copy = dataclasses.replace(zone, parcels=some)
    assert len(copy.parcels) == 10
    assert {name for name in LATER if name in vars(copy)} == set(LATER)
    with pytest.raises(AttributeError):
        copy.not_a_layer  # noqa: B018 -- the attribute access is the test


def test_a_match_for_land_alone_never_reads_the_buildings(sample_store):
    whole = sample_store.load_zone()
    zone = sample_store.load_zone(on_use=True)
    wants_land = zone.projects[zone.projects["floor_area_m2"].isna()].iloc[0]
    got = match(wants_land, zone, top=5)
    assert "buildings" not in vars(zone)
    expected = match(wants_land, whole, top=5)
    assert got.ranked.equals(expected.ranked)
    assert got.rejections.equals(expected.rejections)


def test_an_unknown_attribute_is_refused(sample_store):
    zone = sample_store.load_zone(on_use=True)
    with pytest.raises(AttributeError):
        zone._read_later  # noqa: B018
    with pytest.raises(AttributeError):
        zone.roadz  # noqa: B018


def test_a_layer_is_the_store_s_until_replaced(tmp_path):
    from landplan.sample import make_zone
    from landplan.store import open_store

    with open_store(tmp_path / "zone.gpkg") as store:
        store.init()
        for name, frame in make_zone(n_parcels=40).items():
            if len(frame):
                store.import_layer(name, frame)
        zone = store.load_zone(on_use=True)
        whole = store.load_zone()
    assert zone.as_stored("enterprises") and "enterprises" not in zone.__dict__
    assert not zone.as_stored("parcels")  # read at the load: the caller's to change
    read = zone.enterprises
    assert zone.as_stored("enterprises")
    zone.enterprises = read.copy()
    assert not zone.as_stored("enterprises")
    assert not whole.as_stored("enterprises")
