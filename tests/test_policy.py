"""The policy: defaults with sources, overrides, round trip, clear errors."""

from __future__ import annotations

import pytest

from landplan.errors import PolicyError
from landplan.policy import Policy


def test_defaults_cite_their_sources():
    policy = Policy.default()
    table = policy.table()
    numeric = table[
        table["value"].map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    ]
    sections_with_sources = {
        "control",
        "idle",
        "low_efficiency",
        "evaluation",
        "siting",
        "readiness",
    }
    cited = numeric[numeric["key"].str.split(".").str[0].isin(sections_with_sources)]
    missing = cited[cited["source"] == ""]["key"].tolist()
    assert missing == [] or all(k.startswith("siting.") for k in missing), missing
    assert policy.source("idle.fee_share").startswith("国土资源部令第53号")
    assert policy.source("control.far_min_by_division.26") != ""


def test_values_from_rules():
    policy = Policy.default()
    assert policy.idle.start_grace_years == 1
    assert policy.idle.recover_years == 2
    assert policy.idle.fee_share == 0.20
    assert policy.idle.developed_share_min == pytest.approx(1 / 3)
    assert policy.control.coverage_min == 0.30
    assert policy.control.far_min_by_division["25"] == 0.5
    assert policy.control.far_min_by_division["39"] == 1.0
    assert dict(policy.evaluation.class_shares) == {"A": 0.2, "B": 0.4, "C": 0.35, "D": 0.05}
    assert sum(policy.evaluation.weights.values()) == 100
    assert policy.siting.storage_mu_per_mwh == 0.17
    assert policy.crs.working == "EPSG:4546"


def test_round_trip():
    policy = Policy.default()
    assert Policy.from_toml_text(policy.to_toml()) == policy
    changed = policy.replace(**{"idle.recover_years": 3, "control.far_min_by_division.99": 2.0})
    again = Policy.from_toml_text(changed.to_toml())
    assert again.idle.recover_years == 3
    assert again.control.far_min_by_division["99"] == 2.0


def test_user_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "zone.toml"
    path.write_text("[control]\ntax_per_mu_min_wan_yuan = 15\n", encoding="utf-8")
    policy = Policy.from_toml(path)
    assert policy.control.tax_per_mu_min_wan_yuan == 15.0
    assert policy.control.coverage_min == 0.30


def test_unknown_key_and_wrong_type_are_reported_together(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[idle]\nrecover_yrs = 3\nfee_share = "20%"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(path)
    message = str(info.value)
    assert "2 problem(s)" in message
    assert "unknown key 'idle.recover_yrs'" in message and "recover_years" in message
    assert "'idle.fee_share' must be float like the default 0.2, got '20%'" in message
    assert str(path) in message


def test_not_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[idle\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="is not valid TOML"):
        Policy.from_toml(path)
    with pytest.raises(PolicyError, match="cannot read policy file"):
        Policy.from_toml(tmp_path / "missing.toml")


def test_unknown_section_attribute():
    with pytest.raises(AttributeError, match="has no key 'recover'"):
        _ = Policy.default().idle.recover


def test_a_misspelt_vocabulary_value_is_refused_not_ignored(tmp_path):
    """A misspelt blocking constraint used to remove the red-line rule without a word."""
    path = tmp_path / "zone.toml"
    path.write_text(
        '[siting]\nblocking_constraints = ["ecological_redline", "basic_farmland"]\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(path)
    message = str(info.value)
    assert str(path) in message
    assert (
        "'siting.blocking_constraints' holds 'ecological_redline', which is not a constraint "
        "kind; did you mean 'ecological_red_line'?"
    ) in message


def test_every_bad_value_is_listed_in_one_error():
    text = """
[siting]
hazardous_setback_m = -300.0
substation_max_distance_m = nan
available_statuses = ["state_reserve", "vacant"]
[control]
coverage_min = inf
[idle]
fee_share = 1.5
recover_years = 2.5
[evaluation]
class_shares = { A = 0.3, B = 0.4, C = 0.35, D = 0.05 }
missing = "median"
[review]
essential = ["investment_intensity", "energy"]
[capacity]
supply_statuses = ["state_reserve", "occupied"]
clear_height_bands_m = [0.0, 8.0, 6.0]
[crs]
working = "EPSG:999999"
"""
    with pytest.raises(PolicyError) as info:
        Policy.from_toml_text(text, where="zone.toml")
    message = str(info.value)
    expected = [
        "'siting.hazardous_setback_m' must not be negative, got -300.0",
        "'siting.substation_max_distance_m' must be a finite number, got nan",
        "'siting.available_statuses' holds 'vacant', which is not a parcel status",
        "'control.coverage_min' must be a finite number, got inf",
        "'idle.fee_share' is a share and must be between 0 and 1, got 1.5",
        "'idle.recover_years' must be a whole number like the default 2, got 2.5",
        "'evaluation.class_shares' must sum to 1",
        "'evaluation.missing' must be one of 'average', 'zero', got 'median'",
        "'review.essential' names 'energy', which is not a principle",
        "'capacity.supply_statuses' holds 'occupied', which has no readiness delay",
        "'capacity.clear_height_bands_m' must start at 0 and increase",
        "'crs.working' is not a CRS pyproj knows: 'EPSG:999999'",
    ]
    assert f"{len(expected)} problem(s) in the policy zone.toml" in message
    for line in expected:
        assert line in message


def test_replace_is_validated_too():
    with pytest.raises(PolicyError, match=r"'ranking\.weights' must give at least one weight"):
        Policy.default().replace(
            **{f"ranking.weights.{k}": 0.0 for k in Policy.default().ranking.weights}
        )
    with pytest.raises(PolicyError, match=r"'control\.far_min_by_division' has key '3a'"):
        Policy.default().replace(**{"control.far_min_by_division.3a": 1.0})
    with pytest.raises(PolicyError, match=r"'siting\.cutout_max_aspect' must be at least 1"):
        Policy.default().replace(**{"siting.cutout_max_aspect": 0.5})


def test_cli_reports_a_bad_policy_without_a_traceback(tmp_path, capsys):
    from landplan.cli import main

    path = tmp_path / "zone.toml"
    path.write_text("[siting]\nmax_group_size = -1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["audit", "--policy", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "`siting.max_group_size` 不能为负数" in err and "Traceback" not in err


def test_shipped_sources_read_in_chinese_and_a_zone_s_own_as_written():
    import re

    from landplan.labels import MESSAGES, policy_source

    policy = Policy.default()
    keys = policy.table()["key"]
    zh = {k: policy_source(policy, k, "zh") for k in keys}
    # Every source cited in English has its Chinese rendering, which keeps no English word but
    # the names of coordinate systems and a tile provider.
    english = {
        k: w
        for k, t in zh.items()
        if (w := set(re.findall(r"[A-Za-z]{3,}", t)) - {"CGCS", "EPSG", "CARTO"})
    }
    assert not english, english
    assert zh["idle.recover_years"].startswith("《闲置土地处置办法》（国土资源部令第53号）第十四条")
    assert policy_source(policy, "idle.recover_years", "en") == policy.source("idle.recover_years")
    # Each rendering is of a source the policy ships with.
    rendered = [
        k.removeprefix("policy_source.") for k in MESSAGES if k.startswith("policy_source.")
    ]
    assert len(rendered) > 100
    assert all(policy_source(policy, k, "zh") != policy.source(k) != "" for k in rendered)
    own = Policy.from_toml_text('[idle.sources]\nrecover_years = "本区规定"\n')
    assert policy_source(own, "idle.recover_years", "zh") == "本区规定"
