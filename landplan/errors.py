"""Errors raised by landplan.

Every error a user can cause derives from :class:`LandplanError` (itself a ``ValueError``) and
says what was expected, what was found, and how to fix it. Validation errors carry every problem
found, not only the first, as :class:`Problem` rows. Every error class is defined here, once; the
modules that raise them import them from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CRSMismatchError",
    "DocumentError",
    "GeometryError",
    "InfeasibleError",
    "LandplanError",
    "MapError",
    "OutputError",
    "PdfError",
    "PolicyError",
    "Problem",
    "ReadError",
    "ReportError",
    "ReservationError",
    "SchemaError",
    "StaleWriteError",
    "StoreError",
    "UnknownFeatureError",
    "WriteError",
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

    @classmethod
    def between(cls, what: str, found: object, expected: object, *, fix: str) -> CRSMismatchError:
        """Say that ``what`` is in ``found`` where ``expected`` was wanted, and how to fix it.

        Parameters
        ----------
        what
            The data in the wrong CRS, e.g. ``"candidate sites"``.
        found, expected
            The two CRSs (anything with ``to_string()``, or None for a missing CRS).
        fix
            The call that fixes it, e.g. ``"candidates.to_crs(zone.crs)"``.

        Examples
        --------
        >>> from pyproj import CRS
        >>> str(CRSMismatchError.between("candidate sites", CRS("EPSG:4490"), CRS("EPSG:4546"),
        ...                              fix="candidates.to_crs(zone.crs)"))
        "candidate sites are in 'EPSG:4490' but the zone is in 'EPSG:4546'; expected one CRS; \
use candidates.to_crs(zone.crs)"
        """
        return cls(
            f"{what} are in {_crs_text(found)} but the zone is in {_crs_text(expected)}; "
            f"expected one CRS; use {fix}"
        )


def _crs_text(crs: object) -> str:
    if crs is None:
        return "no CRS"
    to_string = getattr(crs, "to_string", None)
    return repr(to_string() if callable(to_string) else str(crs))


class GeometryError(LandplanError):
    """Geometry is invalid, empty or of a type the operation cannot use."""


class InfeasibleError(LandplanError):
    """A request cannot be met, for example demand exceeds supply."""


class WriteError(LandplanError):
    """An output could not be written: the file, and the cause (disk full, no permission ...)."""


class OutputError(WriteError):
    """An output file cannot be written where asked without harming another file."""


class DocumentError(LandplanError):
    """The report's document cannot be written as asked (a bad text file, no PDF converter)."""


class PdfError(DocumentError, WriteError):
    """No PDF can be made: neither LibreOffice nor Chromium is there, or the conversion failed."""


class MapError(LandplanError):
    """A map cannot be drawn or saved as asked."""


class ReportError(LandplanError):
    """A report was asked for an impossible period or language."""


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
