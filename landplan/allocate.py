r"""Allocate the whole pipeline: one site per project, no ground used twice, best total value.

:func:`allocate` is a geo adaptor over a numeric core. The adaptor turns a table of candidate
sites (from :mod:`landplan.match`, or given) into a 0/1 program over integer ids;
:func:`_allocate_matrix` solves it exactly with HiGHS (``highspy``), one independent part of the
program at a time. ``docs/allocate.md`` states every rule with its geometry, tolerance and sides.

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
- no ground is used twice. Two land sites conflict exactly when their ground overlaps: they take
  one parcel whole (single parcels and assemblies), one takes whole the parcel the other cuts out
  of, or two cut-outs of one parcel overlap by more than ``validation.overlap_tolerance_m2``;
- the cut-outs of one parcel :math:`q` together leave its remainder:
  :math:`\sum_{k \in q} a_k x_k \le A_q - r`;
- the floor-space sites of a building :math:`b` share its vacant floor area:
  :math:`\sum_{f \in b} a_f x_f \le V_b`;
- a building's floor space is not let together with a land site that takes its ground: a site
  taking whole a parcel the building stands on, or a cut-out of such a parcel overlapping the
  footprint by more than the tolerance (:math:`x_f + x_l \le 1` for each such pair);
- a site a planner fixed has :math:`x_c = 1`; a site touching a parcel reserved for another
  project has :math:`x_c = 0`.

Each conflict is written as clique rows :math:`\sum_{c \in K} x_c \le 1` over sets :math:`K` of
pairwise conflicting sites: every conflicting pair lies in some row and no row holds a pair that
does not conflict, so the rows allow exactly the plans the pairwise rules allow.

Reductions
----------
Before solving, candidates that cannot be in a better plan leave the program: sites forced to 0
(reserved for others), sites of no value, and dominated sites — a site needing a superset of the
ground of another site of the same project (a whole site containing a smaller whole site or a
cut-out of one of its parcels; floor space in the same building needing more floor area) and no
more value. The greedy plan's value is reached by every optimum: a site whose value plus the best
site of every other project falls short of it is in no optimal plan and leaves as well. The rows
left fall apart into independent parts (no project or row links them), each solved on its own,
warm-started from the greedy plan. The plan is optimal for the whole program only when every part
is proven optimal.

A greedy baseline (highest value first, each site taken if still free) is computed beside it to
report what the exact optimum gains, and to start the solver.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

import geopandas as gpd
import shapely

from landplan.errors import (
    Code,
    CRSMismatchError,
    InfeasibleError,
    LandplanError,
    Message,
    Problem,
    SchemaError,
)
from landplan.kinds import KINDS
from landplan.labels import message
from landplan.match._common import index_ranges
from landplan.result import item_values
from landplan.units import m2_to_mu, mu_to_m2
from landplan.zone import Zone

if TYPE_CHECKING:
    from landplan.match.sites import SiteIndex

__all__ = [
    "CANDIDATE_COLUMNS",
    "Allocation",
    "allocate",
    "candidate_values",
]

Kind = Literal["single", "assembly", "cutout", "floor_space"]
Status = Literal["optimal", "gap_limit", "time_limit"]
Reason = Literal["no_feasible_site", "site_reserved", "outbid", "not_selected"]

#: Columns of a candidate table, the interface between site matching and allocation:
#: ``project_id``, ``candidate_id`` (unique), ``kind`` (single, assembly, cutout, floor_space),
#: ``parcel_ids`` (list of parcel ids; the building's parcel for floor space), ``building_id``
#: (floor space only), ``area_m2`` (land taken; 0 for floor space), ``floor_area_m2`` (floor
#: space taken; 0 for land), ``score`` (match score, higher is better) and ``geometry`` (the
#: site's polygon; a cut-out's polygon decides which other cut-outs and buildings it touches).
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
_KINDS = tuple(KINDS)
# What ground each kind takes, from the registry: whole parcels, part of one, or none.
_WHOLE = tuple(k.name for k in KINDS.values() if k.whole_parcels)
_PART = tuple(k.name for k in KINDS.values() if k.takes_ground and not k.whole_parcels)
_NO_GROUND = tuple(k.name for k in KINDS.values() if not k.takes_ground)
_SOURCE = "candidates"
# Kinds as the numeric core sees them: what ground a site takes.
_WHOLE_SITE, _CUTOUT, _FLOOR = 0, 1, 2
# Solver verdicts, zh first, for the printed line and the summary.


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
        The candidate table with ``value``, ``chosen``, ``greedy``, ``forbidden`` and
        ``in_program`` (the sites given to the solver; the others the reductions proved
        unneeded) added.
    status : {"optimal", "gap_limit", "time_limit"}
        ``optimal`` only when the solver proved the plan optimal for the whole program (every
        part); ``gap_limit`` when it stopped at the policy's ``allocation.mip_rel_gap``;
        ``time_limit`` when the time limit stopped it (the plan is then the better of the
        solver's best and the greedy plan, see ``notes``).
    objective, bound, mip_gap : float
        The plan's value, the proven upper bound on any plan's value, and their relative gap.
    greedy_objective : float
        The value of the greedy baseline's plan.
    solve_time_s : float
        Wall time of the exact solve.
    n_constraints : int
        Rows of the program solved (one per project plus the conflict and capacity rows).
    n_dominated, n_parts : int
        Candidates left out as dominated; independent parts the program was solved in.
    greedy_used : bool
        Whether the plan is the greedy plan because the solver found none better in time.
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
    notes: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    rule_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    n_dominated: int = 0
    n_parts: int = 0
    greedy_used: bool = False

    @property
    def gain_over_greedy(self) -> float:
        """Relative gain of the plan over the greedy baseline (0.05 = 5 % more value)."""
        if self.greedy_objective <= 0:
            return 0.0 if self.objective <= 0 else float("inf")
        return self.objective / self.greedy_objective - 1.0

    def verdict(self, lang: Literal["zh", "en", "both"] = "both") -> str:
        """Say in one line what was proven about the plan: in Chinese, English, or both.

        ``optimal`` is said only when the solver proved it for the whole program; otherwise the
        line gives the stop, the bound and the gap, and whether the greedy plan is used.

        Examples
        --------
        >>> a = Allocation(None, None, None, "time_limit", 90.0, 100.0, 1 / 9, 90.0, 60.0)
        >>> a.greedy_used = True
        >>> print(a.verdict("zh"))
        未证明最优（达到求解时限）：目标函数值90.0，最优界100.0，差距11.11%；采用贪心方案
        >>> print(a.verdict("en"))
        not proven optimal (time limit): value 90.0, bound 100.0, gap 11.11%; greedy plan
        """
        if lang == "both":
            return f"{self._verdict('zh')} / {self._verdict('en')}"
        return self._verdict(lang)

    def _verdict(self, lang: Literal["zh", "en"]) -> str:
        line = message(f"verdict_{self.status}", lang) + message(
            "verdict_value", lang, value=self.objective
        )
        if self.status == "optimal":
            return line
        line += message("verdict_bound", lang, bound=self.bound, gap=self.mip_gap)
        return line + (message("verdict_greedy", lang) if self.greedy_used else "")

    def unplaced_in(self, lang: Literal["zh", "en"] = "zh") -> pd.DataFrame:
        """Return the projects left out with why (``detail``) said in a language."""
        out = self.unplaced.copy()
        out["detail"] = [
            _detail(r, self.rule_counts.get(p), lang)
            for r, p in zip(out["reason"], out["project_id"], strict=True)
        ]
        return out

    def note_lines(self, lang: Literal["zh", "en"] = "zh") -> list[str]:
        """Return what the solver's stop means for the plan, one sentence per note."""
        return [message(f"note_{key}", lang, **fields) for key, fields in self.notes]

    def summary(self, lang: Literal["zh", "en", "both"] = "both") -> pd.DataFrame:
        """Key figures as (item, value) rows, for reports; the verdict in the language asked."""
        rows = [
            ("solver_status", self.status),
            ("plan_verdict", self.verdict(lang)),
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
            ("candidates_dominated", self.n_dominated),
            ("candidates_solved", int(self.candidates.get("in_program", pd.Series()).sum())),
            ("program_parts", self.n_parts),
            ("program_constraints", self.n_constraints),
        ]
        return item_values(rows)

    def tables(self, lang: Literal["zh", "en"] = "zh") -> dict[str, pd.DataFrame]:
        """Return the plan, the unplaced projects, the summary with the notes, every candidate."""
        notes = item_values(("note", note) for note in self.note_lines(lang))
        summary = pd.concat(
            [self.summary(lang).astype({"value": object}), notes], ignore_index=True
        )
        return {
            "plan": self.plan,
            "unplaced": self.unplaced_in(lang),
            "summary": summary,
            "candidates": self.candidates,
        }

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the placed projects' sites as the layer ``plan``."""
        return {"plan": self.plan}


