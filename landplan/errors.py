"""Errors raised by landplan.

Every error a user can cause derives from :class:`LandplanError` (itself a ``ValueError``) and
says what was expected, what was found, and how to fix it. Validation errors carry every problem
found, not only the first, as :class:`Problem` rows. Every error class is defined here, once; the
modules that raise them import them from here.

A message a person reads is a :class:`Message`: a key of the label registry
(:data:`landplan.labels.MESSAGES`) and its fields. It is the English text as a string, so
``str(err)`` and ``problem.problem`` read as before, and :meth:`Message.text` renders it in
Chinese; fields that are codes (:class:`Code`: columns, layers, statuses) are shown by their
labels there. An error made with :meth:`LandplanError.of` says itself in either language with
:meth:`LandplanError.text`.

Examples
--------
>>> err = ReadError.of("read_no_file", path="zone.gpkg")
>>> str(err), err.text("zh")
('zone.gpkg: no such file', 'zone.gpkg：文件不存在')
>>> expected = Message("v_every_feature", column=Code("status"))
>>> expected, expected.text("zh")
('a status for every feature', '每个要素都填写状态')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, Self

__all__ = [
    "CRSMismatchError",
    "Code",
    "DocumentError",
    "GeometryError",
    "InfeasibleError",
    "LandplanError",
    "MapError",
    "Message",
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
    "display_width",
    "text_in",
    "use_labels",
]


Lang = Literal["zh", "en"]

#: The label registry, which hands itself over as it loads (:func:`use_labels`): it imports the
#: layer schemas, which import this module, so this module cannot import it back.
_labels: ModuleType | None = None


def use_labels(registry: ModuleType) -> None:
    """Render messages through ``registry`` (:mod:`landplan.labels`, which calls this once)."""
    global _labels
    _labels = registry


def _registry() -> ModuleType:
    if _labels is None:  # pragma: no cover - ``import landplan`` loads the registry
        raise RuntimeError("landplan.labels is not loaded: import landplan first")
    return _labels


@dataclass(frozen=True)
class Code:
    """A code among a message's fields: as it is in English, by its label in Chinese.

    Attributes
    ----------
    value : object
        The code (``"area_mu"``, ``"parcels"``, ``"idle"``), or a sequence of codes, listed; a
        :class:`Message` among them is rendered in the language asked.
    of : str or None
        The column (or domain, ``"layer"``) whose value the code is; None where the code is a
        column's name.
    sep : tuple of str
        What lists several codes, in English and in Chinese.
    """

    value: object
    of: str | None = None
    sep: tuple[str, str] = (", ", "、")

    def text(self, lang: Lang) -> str:
        """Return the code (or codes) as a reader of ``lang`` reads it."""
        values = self.value if isinstance(self.value, list | tuple) else (self.value,)
        if lang == "en":
            return self.sep[0].join(text_in(v, lang) for v in values)
        labels = _registry()

        def one(v: object) -> str:
            if isinstance(v, Message):
                return v.text(lang)
            if self.of is None:
                return labels.column_label(str(v))
            return str(labels.value_label(self.of, v))

        return self.sep[1].join(map(one, values))


class Message(str):
    """A text a person reads: the English text, with the key and fields that render it again.

    Parameters
    ----------
    key
        A key of :data:`landplan.labels.MESSAGES`.
    **fields
        The template's fields; a :class:`Code` or a :class:`Message` among them is rendered in
        the language asked, anything else is formatted as it is.
    """

    key: str
    fields: Mapping[str, object]
    _said: dict[str, str]

    def __new__(cls, key: str, /, **fields: object) -> Self:  # noqa: D102 - the class says it
        english = _render(key, "en", fields)
        made = super().__new__(cls, english)
        made.key = key
        made.fields = fields
        # One message stands for many rows (every row with one unknown value): said once each.
        made._said = {"en": english}
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:
        return (self.key,), dict(self.fields)

    def text(self, lang: Lang = "zh") -> str:
        """Return the message in ``lang``."""
        if lang not in self._said:
            self._said[lang] = _render(self.key, lang, self.fields)
        return self._said[lang]


def _render(key: str, lang: Lang, fields: Mapping[str, object]) -> str:
    said = {
        name: value.text(lang) if isinstance(value, Code | Message) else value
        for name, value in fields.items()
    }
    return _registry().message(key, lang, **said)


def text_in(text: object, lang: Lang) -> str:
    """Return a text in ``lang``: a :class:`Message` rendered, any other text as it is."""
    return text.text(lang) if isinstance(text, Message) else str(text)


class LandplanError(ValueError):
    """Base class of every error landplan raises for bad input or an impossible request.

    Made with a plain text it says that text in every language; made with :meth:`of` it says
    its message in the language asked (:meth:`text`).
    """

    #: The whole text a command put together (its context around the message), once it has.
    said: str | None = None

    @classmethod
    def of(cls, key: str, /, **fields: Any) -> Self:
        """Make the error whose message is ``MESSAGES[key]`` with ``fields`` filled."""
        return cls(Message(key, **fields))

    def text(self, lang: Lang = "zh") -> str:
        """Return the message in ``lang`` (English is also ``str(err)``)."""
        if self.said is not None:
            return self.said
        return self._text(lang)

    def _text(self, lang: Lang) -> str:
        return text_in(self.args[0], lang) if len(self.args) == 1 else str(self)

    def say(self, lang: Lang, lead: str = "", tail: str = "") -> None:
        """Put a command's context (already in ``lang``) around the message, in ``lang`` from now.

        ``str(err)`` becomes that whole text too, for whoever holds the error next.
        """
        self.said = f"{lead}{self.text(lang)}{tail}"
        self.args = (self.said,)


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
        What is wrong: the English text; a :class:`Message` says it in Chinese too.
    expected : str
        What was expected instead, with the fix where there is one (likewise).
    """

    source: str
    feature: str
    column: str
    problem: str
    expected: str

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: Lang = "zh") -> str:
        """Return the problem as one line in ``lang``: where, what is wrong, what was expected."""
        # A problem of the whole layer ("*") names no feature in Chinese.
        return _render(
            "problem_line_layer" if self.feature == "*" else "problem_line",
            lang,
            {
                "source": self.source,
                "feature": self.feature_text(lang),
                "column": Code(self.column),
                "problem": self.problem_text(lang),
                "expected": self.expected_text(lang),
            },
        )

    def problem_text(self, lang: Lang = "zh") -> str:
        """Return what is wrong, in ``lang``."""
        return text_in(self.problem, lang)

    def expected_text(self, lang: Lang = "zh") -> str:
        """Return what was expected, in ``lang``."""
        return text_in(self.expected, lang)

    def feature_text(self, lang: Lang = "zh") -> str:
        """Return the feature's id, or its row (``第3行`` in Chinese) where it has none."""
        row = _ROW.fullmatch(self.feature) if lang == "zh" else None
        return f"第{row[1]}行" if row else self.feature


