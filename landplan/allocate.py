r"""Allocate the whole pipeline: one site per project, no parcel used twice, best total value.

:func:`allocate` is a geo adaptor over a numeric core. The adaptor turns a table of candidate
sites (from :mod:`landplan.match`, or given) into a 0/1 program; :func:`_allocate_matrix` solves
it exactly with HiGHS (``scipy.optimize.milp``).

The program
-----------
One binary :math:`x_c` per candidate site :math:`c` of project :math:`p(c)`, maximising

.. math:: \sum_c v_c x_c, \qquad v_c = s_c \cdot w_{stage(p)} \cdot
          (I_p / I_{ref})^{\alpha}

where :math:`s_c` is the match score, :math:`w` the policy's ``allocation.stage_weights``
(signed > framework > prospect), :math:`I_p` the planned investment in 万元, and
:math:`I_{ref}`, :math:`\alpha` the policy's ``allocation.investment_reference_wan_yuan`` and
``allocation.investment_exponent``. Subject to

- each project takes at most one site: :math:`\sum_{c \in p} x_c \le 1`;
- a parcel taken whole (a single parcel or part of an assembly) is taken by one site only:
  :math:`\sum_{c \in W_q} x_c \le 1` over the whole-parcel sites :math:`W_q` of parcel
  :math:`q`;
- a cut-out of parcel :math:`q` excludes every whole use of it: :math:`x_k + \sum_{W_q} x_c
  \le 1`; two cut-outs of one parcel may both be chosen only where their shapes do not overlap
  (:math:`x_k + x_l \le 1` otherwise) and their areas leave the policy's remainder:
  :math:`\sum_k a_k x_k \le A_q - r`;
- floor space shares a building's vacant floor area :math:`V_b`:
  :math:`\sum_{f \in b} a_f x_f \le V_b`, and a land site that covers the building excludes
  letting its floor space: :math:`x_f + \sum_{c \supset b} x_c \le 1`;
- a site a planner fixed has :math:`x_c = 1`; a site touching a parcel reserved for another
  project has :math:`x_c = 0`.

A greedy baseline (highest value first, each site taken if still free) is solved beside it only
to report what the exact optimum gains.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import LinearConstraint, milp

import geopandas as gpd
import shapely

from landplan.errors import (
    CRSMismatchError,
    InfeasibleError,
    LandplanError,
    Problem,
    SchemaError,
)
from landplan.units import m2_to_mu, mu_to_m2
from landplan.zone import Zone

__all__ = [
    "CANDIDATE_COLUMNS",
    "Allocation",
    "allocate",
    "candidate_values",
]

Kind = Literal["single", "assembly", "cutout", "floor_space"]
Status = Literal["optimal", "time_limit"]
Reason = Literal["no_feasible_site", "site_reserved", "outbid", "not_selected"]

#: Columns of a candidate table, the interface between site matching and allocation:
#: ``project_id``, ``candidate_id`` (unique), ``kind`` (single, assembly, cutout, floor_space),
#: ``parcel_ids`` (list of parcel ids; the building's parcel for floor space), ``building_id``
#: (floor space only), ``area_m2`` (land taken; 0 for floor space), ``floor_area_m2`` (floor
#: space taken; 0 for land), ``score`` (match score, higher is better) and ``geometry``.
CANDIDATE_COLUMNS = (
    "project_id",
    "candidate_id",
    "kind",
    "parcel_ids",
    "building_id",
    "area_m2",
    "floor_area_m2",
    "score",
    "geometry",
)
_KINDS = ("single", "assembly", "cutout", "floor_space")
_WHOLE = ("single", "assembly")
_SOURCE = "candidates"


@dataclass
class Allocation:
    """The plan for a pipeline of projects.

    Attributes
    ----------
    plan : geopandas.GeoDataFrame
        One row per placed project: ``project_id``, ``name``, ``stage``, ``cluster``,
        ``candidate_id``, ``kind``, ``parcel_ids`` (``;``-joined), ``building_id``, ``area_m2``,
        ``area_mu``, ``floor_area_m2``, ``score``, ``value``, ``source`` (``optimised``,
        ``fixed`` or ``reserved``) and the site's geometry.
    unplaced : pandas.DataFrame
        One row per project left without a site: ``reason`` (``no_feasible_site``,
        ``site_reserved``, ``outbid``, ``not_selected``), ``best_value`` (its best site's value),
        ``competitors`` (the placed projects holding its sites, with their values) and
        ``detail`` (a sentence).
    candidates : pandas.DataFrame
        The candidate table with ``value``, ``chosen``, ``greedy`` and ``forbidden`` added.
    status : {"optimal", "time_limit"}
        Whether the plan is proven optimal, or the time limit stopped the solver (the plan is
        then the better of the solver's best and the greedy baseline, see ``notes``).
    objective, bound, mip_gap : float
        The plan's value, the solver's upper bound on any plan's value, and their relative gap.
    greedy_objective : float
        The value of the greedy baseline's plan.
    solve_time_s : float
        Wall time of the exact solve.
    """

    plan: gpd.GeoDataFrame
    unplaced: pd.DataFrame
    candidates: pd.DataFrame
    status: Status
    objective: float
    bound: float
    mip_gap: float
    greedy_objective: float
    solve_time_s: float
    n_constraints: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def gain_over_greedy(self) -> float:
        """Relative gain of the plan over the greedy baseline (0.05 = 5 % more value)."""
        if self.greedy_objective <= 0:
            return 0.0 if self.objective <= 0 else float("inf")
        return self.objective / self.greedy_objective - 1.0

    def summary(self) -> pd.DataFrame:
        """Key figures as (item, value) rows, for reports."""
        rows = [
            ("status", self.status),
            ("objective", self.objective),
            ("bound", self.bound),
            ("mip_gap", self.mip_gap),
            ("greedy_objective", self.greedy_objective),
            ("gain_over_greedy", self.gain_over_greedy),
            ("solve_time_s", self.solve_time_s),
            ("projects_placed", len(self.plan)),
            ("projects_unplaced", len(self.unplaced)),
            ("land_mu_placed", float(self.plan["area_mu"].sum())),
            ("floor_area_m2_placed", float(self.plan["floor_area_m2"].sum())),
            ("candidates", len(self.candidates)),
            ("constraints", self.n_constraints),
        ]
        return pd.DataFrame(rows, columns=["item", "value"])


# --- the numeric core ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray
    status: Status
    objective: float
    bound: float
    gap: float
    seconds: float


@dataclass(frozen=True)
class _Program:
    """The 0/1 program: values, project of each candidate, resource rows, fixed and forbidden.

    ``conflicts`` (m × n) and ``capacity`` (m,) are the resource rows; ``fixed`` and ``forbidden``
    are boolean masks (n,) of candidates forced to 1 and to 0.
    """

    value: np.ndarray
    project_of: np.ndarray
    conflicts: sp.csr_array
    capacity: np.ndarray
    fixed: np.ndarray
    forbidden: np.ndarray


def _allocate_matrix(program: _Program, *, time_limit_s: float, mip_rel_gap: float) -> _Solution:
    """Solve max value·x s.t. one site per project, conflicts·x ≤ capacity, x binary.

    Parameters
    ----------
    program
        The values, projects, resource rows and fixed/forbidden masks.
    time_limit_s, mip_rel_gap
        Passed to HiGHS.

    Raises
    ------
    InfeasibleError
        If HiGHS proves the program infeasible or returns no plan.
    """
    value, project_of, fixed = program.value, program.project_of, program.fixed
    n = len(value)
    started = time.perf_counter()
    if n == 0:
        return _Solution(np.zeros(0, dtype=bool), "optimal", 0.0, 0.0, 0.0, 0.0)
    n_projects = int(project_of.max()) + 1
    one_each = sp.csr_array(
        (np.ones(n), (project_of, np.arange(n))), shape=(n_projects, n), dtype=float
    )
    rows = sp.vstack([one_each, program.conflicts], format="csr")
    upper = np.concatenate([np.ones(n_projects), program.capacity])
    res = milp(
        c=-value,
        integrality=np.ones(n),
        bounds=(fixed.astype(float), np.where(program.forbidden, 0.0, 1.0)),
        constraints=LinearConstraint(rows, -np.inf, upper),
        options={"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap, "disp": False},
    )
    seconds = time.perf_counter() - started
    if res.x is None and res.status == 1:
        # The time limit came before any plan: the fixed sites alone are a plan, and the bound
        # (if the solver got one) still measures it.
        x = fixed.copy()
        objective = float(value[x].sum())
        bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else np.inf
        gap = (bound - objective) / max(abs(objective), 1e-9)
        return _Solution(x, "time_limit", objective, bound, gap, seconds)
    if res.x is None:
        raise InfeasibleError(
            f"the solver returned no plan (status {res.status}: {res.message}); expected at "
            "least the empty plan with the fixed sites; check the fixed sites and reservations"
        )
    x = res.x > 0.5
    objective = float(value[x].sum())
    bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else objective
    gap = float(res.mip_gap) if res.mip_gap is not None else 0.0
    status: Status = "optimal" if res.status == 0 else "time_limit"
    if res.status not in (0, 1):
        raise InfeasibleError(f"the solver stopped with status {res.status}: {res.message}")
    return _Solution(x, status, objective, max(bound, objective), gap, seconds)


def _greedy(program: _Program) -> np.ndarray:
    """Place fixed sites first, then the most valuable site that still fits, in turn.

    Kept only to report how much the exact optimum gains; it visits candidates one by one.
    """
    value, project_of, fixed = program.value, program.project_of, program.fixed
    forbidden, capacity = program.forbidden, program.capacity
    columns = sp.csc_array(program.conflicts)
    used = columns @ fixed.astype(float)
    placed = np.zeros(int(project_of.max()) + 1 if len(value) else 0, dtype=bool)
    placed[project_of[fixed]] = True
    chosen = fixed.copy()
    order = np.lexsort((np.arange(len(value)), -value))
    for i in order:
        if chosen[i] or forbidden[i] or placed[project_of[i]] or value[i] <= 0:
            continue
        lo, hi = columns.indptr[i], columns.indptr[i + 1]
        rows, coef = columns.indices[lo:hi], columns.data[lo:hi]
        if np.all(used[rows] + coef <= capacity[rows] + 1e-9):
            used[rows] += coef
            chosen[i] = True
            placed[project_of[i]] = True
    return chosen


# --- the geo adaptor ------------------------------------------------------------------------------


def candidate_values(candidates: pd.DataFrame, projects: pd.DataFrame, policy) -> pd.Series:
    """Value of each candidate: score × stage weight × (investment / reference) ** exponent.

    Parameters
    ----------
    candidates
        A candidate table (see :data:`CANDIDATE_COLUMNS`).
    projects
        The projects, with ``project_id``, ``stage`` and ``investment_wan_yuan``.
    policy
        The policy holding ``allocation.stage_weights``,
        ``allocation.investment_reference_wan_yuan`` and ``allocation.investment_exponent``.

    Returns
    -------
    pandas.Series
        Named ``value``, indexed like ``candidates``.

    Examples
    --------
    >>> from landplan.policy import Policy
    >>> cands = pd.DataFrame({"project_id": ["J-1"], "score": [80.0]})
    >>> projects = pd.DataFrame(
    ...     {"project_id": ["J-1"], "stage": ["signed"], "investment_wan_yuan": [40000.0]}
    ... )
    >>> float(candidate_values(cands, projects, Policy.default()).iloc[0])  # 80 x 3 x sqrt(4)
    480.0
    """
    weights = dict(policy.allocation.stage_weights)
    ref = float(policy.allocation.investment_reference_wan_yuan)
    alpha = float(policy.allocation.investment_exponent)
    per_project = projects.set_index("project_id")
    stage = candidates["project_id"].map(per_project["stage"])
    weight = stage.map(weights).astype(float)
    investment = candidates["project_id"].map(per_project["investment_wan_yuan"]).astype(float)
    factor = (investment / ref) ** alpha
    return (candidates["score"].astype(float) * weight * factor).rename("value")


def allocate(
    projects: pd.DataFrame | None,
    zone: Zone,
    *,
    candidates: pd.DataFrame | None = None,
    fixed: Mapping[str, str] | None = None,
    reserved: pd.DataFrame | None = None,
    stages: Sequence[str] | None = None,
    time_limit_s: float | None = None,
) -> Allocation:
    """Give each pipeline project at most one candidate site, no parcel used twice.

    Parameters
    ----------
    projects
        The projects to place; ``zone.projects`` where None. Only projects whose stage is in
        ``stages`` take part.
    zone
        The zone: its parcels (areas, for cut-outs), buildings (vacant floor area) and policy.
    candidates
        The candidate sites (see :data:`CANDIDATE_COLUMNS`); where None, each project's sites
        from :func:`landplan.match.match`.
    fixed
        project_id -> candidate_id: sites a planner fixed by hand; they are kept as they are.
    reserved
        Existing reservations, one row per parcel: ``project_id``, ``parcel_id`` (as the store's
        ``reservations()`` gives them). A reserved project keeps its parcels (its candidate on
        exactly those parcels is fixed, if it has one); nobody else may use them.
    stages
        Stages to place; the policy's ``allocation.stage_weights`` keys where None.
    time_limit_s
        Solver time limit; the policy's ``allocation.time_limit_s`` where None.

    Returns
    -------
    Allocation
        The plan, the unplaced projects with reasons, solver status, gap and greedy baseline.

    Raises
    ------
    SchemaError
        If the candidate table is malformed (listing every problem).
    InfeasibleError
        If fixed sites clash with each other or with reservations.
    LandplanError
        For an unknown stage, or a fixed site that is not among the candidates.
    """
    policy = zone.policy
    projects = zone.projects if projects is None else projects
    scope = _projects_in_scope(projects, stages, policy)
    why_none: dict[str, str] = {}
    if candidates is None:
        candidates, why_none = _match_candidates(scope, zone)
    cands = _validated_candidates(candidates, scope, zone)
    cands["value"] = candidate_values(cands, scope, policy).to_numpy()

    reserved_parcels = _reserved_table(reserved)
    fixed = dict(fixed or {})
    fixed_by_reservation, reserved_only = _reservation_sites(cands, reserved_parcels, scope)
    clash = sorted(set(fixed) & set(fixed_by_reservation))
    clash = [p for p in clash if fixed[p] != fixed_by_reservation[p]]
    if clash:
        raise InfeasibleError(
            f"project(s) {clash} are fixed to one site by hand and reserved on another; "
            "expected one site per project; release the reservation or change the fixed site"
        )
    fixed_all = {**fixed_by_reservation, **fixed}

    conflicts, capacity, labels = _resource_rows(cands, zone)
    forbidden = _forbidden(cands, reserved_parcels, reserved_only)
    fixed_mask = _fixed_mask(cands, fixed_all)
    _check_fixed(cands, fixed_mask, forbidden, conflicts, capacity, labels)

    project_codes, project_of = np.unique(cands["project_id"].to_numpy(), return_inverse=True)
    value = cands["value"].to_numpy(dtype=float)
    limit = float(policy.allocation.time_limit_s if time_limit_s is None else time_limit_s)
    program = _Program(value, project_of, conflicts, capacity, fixed_mask, forbidden)
    solution = _allocate_matrix(
        program, time_limit_s=limit, mip_rel_gap=float(policy.allocation.mip_rel_gap)
    )
    greedy = _greedy(program)
    greedy_value = float(value[greedy].sum())
    notes = []
    if solution.status == "time_limit" and greedy_value > solution.objective:
        # Stopped early, HiGHS may hold a worse plan than the baseline; both are feasible, so
        # the better one is the plan, measured against the solver's bound.
        solution = replace(
            solution,
            x=greedy,
            objective=greedy_value,
            gap=(solution.bound - greedy_value) / max(abs(greedy_value), 1e-9),
        )
        notes.append("the greedy plan beat the solver's best plan found in time and is used")
    cands["chosen"] = solution.x
    cands["greedy"] = greedy
    cands["forbidden"] = forbidden
    source = np.where(
        cands["project_id"].isin(fixed_by_reservation).to_numpy() & fixed_mask,
        "reserved",
        np.where(fixed_mask, "fixed", "optimised"),
    )
    cands["source"] = source

    plan = _plan(cands, scope, zone, reserved_only, reserved_parcels)
    unplaced = _unplaced(cands, scope, plan, conflicts, reserved_parcels, why_none)
    if solution.status == "time_limit":
        notes.append(
            f"the time limit of {limit:g} s stopped the solver with a relative gap of "
            f"{solution.gap:.2%}; raise allocation.time_limit_s for a proven optimum"
        )
    return Allocation(
        plan=plan,
        unplaced=unplaced,
        candidates=cands,
        status=solution.status,
        objective=solution.objective,
        bound=solution.bound,
        mip_gap=solution.gap,
        greedy_objective=greedy_value,
        solve_time_s=solution.seconds,
        n_constraints=int(conflicts.shape[0] + len(project_codes)),
        notes=notes,
    )


# --- validation ---------------------------------------------------------------------------------


def _projects_in_scope(
    projects: pd.DataFrame, stages: Sequence[str] | None, policy
) -> pd.DataFrame:
    weights = dict(policy.allocation.stage_weights)
    wanted = list(weights) if stages is None else list(stages)
    unknown = [s for s in wanted if s not in weights]
    if unknown:
        raise LandplanError(
            f"stage(s) {unknown} have no weight in allocation.stage_weights; expected some of "
            f"{sorted(weights)}; pick those stages or add a weight to the policy"
        )
    missing = [c for c in ("project_id", "stage", "investment_wan_yuan") if c not in projects]
    if missing:
        raise LandplanError(
            f"the projects table lacks column(s) {missing}; expected a projects layer "
            "(landplan.layers) with project_id, stage and investment_wan_yuan"
        )
    return projects.loc[projects["stage"].isin(wanted)].reset_index(drop=True)


def _from_match(project_id: str, ranked: pd.DataFrame, rejections: pd.DataFrame):
    """Turn one project's ranked sites from :func:`landplan.match.match` into candidate rows.

    Match ranks each project's sites with ``candidate_id`` unique within the project, ``kind``,
    ``;``-joined ``parcel_ids`` and ``score_total``; the
    project id is prefixed to make the ids unique across the pipeline. Returns the rows and a
    sentence summarising the rejections (for a project with no site at all).
    """
    table = pd.DataFrame(
        {
            "project_id": project_id,
            "candidate_id": project_id + "/" + ranked["candidate_id"].astype(str),
            "kind": ranked["kind"],
            "parcel_ids": ranked["parcel_ids"],
            "building_id": ranked["building_id"],
            "area_m2": ranked["area_m2"],
            "floor_area_m2": ranked["floor_area_m2"],
            "score": ranked["score_total"],
        }
    )
    table = gpd.GeoDataFrame(table, geometry=ranked.geometry.to_numpy(), crs=ranked.crs)
    counts = rejections["rule"].value_counts() if len(rejections) else pd.Series(dtype=int)
    why = ", ".join(f"{rule} ({n} sites)" for rule, n in counts.items())
    return table, (f"every site fails a siting rule: {why}" if why else "")


def _match_candidates(projects: pd.DataFrame, zone: Zone) -> tuple[pd.DataFrame, dict[str, str]]:
    """Each project's candidate sites from :mod:`landplan.match`, as one candidate table.

    Matching runs once per project (each run is vectorised over the zone's parcels), all sharing
    one :class:`~landplan.match.SiteIndex` of the zone, prepared here.
    """
    try:
        from landplan.match import match, prepare_sites
    except ImportError as exc:
        raise LandplanError(
            "no candidate sites were given and landplan.match is not available; expected "
            "candidates=<table with columns " + ", ".join(CANDIDATE_COLUMNS) + ">"
        ) from exc
    frames, why = [], {}
    sites = prepare_sites(zone) if len(projects) else None
    for _, project in projects.iterrows():
        found = match(project, zone, sites=sites)
        table, reason = _from_match(project["project_id"], found.ranked, found.rejections)
        frames.append(table)
        why[project["project_id"]] = reason
    if not frames:
        empty = pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
        return gpd.GeoDataFrame(empty, geometry="geometry", crs=zone.crs), why
    return pd.concat(frames, ignore_index=True), why


def _as_id_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v) for v in value]


def _validated_candidates(
    candidates: pd.DataFrame, projects: pd.DataFrame, zone: Zone
) -> gpd.GeoDataFrame:
    missing = [c for c in CANDIDATE_COLUMNS if c not in candidates.columns and c != "geometry"]
    if missing:
        raise SchemaError(
            [
                Problem(
                    _SOURCE, "*", c, "missing column", f"columns {', '.join(CANDIDATE_COLUMNS)}"
                )
                for c in missing
            ]
        )
    crs = getattr(candidates, "crs", None)
    if crs is not None and zone.crs is not None and crs != zone.crs:
        raise CRSMismatchError(
            f"candidate sites are in {crs.to_string()!r} but the zone is in "
            f"{zone.crs.to_string()!r}; expected one CRS; use candidates.to_crs(zone.crs)"
        )
    if isinstance(candidates, gpd.GeoDataFrame):
        shapes = candidates.geometry.to_numpy()
        plain = pd.DataFrame(candidates.drop(columns=candidates.geometry.name))
    else:
        shapes = np.asarray(candidates.get("geometry", [None] * len(candidates)), dtype=object)
        plain = pd.DataFrame(candidates.drop(columns="geometry", errors="ignore"))
    cands = gpd.GeoDataFrame(
        plain.reset_index(drop=True), geometry=gpd.GeoSeries(shapes, crs=zone.crs).values
    )
    cands = cands.reset_index(drop=True)
    cands["parcel_ids"] = cands["parcel_ids"].map(_as_id_list)
    for col in ("area_m2", "floor_area_m2", "score"):
        cands[col] = pd.to_numeric(cands[col], errors="coerce").astype(float)
    cands["building_id"] = cands["building_id"].astype(object).where(cands["building_id"].notna())

    problems: list[Problem] = []

    def bad(mask: pd.Series, column: str, problem: str, expected: str) -> None:
        for cid in cands.loc[mask, "candidate_id"].astype(str):
            problems.append(Problem(_SOURCE, cid, column, problem, expected))

    dup = cands["candidate_id"].duplicated(keep=False)
    bad(dup, "candidate_id", "duplicate id", "a unique candidate_id per row")
    bad(~cands["kind"].isin(_KINDS), "kind", "unknown kind", f"one of {', '.join(_KINDS)}")
    known_projects = set(projects["project_id"])
    bad(
        ~cands["project_id"].isin(known_projects),
        "project_id",
        "project not among the projects placed",
        "a project_id of a project in the chosen stages (or leave the row out)",
    )
    bad(~np.isfinite(cands["score"]), "score", "no score", "a finite number")
    land = cands["kind"].isin((*_WHOLE, "cutout"))
    floor = cands["kind"] == "floor_space"
    n_parcels = cands["parcel_ids"].map(len)
    bad(land & (n_parcels == 0), "parcel_ids", "no parcel", "the parcels the site takes")
    bad(
        (cands["kind"] == "cutout") & (n_parcels != 1),
        "parcel_ids",
        "a cut-out names several parcels",
        "exactly one parcel",
    )
    bad(land & ~(cands["area_m2"] > 0), "area_m2", "no land area", "area_m2 > 0")
    bad(floor & cands["building_id"].isna(), "building_id", "missing", "the building let")
    bad(floor & ~(cands["floor_area_m2"] > 0), "floor_area_m2", "no floor area", "> 0")

    parcel_ids = set(zone.parcels["parcel_id"])
    exploded = cands[["candidate_id", "parcel_ids"]].explode("parcel_ids").dropna()
    unknown = exploded.loc[~exploded["parcel_ids"].isin(parcel_ids)]
    for cid, pid in unknown.itertuples(index=False):
        problems.append(
            Problem(
                _SOURCE,
                str(cid),
                "parcel_ids",
                f"unknown parcel {pid!r}",
                "parcel ids of the zone's parcels layer",
            )
        )
    vacant = zone.buildings.set_index("building_id")["vacant_area_m2"]
    known_building = cands["building_id"].isin(vacant.index)
    bad(
        floor & cands["building_id"].notna() & ~known_building,
        "building_id",
        "unknown building",
        "a building id of the zone's buildings layer",
    )
    over = (
        floor
        & known_building
        & (cands["floor_area_m2"] > cands["building_id"].map(vacant).astype(float) * (1 + 1e-9))
    )
    bad(
        over,
        "floor_area_m2",
        "more than the building's vacant floor area",
        "at most the building's vacant_area_m2",
    )

    cut = (cands["kind"] == "cutout") & (n_parcels == 1)
    if cut.any():
        area = zone.parcels.set_index("parcel_id")["area_m2"]
        parcel_area = cands.loc[cut, "parcel_ids"].str[0].map(area).astype(float)
        remainder = mu_to_m2(float(zone.policy.siting.cutout_min_remainder_mu))
        too_big = pd.Series(False, index=cands.index)
        too_big.loc[cut] = cands.loc[cut, "area_m2"] > parcel_area - remainder + 1e-6
        bad(
            too_big,
            "area_m2",
            "the cut-out leaves less than siting.cutout_min_remainder_mu",
            "a cut-out leaving the remainder, or the whole parcel as a single site",
        )
    if problems:
        raise SchemaError(problems)
    return cands


def _reserved_table(reserved: pd.DataFrame | None) -> pd.DataFrame:
    if reserved is None or len(reserved) == 0:
        return pd.DataFrame(
            {"project_id": pd.Series(dtype=object), "parcel_id": pd.Series(dtype=object)}
        )
    missing = [c for c in ("project_id", "parcel_id") if c not in reserved]
    if missing:
        raise LandplanError(
            f"the reservations lack column(s) {missing}; expected one row per reserved parcel "
            "with project_id and parcel_id, as Store.reservations() returns them"
        )
    taken = reserved.loc[reserved["parcel_id"].duplicated(keep=False)]
    clash = taken.groupby("parcel_id")["project_id"].nunique()
    clash = clash[clash > 1]
    if len(clash):
        raise InfeasibleError(
            f"parcel(s) {sorted(clash.index)} are reserved for more than one project; expected "
            "one reservation per parcel; release the duplicate reservations"
        )
    return reserved[["project_id", "parcel_id"]].drop_duplicates().astype(object)


def _reservation_sites(
    cands: pd.DataFrame, reserved: pd.DataFrame, projects: pd.DataFrame
) -> tuple[dict[str, str], set[str]]:
    """Candidates matching a reservation exactly (fixed), and reserved projects without one."""
    if reserved.empty:
        return {}, set()
    parcel_sets = reserved.groupby("project_id")["parcel_id"].agg(frozenset)
    own = cands["project_id"].map(parcel_sets)
    same = [
        isinstance(o, frozenset) and frozenset(p) == o and k != "floor_space"
        for o, p, k in zip(own, cands["parcel_ids"], cands["kind"], strict=True)
    ]
    matched = cands.loc[same].drop_duplicates("project_id")
    fixed = dict(zip(matched["project_id"], matched["candidate_id"], strict=True))
    in_scope = set(projects["project_id"])
    reserved_only = {p for p in parcel_sets.index if p in in_scope and p not in fixed}
    return fixed, reserved_only


def _fixed_mask(cands: pd.DataFrame, fixed: Mapping[str, str]) -> np.ndarray:
    if not fixed:
        return np.zeros(len(cands), dtype=bool)
    by_id = cands.set_index("candidate_id")["project_id"]
    wrong = [
        f"{p} -> {c}"
        + (" (no such candidate)" if c not in by_id.index else f" (a site of {by_id[c]})")
        for p, c in fixed.items()
        if c not in by_id.index or by_id[c] != p
    ]
    if wrong:
        raise LandplanError(
            f"fixed site(s) {wrong} are not candidates of their project; expected "
            "project_id -> one of its candidate_id values"
        )
    return cands["candidate_id"].isin(set(fixed.values())).to_numpy()


def _forbidden(
    cands: pd.DataFrame, reserved: pd.DataFrame, reserved_only: Iterable[str]
) -> np.ndarray:
    """Mask candidates on parcels reserved for others, and of projects placed by reservation."""
    forbidden = cands["project_id"].isin(set(reserved_only)).to_numpy()
    if reserved.empty:
        return forbidden
    holder = reserved.set_index("parcel_id")["project_id"]
    exploded = cands[["project_id", "parcel_ids"]].explode("parcel_ids")
    held_by = exploded["parcel_ids"].map(holder)
    other = held_by.notna() & (held_by != exploded["project_id"])
    hit = other.groupby(level=0).any().reindex(cands.index, fill_value=False).to_numpy()
    return forbidden | hit


# --- resource rows ------------------------------------------------------------------------------


def _rows_from_pairs(
    row: np.ndarray, col: np.ndarray, coef: np.ndarray, n_rows: int, n_cols: int
) -> sp.csr_array:
    return sp.csr_array((coef.astype(float), (row, col)), shape=(n_rows, n_cols))


def _resource_rows(
    cands: gpd.GeoDataFrame, zone: Zone
) -> tuple[sp.csr_array, np.ndarray, list[str]]:
    """Build every resource row of the program (see the module docstring) as one sparse matrix."""
    n = len(cands)
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]] = []
    # (row index within block, candidate index, coefficient, capacity per row, labels)

    pairs = cands[["kind", "parcel_ids"]].explode("parcel_ids").dropna(subset=["parcel_ids"])
    pairs = pairs.loc[pairs["kind"] != "floor_space"]
    idx = pairs.index.to_numpy()
    whole = pairs["kind"].isin(_WHOLE).to_numpy()
    parcel = pairs["parcel_ids"].to_numpy()

    # Whole uses of a parcel: one row per parcel.
    wp_codes, wp_row = np.unique(parcel[whole], return_inverse=True)
    blocks.append(
        (
            wp_row,
            idx[whole],
            np.ones(whole.sum()),
            np.ones(len(wp_codes)),
            [f"parcel {p}" for p in wp_codes],
        )
    )

    # A cut-out against the whole uses of its parcel: one row per cut-out.
    cut_idx = idx[~whole]
    cut_parcel = parcel[~whole]
    whole_by_parcel = pd.DataFrame({"parcel": parcel[whole], "cand": idx[whole]})
    link = pd.DataFrame({"row": np.arange(len(cut_idx)), "parcel": cut_parcel}).merge(
        whole_by_parcel, on="parcel", how="inner"
    )
    rows = np.concatenate([np.arange(len(cut_idx)), link["row"].to_numpy()])
    cols = np.concatenate([cut_idx, link["cand"].to_numpy()])
    blocks.append(
        (
            rows,
            cols,
            np.ones(len(rows)),
            np.ones(len(cut_idx)),
            [f"parcel {p} (cut-out)" for p in cut_parcel],
        )
    )

    # Several cut-outs of one parcel: their areas leave the remainder; overlapping shapes clash.
    if len(cut_idx) > 1:
        counts = pd.Series(cut_parcel).value_counts()
        shared = counts[counts > 1].index.to_numpy()
        if len(shared):
            sel = np.isin(cut_parcel, shared)
            codes, row = np.unique(cut_parcel[sel], return_inverse=True)
            area = zone.parcels.set_index("parcel_id")["area_m2"]
            remainder = mu_to_m2(float(zone.policy.siting.cutout_min_remainder_mu))
            cap = area.reindex(codes).to_numpy(dtype=float) - remainder
            blocks.append(
                (
                    row,
                    cut_idx[sel],
                    cands["area_m2"].to_numpy()[cut_idx[sel]],
                    cap,
                    [f"parcel {p} (area of cut-outs)" for p in codes],
                )
            )
            blocks.append(_overlapping_cutouts(cands, cut_idx[sel], cut_parcel[sel], zone))

    floor = cands.index[cands["kind"] == "floor_space"].to_numpy()
    if len(floor):
        blocks.extend(_building_rows(cands, floor, pairs, zone))

    n_rows = 0
    all_r, all_c, all_v, caps, labels = [], [], [], [], []
    for r, c, v, cap, lab in blocks:
        all_r.append(np.asarray(r, dtype=np.int64) + n_rows)
        all_c.append(np.asarray(c, dtype=np.int64))
        all_v.append(np.asarray(v, dtype=float))
        caps.append(np.asarray(cap, dtype=float))
        labels.extend(lab)
        n_rows += len(cap)
    matrix = _rows_from_pairs(
        np.concatenate(all_r), np.concatenate(all_c), np.concatenate(all_v), n_rows, n
    )
    return matrix, np.concatenate(caps), labels


def _overlapping_cutouts(
    cands: gpd.GeoDataFrame, cut_idx: np.ndarray, cut_parcel: np.ndarray, zone: Zone
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Rows x_k + x_l <= 1 for cut-outs of one parcel whose shapes overlap (or are unknown)."""
    geoms = cands.geometry.to_numpy()[cut_idx]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = (a < b) & (cut_parcel[a] == cut_parcel[b])
    a, b = a[keep], b[keep]
    tol = float(zone.policy.validation.overlap_tolerance_m2)
    overlap = shapely.area(shapely.intersection(geoms[a], geoms[b])) > tol
    a, b = a[overlap], b[overlap]
    # Cut-outs without a shape cannot be shown apart: treat every pair on the parcel as a clash.
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(missing):
        frame = pd.DataFrame({"i": np.arange(len(cut_idx)), "parcel": cut_parcel})
        pairs = frame.loc[missing].merge(frame, on="parcel")
        pairs = pairs.loc[pairs["i_x"] != pairs["i_y"]]
        lo = np.minimum(pairs["i_x"], pairs["i_y"]).to_numpy()
        hi = np.maximum(pairs["i_x"], pairs["i_y"]).to_numpy()
        both = np.unique(np.concatenate([np.stack([a, b], 1), np.stack([lo, hi], 1)]), axis=0)
        a, b = both[:, 0], both[:, 1]
    k = len(a)
    rows = np.concatenate([np.arange(k), np.arange(k)])
    cols = np.concatenate([cut_idx[a], cut_idx[b]])
    labels = [f"parcel {p} (overlapping cut-outs)" for p in cut_parcel[a]]
    return rows, cols, np.ones(2 * k), np.ones(k), labels


def _building_rows(
    cands: gpd.GeoDataFrame, floor: np.ndarray, land_pairs: pd.DataFrame, zone: Zone
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]]:
    """Rows for floor space: shared vacant area; land sites covering the building exclude it."""
    buildings = zone.buildings.set_index("building_id")
    bid = cands.loc[floor, "building_id"].to_numpy()
    codes, row = np.unique(bid, return_inverse=True)
    vacant = buildings["vacant_area_m2"].reindex(codes).to_numpy(dtype=float)
    share = (
        row,
        floor,
        cands.loc[floor, "floor_area_m2"].to_numpy(dtype=float),
        vacant,
        [f"building {b} (vacant floor area)" for b in codes],
    )
    # Land sites on the building's parcel: whole uses always cover it; a cut-out only where its
    # shape overlaps the footprint.
    on_parcel = buildings["parcel_id"].reindex(codes)
    b_frame = pd.DataFrame({"b": np.arange(len(codes)), "parcel": on_parcel.to_numpy()})
    land = pd.DataFrame(
        {
            "cand": land_pairs.index.to_numpy(),
            "parcel": land_pairs["parcel_ids"].to_numpy(),
            "kind": land_pairs["kind"].to_numpy(),
        }
    ).merge(b_frame, on="parcel")
    if len(land) and (land["kind"] == "cutout").any():
        cut = land["kind"].to_numpy() == "cutout"
        site = cands.geometry.to_numpy()[land.loc[cut, "cand"].to_numpy()]
        foot = buildings.geometry.reindex(codes).to_numpy()[land.loc[cut, "b"].to_numpy()]
        tol = float(zone.policy.validation.overlap_tolerance_m2)
        covers = shapely.area(shapely.intersection(site, foot)) > tol
        covers |= shapely.is_missing(site) | shapely.is_missing(foot)
        keep = np.ones(len(land), dtype=bool)
        keep[np.flatnonzero(cut)] = covers
        land = land.loc[keep]
    # One row per floor-space site: x_f + sum of land sites covering its building <= 1.
    f_frame = pd.DataFrame({"f": np.arange(len(floor)), "b": row})
    links = f_frame.merge(land[["cand", "b"]], on="b")
    rows = np.concatenate([np.arange(len(floor)), links["f"].to_numpy()])
    cols = np.concatenate([floor, links["cand"].to_numpy()])
    exclusive = (
        rows,
        cols,
        np.ones(len(rows)),
        np.ones(len(floor)),
        [f"building {b} (let or redeveloped)" for b in bid],
    )
    return [share, exclusive]


def _check_fixed(
    cands: pd.DataFrame,
    fixed: np.ndarray,
    forbidden: np.ndarray,
    conflicts: sp.csr_array,
    capacity: np.ndarray,
    labels: list[str],
) -> None:
    """Check that the fixed sites fit together, before anything is solved."""
    if not fixed.any():
        return
    blocked = cands.loc[fixed & forbidden, "candidate_id"].tolist()
    if blocked:
        raise InfeasibleError(
            f"fixed site(s) {blocked} use parcels reserved for another project; expected fixed "
            "sites on free parcels; release the reservation or fix another site"
        )
    per_project = cands.loc[fixed, "project_id"].value_counts()
    if (per_project > 1).any():
        raise InfeasibleError(
            f"project(s) {sorted(per_project[per_project > 1].index)} have several fixed sites; "
            "expected at most one each"
        )
    load = conflicts @ fixed.astype(float)
    over = np.flatnonzero(load > capacity + 1e-9)
    if len(over):
        sub = sp.csr_array(conflicts[over][:, np.flatnonzero(fixed)])
        fixed_ids = cands.loc[fixed, "candidate_id"].to_numpy()
        lines = []
        for k, r in enumerate(over):
            who = fixed_ids[sub[[k]].indices]
            lines.append(f"{labels[r]}: {', '.join(who)} need {load[r]:g} > {capacity[r]:g}")
        raise InfeasibleError(
            "fixed sites clash; expected fixed sites that fit together:\n"
            + "\n".join(lines)
            + "\nunfix one site of each clash"
        )


# --- assembling the result ------------------------------------------------------------------------


def _plan(
    cands: gpd.GeoDataFrame,
    projects: pd.DataFrame,
    zone: Zone,
    reserved_only: set[str],
    reserved: pd.DataFrame,
) -> gpd.GeoDataFrame:
    info = [c for c in ("project_id", "name", "stage", "cluster") if c in projects]
    chosen = cands.loc[cands["chosen"]].drop(columns=["chosen", "greedy", "forbidden"])
    chosen = chosen.drop(columns=[c for c in info if c != "project_id" and c in chosen])
    chosen = chosen.merge(projects[info], on="project_id", how="left")
    if reserved_only:
        # Reserved projects without a matching candidate are placed on their reserved parcels.
        held = reserved.loc[reserved["project_id"].isin(reserved_only)]
        parcels = zone.parcels.set_index("parcel_id")
        geom = parcels.geometry.reindex(held["parcel_id"]).to_numpy()
        area = parcels["area_m2"].reindex(held["parcel_id"]).to_numpy(dtype=float)
        frame = pd.DataFrame(
            {
                "project_id": held["project_id"].to_numpy(),
                "geometry": geom,
                "area_m2": area,
                "parcel_id": held["parcel_id"].to_numpy(),
            }
        )
        grouped = frame.groupby("project_id", sort=True)
        rows = gpd.GeoDataFrame(
            {
                "project_id": grouped.size().index,
                "candidate_id": None,
                "kind": "reservation",
                "parcel_ids": grouped["parcel_id"].agg(list).to_numpy(),
                "building_id": None,
                "area_m2": grouped["area_m2"].sum().to_numpy(),
                "floor_area_m2": 0.0,
                "score": np.nan,
                "value": 0.0,
                "source": "reserved",
            },
            geometry=gpd.GeoSeries(
                grouped["geometry"].agg(shapely.union_all).to_numpy(), crs=zone.crs
            ).to_numpy(),
            crs=zone.crs,
        ).merge(projects[info], on="project_id", how="left")
        chosen = pd.concat([chosen, rows], ignore_index=True)
    plan = gpd.GeoDataFrame(chosen, geometry="geometry", crs=zone.crs)
    plan["parcel_ids"] = plan["parcel_ids"].map(lambda ids: ";".join(ids))
    plan["area_mu"] = m2_to_mu(plan["area_m2"].astype(float))
    order = [
        *info,
        "candidate_id",
        "kind",
        "parcel_ids",
        "building_id",
        "area_m2",
        "area_mu",
        "floor_area_m2",
        "score",
        "value",
        "source",
    ]
    rest = [c for c in plan.columns if c not in order and c != "geometry"]
    plan = plan[[*order, *rest, "geometry"]]
    return plan.sort_values(["value", "project_id"], ascending=[False, True]).reset_index(drop=True)


def _unplaced(
    cands: gpd.GeoDataFrame,
    projects: pd.DataFrame,
    plan: gpd.GeoDataFrame,
    conflicts: sp.csr_array,
    reserved: pd.DataFrame,
    why_none: dict[str, str],
) -> pd.DataFrame:
    info = [c for c in ("project_id", "name", "stage", "cluster") if c in projects]
    out = projects.loc[~projects["project_id"].isin(plan["project_id"]), info].copy()
    columns = [*info, "reason", "best_value", "competitors", "detail"]
    if out.empty:
        return pd.DataFrame(columns=columns)
    best = cands.groupby("project_id")["value"].max()
    out["best_value"] = out["project_id"].map(best)
    has_site = out["project_id"].isin(cands["project_id"])
    open_sites = cands.loc[~cands["forbidden"], "project_id"]
    has_open = out["project_id"].isin(open_sites)

    # Who holds the sites of each unplaced project: chosen candidates sharing a resource row.
    used = sp.csc_array(conflicts != 0, dtype=float)
    lost = np.flatnonzero(
        cands["project_id"].isin(out["project_id"]).to_numpy() & ~cands["forbidden"].to_numpy()
    )
    won = np.flatnonzero(cands["chosen"].to_numpy())
    meet = sp.coo_array(used[:, lost].T @ used[:, won])
    holder = pd.DataFrame(
        {
            "project_id": cands["project_id"].to_numpy()[lost[meet.row]],
            "winner": cands["project_id"].to_numpy()[won[meet.col]],
            "value": cands["value"].to_numpy()[won[meet.col]],
        }
    ).drop_duplicates(["project_id", "winner"])
    holder = holder.sort_values(["project_id", "value", "winner"], ascending=[True, False, True])
    holder["label"] = holder["winner"] + " (" + holder["value"].map("{:.1f}".format) + ")"
    competitors = holder.groupby("project_id")["label"].agg("; ".join)

    by_parcel = reserved.set_index("parcel_id")["project_id"]
    site_parcels = cands.loc[cands["forbidden"]].explode("parcel_ids")
    blockers = (
        site_parcels.assign(holder=site_parcels["parcel_ids"].map(by_parcel))
        .dropna(subset=["holder"])
        .groupby("project_id")["holder"]
        .agg(lambda s: "; ".join(sorted(set(s))))
    )

    out["competitors"] = out["project_id"].map(competitors).astype(object)
    reason = np.select(
        [~has_site, ~has_open, out["competitors"].notna()],
        ["no_feasible_site", "site_reserved", "outbid"],
        default="not_selected",
    )
    out["reason"] = reason
    blocked = out["reason"] == "site_reserved"
    out.loc[blocked, "competitors"] = out.loc[blocked, "project_id"].map(blockers)
    detail = {
        "no_feasible_site": "no candidate site meets the project's requirements",
        "site_reserved": "every candidate site uses parcels reserved for other projects",
        "outbid": "its candidate sites went to projects that give the plan more value",
        "not_selected": "a free site adds no value (score 0) or the time limit stopped the solver",
    }
    out["detail"] = out["reason"].map(detail)
    # Matching says why a project has no site at all: the siting rules its sites failed.
    matched = out["project_id"].map(lambda p: why_none.get(p, ""))
    none = (out["reason"] == "no_feasible_site") & (matched != "")
    out.loc[none, "detail"] = matched[none]
    return out[columns].sort_values(["reason", "project_id"]).reset_index(drop=True)
