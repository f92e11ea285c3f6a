"""The :class:`Zone`: a zone's layers, validated, in one projected CRS, with its policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields

import pandas as pd

import geopandas as gpd

from landplan.layers import LAYERS
from landplan.policy import Policy
from landplan.validation import validate_layer, validate_zone_layers

__all__ = ["Zone"]


@dataclass
class Zone:
    """The layers of one development zone, validated and in the policy's working CRS.

    Every analysis takes a ``Zone``. Build one with :meth:`from_layers` (which validates) or load
    one from a store (``store.load_zone()``) or a GeoPackage (:func:`landplan.io.read_zone`).

    Attributes
    ----------
    parcels, buildings, enterprises, projects, constraints, corridors, substations, roads
        One GeoDataFrame per layer (empty where the zone has none), indexed by position, with
        the layer's id column.
    policy : Policy
        The thresholds the analyses apply.
    """

    parcels: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    enterprises: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    constraints: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    substations: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    policy: Policy = field(default_factory=Policy.default)

    @classmethod
    def from_layers(
        cls,
        layers: Mapping[str, pd.DataFrame],
        *,
        policy: Policy | None = None,
        source: str | Mapping[str, str] = "<zone>",
        make_valid: bool = False,
    ) -> Zone:
        """Validate every layer and the links between them, and build a zone.

        Parameters
        ----------
        layers
            Layer name -> frame; missing layers become empty layers.
        policy
            The policy (working CRS, tolerances); the default policy where None.
        source
            Name of the data's origin, used in error messages: one name for all layers, or
            layer name -> source (file) name.
        make_valid
            Repair invalid geometry instead of rejecting it.

        Raises
        ------
        SchemaError
            Listing every problem in every layer.
        """
        policy = policy or Policy.default()
        unknown = set(layers) - set(LAYERS)
        if unknown:
            from landplan.errors import LandplanError

            raise LandplanError(
                f"unknown layer(s) {sorted(unknown)}; expected some of {', '.join(LAYERS)}"
            )
        validated = validate_zone_layers(
            layers, policy=policy, source=source, make_valid=make_valid
        )
        return cls(**validated, policy=policy)

    @classmethod
    def empty(cls, policy: Policy | None = None) -> Zone:
        """Return a zone with every layer empty."""
        policy = policy or Policy.default()
        return cls(
            **{name: validate_layer(None, name, policy=policy) for name in LAYERS},
            policy=policy,
        )

    @classmethod
    def read_on_use(
        cls,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        later: Sequence[str],
        read: Callable[[str], gpd.GeoDataFrame],
        policy: Policy,
    ) -> Zone:
        """Return a zone of ``layers`` whose layers named in ``later`` are read when first used.

        ``read(name)`` gives such a layer, as validated, the first time the zone is asked
        for it (``zone.buildings``, :meth:`layers`, a comparison); until then it is not read.
        A command that never uses a layer does not pay for reading it.
        """
        return _ReadOnUse.make(layers, later=tuple(later), read=read, policy=policy)

    @property
    def crs(self):
        """The working CRS every layer is in."""
        return self.parcels.crs

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the layers as a dictionary, name -> frame."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in LAYERS}

    def as_stored(self, name: str) -> bool:
        """Whether layer ``name`` is still the store's, as :meth:`read_on_use` reads it.

        True for a layer to be read on use that is not read yet, or was read by the zone
        itself and not replaced since; False for every layer of a zone given its layers.
        """
        return False


class _ReadOnUse(Zone):
    """A :class:`Zone` some of whose layers are read when first used (:meth:`Zone.read_on_use`).

    Made by :meth:`make`, not by its constructor, which stays :class:`Zone`'s: a copy made by
    :func:`dataclasses.replace` is given every layer (each read as it is asked for).
    """

    @classmethod
    def make(
        cls,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        later: tuple[str, ...],
        read: Callable[[str], gpd.GeoDataFrame],
        policy: Policy,
    ) -> _ReadOnUse:
        zone = cls.__new__(cls)
        zone.__dict__.update(layers, policy=policy, _later=later, _read=read, _read_here={})
        return zone

    def __getattr__(self, name: str) -> gpd.GeoDataFrame:
        # Python asks here only for an attribute not set: a layer not read yet.
        if name.startswith("_") or name not in self.__dict__.get("_later", ()):
            raise AttributeError(name)
        frame = self.__dict__["_read"](name)
        self.__dict__["_read_here"][name] = frame
        setattr(self, name, frame)
        return frame

    def as_stored(self, name: str) -> bool:
        """Whether layer ``name`` is read on use and not replaced since (see :class:`Zone`)."""
        if name not in self.__dict__["_later"]:
            return False
        frame = self.__dict__.get(name)
        return frame is None or frame is self.__dict__["_read_here"].get(name)
