"""The house rules, checked on the source: room sizes, docstrings, layering, no circles.

These read the package's files with ``ast`` (nothing is imported except in the
start-up tests, which run a fresh interpreter), so a violation names the file, the
line and the rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assetpay_analytics"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50

#: The data layers: frame -> analysis -> plots / accessor / widgets. They take frames
#: and never reach the network side of the house.
DATA_LAYERS = {
    "frame", "_arrow", "_rows", "_assemble", "schema", "names", "_coerce", "_json", "_payload",
    "_anomalies", "parquet", "_pricing", "analysis", "accessor", "plots", "widgets",
    "history", "_duck", "_snapshots", "_drift", "_palette", "_export", "_formats", "_axes",
    "_bars", "_review", "report", "_report_html",
}  # fmt: skip
NETWORK_SIDE = {
    "client", "_session", "_http", "_retry", "_paging", "_params", "batch", "_fanout",
    "cache", "_reader", "_offline", "_hits", "_budget", "requests", "requests_cache",
    "urllib3", "tenacity",
}  # fmt: skip
#: Rooms the client composes: each is handed what it needs and never calls back up.
CLIENT_ROOMS = {
    "_params", "_retry", "_http", "_paging", "batch", "_fanout", "cache", "_session", "_payload",
    "_reader", "_offline", "_redact", "_hits", "_budget",
}  # fmt: skip


def modules() -> dict[str, Path]:
    """Dotted name below the package (``sandbox.app``) -> file."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name or "__init__"] = path
    return found


MODULES = modules()


def _package_of(module: str) -> list[str]:
    if module == "__init__":
        return []
    parts = module.split(".")
    return parts if MODULES[module].name == "__init__.py" else parts[:-1]


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> Iterator[str]:
    """Names imported by one statement: package modules by dotted name, others by root."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            name = alias.name
            yield (
                name.removeprefix("assetpay_analytics.")
                if name.startswith("assetpay_analytics")
                else name.split(".")[0]
            )
        return
    if node.level == 0:
        base = node.module or ""
        if not base.startswith("assetpay_analytics"):
            yield base.split(".")[0]
            return
        base = base.removeprefix("assetpay_analytics").lstrip(".")
    else:
        here = _package_of(module)
        here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, *([node.module] if node.module else [])])
    for alias in node.names:
        candidate = f"{base}.{alias.name}" if base else alias.name
        yield candidate if candidate in MODULES else (base or "__init__")


def imports(module: str, *, top_level_only: bool = False) -> set[str]:
    """Everything ``module`` imports (function-level and TYPE_CHECKING imports included)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(_resolve(module, node))
    return found - {module}


def internal_graph(*, top_level_only: bool = False) -> dict[str, set[str]]:
    return {m: imports(m, top_level_only=top_level_only) & set(MODULES) for m in MODULES}


def _function_bodies(tree: ast.AST) -> Iterator[tuple[str, int, int]]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if ast.get_docstring(node) is not None:
                body = body[1:]
            if body:
                end = body[-1].end_lineno or body[-1].lineno
                yield node.name, node.lineno, end - body[0].lineno + 1


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size_and_docstring(module):
    source = MODULES[module].read_text(encoding="utf-8")
    lines = source.count("\n")
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines (limit {MAX_MODULE_LINES})"
    assert ast.get_docstring(ast.parse(source)), f"{module} opens without a docstring"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_function_bodies_are_short(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    long = [
        f"{name} (line {line}): {size} lines"
        for name, line, size in _function_bodies(tree)
        if size > MAX_FUNCTION_LINES
    ]
    assert not long, f"{module}: function bodies over {MAX_FUNCTION_LINES} lines: {long}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circle():
    # A package's ``__init__`` runs before any of its submodules, so the edges from a
    # submodule up to its own package (``__init__``, ``sandbox``) are not circles.
    graph = {
        m: {d for d in deps if d != "__init__" and not m.startswith(f"{d}.")}
        for m, deps in internal_graph().items()
        if m != "__init__"
    }
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(DATA_LAYERS))
def test_data_layers_never_reach_the_network_side(module):
    reached = imports(module) & NETWORK_SIDE
    assert not reached, f"{module} imports {sorted(reached)}"


@pytest.mark.parametrize("module", sorted(CLIENT_ROOMS))
def test_client_rooms_never_import_the_client(module):
    assert "client" not in imports(module)


def test_analysis_never_imports_the_charts_or_the_accessor():
    for module in ("analysis", "_pricing"):
        assert not imports(module) & {"plots", "accessor", "widgets"}, module


def test_frame_never_imports_analysis_at_import_time():
    # frame may load ``parquet`` lazily (for the old ``frame.read_parquet`` name), but
    # nothing frame imports when it loads reaches the analysis side.
    graph = internal_graph(top_level_only=True)
    seen, todo = set(), ["frame"]
    while todo:
        for dep in graph[todo.pop()] - seen:
            seen.add(dep)
            todo.append(dep)
    assert not seen & {"analysis", "_pricing", "accessor", "plots", "widgets"}, sorted(seen)


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_package_stays_light():
    loaded = _loaded_after("import assetpay_analytics")
    assert not loaded & {"pandas", "requests", "matplotlib", "ipywidgets", "pyarrow"}


def test_py_typed_marker_ships():
    assert (PACKAGE / "py.typed").is_file()
