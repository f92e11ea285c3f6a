"""The allocate, capacity and corridor commands, and writing their results."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import geopandas as gpd
import pyogrio

from landplan.store import open_store
from tests._store_data import CRS, box, constraints, parcels, projects
from tests.test_cli_store import run


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    # These tests read the English lines; tests/test_cli_lang.py reads the Chinese ones.
    monkeypatch.setenv("LANDPLAN_LANG", "en")


@pytest.fixture
def store(tmp_path):
    db = str(tmp_path / "zone.gpkg")
    assert run("init", "--db", db) == 0
    for name, frame in (
        ("parcels", parcels()),
        ("constraints", constraints()),
        ("projects", projects()),
    ):
        path = tmp_path / f"{name}.gpkg"
        frame.to_file(path, layer=name)
        assert run("import", name, str(path), "--db", db) == 0
    return db


def candidates(rows) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        rows, columns=["project_id", "candidate_id", "kind", "parcel_ids", "score", "cells"]
    )
    return gpd.GeoDataFrame(
        frame.drop(columns="cells").assign(
            building_id=None,
            area_m2=frame["cells"].map(len) * 10000.0,
            floor_area_m2=0.0,
        ),
        geometry=[box(c[0]).union(box(c[-1])) for c in frame["cells"]],
        crs=CRS,
    )


def test_allocate_writes_the_plan_and_reserves_it_in_one_go(store, tmp_path, capsys):
    # Values: PR-1 (signed, 5 亿元) = score x 3 x sqrt(5); PR-2 (framework, 8 亿元) = score x 2
    # x sqrt(8). a + c = 50 x 6.708 + 40 x 5.657 = 561.7 beats b + d = 402.5 + 56.6 = 459.1.
    path = tmp_path / "candidates.gpkg"
    candidates(
        [
            ("PR-1", "a", "single", "P-1", 50.0, [0]),
            ("PR-1", "b", "assembly", "P-1;P-2", 60.0, [0, 1]),
            ("PR-2", "c", "single", "P-2", 40.0, [1]),
            ("PR-2", "d", "single", "P-5", 10.0, [4]),
        ]
    ).to_file(path, layer="candidates")
    out = tmp_path / "plan"
    args = ("allocate", "--db", store, "--candidates", str(path), "--out", str(out))
    assert run(*args, "--reserve", "--who", "王工") == 0
    text = capsys.readouterr().out
    assert "proven optimal: value " in text
    assert "; 2 placed, 0 unplaced" in text
    assert "reserved 2 parcel(s) for 2 project(s)" in text
    expected = 50 * 3 * math.sqrt(5) + 40 * 2 * math.sqrt(8)
    assert f"value {expected:,.1f}" in text
    plan = pyogrio.read_dataframe(out / "allocation.gpkg", layer="plan")
    assert dict(zip(plan["project_id"], plan["parcel_ids"], strict=True)) == {
        "PR-1": "P-1",
        "PR-2": "P-2",
    }
    sheets = pd.read_excel(out / "allocation.xlsx", sheet_name=None)
    assert set(sheets) == {"分配方案", "未安排项目", "汇总", "候选用地"}
    with open_store(store) as s:
        held = s.reservations()
    assert sorted(zip(held["project_id"], held["parcel_id"], strict=True)) == [
        ("PR-1", "P-1"),
        ("PR-2", "P-2"),
    ]
    assert set(held["who"]) == {"王工"}
    # Run again: the reservations are the plan now; nothing new is reserved.
    assert run(*args, "--reserve") == 0
    text = capsys.readouterr().out
    assert "reserved" not in text.split("optimal")[1]
    plan = pyogrio.read_dataframe(out / "allocation.gpkg", layer="plan")
    assert set(plan["source"]) == {"reserved"}


def test_a_refused_parcel_reserves_nothing_for_anyone(store, tmp_path, capsys):
    path = tmp_path / "candidates.gpkg"
    candidates(
        [
            ("PR-1", "a", "single", "P-1", 50.0, [0]),
            ("PR-2", "e", "single", "P-4", 40.0, [3]),  # inside the red line C-1
        ]
    ).to_file(path, layer="candidates")
    args = ("allocate", "--db", store, "--candidates", str(path), "--out", str(tmp_path / "o"))
    assert run(*args, "--reserve") == 2
    assert "P-4: lies in ecological_red_line C-1" in capsys.readouterr().err
    with open_store(store) as s:
        assert s.reservations().empty


def test_reserve_needs_a_store(tmp_path, capsys):
    assert run("allocate", "--reserve", "--out", str(tmp_path)) == 2
    assert "expected --db" in capsys.readouterr().err


def test_capacity_and_corridor_on_the_sample(tmp_path, capsys):
    args = ("capacity", "--start", "2026-07-01", "--quarters", "4", "--out", str(tmp_path))
    assert run(*args, "--lang", "zh") == 0
    sheets = pd.read_excel(tmp_path / "capacity.xlsx", sheet_name=None)
    assert {"分季度", "分产业集群", "可供土地", "可租厂房", "用地需求"} <= set(sheets)
    assert len(sheets["分季度"]) == 5  # four quarters and "later"
    assert "供应土地含规划(亩)：" in capsys.readouterr().out
    assert run("corridor", "--out", str(tmp_path), "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "phase 1 (0-4,200 m)" in out
    assert run("corridor", "--out", str(tmp_path), "--lang", "zh") == 0
    assert "第1期（桩号0–4,200米）：可开发土地" in capsys.readouterr().out
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "corridor.gpkg")}
    assert layers == {"phases", "pieces"}
    assert run("corridor", "--breaks", "3000;x", "--out", str(tmp_path)) == 2
    assert "expected metres separated by ';'" in capsys.readouterr().err
