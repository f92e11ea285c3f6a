"""The policy: every threshold landplan uses, each default with its source.

The defaults ship as ``landplan/datasets/policy.toml``. A user's file overrides only the keys it
names; an unknown key or a value of the wrong type is an error that names the file and the key.
Each section may hold a ``sources`` table citing where its defaults come from.

Examples
--------
>>> policy = Policy.default()
>>> policy.idle.recover_years
2
>>> policy.source("idle.recover_years").startswith("国土资源部令第53号")
True
>>> Policy.from_toml_text(policy.to_toml()) == policy
True
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from landplan.errors import PolicyError

__all__ = ["Policy", "Section"]

_DEFAULT_PATH = Path(__file__).parent / "datasets" / "policy.toml"
_SOURCES = "sources"


class Section(Mapping[str, Any]):
    """A read-only table of policy values with attribute access (``policy.idle.recover_years``)."""

    def __init__(self, path: str, values: Mapping[str, Any]) -> None:
        self._path = path
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if isinstance(value, Mapping):
            return Section(f"{self._path}.{key}", value)
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            known = ", ".join(sorted(self._values))
            raise AttributeError(
                f"policy section {self._path!r} has no key {key!r}; known keys: {known}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Section({self._path!r}, {dict(self._values)!r})"


def _split_sources(tree: Mapping[str, Any], prefix: str = "") -> tuple[dict, dict[str, str]]:
    """Separate the values from the ``sources`` tables, returning (values, {dotted key: source})."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if key == _SOURCES and isinstance(value, Mapping):
            for name, text in value.items():
                sources[f"{prefix}{name}"] = str(text)
        elif isinstance(value, Mapping):
            sub_values, sub_sources = _split_sources(value, f"{path}.")
            values[key] = sub_values
            sources.update(sub_sources)
        else:
            values[key] = value
    return values, sources


def _same_kind(default: Any, given: Any) -> bool:
    if isinstance(default, bool) or isinstance(given, bool):
        return isinstance(default, bool) and isinstance(given, bool)
    if isinstance(default, int | float):
        return isinstance(given, int | float)
    if isinstance(default, list):
        return isinstance(given, list)
    return isinstance(given, type(default))


def _merge(defaults: dict, given: Mapping, where: str, prefix: str, problems: list[str]) -> dict:
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        path = f"{prefix}{key}"
        if key not in defaults:
            if isinstance(defaults, dict) and prefix and _open_table(prefix):
                merged[key] = value
                continue
            known = ", ".join(sorted(defaults)) or "(none)"
            problems.append(f"{where}: unknown key {path!r}; known keys here: {known}")
            continue
        default = defaults[key]
        if isinstance(default, dict):
            if not isinstance(value, Mapping):
                problems.append(f"{where}: {path!r} must be a table, got {value!r}")
                continue
            merged[key] = _merge(default, value, where, f"{path}.", problems)
        elif not _same_kind(default, value):
            problems.append(
                f"{where}: {path!r} must be {type(default).__name__} like the default "
                f"{default!r}, got {value!r}"
            )
        else:
            merged[key] = float(value) if isinstance(default, float) else value
    return merged


# Tables whose keys are data (industry divisions, class names), so a user may add new ones.
_OPEN_TABLES = ("control.far_min_by_division.",)


def _open_table(prefix: str) -> bool:
    return prefix in _OPEN_TABLES


class Policy:
    """Every threshold, weight and setting the analyses use.

    Build one with :meth:`default`, :meth:`from_toml` (a user's overrides on top of the
    defaults) or :meth:`replace`. Sections are read as attributes: ``policy.control.coverage_min``.
    """

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
        self._values = copy.deepcopy(dict(values))
        self._sources = dict(sources)

    # construction -------------------------------------------------------------------------
    @classmethod
    def default(cls) -> Policy:
        """Return the shipped default policy."""
        return cls.from_toml_text(_DEFAULT_PATH.read_text(encoding="utf-8"), _base=None)

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Read a user's policy file on top of the defaults.

        Parameters
        ----------
        path
            A TOML file holding only the keys it overrides.

        Raises
        ------
        PolicyError
            If the file cannot be parsed, or names unknown keys or values of the wrong type.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"cannot read policy file {str(path)!r}: {exc.strerror}") from exc
        return cls.from_toml_text(text, where=str(path))

    @classmethod
    def from_toml_text(
        cls, text: str, *, where: str = "<policy>", _base: Policy | bool | None = True
    ) -> Policy:
        """Parse policy TOML text; keys it does not name keep their default values."""
        try:
            tree = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{where} is not valid TOML: {exc}") from exc
        values, sources = _split_sources(tree)
        if _base is None:
            return cls(values, sources)
        base = cls.default()
        problems: list[str] = []
        merged = _merge(base._values, values, where, "", problems)
        if problems:
            raise PolicyError(f"{len(problems)} problem(s) in the policy:\n" + "\n".join(problems))
        return cls(merged, {**base._sources, **sources})

    def replace(self, **changes: Any) -> Policy:
        """Return a copy with dotted keys changed.

        Example: ``policy.replace(**{"idle.recover_years": 3})``.
        """
        tree: dict[str, Any] = {}
        for dotted, value in changes.items():
            node = tree
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        problems: list[str] = []
        merged = _merge(self._values, tree, "replace()", "", problems)
        if problems:
            raise PolicyError("\n".join(problems))
        return Policy(merged, self._sources)

    # access -------------------------------------------------------------------------------
    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return Section("", self._values).__getattr__(key)

    def get(self, dotted: str) -> Any:
        """Return the value at a dotted key such as ``"control.coverage_min"``."""
        node: Any = self._values
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise PolicyError(f"the policy has no key {dotted!r}")
            node = node[part]
        return Section(dotted, node) if isinstance(node, Mapping) else node

    def source(self, dotted: str) -> str:
        """Return the cited source of a value, falling back to its table's source."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            key = ".".join(parts[:end])
            if key in self._sources:
                return self._sources[key]
        return ""

    def table(self) -> pd.DataFrame:
        """Every value as rows of (key, value, source): the policy used, for reports."""
        rows = []

        def walk(node: Mapping[str, Any], prefix: str) -> None:
            for key, value in node.items():
                path = f"{prefix}{key}"
                if isinstance(value, Mapping):
                    walk(value, f"{path}.")
                else:
                    rows.append({"key": path, "value": value, "source": self.source(path)})

        walk(self._values, "")
        return pd.DataFrame(rows, columns=["key", "value", "source"])

    def to_dict(self) -> dict[str, Any]:
        """Return the values and sources as the nested dictionary the TOML file holds."""
        tree = copy.deepcopy(self._values)
        for dotted, text in self._sources.items():
            *parents, leaf = dotted.split(".")
            node = tree
            for part in parents:
                node = node.setdefault(part, {})
            node.setdefault(_SOURCES, {})[leaf] = text
        return tree

    def to_toml(self) -> str:
        """Serialise the policy, sources included, as TOML text that :meth:`from_toml` reads."""
        return tomli_w.dumps(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self._values == other._values and self._sources == other._sources

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        return f"Policy(sections={sorted(self._values)!r})"
