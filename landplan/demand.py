"""What a project asks for: a land window in m², floor space, power.

Review and matching both start here. The window is the range of site areas a project may be
offered:

* the lower end is the smallest site the project can use (``land_mu_min``; for a battery storage
  station without a stated area, ``storage_mwh × siting.storage_mu_per_mwh``);
* the upper end is the largest site it asks for (``land_mu_max``; where it gives only a minimum,
  the minimum plus ``siting.area_slack_share``), capped where a larger site would bring the
  investment intensity (fixed-asset investment / site area) below the control value
  ``control.investment_intensity_min_wan_yuan_per_mu`` (国土资发〔2008〕24号: the intensity is
  judged on the site actually given, so a larger site lowers it).

The target, the area a cut-out is made to, is the largest area asked for, within the window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from landplan.errors import Code, InfeasibleError, LandplanError
from landplan.policy import Policy
from landplan.units import m2_to_mu, mu_to_m2

__all__ = [
    "Demand",
    "as_project",
    "land_demand",
    "project_flag",
    "project_number",
    "standard_factory",
]


@dataclass(frozen=True)
class Demand:
    """A project's demand for land, floor space and power.

    Attributes
    ----------
    project_id : str
        The project.
    min_m2, target_m2, max_m2 : float
        The land window and the target area inside it; NaN where the project wants no land.
    asked_max_m2 : float
        The largest area the project asked for, before the investment-intensity cap.
    cap_m2 : float
        The largest site keeping the investment intensity at the control value; NaN where the
        project gives no fixed-asset investment.
    floor_area_m2 : float
        Floor space the project could rent instead; NaN where it cannot use buildings.
    voltage_kv : float
        The substation voltage it must connect to; NaN where it has no such need.
    basis : str
        How the window was derived, for the reader.
    stated_floor_m2 : float
        The floor area the project states (``floor_area_m2``), whether or not it says it can use
        existing buildings; NaN where it states none.
    standard_factory : bool
        Whether the stated floor demand is at most ``review.floor_space_max_m2``: by 国土资发
        〔2008〕24号 such a project belongs in standard factory floor space, not on land of its
        own. The review advises on this whatever the project says of buildings; supply and demand
        (:mod:`landplan.capacity`) count it as floor demand only where it can use buildings
        (:attr:`floor_space_only`).
    hazard : str
        The project's hazard class (``none`` where it states none).
    hazardous : bool
        Whether the hazard is one of ``siting.hazardous_kinds`` (M3 land, residential setback).
    storage : bool
        Whether the project is an energy-storage station (``hazard = energy_storage`` or a
        ``storage_mwh``): storage land use, fuel-station setback, a voltage.
    land_use : tuple of str
        The land-use classes its site may have.
    tenure_ok : str
        ``buy`` (the default) or ``lease``: whether lease-only land will do.
    floor_load_min_kn_m2, clear_height_min_m : float
        What a building must offer; NaN where the project states nothing.
    cluster : str or None
        The project's industry cluster.
    fixed_investment_wan_yuan : float
        Its fixed-asset investment (万元); NaN where not stated.
    """

    project_id: str
    min_m2: float
    target_m2: float
    max_m2: float
    asked_max_m2: float
    cap_m2: float
    floor_area_m2: float
    voltage_kv: float
    basis: str
    stated_floor_m2: float = math.nan
    standard_factory: bool = False
    hazard: str = "none"
    hazardous: bool = False
    storage: bool = False
    land_use: tuple[str, ...] = ()
    tenure_ok: str = "buy"
    floor_load_min_kn_m2: float = math.nan
    clear_height_min_m: float = math.nan
    cluster: str | None = None
    fixed_investment_wan_yuan: float = math.nan

    @property
    def wants_land(self) -> bool:
        """Whether the project asks for land at all."""
        return not math.isnan(self.min_m2)

    @property
    def window_empty(self) -> bool:
        """Whether the intensity cap leaves no site area the project could use."""
        return self.wants_land and self.max_m2 < self.min_m2

    @property
    def wants_floor_space(self) -> bool:
        """Whether vacant floor space in existing buildings would do."""
        return not math.isnan(self.floor_area_m2)

    @property
    def floor_space_only(self) -> bool:
        """Whether the project takes floor space and no land: it can use buildings and is small."""
        return self.wants_floor_space and self.standard_factory

    @property
    def min_mu(self) -> float:
        """Lower end of the window in mu."""
        return float(m2_to_mu(self.min_m2))

    @property
    def target_mu(self) -> float:
        """Target area in mu."""
        return float(m2_to_mu(self.target_m2))

    @property
    def max_mu(self) -> float:
        """Upper end of the window in mu."""
        return float(m2_to_mu(self.max_m2))

    def window_text(self) -> str:
        """Describe the window in words, e.g. ``40.0–60.0 mu (target 60.0 mu)``."""
        if not self.wants_land:
            return "no land asked for"
        return f"{self.min_mu:.1f}–{self.max_mu:.1f} mu (target {self.target_mu:.1f} mu)"


def project_number(project: pd.Series, column: str) -> float:
    """Return a project's number in ``column`` as a float, NaN where it is missing or not one."""
    value = project.get(column)
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def project_flag(project: pd.Series, column: str) -> bool:
    """Return whether a project's ``column`` is set (missing counts as not set)."""
    value = project.get(column)
    return value is not None and value is not pd.NA and bool(value)


def standard_factory(floor_m2: float, policy: Policy) -> bool:
    """Whether a floor demand belongs in standard factory floor space (国土资发〔2008〕24号).

    True for a stated floor demand of more than 0 and at most ``review.floor_space_max_m2``.
    """
    return bool(floor_m2 > 0 and floor_m2 <= float(policy.review.floor_space_max_m2))


