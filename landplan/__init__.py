"""landplan: a geospatial planner for the land and factory buildings of an industrial zone.

Modules are the API: ``landplan.layers`` (schemas and validation), ``landplan.io`` (files),
``landplan.policy`` (thresholds), ``landplan.sample`` (the sample zone), ``landplan.store``
(the spatial store) and the analyses built on a :class:`~landplan.zone.Zone`.
"""

from landplan import errors, layers, policy, units, vocab
from landplan.policy import Policy
from landplan.zone import Zone

__version__ = "0.1.0"

__all__ = ["Policy", "Zone", "__version__", "errors", "layers", "policy", "units", "vocab"]
