"""A zone too large to draw feature by feature: context per grid cell, the subject whole."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from landplan import maps
from landplan.audit import audit
from landplan.sample import AS_OF, make_zone
from landplan.zone import Zone


@pytest.fixture(scope="module")
def zones():
    zone = Zone.from_layers(make_zone(n_parcels=450))
    policy = zone.policy.replace(**{"maps.aggregate_above_features": 100})
    return zone, dataclasses.replace(zone, policy=policy)


def _by_name(m) -> dict[str, int]:
    return maps.layer_counts(m)


def test_audit_map_keeps_every_flagged_parcel_whole(zones):
    whole, small = zones
    result = audit(whole, as_of=AS_OF)
    drawn = _by_name(maps.audit_map(whole, result))
    aggregated = _by_name(maps.audit_map(small, result))
    # The flagged parcels, counted from the flags themselves: every one drawn, none merged.
    fired = result.flags.loc[result.flags["outcome"] == "fires", "parcel_id"].nunique()
    assert drawn["预警地块"] == aggregated["预警地块"] == fired
    assert drawn["闲置土地处置期限"] == aggregated["闲置土地处置期限"]
    assert drawn["亩均效益分类"] == len(whole.parcels)
    cells = aggregated["亩均效益分类（按250米网格汇总，每格按面积最大者着色）"]
    assert 0 < cells < len(whole.parcels)


def test_overview_says_what_is_aggregated_in_both_languages(zones):
    whole, small = zones
    assert "网格" not in str(maps.overview_map(whole).get_root().render())
    for lang, note in (("zh", "按网格汇总显示"), ("en", "shown per grid cell")):
        m = maps.overview_map(small, lang=lang)
        page = m.get_root().render()
        assert note in page
        counts = _by_name(m)
        aggregated = [name for name in counts if "250" in name]
        assert len(aggregated) == 2  # parcels and buildings; constraints, roads stay whole
        assert counts[("管控区" if lang == "zh" else "Constraints")] == len(whole.constraints)
    # No identifier of a status reaches the Chinese page's legend.
    page = maps.overview_map(small).get_root().render()
    assert "state_reserve" not in page and "under_construction" not in page


def test_cells_stand_for_every_feature(zones):
    _, small = zones
    spec = maps.parcel_status_layer(small.parcels, "zh")
    cells = maps.aggregated_layer(spec, small.policy, "zh")
    counts = np.asarray(cells.fields["网格内要素数"])
    assert counts.sum() == len(small.parcels)
    # Each parcel's box centre lies in the square of one cell (an independent lookup).
    centre = small.parcels.geometry.envelope.centroid
    inside = cells.frame.sindex.query(centre, predicate="intersects")
    assert set(inside[0]) == set(range(len(small.parcels)))


@pytest.mark.browser
def test_aggregated_page_renders_in_chromium(zones, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    try:
        executable = maps.find_browser()
    except maps.MapError as exc:
        pytest.skip(f"no Chromium to test maps in: {exc}")
    whole, small = zones
    path = maps.save_map(maps.audit_map(small, audit(whole, as_of=AS_OF)), tmp_path / "a.html")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        engine = p.chromium.launch(executable_path=executable, args=list(maps.CHROMIUM_ARGS))
        page = engine.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(path.as_uri())
        page.wait_for_function("window.landplan && window.landplan.ready === true")
        drawn = page.evaluate(
            "() => Object.values(landplan.layers).reduce((n, g) => n + g.getLayers().length, 0)"
        )
        legend = page.evaluate("() => document.querySelector('.lp-legend').textContent")
        engine.close()
    assert errors == []
    assert drawn > 0
    assert "按网格汇总" in legend
