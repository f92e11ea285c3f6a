"""The collector around a zone's many geometries: paused while they are made, restored after."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from landplan._collector import keep_for_the_command, let_go, making_many, one_command


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


class _Loaded:
    """Stands for a loaded zone: an object a weak reference can watch."""


def test_what_a_command_keeps_is_let_go_when_it_ends():
    loaded = _Loaded()
    watch = weakref.ref(loaded)
    keep_for_the_command(loaded)  # a library call keeps nothing
    del loaded
    assert watch() is None
    loaded = _Loaded()
    watch = weakref.ref(loaded)
    with one_command():
        keep_for_the_command(loaded)
        del loaded
        assert watch() is not None  # held for the rest of the command
    assert watch() is None  # and let go with it


def _program(*args: str, cwd) -> subprocess.CompletedProcess:
    """Run the ``landplan`` program of this tree in its own process, its output piped."""
    code = "import sys; from landplan.cli import run; sys.argv[0] = 'landplan'; run()"
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_program_ends_with_the_command_s_status_and_all_its_output(tmp_path):
    # Piped output is buffered: ending the process without teardown must still deliver it.
    done = _program("sample", "--parcels", "40", "--out", "zone", "--lang", "en", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "zone" in done.stdout
    assert (tmp_path / "zone" / "zone.gpkg").is_file()
    audit = _program("audit", "--zone", "zone/zone.gpkg", "--out", "out", cwd=tmp_path)
    assert audit.returncode == 0, audit.stderr
    assert "核查日期" in audit.stdout
    assert (tmp_path / "out" / "audit.xlsx").is_file()
    refused = _program("audit", "--db", "missing.gpkg", "--as-of", "someday", cwd=tmp_path)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert refused.stderr.strip()
    assert _program("--help", cwd=tmp_path).returncode == 0
    assert _program("no-such-command", cwd=tmp_path).returncode == 2


def test_a_command_can_let_go_of_what_it_kept_before_it_ends():
    loaded, other = _Loaded(), _Loaded()
    watch, kept = weakref.ref(loaded), weakref.ref(other)
    with one_command(ends_process=True):
        keep_for_the_command(loaded, other)
        let_go(loaded)
        del loaded, other
        assert watch() is None  # freed at once
        assert kept() is not None  # the rest is still held
    assert kept() is not None  # held to the end of a process that ends with the command
    let_go(kept())
    assert kept() is None
