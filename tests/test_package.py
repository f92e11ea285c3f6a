"""The package's shape: imports without cycles, no private names across modules, one error module.

The import graph is read from the source with :mod:`ast` (not by importing), so a cycle that only
shows when a rarely used function runs is caught too.
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from pathlib import Path

import pytest

import landplan
from landplan import errors

PACKAGE = Path(landplan.__file__).resolve().parent
#: A deferred import that closes a cycle: vocab asks landuse to explain an unknown land-use code.
KNOWN_DEFERRED_CYCLES = [{"landplan.landuse", "landplan.vocab"}]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(
    path: Path, *, top_level_only: bool, name: str | None = None
) -> list[tuple[ast.ImportFrom | ast.Import, ast.alias, str]]:
    """Return (node, name imported, its landplan module) for every landplan import of a file."""
    tree = _tree(path)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    me = name or _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in nodes:
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node, a, a.name) for a in node.names if a.name.startswith("landplan")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([node.module] if node.module else [])])
            if base.startswith("landplan"):
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.append((node, alias, sub if sub in MODULES else base))
    return found


@cache
def _graph(*, top_level_only: bool) -> dict[str, set[str]]:
    return {
        name: {t for _, _, t in _imports(path, top_level_only=top_level_only) if t != name}
        for name, path in MODULES.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_graph_reader_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_reader_reads_the_package():
    graph = _graph(top_level_only=True)
    assert "landplan.errors" in graph["landplan.validation"]
    assert "landplan.store._backend" in graph["landplan.store._sqlite"]
    # `from landplan.match import match` inside the demo's function, not at its top.
    assert "landplan.match" not in graph["landplan.demo"]
    assert "landplan.match" in _graph(top_level_only=False)["landplan.demo"]


def test_no_import_cycle_at_import_time():
    assert _cycles(_graph(top_level_only=True)) == []


def test_no_import_cycle_even_through_deferred_imports():
    cycles = _cycles(_graph(top_level_only=False))
    assert [c for c in cycles if c not in KNOWN_DEFERRED_CYCLES] == []


def test_layers_does_not_import_the_validator():
    assert not {"landplan.validation"} & _graph(top_level_only=False)["landplan.layers"]


def _private_uses(path: Path, *, name: str | None = None) -> list[str]:
    """Private names of other landplan modules a file imports or reaches into."""
    me = name or _module_name(path)
    modules: dict[str, str] = {}  # local name -> the landplan module it is
    found = []
    for node, alias, target in _imports(path, top_level_only=False, name=me):
        if isinstance(node, ast.Import) or target.endswith(f".{alias.name}"):
            # a module: `import landplan.maps`, `from landplan import maps`
            modules[alias.asname or alias.name] = target
        elif alias.name.startswith("_") and not alias.name.startswith("__") and target != me:
            found.append(f"{me}:{node.lineno} imports {target}.{alias.name}")
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and modules.get(node.value.id, me) != me
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{me}:{node.lineno} uses {modules[node.value.id]}.{node.attr}")
    return found


def test_the_private_name_reader_sees_one(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from landplan.report import _hidden, table_title\n"
        "from landplan import maps\n"
        "from landplan.store import _backend\n"
        "maps._draw()\n"
        "maps.start_map()\n",
        encoding="utf-8",
    )
    assert _private_uses(probe, name="landplan.probe") == [
        "landplan.probe:1 imports landplan.report._hidden",
        "landplan.probe:4 uses landplan.maps._draw",
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_modules(module):
    assert _private_uses(MODULES[module]) == []


def test_every_error_class_is_defined_in_errors():
    outside = []
    for name, path in MODULES.items():
        if name == "landplan.errors":
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                outside.append(f"{name}.{node.name}")
    assert outside == []


def test_old_homes_of_the_errors_still_export_them():
    import landplan.report.gongwen as gongwen
    from landplan import maps, report

    assert maps.MapError is errors.MapError
    assert report.ReportError is errors.ReportError
    assert gongwen.PdfError is errors.PdfError and gongwen.DocumentError is errors.DocumentError
    assert issubclass(errors.OutputError, errors.WriteError)
    assert issubclass(errors.PdfError, errors.WriteError)
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)]
    assert all(issubclass(c, errors.LandplanError) for c in classes if c.__name__.endswith("Error"))
