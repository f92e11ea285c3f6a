import pytest

from landplan.vocab import CLUSTER, PARCEL_STATUS, PROJECT_STAGE


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("闲置", "idle"),
        ("净地", "state_reserve"),
        ("State Reserve", "state_reserve"),
        ("留用地", "reserved_leased"),
        ("low-efficiency", "low_efficiency"),
        ("在建", "under_construction"),
    ],
)
def test_parcel_status_labels(given, expected):
    assert PARCEL_STATUS.normalise(given) == expected


def test_unknown_and_suggestion():
    assert PARCEL_STATUS.normalise("idel") is None
    assert PARCEL_STATUS.suggest("idel") == "idle"
    assert CLUSTER.normalise("金属智造") == "metal_smart_manufacturing"
    assert PROJECT_STAGE.normalise("框架协议") == "framework"
    assert PARCEL_STATUS.label("idle", "zh") == "闲置"
