"""The collector around a zone's many geometries: paused while they are made, restored after."""

from __future__ import annotations

import gc

import pytest

from landplan._collector import keep_for_the_command, making_many, one_command


@pytest.fixture(autouse=True)
def _collector_as_found():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_making_many_pauses_the_collector_and_restores_it():
    gc.enable()
    with making_many():
        assert not gc.isenabled()
        with making_many():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner block leaves the outer one paused
    assert gc.isenabled()


def test_making_many_leaves_a_paused_collector_paused():
    gc.disable()
    with making_many():
        pass
    assert not gc.isenabled()


def test_making_many_restores_the_collector_when_the_block_fails():
    gc.enable()
    with pytest.raises(RuntimeError), making_many():
        raise RuntimeError("a failed read")
    assert gc.isenabled()


def test_a_cycle_made_while_paused_is_collected_afterwards():
    class Node:
        pass

    gc.enable()
    with making_many():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
    assert gc.collect() >= 2


def test_objects_are_kept_out_of_scans_only_inside_a_command():
    gc.unfreeze()
    kept = [object() for _ in range(1000)]
    keep_for_the_command()  # a library call: nothing is exempted
    assert gc.get_freeze_count() == 0
    with one_command():
        keep_for_the_command()
        assert gc.get_freeze_count() >= len(kept)
        with one_command():  # a command run by a command: the outer one still keeps them
            pass
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_a_store_load_restores_the_collector(tmp_path):
    from landplan.sample import make_zone
    from landplan.store import open_store

    zone = make_zone(n_parcels=50)
    with open_store(tmp_path / "zone.gpkg") as store:
        store.init()
        store.import_layer("parcels", zone["parcels"])
        gc.enable()
        loaded = store.load_layer("parcels")
    assert gc.isenabled()
    assert len(loaded) == len(zone["parcels"])