_ROW = re.compile(r"row (\d+)")


def _table(problems: Sequence[Problem], limit: int, lang: Lang = "en") -> str:
    labels = _registry()
    header = tuple(
        labels.column_label(c, lang, context="problems")
        for c in ("source", "feature", "column", "problem", "expected")
    )
    rows = [
        (
            # A layer's name stands for the file where there is none (a frame validated).
            p.source if lang == "en" else str(labels.value_label("layer", p.source)),
            p.feature_text(lang),
            p.column if lang == "en" else labels.column_label(p.column),
            p.problem_text(lang),
            p.expected_text(lang),
        )
        for p in problems[:limit]
    ]
    # Columns are padded for alignment up to a width; longer text is never cut, only unaligned.
    widths = [min(max(display_width(r[i]) for r in [header, *rows]), 40) for i in range(5)]

    def fmt(row):
        cells = (v + " " * max(w - display_width(v), 0) for v, w in zip(row, widths, strict=True))
        return "  ".join(cells).rstrip()

    lines = [fmt(header), fmt(tuple("-" * w for w in widths)), *(fmt(r) for r in rows)]
    if len(problems) > limit:
        lines.append(labels.message("more_problems", lang, n=len(problems) - limit))
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Return the columns a text takes on a terminal (a Chinese character takes two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


class SchemaError(LandplanError):
    """A layer failed validation; ``problems`` lists every problem found.

    The message is a table of (file, feature, column, problem, expected), one row per problem,
    in English; :meth:`text` gives it in Chinese.
    """

    def __init__(self, problems: Iterable[Problem], *, limit: int = 50) -> None:
        self.problems: list[Problem] = list(problems)
        self.limit = limit
        self.context: tuple[str, dict[str, Any]] | None = None
        super().__init__(self._text("en"))

    def within(self, key: str, /, **fields: Any) -> None:
        """Say the problems inside ``MESSAGES[key]`` (its ``{problems}`` field), in either language.

        The layer a refused write was meant for, say, leads the table of problems.
        """
        self.context = (key, fields)
        self.args = (self._text("en"),)

    def _text(self, lang: Lang) -> str:
        n = len(self.problems)
        summary = _render("problems_found", lang, {"n": n, "s": "s" if n != 1 else ""})
        text = f"{summary}\n{_table(self.problems, self.limit, lang)}"
        if self.context is None:
            return text
        key, fields = self.context
        return _render(key, lang, {**fields, "problems": text})


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
