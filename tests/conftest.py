"""Shared fixtures: tiny hand-made layers in the working CRS, and the run's skip policy.

With ``LANDPLAN_REQUIRE_POSTGIS=1`` or ``LANDPLAN_REQUIRE_BROWSER=1`` (as CI sets them), a run that
skipped any test fails: a PostGIS or browser test that did not run is not a pass.
"""

from __future__ import annotations

import os

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    required = [v for v in ("LANDPLAN_REQUIRE_POSTGIS", "LANDPLAN_REQUIRE_BROWSER") if os.environ.get(v)]
    if required and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"FAILED: {len(_skipped)} test(s) skipped while {', '.join(required)} is set: "
                + ", ".join(_skipped[:10]),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
