"""landplan: a geospatial planner for the land and factory buildings of an industrial zone.

Modules are the API, each named after a domain concept: ``layers`` and ``validation``
(schemas), ``io`` (files; ``cad`` for drawings, ``profiles`` for delivered layers,
``problem_report``), ``landuse`` (land-use codes and their schemes), ``policy`` (thresholds),
``sample`` (the sample zone), ``store`` (the spatial store), ``audit``, ``review``, ``match``,
``allocate``, ``capacity`` and ``corridor`` (the analyses, each taking a
:class:`~landplan.zone.Zone`), ``history`` (statuses on a date from the events), ``report`` (the
half-year report), ``maps`` and the writers. The heavier modules load on first use: ``import
landplan`` stays quick.

>>> import landplan as lp
>>> lp.Policy.default().idle.recover_years
2
"""

import importlib
from typing import Any

from landplan import errors, labels, layers, policy, units, vocab
from landplan.policy import Policy
from landplan.zone import Zone

__version__ = "0.1.0"

_LAZY = (
    "allocate",
    "audit",
    "cad",
    "capacity",
    "corridor",
    "demand",
    "evaluation",
    "history",
    "idle",
    "io",
    "kinds",
    "landuse",
    "maps",
    "match",
    "problem_report",
    "profiles",
    "report",
    "review",
    "revitalise",
    "sample",
    "store",
    "tables",
    "validation",
)

__all__ = [
    "Policy",
    "Zone",
    "__version__",
    "errors",
    "labels",
    "layers",
    "policy",
    "units",
    "vocab",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"landplan.{name}")
    raise AttributeError(f"module 'landplan' has no attribute {name!r}")
