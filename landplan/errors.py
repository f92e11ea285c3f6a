"""Errors raised by landplan.

Every error a user can cause derives from :class:`LandplanError` (itself a ``ValueError``) and
says what was expected, what was found, and how to fix it. Validation errors carry every problem
found, not only the first, as :class:`Problem` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CRSMismatchError",
    "GeometryError",
    "InfeasibleError",
    "LandplanError",
    "OutputError",
    "PolicyError",
    "Problem",
    "ReadError",
    "ReservationError",
    "SchemaError",
    "StaleWriteError",
    "StoreError",
    "UnknownFeatureError",
]


class LandplanError(ValueError):
    """Base class of every error landplan raises for bad input or an impossible request."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a layer.

    Attributes
    ----------
    source : str
        The file (or layer name) the feature came from.
    feature : str
        The feature's id, or ``"row N"`` where it has none.
    column : str
        The column concerned (``"geometry"`` for the shape, ``"*"`` for the whole layer).
    problem : str
        What is wrong.
    expected : str
        What was expected instead, with the fix where there is one.
    """

    source: str
    feature: str
    column: str
    problem: str
    expected: str

    def __str__(self) -> str:
        return (
            f"{self.source}: feature {self.feature}, column {self.column!r}: "
            f"{self.problem} (expected {self.expected})"
        )


def _table(problems: Sequence[Problem], limit: int) -> str:
    header = ("file", "feature", "column", "problem", "expected")
    rows = [(p.source, p.feature, p.column, p.problem, p.expected) for p in problems[:limit]]
    # Columns are padded for alignment up to a width; longer text is never cut, only unaligned.
    widths = [min(max(len(str(r[i])) for r in [header, *rows]), 40) for i in range(5)]

    def fmt(row):
        return "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()

    lines = [fmt(header), fmt(tuple("-" * w for w in widths)), *(fmt(r) for r in rows)]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more problems")
    return "\n".join(lines)


class SchemaError(LandplanError):
    """A layer failed validation; ``problems`` lists every problem found.

    The message is a table of (file, feature, column, problem, expected), one row per problem.
    """

    def __init__(self, problems: Iterable[Problem], *, limit: int = 50) -> None:
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        summary = f"{n} problem{'s' if n != 1 else ''} found"
        super().__init__(f"{summary}\n{_table(self.problems, limit)}")


class CRSMismatchError(LandplanError):
    """Two layers, or a layer and the working CRS, are in different coordinate systems."""


class GeometryError(LandplanError):
    """Geometry is invalid, empty or of a type the operation cannot use."""


class InfeasibleError(LandplanError):
    """A request cannot be met, for example demand exceeds supply."""


class OutputError(LandplanError):
    """An output file cannot be written where asked without harming another file."""


class PolicyError(LandplanError):
    """A policy file has unknown keys or values of the wrong type."""


class ReadError(LandplanError):
    """A file could not be read as the layer it claims to be."""


class StoreError(LandplanError):
    """The spatial store refused an operation."""


class UnknownFeatureError(StoreError):
    """The store holds no feature (and no history of one) with the id asked for."""


class StaleWriteError(StoreError):
    """An update was based on a version of a row that someone else has since changed."""


class ReservationError(StoreError):
    """A reservation was refused: the parcel is taken, unavailable, or under a constraint."""
