"""The kinds of candidate site: what each one is, in one place.

Matching builds candidates of these kinds (:func:`landplan.match.match`), allocation decides
which ground each one takes (:mod:`landplan.allocate`), and the maps draw each in its own
colour; all of them read this registry rather than listing the kinds.

Examples
--------
>>> [k.name for k in KINDS.values()]
['single', 'assembly', 'cutout', 'floor_space']
>>> KINDS["cutout"].whole_parcels, KINDS["floor_space"].takes_ground
(False, False)
>>> candidate_ids(["single", "floor_space"], ["P-1", "B-7"]).tolist()
['parcel:P-1', 'floor:B-7']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from landplan.errors import Code, LandplanError

__all__ = ["KINDS", "CandidateKind", "candidate_ids", "kind"]


@dataclass(frozen=True)
class CandidateKind:
    """One kind of candidate site.

    Attributes
    ----------
    name : str
        The kind's identifier, as the ``kind`` column holds it.
    id_prefix : str
        What its candidate ids start with (``parcel:P-0123``).
    takes_ground : bool
        Whether it takes land (every kind but floor space in a building).
    whole_parcels : bool
        Whether its ground is whole parcels (a single parcel, an assembly), rather than a part
        of one (a cut-out) or none (floor space).
    readiness : str
        How its months before supply are counted: ``parcels`` (its slowest parcel's status),
        ``parcels+cutout`` (and a survey and subdivision, ``readiness.cutout_extra_months``) or
        ``floor_space`` (a lease, ``readiness.floor_space_months``).
    color : str
        Its colour on the maps.
    label_en, label_zh : str
        What a reader is shown.
    """

    name: str
    id_prefix: str
    takes_ground: bool
    whole_parcels: bool
    readiness: str
    color: str
    label_en: str
    label_zh: str

    def label(self, lang: str = "zh") -> str:
        """Return the kind's name for a reader in ``lang`` (``zh`` or ``en``)."""
        return self.label_zh if lang == "zh" else self.label_en


KINDS: dict[str, CandidateKind] = {
    k.name: k
    for k in (
        CandidateKind(
            "single", "parcel", True, True, "parcels", "#2b83ba", "single parcel", "单宗地块"
        ),
        CandidateKind(
            "assembly",
            "assembly",
            True,
            True,
            "parcels",
            "#7b3294",
            "assembly of parcels",
            "多宗地块合并",
        ),
        CandidateKind(
            "cutout",
            "cutout",
            True,
            False,
            "parcels+cutout",
            "#e66101",
            "cut-out of a parcel",
            "地块分割",
        ),
        CandidateKind(
            "floor_space",
            "floor",
            False,
            False,
            "floor_space",
            "#008837",
            "floor space in a building",
            "标准厂房空间",
        ),
    )
}


def kind(name: str) -> CandidateKind:
    """Return the registered kind called ``name``.

    Raises
    ------
    LandplanError
        For a name that is not a kind.
    """
    try:
        return KINDS[name]
    except KeyError:
        raise LandplanError.of(
            "plan_unknown_kind",
            name=name,
            known=sorted(KINDS),
            known_zh=Code(sorted(KINDS), of="kind"),
        ) from None


def candidate_ids(kinds: Sequence[str] | pd.Series, keys: Sequence[str] | pd.Series) -> np.ndarray:
    """Candidate ids: the kind's prefix, then its parcels (``+``-joined) or its building."""
    prefix = pd.Series(np.asarray(kinds, dtype=object)).map(
        {k.name: k.id_prefix for k in KINDS.values()}
    )
    key = pd.Series(np.asarray(keys, dtype=object), dtype=object).str.replace(";", "+")
    return (prefix + ":" + key).to_numpy(dtype=object)
