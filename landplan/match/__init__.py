"""Matching a project to sites: ranked candidates with their score components, and rejections.

Four kinds of candidate share one ranking:

``single``
    a single available parcel whose area lies in the project's window
    (:func:`landplan.demand.land_demand`);
``assembly``
    a connected group of 2 to ``siting.max_group_size`` adjacent available parcels whose total
    area lies in the window and none of which could be dropped while still meeting the minimum
    (total − smallest member < minimum). Two parcels are adjacent when they share at least
    ``siting.adjacency_min_shared_m`` of boundary: the shorter of the length of one's boundary
    within ``siting.adjacency_tolerance_m`` of the other's and the other way round (a shared
    edge whatever the vertices, across slivers and digitising gaps; a corner is not enough);
``cutout``
    a compact piece of the target area (within ``siting.cutout_area_tolerance``, its oriented
    envelope at most ``siting.cutout_max_aspect`` times as long as wide) cut from an available
    parcel at least ``siting.cutout_min_ratio`` times the target, standing on its road
    frontage, leaving a single remainder of at least ``siting.cutout_min_remainder_mu``;
``floor_space``
    vacant floor space in an existing building, for projects that can use it.

Every hard rule is judged on what is offered. The parcel's own attributes — its status, tenure
and land-use class — hold for every part of it; the geometric rules (no overlap with protected
areas, setbacks from homes and fuel stations, the distance to a substation, road frontage for a
cut-out) are measured on the site's own geometry: the parcel, the assembly's union, the
cut-out's polygon, the building's footprint. So a parcel too close to a village may still give
a cut-out on its far side, and an assembly is refused when its union overlaps a red line by
more than a sliver even where no member alone does. Each rule is named in :data:`RULES`, with
which side of its threshold passes; the rejections say which rule turned a parcel or building
down and why.

Candidates are ranked by ``Σ ranking.weights[c] × component_c`` over the components in
:data:`COMPONENTS`, each in [0, 1] and kept in the result.
"""

from landplan.match.candidates import KINDS, Candidates, Kind, match
from landplan.match.rules import RULES, feasible_parcels
from landplan.match.score import COMPONENTS
from landplan.match.sites import SiteIndex, parcel_adjacency, prepare_sites

__all__ = [
    "COMPONENTS",
    "KINDS",
    "RULES",
    "Candidates",
    "Kind",
    "SiteIndex",
    "feasible_parcels",
    "match",
    "parcel_adjacency",
    "prepare_sites",
]
