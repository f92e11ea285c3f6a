"""The planning modules' errors say themselves in Chinese, and in English as ``str(err)``.

One error from each module that plans (allocation, corridor, revitalisation, audit, capacity,
demand, matching, land-use codes, import profiles ...), raised through its public call, is read
back in Chinese with the check of :mod:`tests.test_errors_zh`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from landplan.errors import LandplanError
from landplan.policy import Policy

from .test_allocate import make_zone as allocation_zone
from .test_allocate import project, site, table
from .test_corridor import make_zone
from .test_errors_zh import check_both_languages


def _allocate(tmp_path):
    from landplan.allocate import allocate

    zone = allocation_zone(1, [project("J1", "signed")])
    cands = table([site("J1", "a", "single", ["P0"], 10)])
    return allocate(None, zone, candidates=cands, stages=["landed"])


def _allocate_fixed(tmp_path):
    from landplan.allocate import allocate

    zone = allocation_zone(1, [project("J1", "signed")])
    cands = table([site("J1", "a", "single", ["P0"], 10)])
    return allocate(None, zone, candidates=cands, fixed={"J1": "zz"})


def _allocate_candidates(tmp_path):
    from landplan.allocate import allocate

    zone = allocation_zone(1, [project("J1", "signed")])
    cands = table([site("J1", "a", "single", ["P9"], 10)])
    return allocate(None, zone, candidates=cands)


def _corridor(tmp_path):
    from landplan.corridor import corridor

    return corridor(make_zone(), breaks_m=[2000.0, 1000.0])


def _revitalise(tmp_path):
    from landplan.audit import audit
    from landplan.revitalise import revitalise

    zone = make_zone()
    policy = Policy.default().replace(**{"revitalise.candidates_per_project": 0})
    return revitalise(zone, audit(zone, as_of="2025-06-30"), policy=policy)


def _audit(tmp_path):
    from landplan.audit import audit

    zone = make_zone()
    zone = dataclasses.replace(zone, parcels=zone.parcels.to_crs("EPSG:4490"))
    return audit(zone, as_of="2025-06-30")


def _capacity(tmp_path):
    from landplan.capacity import capacity

    return capacity(make_zone(), start=dt.date(2025, 1, 1), horizon_quarters=0)


def _plan_report(tmp_path):
    from landplan.plan_report import read_candidates

    path = tmp_path / "sites.txt"
    path.write_text("x")
    return read_candidates(path, crs="EPSG:4546")


def _match(tmp_path):
    from landplan.match import match

    return match(pd.Series(project("J1")), make_zone(), top=0)


def _demand(tmp_path):
    from landplan.demand import land_demand

    return land_demand(pd.Series({"project_id": "J1"}), Policy.default())


def _layers(tmp_path):
    from landplan.layers import spec

    return spec("roadz")


def _landuse(tmp_path):
    from landplan.landuse import crosswalk

    return crosswalk("0999", "gbt21010", "gb50137")


def _kinds(tmp_path):
    from landplan.kinds import kind

    return kind("whole_block")


def _dates(tmp_path):
    from landplan._dates import as_date

    return as_date("soon")


def _profiles(tmp_path):
    from landplan.profiles import load_profile

    path = tmp_path / "p.toml"
    path.write_text('[profile]\nlayer = "roadz"\n[area]\nunit = "acre"\n', encoding="utf-8")
    return load_profile(path)


@pytest.mark.parametrize(
    ("module", "call", "english_start"),
    [
        ("allocate (stages)", _allocate, "stage(s) ['landed'] have no weight"),
        (
            "allocate (fixed)",
            _allocate_fixed,
            "fixed site(s) ['J1 -> zz (no such candidate)'] are not",
        ),
        ("allocate (candidates)", _allocate_candidates, "1 problem found"),
        ("corridor", _corridor, "phase breaks [2000.0, 1000.0] are not increasing"),
        ("revitalise", _revitalise, "1 problem(s) in the policy"),
        ("audit", _audit, "the parcels are in"),
        ("capacity", _capacity, "the horizon must be at least one quarter, got 0"),
        ("plan_report", _plan_report, "unsupported file type '.txt'"),
        ("match", _match, "top must be a positive number of candidates, got 0"),
        ("demand", _demand, "project J1 states no demand: expected land_mu_min/land_mu_max"),
        ("layers", _layers, "unknown layer 'roadz'; expected one of parcels"),
        ("landuse", _landuse, "'0999' is not a code of GB/T 21010-2017"),
        ("kinds", _kinds, "unknown candidate kind 'whole_block'"),
        ("_dates", _dates, "as_of must be a date such as 2025-06-30, got 'soon'"),
        ("profiles", _profiles, "not a valid import profile"),
    ],
)
def test_a_planning_error_says_itself_in_chinese(tmp_path, module, call, english_start):
    with pytest.raises(LandplanError) as info:
        call(tmp_path)
    check_both_languages(info.value, module, english_start)
