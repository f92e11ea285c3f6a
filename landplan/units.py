"""Units of area and money used across landplan.

The functions take a number, a numpy array or a pandas Series and return the same kind.

Areas are held in square metres inside landplan and shown in 亩 (mu) or hectares at the edges;
money is held in 万元 (10⁴ CNY).

1 mu = 10000/15 m² ≈ 666.667 m²; 1 ha = 15 mu; 1 km² = 1500 mu.
"""

from __future__ import annotations

__all__ = [
    "HA_M2",
    "MU_M2",
    "WAN_YUAN_PER_YI",
    "ha_to_m2",
    "m2_to_ha",
    "m2_to_mu",
    "mu_to_m2",
    "wan_yuan_to_yi",
    "yi_to_wan_yuan",
]

#: Square metres in one 亩 (mu).
MU_M2 = 10000.0 / 15.0
#: Square metres in one hectare.
HA_M2 = 10000.0
#: 万元 in one 亿元.
WAN_YUAN_PER_YI = 10000.0


def m2_to_mu(area_m2):
    """Convert square metres to mu (亩).

    Examples
    --------
    >>> round(m2_to_mu(10000.0), 6)
    15.0
    """
    return area_m2 / MU_M2


def mu_to_m2(area_mu):
    """Convert mu (亩) to square metres.

    Examples
    --------
    >>> round(mu_to_m2(15.0), 6)
    10000.0
    """
    return area_mu * MU_M2


def m2_to_ha(area_m2):
    """Convert square metres to hectares."""
    return area_m2 / HA_M2


def ha_to_m2(area_ha):
    """Convert hectares to square metres."""
    return area_ha * HA_M2


def yi_to_wan_yuan(amount_yi):
    """Convert 亿元 (10⁸ CNY) to 万元 (10⁴ CNY)."""
    return amount_yi * WAN_YUAN_PER_YI


def wan_yuan_to_yi(amount_wan_yuan):
    """Convert 万元 (10⁴ CNY) to 亿元 (10⁸ CNY)."""
    return amount_wan_yuan / WAN_YUAN_PER_YI