def as_project(project: pd.Series | Mapping, *, policy: Policy | None = None) -> pd.Series:
    """Return a project as a validated row of the projects layer.

    Parameters
    ----------
    project
        A row of ``zone.projects`` (returned as it is) or a mapping of column -> value in any
        spelling the projects layer accepts (identifiers or Chinese aliases).
    policy
        Supplies vocabularies and the working CRS for validation.

    Raises
    ------
    SchemaError
        Listing every bad value of a mapping.
    """
    from landplan.layers import spec
    from landplan.validation import validate_layer

    names = spec("projects").names
    if isinstance(project, pd.Series) and all(n in project.index for n in names):
        return project
    frame = pd.DataFrame([dict(project)])
    return validate_layer(frame, "projects", source="project", policy=policy).iloc[0]


def land_demand(project: pd.Series, policy: Policy) -> Demand:
    """Derive a project's land window, floor-space and power demand.

    Parameters
    ----------
    project
        A validated project row (see :func:`as_project`).
    policy
        Supplies ``siting.storage_mu_per_mwh``, ``siting.area_slack_share``,
        ``siting.storage_voltage_kv`` and the intensity control value.

    Returns
    -------
    Demand

    Raises
    ------
    InfeasibleError
        If the project states neither a land nor a floor-space demand.

    Examples
    --------
    >>> import pandas as pd
    >>> from landplan.policy import Policy
    >>> row = pd.Series({"project_id": "J-1", "land_mu_min": 40.0, "land_mu_max": 50.0,
    ...                  "fixed_investment_wan_yuan": 9000.0})
    >>> d = land_demand(row, Policy.default())
    >>> round(d.min_mu, 1), round(d.max_mu, 1), round(d.target_mu, 1)
    (40.0, 45.0, 45.0)
    """
    pid = str(project.get("project_id"))
    siting = policy.siting
    mu_min, mu_max = project_number(project, "land_mu_min"), project_number(project, "land_mu_max")
    storage_mwh = project_number(project, "storage_mwh")
    if math.isnan(mu_min) and not math.isnan(mu_max):
        mu_min = mu_max
    basis = "land_mu_min/land_mu_max"
    if math.isnan(mu_min) and storage_mwh > 0:
        mu_min = storage_mwh * siting.storage_mu_per_mwh
        basis = f"{storage_mwh:g} MWh × {siting.storage_mu_per_mwh:g} mu/MWh (storage)"
    if not math.isnan(mu_min) and mu_min <= 0:
        mu_min = math.nan
    if math.isnan(mu_max) and not math.isnan(mu_min):
        mu_max = mu_min * (1.0 + siting.area_slack_share)
        basis += f"; no maximum given, minimum + {siting.area_slack_share:.0%}"
    if not math.isnan(mu_min) and mu_max < mu_min:
        raise LandplanError.of(
            "plan_mu_max_below_min",
            pid=pid,
            high=Code("land_mu_max"),
            high_mu=mu_max,
            low=Code("land_mu_min"),
            low_mu=mu_min,
        )

    fixed = project_number(project, "fixed_investment_wan_yuan")
    intensity_min = policy.control.investment_intensity_min_wan_yuan_per_mu
    cap_mu = fixed / intensity_min if fixed > 0 else math.nan
    asked_mu = project_number(project, "land_mu_max")
    if math.isnan(asked_mu):
        asked_mu = mu_min
    top_mu = mu_max if math.isnan(cap_mu) else min(mu_max, cap_mu)
    target_mu = min(asked_mu, top_mu)

    stated_floor = project_number(project, "floor_area_m2")
    stated_floor = stated_floor if stated_floor > 0 else math.nan
    floor = stated_floor if project_flag(project, "can_use_building") else math.nan
    hazard = project.get("hazard")
    hazard = hazard if isinstance(hazard, str) and hazard.strip() else "none"
    hazardous = hazard in siting.hazardous_kinds
    storage = hazard == "energy_storage" or storage_mwh > 0
    voltage = project_number(project, "voltage_kv")
    if math.isnan(voltage) and storage:
        voltage = float(siting.storage_voltage_kv)
    if hazardous:
        land_use = tuple(siting.hazardous_land_use)
    elif storage:
        land_use = tuple(siting.storage_land_use)
    else:
        land_use = tuple(siting.industrial_land_use)
    tenure_ok = project.get("tenure_ok")
    cluster = project.get("cluster")

    if math.isnan(mu_min) and math.isnan(floor):
        raise InfeasibleError.of(
            "plan_no_demand",
            pid=pid,
            mu_min=Code("land_mu_min"),
            mu_max=Code("land_mu_max"),
            storage=Code("storage_mwh"),
            floor=Code("floor_area_m2"),
            can=Code("can_use_building"),
        )
    return Demand(
        project_id=pid,
        min_m2=float(mu_to_m2(mu_min)),
        target_m2=float(mu_to_m2(target_mu)),
        max_m2=float(mu_to_m2(top_mu)),
        asked_max_m2=float(mu_to_m2(mu_max)),
        cap_m2=float(mu_to_m2(cap_mu)),
        floor_area_m2=floor,
        voltage_kv=voltage,
        basis=basis,
        stated_floor_m2=stated_floor,
        standard_factory=standard_factory(stated_floor, policy),
        hazard=hazard,
        hazardous=hazardous,
        storage=storage,
        land_use=land_use,
        tenure_ok=tenure_ok if isinstance(tenure_ok, str) and tenure_ok else "buy",
        floor_load_min_kn_m2=project_number(project, "floor_load_min_kn_m2"),
        clear_height_min_m=project_number(project, "clear_height_min_m"),
        cluster=cluster if isinstance(cluster, str) and cluster.strip() else None,
        fixed_investment_wan_yuan=fixed,
    )