# --- the numeric core ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray
    status: Status
    objective: float
    bound: float
    gap: float
    seconds: float
    parts: int = 1
    solved: np.ndarray | None = None  # the sites given to the solver (after the bound test)


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


def _all_rows(program: _Program) -> tuple[sp.csr_array, np.ndarray]:
    """One row per project (at most one site) above the resource rows."""
    n = len(program.value)
    _, project = np.unique(program.project_of, return_inverse=True)
    n_projects = int(project.max()) + 1 if n else 0
    one_each = sp.csr_array((np.ones(n), (project, np.arange(n))), shape=(n_projects, n))
    rows = sp.csr_array(sp.vstack([one_each, program.conflicts], format="csr"))
    return rows, np.concatenate([np.ones(n_projects), program.capacity])


def _parts(rows: sp.csr_array, n: int) -> tuple[int, np.ndarray]:
    """Independent parts: candidates linked by no row fall in different parts.

    Returns the number of parts and each candidate's part (0 to the number less one).
    """
    incidence = sp.csr_array((rows != 0).astype(np.int8))
    graph = sp.block_array([[None, incidence.T], [incidence, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    codes, part = np.unique(labels[:n], return_inverse=True)
    return len(codes), part


def _solver():
    """Make a silent HiGHS solver.

    HiGHS prints a banner on the process's first solver, before any option can silence it;
    standard output is closed for that moment so that it does not reach the user's screen.
    """
    import highspy

    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    solver.setOptionValue("output_flag", False)
    return solver


# Two objective values closer than this, relative to the larger of 1 and the value, are equal.
_SAME_VALUE = 1e-6


def _highs(
    value: np.ndarray,
    rows: sp.csr_array,
    upper: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    start: np.ndarray | None,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    presolve: bool = True,
) -> tuple[np.ndarray, Status, float, float]:
    """Solve one part with HiGHS; return x, status, the plan's value and the proven bound."""
    import highspy

    n = len(value)
    csc = sp.csc_array(rows)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = rows.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = value.astype(float)
    lp.col_lower_ = low.astype(float)
    lp.col_upper_ = high.astype(float)
    lp.row_lower_ = np.full(rows.shape[0], -highspy.kHighsInf)
    lp.row_upper_ = upper.astype(float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    started = time.monotonic()
    solver = _solver()
    solver.setOptionValue("time_limit", max(float(time_limit_s), 1e-3))
    solver.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    solver.setOptionValue("presolve", "on" if presolve else "off")
    solver.passModel(lp)
    if start is not None:
        solver.setSolution(n, np.arange(n, dtype=np.int32), start.astype(float))
    solver.run()
    model_status = solver.getModelStatus()
    info = solver.getInfo()
    kind = highspy.HighsModelStatus
    if model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        raise InfeasibleError.of("plan_solver_infeasible")
    has_plan = info.primal_solution_status == highspy.kSolutionStatusFeasible
    x = np.asarray(solver.getSolution().col_value) > 0.5 if has_plan else None
    if (
        start is not None
        and x is not None
        and float(value[x].sum())
        < info.objective_function_value - _SAME_VALUE * max(1.0, abs(info.objective_function_value))
    ):
        # HiGHS can report the value of a plan better than the start it was given yet hand
        # back the start itself: solved again without it, the plan it found is handed back.
        left = float(time_limit_s) - (time.monotonic() - started)
        return _highs(
            value, rows, upper, low, high, None,
            time_limit_s=max(left, 1e-3), mip_rel_gap=mip_rel_gap, presolve=presolve,
        )  # fmt: skip
    if x is None:
        x = start.astype(bool) if start is not None else low > 0.5
    bound = float(info.mip_dual_bound)
    if not np.isfinite(bound):
        bound = float(np.maximum(value, 0).sum())
    objective = float(value[x].sum())
    if model_status == kind.kOptimal:
        proven = bound - objective <= _SAME_VALUE * max(1.0, abs(objective))
        status: Status = "optimal" if proven else "gap_limit"
    elif model_status in (kind.kTimeLimit, kind.kInterrupt, kind.kSolutionLimit):
        status = "time_limit"
    else:
        raise InfeasibleError.of(
            "plan_solver_stopped", status=solver.modelStatusToString(model_status)
        )
    return x, status, objective, max(bound, objective)


def _hopeless(
    value: np.ndarray,
    project: np.ndarray,
    group: np.ndarray,
    allowed: np.ndarray,
    start: np.ndarray,
) -> np.ndarray:
    """Sites no plan as good as ``start`` can hold, judged within each independent group.

    A plan holding site c is worth at most v_c plus the best site of every other project of its
    group; where that falls below the start plan's value in the group, c is in no plan as good
    as the start, so in no optimal plan.
    """
    frame = pd.DataFrame({"g": group, "p": project, "v": np.where(allowed, value, 0.0)})
    best = frame.groupby(["g", "p"], sort=False)["v"].max().clip(lower=0.0)
    total = best.groupby(level="g").sum()
    own = best.reindex(pd.MultiIndex.from_arrays([group, project])).to_numpy()
    reach = total.reindex(group).to_numpy() - own + value
    found = pd.Series(np.where(start, value, 0.0)).groupby(group).sum().reindex(group).to_numpy()
    return allowed & (reach < found - 1e-9 * np.maximum(1.0, np.abs(found)))


def _allocate_matrix(
    program: _Program,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    split: bool = True,
    start: np.ndarray | None = None,
    presolve_max_sites: int = 20000,
) -> _Solution:
    """Solve max value·x s.t. one site per project, conflicts·x ≤ capacity, x binary.

    Parameters
    ----------
    program
        The values, projects, resource rows and fixed/forbidden masks.
    time_limit_s, mip_rel_gap
        Passed to HiGHS; the time limit is shared by all parts.
    split
        Solve each independent part on its own, leaving out the sites no plan as good as
        ``start`` can hold (False: the whole program at once, as it is).
    start
        A feasible plan (the greedy one) to start the solver from and to judge sites by.
    presolve_max_sites
        Parts with more sites are solved without HiGHS's presolve.

    Raises
    ------
    InfeasibleError
        If HiGHS proves the program infeasible or stops for another reason than the limits.
    """
    value, fixed, forbidden = program.value, program.fixed, program.forbidden
    n = len(value)
    started = time.perf_counter()
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        return _Solution(empty, "optimal", 0.0, 0.0, 0.0, 0.0, 0, empty)
    rows, upper = _all_rows(program)
    _, project = np.unique(program.project_of, return_inverse=True)
    alive = np.ones(n, dtype=bool)
    if split:
        alive = ~forbidden | fixed
        if start is not None:
            alive &= ~_hopeless(value, project, np.zeros(n, dtype=int), alive, start) | fixed
        cols = np.flatnonzero(alive)
        n_parts, part_of = _parts(sp.csr_array(sp.csc_array(rows)[:, cols]), len(cols))
        part = np.full(n, -1, dtype=np.int64)
        part[cols] = part_of
        if start is not None:
            again = _hopeless(value[cols], project[cols], part_of, alive[cols], start[cols])
            alive[cols[again & ~fixed[cols]]] = False
    else:
        n_parts, part = 1, np.zeros(n, dtype=np.int64)
    x = np.zeros(n, dtype=bool)
    statuses: list[Status] = []
    objective = bound = 0.0
    members = np.flatnonzero(alive)
    members = members[np.argsort(part[members], kind="stable")]
    first = np.searchsorted(part[members], np.arange(n_parts + 1))
    by_column = sp.csc_array(rows)
    for k in range(n_parts):
        cols = members[first[k] : first[k + 1]]
        if len(cols) == 0:
            continue
        if len(cols) == 1:
            # Alone, a site fits every row (each was checked to fit by itself): it is taken when
            # it adds value or is fixed, and allowed.
            i = cols[0]
            take = bool((fixed[i] or value[i] > 0) and not forbidden[i])
            x[i] = take
            objective += float(value[i]) if take else 0.0
            bound += float(value[i]) if take else 0.0
            statuses.append("optimal")
            continue
        block = sp.csr_array(by_column[:, cols])
        used = np.diff(block.indptr) > 0
        block = sp.csr_array(block[np.flatnonzero(used)])
        left = time_limit_s - (time.perf_counter() - started)
        begin = start[cols] if start is not None else None
        st: Status
        if left <= 0:
            guess = begin if begin is not None else fixed[cols]
            xs, st = guess.astype(bool), "time_limit"
            obj, bnd = float(value[cols][xs].sum()), float(np.maximum(value[cols], 0).sum())
        else:
            xs, st, obj, bnd = _highs(
                value[cols],
                block,
                upper[used],
                fixed[cols].astype(float),
                np.where(forbidden[cols], 0.0, 1.0),
                begin,
                time_limit_s=left,
                mip_rel_gap=mip_rel_gap,
                presolve=len(cols) <= presolve_max_sites,
            )
        x[cols] = xs
        statuses.append(st)
        objective += obj
        bound += bnd
    seconds = time.perf_counter() - started
    status: Status = (
        "time_limit"
        if "time_limit" in statuses
        else ("gap_limit" if "gap_limit" in statuses else "optimal")
    )
    gap = (bound - objective) / max(abs(objective), 1e-9) if status != "optimal" else 0.0
    return _Solution(x, status, objective, max(bound, objective), gap, seconds, n_parts, alive)


def _greedy(program: _Program) -> np.ndarray:
    """Place fixed sites first, then the most valuable site that still fits, in turn.

    Kept to report how much the exact optimum gains and to start the solver; it visits
    candidates one by one, skipping at once those of projects already placed.
    """
    value, project_of, fixed = program.value, program.project_of, program.fixed
    forbidden, capacity = program.forbidden, program.capacity
    columns = sp.csc_array(program.conflicts)
    used = columns @ fixed.astype(float)
    _, project = np.unique(project_of, return_inverse=True)
    placed = np.zeros(int(project.max()) + 1 if len(value) else 0, dtype=bool)
    placed[project[fixed]] = True
    chosen = fixed.copy()
    order = np.lexsort((np.arange(len(value)), -value))
    for i in order:
        if chosen[i] or forbidden[i] or placed[project[i]] or value[i] <= 0:
            continue
        lo, hi = columns.indptr[i], columns.indptr[i + 1]
        rows, coef = columns.indices[lo:hi], columns.data[lo:hi]
        if np.all(used[rows] + coef <= capacity[rows] + 1e-9):
            used[rows] += coef
            chosen[i] = True
            placed[project[i]] = True
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
    reduce: bool = True,
    sites: SiteIndex | None = None,
) -> Allocation:
    """Give each pipeline project at most one candidate site, no ground used twice.

    Parameters
    ----------
    projects
        The projects to place; ``zone.projects`` where None. Only projects whose stage is in
        ``stages`` take part.
    zone
        The zone: its parcels (areas, for cut-outs; shapes, for the ground buildings stand on),
        buildings (vacant floor area, footprints) and policy.
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
    reduce
        Leave out dominated and worthless candidates and solve independent parts apart, started
        from the greedy plan (the same optimum, faster). False solves the whole program as it
        is, for checking.
    sites
        The zone's :class:`~landplan.match.SiteIndex` for matching the projects where no
        ``candidates`` are given (a store keeps one: ``Store.site_index``); prepared here
        where None.

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
    why_none: dict[str, dict[str, int]] = {}
    if candidates is None:
        candidates, why_none = _match_candidates(scope, zone, sites)
    cands = _validated_candidates(candidates, scope, zone)
    cands["value"] = candidate_values(cands, scope, policy).to_numpy()

    reserved_parcels = _reserved_table(reserved)
    fixed = dict(fixed or {})
    fixed_by_reservation, reserved_only = _reservation_sites(cands, reserved_parcels, scope)
    clash = sorted(set(fixed) & set(fixed_by_reservation))
    clash = [p for p in clash if fixed[p] != fixed_by_reservation[p]]
    if clash:
        raise InfeasibleError.of("plan_fixed_and_reserved", **_ids(clash))
    fixed_all = {**fixed_by_reservation, **fixed}

    land = _Land.of(zone)
    ground = _ground(cands, land)
    forbidden = _forbidden(cands, reserved_parcels, reserved_only)
    fixed_mask = _fixed_mask(cands, fixed_all)
    _check_fixed_sites(cands, fixed_mask, forbidden)
    value = cands["value"].to_numpy(dtype=float)
    keep = np.ones(len(cands), dtype=bool)
    n_dominated = 0
    if reduce:
        keep, n_dominated = _reduced(ground, value, fixed_mask, forbidden)
    part = ground.take(keep)
    rows = _conflict_rows(part, land)
    _check_fixed(cands.loc[keep], fixed_mask[keep], rows, land)

    limit = float(policy.allocation.time_limit_s if time_limit_s is None else time_limit_s)
    program = _Program(
        value[keep],
        ground.project[keep],
        rows.matrix,
        rows.capacity,
        fixed_mask[keep],
        forbidden[keep],
    )
    greedy_kept = _greedy(program)
    solution = _allocate_matrix(
        program,
        time_limit_s=limit,
        mip_rel_gap=float(policy.allocation.mip_rel_gap),
        split=reduce,
        start=greedy_kept if reduce else None,
        presolve_max_sites=int(policy.allocation.presolve_max_sites),
    )
    greedy_value = float(program.value[greedy_kept].sum())
    notes: list[tuple[str, dict[str, Any]]] = []
    greedy_used = False
    if solution.status != "optimal" and greedy_value > solution.objective:
        # Stopped early, HiGHS may hold a worse plan than the baseline; both are feasible, so
        # the better one is the plan, measured against the solver's bound.
        solution = replace(
            solution,
            x=greedy_kept,
            objective=greedy_value,
            gap=(solution.bound - greedy_value) / max(abs(greedy_value), 1e-9),
        )
        greedy_used = True
        notes.append(("greedy_used", {}))
    chosen = np.zeros(len(cands), dtype=bool)
    chosen[keep] = solution.x
    greedy = np.zeros(len(cands), dtype=bool)
    greedy[keep] = greedy_kept
    cands["chosen"] = chosen
    cands["greedy"] = greedy
    cands["forbidden"] = forbidden
    in_program = np.zeros(len(cands), dtype=bool)
    in_program[np.flatnonzero(keep)[solution.solved]] = True
    cands["in_program"] = in_program
    source = np.where(
        cands["project_id"].isin(fixed_by_reservation).to_numpy() & fixed_mask,
        "reserved",
        np.where(fixed_mask, "fixed", "optimised"),
    )
    cands["source"] = source

    plan = _plan(cands, scope, zone, reserved_only, reserved_parcels)
    unplaced = _unplaced(cands, scope, plan, ground, land, reserved_parcels, why_none)
    rule_counts = {p: why_none[p] for p in unplaced["project_id"] if why_none.get(p)}
    if solution.status == "time_limit":
        notes.append(("time_limit", {"limit": limit, "gap": solution.gap}))
    elif solution.status == "gap_limit":
        notes.append(("gap_limit", {"gap": solution.gap}))
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
        n_constraints=int(rows.matrix.shape[0] + len(np.unique(program.project_of))),
        notes=notes,
        rule_counts=rule_counts,
        n_dominated=n_dominated,
        n_parts=solution.parts,
        greedy_used=greedy_used,
    )


# --- validation ---------------------------------------------------------------------------------


def _projects_in_scope(
    projects: pd.DataFrame, stages: Sequence[str] | None, policy
) -> pd.DataFrame:
    weights = dict(policy.allocation.stage_weights)
    wanted = list(weights) if stages is None else list(stages)
    unknown = [s for s in wanted if s not in weights]
    if unknown:
        raise LandplanError.of(
            "plan_stage_no_weight",
            stages=unknown,
            named=Code(unknown, of="stage"),
            known=sorted(weights),
            known_zh=Code(sorted(weights), of="stage"),
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
    return table, {str(rule): int(n) for rule, n in counts.items()}


def _detail(reason: str, rules: Mapping[str, int] | None, lang: Literal["zh", "en"]) -> str:
    """Say why a project is left out; without a site, the siting rules its sites failed."""
    from landplan.labels import value_label

    if reason != "no_feasible_site" or not rules:
        return message(f"unplaced_{reason}", lang)
    named = (
        message(
            "unplaced_rule", lang, rule=value_label("rule", r, lang) if lang == "zh" else r, n=n
        )
        for r, n in rules.items()
    )
    return message("unplaced_rules", lang, rules=("、" if lang == "zh" else ", ").join(named))


def _match_candidates(
    projects: pd.DataFrame, zone: Zone, sites: SiteIndex | None = None
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Each project's candidate sites from :mod:`landplan.match`, as one candidate table.

    Matching runs once per project (each run is vectorised over the zone's parcels), all sharing
    one :class:`~landplan.match.SiteIndex` of the zone: ``sites``, or prepared here.
    """
    try:
        from landplan.match import match, prepare_sites
    except ImportError as exc:
        raise LandplanError(
            "no candidate sites were given and landplan.match is not available; expected "
            "candidates=<table with columns " + ", ".join(CANDIDATE_COLUMNS) + ">"
        ) from exc
    frames, why = [], {}
    if sites is None and len(projects):
        sites = prepare_sites(zone)
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
        columns = Message("plan_columns", columns=Code(CANDIDATE_COLUMNS))
        raise SchemaError(
            [Problem(_SOURCE, "*", c, Message("plan_missing_column"), columns) for c in missing]
        )
    crs = getattr(candidates, "crs", None)
    if crs is not None and zone.crs is not None and crs != zone.crs:
        raise CRSMismatchError.between(
            "candidate sites", crs, zone.crs, fix="candidates.to_crs(zone.crs)"
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

    def bad(mask: pd.Series, column: str, problem: Message, expected: Message) -> None:
        for cid in cands.loc[mask, "candidate_id"].astype(str):
            problems.append(Problem(_SOURCE, cid, column, problem, expected))

    dup = cands["candidate_id"].duplicated(keep=False)
    bad(
        dup,
        "candidate_id",
        Message("plan_duplicate_id"),
        Message("plan_unique_per_row", column=Code("candidate_id")),
    )
    bad(
        ~cands["kind"].isin(_KINDS),
        "kind",
        Message("plan_unknown_kind_value"),
        Message("plan_one_of", values=Code(_KINDS, of="kind")),
    )
    known_projects = set(projects["project_id"])
    bad(
        ~cands["project_id"].isin(known_projects),
        "project_id",
        Message("plan_project_not_placed"),
        Message("plan_project_in_stages", column=Code("project_id")),
    )
    bad(~np.isfinite(cands["score"]), "score", Message("plan_no_score"), Message("plan_finite"))
    land = cands["kind"].isin((*_WHOLE, *_PART))
    floor = cands["kind"].isin(_NO_GROUND)
    n_parcels = cands["parcel_ids"].map(len)
    bad(
        land & (n_parcels == 0),
        "parcel_ids",
        Message("plan_no_parcel"),
        Message("plan_site_parcels"),
    )
    bad(
        cands["kind"].isin(_PART) & (n_parcels != 1),
        "parcel_ids",
        Message("plan_cutout_several"),
        Message("plan_one_parcel"),
    )
    bad(
        land & ~(cands["area_m2"] > 0),
        "area_m2",
        Message("plan_no_land_area"),
        Message("plan_column_above_zero", column=Code("area_m2")),
    )
    bad(
        floor & cands["building_id"].isna(),
        "building_id",
        Message("plan_missing"),
        Message("plan_building_let"),
    )
    bad(
        floor & ~(cands["floor_area_m2"] > 0),
        "floor_area_m2",
        Message("plan_no_floor_area"),
        Message("plan_above_zero"),
    )

    parcel_ids = set(zone.parcels["parcel_id"])
    exploded = cands[["candidate_id", "parcel_ids"]].explode("parcel_ids").dropna()
    unknown = exploded.loc[~exploded["parcel_ids"].isin(parcel_ids)]
    zone_parcels = Message("plan_zone_parcel_ids")
    for cid, pid in unknown.itertuples(index=False):
        problems.append(
            Problem(
                _SOURCE,
                str(cid),
                "parcel_ids",
                Message("plan_unknown_parcel", pid=pid),
                zone_parcels,
            )
        )
    vacant = zone.buildings.set_index("building_id")["vacant_area_m2"]
    known_building = cands["building_id"].isin(vacant.index)
    bad(
        floor & cands["building_id"].notna() & ~known_building,
        "building_id",
        Message("plan_unknown_building"),
        Message("plan_zone_building_id"),
    )
    over = (
        floor
        & known_building
        & (cands["floor_area_m2"] > cands["building_id"].map(vacant).astype(float) * (1 + 1e-9))
    )
    bad(
        over,
        "floor_area_m2",
        Message("plan_over_vacant"),
        Message("plan_at_most_vacant", column=Code("vacant_area_m2")),
    )

    cut = cands["kind"].isin(_PART) & (n_parcels == 1)
    if cut.any():
        area = zone.parcels.set_index("parcel_id")["area_m2"]
        parcel_area = cands.loc[cut, "parcel_ids"].str[0].map(area).astype(float)
        remainder = mu_to_m2(float(zone.policy.siting.cutout_min_remainder_mu))
        too_big = pd.Series(False, index=cands.index)
        too_big.loc[cut] = cands.loc[cut, "area_m2"] > parcel_area - remainder + 1e-6
        bad(
            too_big,
            "area_m2",
            Message("plan_cutout_remainder"),
            Message("plan_cutout_or_whole"),
        )
    if problems:
        raise SchemaError(problems)
    return cands


def _ids(ids: Sequence[object]) -> dict[str, object]:
    """Return the fields that list ids: a list in English, joined with 、 in Chinese."""
    return {"ids": list(ids), "ids_zh": "、".join(map(str, ids))}


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
        raise InfeasibleError.of("plan_reserved_twice", **_ids(sorted(clash.index)))
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
        isinstance(o, frozenset) and frozenset(p) == o and k not in _NO_GROUND
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
        Message("plan_fixed_none", project=p, site=c)
        if c not in by_id.index
        else Message("plan_fixed_other", project=p, site=c, owner=by_id[c])
        for p, c in fixed.items()
        if c not in by_id.index or by_id[c] != p
    ]
    if wrong:
        raise LandplanError.of("plan_fixed_not_candidates", ids=wrong, ids_zh=Code(wrong))
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


# --- ground: what each site takes, in integer codes ---------------------------------------------


@dataclass(frozen=True)
class _Land:
    """The zone as the conflict rows read it: parcels and buildings by position."""

    zone: Zone
    parcel_ids: pd.Index
    parcel_area_m2: np.ndarray
    building_ids: pd.Index
    vacant_m2: np.ndarray
    tolerance_m2: float
    remainder_m2: float

    @classmethod
    def of(cls, zone: Zone) -> _Land:
        parcels, buildings = zone.parcels, zone.buildings
        return cls(
            zone=zone,
            parcel_ids=pd.Index(parcels["parcel_id"].to_numpy(dtype=object)),
            parcel_area_m2=parcels["area_m2"].to_numpy(dtype=float),
            building_ids=pd.Index(buildings["building_id"].to_numpy(dtype=object)),
            vacant_m2=buildings["vacant_area_m2"].to_numpy(dtype=float, na_value=0.0),
            tolerance_m2=float(zone.policy.validation.overlap_tolerance_m2),
            remainder_m2=float(mu_to_m2(float(zone.policy.siting.cutout_min_remainder_mu))),
        )

    def stands_on(self, building: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Find the parcels each building stands on: (building, parcel) position pairs.

        A building stands on its recorded parcel and on every parcel its footprint overlaps
        by more than the tolerance.
        """
        buildings, parcels = self.zone.buildings, self.zone.parcels
        recorded = self.parcel_ids.get_indexer(
            buildings["parcel_id"].to_numpy(dtype=object)[building]
        )
        footprint = buildings.geometry.to_numpy()[building]
        hit_b, hit_p = parcels.sindex.query(footprint, predicate="intersects")
        shared = shapely.area(
            shapely.intersection(footprint[hit_b], parcels.geometry.to_numpy()[hit_p])
        )
        over = shared > self.tolerance_m2
        known = recorded >= 0
        b = np.concatenate([np.flatnonzero(known), hit_b[over]])
        p = np.concatenate([recorded[known], hit_p[over]])
        pairs = np.unique(np.stack([b, p], axis=1), axis=0)
        return building[pairs[:, 0]], pairs[:, 1]


@dataclass(frozen=True)
class _Ground:
    """Per candidate: kind code, project code, building; per (land site, parcel) pair: codes."""

    kind: np.ndarray
    project: np.ndarray
    site: np.ndarray
    parcel: np.ndarray
    building: np.ndarray
    geometry: np.ndarray
    area_m2: np.ndarray
    floor_area_m2: np.ndarray
    index: np.ndarray  # position of each candidate in the full table

    def take(self, mask: np.ndarray) -> _Ground:
        """Keep the ground of the candidates in ``mask``, renumbered from 0."""
        pos = np.flatnonzero(mask)
        new = np.full(len(self.kind), -1, dtype=np.int64)
        new[pos] = np.arange(len(pos))
        pair = mask[self.site]
        return _Ground(
            kind=self.kind[pos],
            project=self.project[pos],
            site=new[self.site[pair]],
            parcel=self.parcel[pair],
            building=self.building[pos],
            geometry=self.geometry[pos],
            area_m2=self.area_m2[pos],
            floor_area_m2=self.floor_area_m2[pos],
            index=self.index[pos],
        )


def _ground(cands: gpd.GeoDataFrame, land: _Land) -> _Ground:
    """Integer codes of every site's ground: parcels for land, the building for floor space."""
    n = len(cands)
    kinds = cands["kind"].to_numpy(dtype=object)
    kind = np.select(
        [np.isin(kinds, list(_WHOLE)), np.isin(kinds, list(_PART))], [_WHOLE_SITE, _CUTOUT], _FLOOR
    ).astype(np.int8)
    _, project = np.unique(cands["project_id"].astype(str).to_numpy(), return_inverse=True)
    lists = cands["parcel_ids"].to_list()
    lengths = np.fromiter((len(ids) for ids in lists), dtype=np.int64, count=n)
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=object, count=lengths.sum())
    site = np.repeat(np.arange(n), lengths)
    parcel = land.parcel_ids.get_indexer(flat)
    on_land = kind[site] != _FLOOR
    # A parcel listed twice is taken once.
    pairs = np.unique(np.stack([site[on_land], parcel[on_land]], axis=1), axis=0)
    pairs = pairs.reshape(-1, 2)
    building = np.full(n, -1, dtype=np.int64)
    floor = kind == _FLOOR
    building[floor] = land.building_ids.get_indexer(
        cands["building_id"].to_numpy(dtype=object)[floor]
    )
    return _Ground(
        kind=kind,
        project=project.astype(np.int64),
        site=pairs[:, 0].astype(np.int64),
        parcel=pairs[:, 1].astype(np.int64),
        building=building,
        geometry=cands.geometry.to_numpy(),
        area_m2=np.nan_to_num(cands["area_m2"].to_numpy(dtype=float)),
        floor_area_m2=np.nan_to_num(cands["floor_area_m2"].to_numpy(dtype=float)),
        index=np.arange(n),
    )


# --- reductions ---------------------------------------------------------------------------------


def _reduced(
    g: _Ground, value: np.ndarray, fixed: np.ndarray, forbidden: np.ndarray
) -> tuple[np.ndarray, int]:
    """Candidates the program needs: allowed, of some value (or fixed), not dominated.

    Leaving a dominated site out keeps the optimum: in any plan using it, the dominating site
    of the same project frees at least the same ground and gives at least the same value.
    """
    keep = ~forbidden & ((value > 0) | fixed)
    with_fixed = np.zeros(int(g.project.max()) + 1 if len(value) else 0, dtype=bool)
    with_fixed[g.project[fixed]] = True
    keep &= ~with_fixed[g.project] | fixed
    dominated = _dominated(g, value, keep) & ~fixed
    return keep & ~dominated, int(dominated.sum())


def _dominated(g: _Ground, value: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Sites needing a superset of another kept site's ground (same project), no more value.

    Among sites of equal ground and value the first is kept. Cut-outs are never dropped: the
    ground of one cut-out within another is left to the solver.
    """
    n = len(value)
    out = np.zeros(n, dtype=bool)
    pair = keep[g.site]
    kind = g.kind[g.site]
    w = pair & (kind == _WHOLE_SITE)
    site, parcel = g.site[w], g.parcel[w]
    order = np.lexsort((parcel, site))
    site, parcel = site[order], parcel[order]
    whole, start, k = np.unique(site, return_index=True, return_counts=True)
    if len(whole):
        width = int(k.max())
        members = np.full((len(whole), width), -1, dtype=np.int64)
        members[np.repeat(np.arange(len(whole)), k), np.arange(len(site)) - np.repeat(start, k)] = (
            parcel
        )
        cols = ["p", *(f"a{i}" for i in range(width))]
        frame = pd.DataFrame(np.column_stack([g.project[whole], members]), columns=cols)
        frame["v"] = value[whole]
        frame["i"] = whole
        ranked = frame.sort_values(["v", "i"], ascending=[False, True])
        out[ranked.loc[ranked.duplicated(cols), "i"].to_numpy()] = True
        best = frame.groupby(cols, sort=False)["v"].max().rename("best").reset_index()
        for size in np.unique(k[k >= 2]):
            at = np.flatnonzero(k == size)
            subsets = [
                comb
                for r in range(1, size)
                if size <= 8 or r in (1, size - 1)
                for comb in itertools.combinations(range(size), r)
            ]
            keys = np.full((len(at) * len(subsets), width), -1, dtype=np.int64)
            for s, comb in enumerate(subsets):
                keys[s * len(at) : (s + 1) * len(at), : len(comb)] = members[at][:, list(comb)]
            query = pd.DataFrame(
                np.column_stack([np.tile(g.project[whole[at]], len(subsets)), keys]),
                columns=cols,
            )
            found = query.merge(best, on=cols, how="left")["best"].to_numpy(dtype=float)
            better = np.fmax.reduce(found.reshape(len(subsets), len(at)), axis=0)
            out[whole[at]] |= better >= value[whole[at]]
        # A cut-out of one of its parcels needs less ground than the whole site.
        c = pair & (kind == _CUTOUT)
        cut = pd.DataFrame({"p": g.project[g.site[c]], "q": g.parcel[c], "cut": value[g.site[c]]})
        best_cut = cut.groupby(["p", "q"], sort=False)["cut"].max().reset_index()
        mine = pd.DataFrame({"p": g.project[site], "q": parcel, "i": site})
        hit = mine.merge(best_cut, on=["p", "q"])
        hit = hit.loc[hit["cut"].to_numpy() >= value[hit["i"].to_numpy()], "i"].to_numpy()
        out[hit] = True
    f = np.flatnonzero(keep & (g.kind == _FLOOR))
    if len(f):
        frame = pd.DataFrame(
            {"p": g.project[f], "b": g.building[f], "a": g.floor_area_m2[f], "v": value[f], "i": f}
        ).sort_values(["p", "b", "a", "v", "i"], ascending=[True, True, True, False, True])
        running = frame.groupby(["p", "b"], sort=False)["v"].cummax().to_numpy()
        same = (frame[["p", "b"]].to_numpy()[1:] == frame[["p", "b"]].to_numpy()[:-1]).all(1)
        before = np.concatenate([[-np.inf], np.where(same, running[:-1], -np.inf)])
        out[frame["i"].to_numpy()[before >= frame["v"].to_numpy()]] = True
    return out & keep


# --- resource rows ------------------------------------------------------------------------------

# What a row says, for messages: the rows of a parcel's ground, of a parcel's cut-out areas, of
# a building's vacant floor area, and of a building let or taken.
_ROW_PARCEL, _ROW_CUT_AREA, _ROW_VACANT, _ROW_LET = 0, 1, 2, 3


@dataclass(frozen=True)
class _Rows:
    matrix: sp.csr_array
    capacity: np.ndarray
    what: np.ndarray
    key: np.ndarray

    def label(self, r: int, land: _Land) -> Message:
        """Name row ``r``: the parcel or building it bounds, and what of it."""
        what, key = int(self.what[r]), int(self.key[r])
        if what in (_ROW_PARCEL, _ROW_CUT_AREA):
            kind = "plan_row_cut_area" if what == _ROW_CUT_AREA else "plan_row_parcel"
            return Message(kind, id=land.parcel_ids[key])
        kind = "plan_row_vacant" if what == _ROW_VACANT else "plan_row_let"
        return Message(kind, id=land.building_ids[key])


def _expand(keys: np.ndarray, values: np.ndarray, query: np.ndarray):
    """For each query key, every value whose key equals it: (query position, value) pairs."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    at, item = index_ranges(
        np.searchsorted(keys, query, side="left"), np.searchsorted(keys, query, side="right")
    )
    return at, values[item]


def _clique_cover(group: np.ndarray, vertex: np.ndarray, u: np.ndarray, v: np.ndarray):
    """Cliques covering every edge and every vertex of a graph whose edges lie within groups.

    Returns (clique, member, clique_group): one entry per membership, and each clique's group.
    A group whose vertices all touch each other is one clique; the others are covered greedily
    (an uncovered edge grown into a maximal clique, until every edge is covered).
    """
    if len(vertex) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.argsort(vertex)
    pu = order[np.searchsorted(vertex[order], u)]
    pv = order[np.searchsorted(vertex[order], v)]
    codes, ginv = np.unique(group, return_inverse=True)
    size = np.bincount(ginv)
    edges = np.bincount(ginv[pu], minlength=len(codes))
    complete = edges == size * (size - 1) // 2
    lone = (edges == 0) & ~complete
    clique = np.full(len(vertex), -1, dtype=np.int64)
    one = complete[ginv]
    _, clique[one] = np.unique(ginv[one], return_inverse=True)
    n_cliques = int(clique.max()) + 1
    single = lone[ginv]
    clique[single] = n_cliques + np.arange(single.sum())
    n_cliques += int(single.sum())
    extra_clique, extra_member = [], []
    rest = np.flatnonzero(~complete & ~lone)
    if len(rest):
        by_group = np.argsort(ginv, kind="stable")
        first = np.searchsorted(ginv[by_group], np.arange(len(codes)))
        e_group = ginv[pu]
        e_order = np.argsort(e_group, kind="stable")
        e_first = np.searchsorted(e_group[e_order], np.arange(len(codes) + 1))
        for grp in rest:
            members = by_group[first[grp] : first[grp] + size[grp]]
            local = np.full(len(vertex), -1, dtype=np.int64)
            local[members] = np.arange(len(members))
            es = e_order[e_first[grp] : e_first[grp + 1]]
            for found in _greedy_cliques(len(members), local[pu[es]], local[pv[es]]):
                extra_clique.append(np.full(len(found), n_cliques))
                extra_member.append(members[found])
                n_cliques += 1
    plain = clique >= 0
    all_clique = np.concatenate([clique[plain], *extra_clique])
    all_member = np.concatenate([np.flatnonzero(plain), *extra_member]).astype(np.int64)
    clique_group = np.zeros(n_cliques, dtype=np.int64)
    clique_group[all_clique] = group[all_member]
    return all_clique, vertex[all_member], clique_group


def _greedy_cliques(n: int, u: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """Maximal cliques covering every edge and vertex of a small graph (local indices)."""
    adjacent = np.zeros((n, n), dtype=bool)
    adjacent[u, v] = adjacent[v, u] = True
    uncovered = adjacent.copy()
    seen = np.zeros(n, dtype=bool)
    found = []
    while uncovered.any():
        i, j = np.argwhere(uncovered)[0]
        clique = [int(i), int(j)]
        open_ = adjacent[i] & adjacent[j]
        while open_.any():
            options = np.flatnonzero(open_)
            gain = uncovered[np.ix_(options, np.asarray(clique))].sum(axis=1)
            k = int(options[np.argmax(gain)])
            clique.append(k)
            open_ &= adjacent[k]
        members = np.array(clique)
        uncovered[np.ix_(members, members)] = False
        seen[members] = True
        found.append(members)
    found.extend(np.array([i]) for i in np.flatnonzero(~seen))
    return found


# The bounds on a shared area decide a pair only when they clear the tolerance by more than
# this share of the two areas (and these m²), far beyond any rounding of the areas measured.
_AREA_SPARE = 1e-6
_AREA_SPARE_M2 = 1e-3


def _overlap_exceeds(
    geoms: np.ndarray, a: np.ndarray, b: np.ndarray, tolerance_m2: float
) -> np.ndarray:
    """Whether the polygons ``geoms[a]`` and ``geoms[b]`` share more than ``tolerance_m2``.

    Two bounds settle most pairs without their intersection: the shared area is at most that
    of the two bounding boxes' overlap, and at least the two areas less the area of a rectangle
    holding both (their union lies in it), the rectangle squared to the first edge of the
    first polygon, as a cut-out's rectangle is. The pairs the bounds leave open, and any invalid
    polygon, are measured exactly.
    """
    out = np.zeros(len(a), dtype=bool)
    if not len(a):
        return out
    area, box, valid = shapely.area(geoms), shapely.bounds(geoms), shapely.is_valid(geoms)
    spare = _AREA_SPARE * (area[a] + area[b]) + _AREA_SPARE_M2
    side = np.minimum(box[a, 2:], box[b, 2:]) - np.maximum(box[a, :2], box[b, :2])
    apart = np.prod(np.maximum(side, 0.0), axis=1) < tolerance_m2 - spare
    # An empty polygon has no vertex to frame: it is measured exactly.
    valid &= ~shapely.is_empty(geoms)
    open_ = np.flatnonzero(~apart & valid[a] & valid[b])
    if len(open_):
        frame_m2 = _framed_area(geoms, a[open_], b[open_])
        shares = area[a[open_]] + area[b[open_]] - frame_m2 > tolerance_m2 + spare[open_]
        out[open_[shares]] = True
    exact = np.flatnonzero(~apart & ~out)
    out[exact] = shapely.area(shapely.intersection(geoms[a[exact]], geoms[b[exact]])) > tolerance_m2
    return out


def _framed_area(geoms: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Area of the rectangle holding ``geoms[a]`` and ``geoms[b]``, squared to a's first edge."""
    coords, of = shapely.get_coordinates(geoms, return_index=True)
    # The coordinates come geometry by geometry: each geometry's run starts at ``first``.
    first = np.searchsorted(of, np.arange(len(geoms) + 1))
    origin = coords[first[a]]
    edge = coords[np.minimum(first[a] + 1, len(coords) - 1)] - origin
    length = np.hypot(edge[:, 0], edge[:, 1])
    flat = ~(length > 0)
    along = np.where(flat[:, None], [1.0, 0.0], edge / np.where(flat, 1.0, length)[:, None])
    lo, hi = np.full((len(a), 2), np.inf), np.full((len(a), 2), -np.inf)
    for which in (a, b):
        pair, vertex = index_ranges(first[which], first[which + 1])
        rel = coords[vertex] - origin[pair]
        u = along[pair]
        st = np.column_stack([(rel * u).sum(axis=1), rel[:, 1] * u[:, 0] - rel[:, 0] * u[:, 1]])
        count = first[which + 1] - first[which]
        starts = np.cumsum(count) - count
        lo = np.minimum(lo, np.minimum.reduceat(st, starts, axis=0))
        hi = np.maximum(hi, np.maximum.reduceat(st, starts, axis=0))
    return np.prod(hi - lo, axis=1)


def _cutout_overlaps(
    cut: np.ndarray, parcel: np.ndarray, geometry: np.ndarray, tolerance_m2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of cut-outs of one parcel whose polygons overlap by more than the tolerance.

    A cut-out without a polygon cannot be shown apart from the others: it pairs with every
    cut-out of its parcel.
    """
    geoms = geometry[cut]
    unknown = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    known = np.flatnonzero(~unknown)
    a, b = _expand(parcel[known], known, parcel[known])
    a = known[a]
    a, b = a[a < b], b[a < b]
    over = _overlap_exceeds(geoms, a, b, tolerance_m2)
    a, b = a[over], b[over]
    if unknown.any():
        at, other = _expand(parcel, np.arange(len(cut)), parcel[unknown])
        lone = np.flatnonzero(unknown)[at]
        lo, hi = np.minimum(lone, other), np.maximum(lone, other)
        both = np.unique(np.stack([np.concatenate([a, lo]), np.concatenate([b, hi])], 1), axis=0)
        both = both[both[:, 0] != both[:, 1]]
        a, b = both[:, 0], both[:, 1]
    return cut[a], cut[b]


def _conflict_rows(g: _Ground, land: _Land) -> _Rows:
    """Every resource row of the program (see the module docstring) as one sparse matrix."""
    n = len(g.kind)
    tol = land.tolerance_m2
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]] = []
    # (row within block, candidate, coefficient, capacity per row, what, key per row)

    pair_kind = g.kind[g.site]
    w_site, w_parcel = g.site[pair_kind == _WHOLE_SITE], g.parcel[pair_kind == _WHOLE_SITE]
    c_site, c_parcel = g.site[pair_kind == _CUTOUT], g.parcel[pair_kind == _CUTOUT]

    # Ground of one parcel: the whole sites on it with each clique of overlapping cut-outs.
    u, v = _cutout_overlaps(c_site, c_parcel, g.geometry, tol)
    clique, member, clique_parcel = _clique_cover(c_parcel, c_site, u, v)
    only_whole = np.setdiff1d(np.unique(w_parcel), clique_parcel)
    row_parcel = np.concatenate([clique_parcel, only_whole])
    at, whole = _expand(w_parcel, w_site, row_parcel)
    rows = np.concatenate([clique, at])
    cols = np.concatenate([member, whole])
    blocks.append(_ones(rows, cols, len(row_parcel), _ROW_PARCEL, row_parcel))

    # Cut-outs of one parcel leave its remainder together.
    if len(c_site):
        q, inv, count = np.unique(c_parcel, return_inverse=True, return_counts=True)
        total = np.bincount(inv, weights=g.area_m2[c_site])
        cap = land.parcel_area_m2[q] - land.remainder_m2
        # Where every two cut-outs of the parcel overlap, one at most is taken: no row needed.
        cut_parcel_of = np.full(n, -1, dtype=np.int64)
        cut_parcel_of[c_site] = c_parcel
        edges = np.bincount(np.searchsorted(q, cut_parcel_of[u]), minlength=len(q))
        binds = (count >= 2) & (total > cap + 1e-9) & (edges < count * (count - 1) // 2)
        if binds.any():
            _, row = np.unique(inv[binds[inv]], return_inverse=True)
            take = binds[inv]
            blocks.append(
                (row, c_site[take], g.area_m2[c_site[take]], cap[binds], _ROW_CUT_AREA, q[binds])
            )

    f_site = np.flatnonzero(g.kind == _FLOOR)
    if len(f_site):
        blocks.extend(
            _floor_rows(g, land, f_site, w_site, w_parcel, clique, member, c_parcel, c_site)
        )

    n_rows = 0
    all_r, all_c, all_v, caps, what, keys = [], [], [], [], [], []
    for r, c, coef, cap, kind, key in blocks:
        all_r.append(np.asarray(r, dtype=np.int64) + n_rows)
        all_c.append(np.asarray(c, dtype=np.int64))
        all_v.append(np.asarray(coef, dtype=float))
        caps.append(np.asarray(cap, dtype=float))
        what.append(np.full(len(cap), kind, dtype=np.int8))
        keys.append(np.asarray(key, dtype=np.int64))
        n_rows += len(cap)
    matrix = sp.csr_array(
        (np.concatenate(all_v), (np.concatenate(all_r), np.concatenate(all_c))),
        shape=(n_rows, n),
    )
    return _Rows(matrix, np.concatenate(caps), np.concatenate(what), np.concatenate(keys))


def _ones(rows: np.ndarray, cols: np.ndarray, n_rows: int, what: int, key: np.ndarray):
    """Make a block of clique rows (coefficients 1, capacity 1) without rows of one entry."""
    entries = np.unique(np.stack([rows, cols], axis=1).reshape(-1, 2), axis=0)
    width = np.bincount(entries[:, 0], minlength=n_rows)
    real = width >= 2
    renumber = np.cumsum(real) - 1
    entries = entries[real[entries[:, 0]]]
    return (
        renumber[entries[:, 0]],
        entries[:, 1],
        np.ones(len(entries)),
        np.ones(int(real.sum())),
        what,
        key[real],
    )


def _floor_rows(g, land, f_site, w_site, w_parcel, clique, member, c_parcel, c_site):
    """Rows for floor space: the shared vacant area; never let with a site taking its ground."""
    tol = land.tolerance_m2
    blocks = []
    b_code, b_of = np.unique(g.building[f_site], return_inverse=True)
    vacant = land.vacant_m2[b_code]
    area = g.floor_area_m2[f_site]
    total = np.bincount(b_of, weights=area)
    count = np.bincount(b_of)
    # Floor-space sites of one building that cannot both be let: cliques of them.
    at, other = _expand(b_of, np.arange(len(f_site)), b_of)
    pair = (at < other) & (area[at] + area[other] > vacant[b_of[at]])
    edges = np.bincount(b_of[at[pair]], minlength=len(b_code))
    # Where no two fit together the cliques say all; otherwise the area is shared by a row.
    binds = (count >= 2) & (total > vacant + 1e-9) & (edges < count * (count - 1) // 2)
    if binds.any():
        _, row = np.unique(b_of[binds[b_of]], return_inverse=True)
        take = binds[b_of]
        blocks.append((row, f_site[take], area[take], vacant[binds], _ROW_VACANT, b_code[binds]))
    h_clique, h_member, h_building = _clique_cover(
        b_of, f_site, f_site[at[pair]], f_site[other[pair]]
    )
    # The land sites taking each building's ground, by the parcels it stands on.
    on_b, on_q = land.stands_on(b_code)
    on_b = np.searchsorted(b_code, on_b)
    # Cut-outs of those parcels, with their clique, kept where they overlap the footprint.
    cut_parcel_of = np.full(len(g.kind), -1, dtype=np.int64)
    cut_parcel_of[c_site] = c_parcel
    at, m = _expand(cut_parcel_of[member], np.arange(len(member)), on_q)
    footprint = land.zone.buildings.geometry.to_numpy()[b_code[on_b[at]]]
    shape = g.geometry[member[m]]
    unknown = shapely.is_missing(shape) | shapely.is_empty(shape)
    covers = unknown | (shapely.area(shapely.intersection(shape, footprint)) > tol)
    cover = pd.DataFrame(
        {
            "b": on_b[at][covers],
            "q": on_q[at][covers],
            "i": clique[m][covers],
            "site": member[m][covers],
        }
    )
    groups = cover[["b", "q", "i"]].drop_duplicates()
    has_whole = np.isin(on_q, w_parcel)
    plain = pd.DataFrame({"b": on_b, "q": on_q, "i": -1}).loc[has_whole]
    plain = plain.loc[~plain.set_index(["b", "q"]).index.isin(groups.set_index(["b", "q"]).index)]
    groups = pd.concat([groups, plain], ignore_index=True)
    heads = pd.DataFrame({"j": np.arange(len(h_building)), "b": h_building})
    rows = heads.merge(groups, on="b").reset_index(drop=True)
    r = np.arange(len(rows))
    # Each row: a clique of floor-space sites, the whole sites on one parcel the building stands
    # on, and one clique of that parcel's cut-outs overlapping the footprint.
    f_at, f_member = _expand(h_clique, h_member, rows["j"].to_numpy())
    w_at, w_member = _expand(w_parcel, w_site, rows["q"].to_numpy())
    cuts = rows.reset_index().merge(cover, on=["b", "q", "i"])
    row_ids = np.concatenate([f_at, w_at, cuts["index"].to_numpy(), len(r) + h_clique])
    col_ids = np.concatenate([f_member, w_member, cuts["site"].to_numpy(), h_member])
    keys = np.concatenate([b_code[rows["b"].to_numpy()], b_code[h_building]])
    blocks.append(_ones(row_ids, col_ids, len(keys), _ROW_LET, keys))
    return blocks


def _check_fixed_sites(cands: pd.DataFrame, fixed: np.ndarray, forbidden: np.ndarray) -> None:
    """Check that fixed sites are on free parcels, one per project."""
    if not fixed.any():
        return
    blocked = cands.loc[fixed & forbidden, "candidate_id"].tolist()
    if blocked:
        raise InfeasibleError.of("plan_fixed_on_reserved", **_ids(blocked))
    per_project = cands.loc[fixed, "project_id"].value_counts()
    if (per_project > 1).any():
        raise InfeasibleError.of(
            "plan_fixed_several", **_ids(sorted(per_project[per_project > 1].index))
        )


def _check_fixed(cands: pd.DataFrame, fixed: np.ndarray, rows: _Rows, land: _Land) -> None:
    """Check that the fixed sites fit together, before anything is solved."""
    if not fixed.any():
        return
    load = rows.matrix @ fixed.astype(float)
    over = np.flatnonzero(load > rows.capacity + 1e-9)
    if len(over):
        sub = sp.csr_array(rows.matrix[over][:, np.flatnonzero(fixed)])
        fixed_ids = cands.loc[fixed, "candidate_id"].to_numpy()
        lines = []
        for k, r in enumerate(over):
            who = fixed_ids[sub[[k]].indices]
            lines.append(
                Message(
                    "plan_clash_line",
                    what=rows.label(int(r), land),
                    who=", ".join(who),
                    who_zh="、".join(who),
                    need=load[r],
                    capacity=rows.capacity[r],
                )
            )
        raise InfeasibleError.of("plan_fixed_clash", lines=Code(lines, sep=("\n", "\n")))


# --- assembling the result ------------------------------------------------------------------------


def _plan(
    cands: gpd.GeoDataFrame,
    projects: pd.DataFrame,
    zone: Zone,
    reserved_only: set[str],
    reserved: pd.DataFrame,
) -> gpd.GeoDataFrame:
    info = [c for c in ("project_id", "name", "stage", "cluster") if c in projects]
    chosen = cands.loc[cands["chosen"]].drop(
        columns=["chosen", "greedy", "forbidden", "in_program"]
    )
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
                # Its ground is whole parcels: one parcel or several, as the registry names them.
                "kind": np.where(grouped.size().to_numpy() == 1, "single", "assembly"),
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
    ground: _Ground,
    land: _Land,
    reserved: pd.DataFrame,
    why_none: dict[str, dict[str, int]],
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
    # Every open site of theirs counts, those the reductions left out included.
    lost_mask = (
        cands["project_id"].isin(out["project_id"]).to_numpy() & ~cands["forbidden"].to_numpy()
    )
    won_mask = cands["chosen"].to_numpy()
    meeting = ground.take(lost_mask | won_mask)
    used = sp.csc_array(_conflict_rows(meeting, land).matrix != 0, dtype=float)
    lost = np.flatnonzero(lost_mask[meeting.index])
    won = np.flatnonzero(won_mask[meeting.index])
    meet = sp.coo_array(used[:, lost].T @ used[:, won])
    lost, won = meeting.index[lost], meeting.index[won]
    holder = pd.DataFrame(
        {
            "project_id": cands["project_id"].to_numpy(dtype=object)[lost[meet.row]],
            "winner": cands["project_id"].to_numpy(dtype=object)[won[meet.col]],
            "value": cands["value"].to_numpy(dtype=float)[won[meet.col]],
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
    # Matching says why a project has no site at all: the siting rules its sites failed.
    out["detail"] = [
        _detail(r, why_none.get(p), "en")
        for r, p in zip(out["reason"], out["project_id"], strict=True)
    ]
    return out[columns].sort_values(["reason", "project_id"]).reset_index(drop=True)
