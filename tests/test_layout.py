"""The house rules, checked on the source: wings, layering, docstrings, sizes, no circles.

The package is laid out in wings that follow the data flow (CONTRIBUTING.md, "Layout"):

    ground floor (errors, constants, tradeurl, redact)
    frame -> analysis -> plots -> report;  analysis -> history
    frame -> fetch -> endpoints -> client;  accessor, widgets on analysis and plots
    cli on top of everything;  sandbox on the ground floor alone

These read the package's files with ``ast`` (nothing is imported except in the start-up
tests, which run a fresh interpreter), so a violation names the module and the rule. The
layering check is a pure function of an import graph, so a test also feeds it a bad
import and watches it fail.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assetpay_analytics"
#: A smell check, not a rule: one concern per module is the rule.
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 50

GROUND = {"errors", "constants", "tradeurl", "redact"}
#: What may sit at the package root besides its ``__init__``.
ROOT_MODULES = GROUND | {"client", "accessor", "widgets"}
WINGS = {"fetch", "endpoints", "frame", "analysis", "plots", "report", "history", "cli"}
PUBLIC_WINGS = {"frame", "analysis", "plots", "report", "history", "sandbox"}
INTERNAL_WINGS = {"fetch", "endpoints", "cli"}
#: Which wings (or root modules) each wing may import. The ground floor imports only
#: itself; ``cli`` sits on top and may import anything.
MAY_IMPORT: Mapping[str, set[str]] = {
    "ground": set(),
    "frame": set(),
    "analysis": {"frame"},
    "plots": {"frame", "analysis"},
    "report": {"frame", "analysis", "plots"},
    "history": {"frame", "analysis"},
    "fetch": {"frame"},
    "endpoints": {"frame", "fetch"},
    "client": {"frame", "fetch", "endpoints", "accessor"},
    "accessor": {"frame", "analysis", "plots"},
    "widgets": {"frame", "analysis", "plots", "accessor"},
    "sandbox": set(),
}
#: Edges allowed against the table above, each with its reason.
EXCEPTIONS: set[tuple[str, str]] = set()
#: What ``fetch`` may read of the frame wing: JSON bodies and a ``count`` as JSON sends
#: it, nothing that builds frames.
FETCH_READS_OF_FRAME = {"frame.bodies", "frame.payload"}


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


def wing_of(module: str) -> str:
    """The wing a module belongs to: its first name, "ground" for the ground floor."""
    first = module.split(".")[0]
    return "ground" if first in GROUND else first


def layering_violations(graph: Mapping[str, set[str]]) -> list[str]:
    """Each import in ``graph`` that goes up or sideways against ``MAY_IMPORT``."""
    found = []
    for module, deps in sorted(graph.items()):
        wing = wing_of(module)
        if wing in ("__init__", "cli"):
            continue
        allowed = MAY_IMPORT[wing] | {wing, "ground"}
        for dep in sorted(deps):
            target = wing_of(dep)
            if target == "__init__" and dep == "__init__":
                continue  # the package itself (``__version__``): loaded before any module
            bad = target not in allowed or (
                wing == "fetch" and target == "frame" and dep not in FETCH_READS_OF_FRAME
            )
            if bad and (module, dep) not in EXCEPTIONS:
                found.append(f"{module} ({wing}) imports {dep} ({target})")
    return found


def test_no_wing_imports_a_higher_one():
    assert layering_violations(internal_graph()) == []


@pytest.mark.parametrize(
    ("module", "dep"),
    [
        ("frame.build", "fetch.request"),  # frame knows no fetch
        ("frame.arrow", "endpoints.inventory"),  # nor an endpoint
        ("analysis.tables", "plots.charts"),  # analysis knows no charts
        ("analysis.drift", "fetch.session"),  # nor the wire
        ("plots.charts", "report.document"),  # plots know no report
        ("fetch.reader", "endpoints.inventory"),  # fetch knows no endpoint
        ("fetch.request", "frame.arrow"),  # fetch reads bodies, builds no frame
        ("errors", "fetch.request"),  # the ground floor stands on nothing
        ("sandbox.app", "client"),  # the server knows no client
    ],
)
def test_a_bad_import_is_caught(module, dep):
    graph = internal_graph()
    graph[module] = graph[module] | {dep}
    assert layering_violations(graph) == [
        f"{module} ({wing_of(module)}) imports {dep} ({wing_of(dep)})"
    ]


def test_the_root_holds_the_ground_floor_and_the_facades_only():
    root = {m for m in MODULES if "." not in m and MODULES[m].name != "__init__.py"}
    assert root == ROOT_MODULES - {"__init__"}
    packages = {m for m in MODULES if "." not in m and MODULES[m].name == "__init__.py"}
    assert packages == WINGS | {"__init__", "sandbox"}


@pytest.mark.parametrize("wing", sorted(WINGS))
def test_modules_inside_a_wing_have_plain_names(wing):
    names = [p.stem for p in (PACKAGE / wing).glob("*.py")]
    assert [n for n in names if n.startswith("_") and n not in ("__init__", "__main__")] == []


@pytest.mark.parametrize("wing", sorted(WINGS | {"sandbox"}))
def test_a_wing_init_names_every_module_and_what_it_may_import(wing):
    doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text()))
    assert doc, wing
    for path in (PACKAGE / wing).glob("*.py"):
        if path.stem not in ("__init__", "__main__"):
            assert f"``{path.stem}``" in doc, f"{wing}/__init__ does not say what {path.stem} is"
    if wing != "sandbox":
        assert "import" in doc, f"{wing}/__init__ does not say what the wing may import"
    if wing in INTERNAL_WINGS:
        assert "internal" in doc.lower(), f"{wing}/__init__ does not say it is internal"


@pytest.mark.parametrize("wing", sorted(PUBLIC_WINGS | {"cli"}))
def test_a_wing_init_declares_what_is_public(wing):
    tree = ast.parse((PACKAGE / wing / "__init__.py").read_text())
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    assert "__all__" in names, f"{wing}/__init__ has no __all__"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size_and_docstring(module):
    source = MODULES[module].read_text(encoding="utf-8")
    lines = source.count("\n")
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines (smell ceiling {MAX_MODULE_LINES})"
    assert ast.get_docstring(ast.parse(source)), f"{module} opens without a docstring"


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
    # submodule up to its own package (``__init__``, ``sandbox``, ``frame``) are not
    # circles.
    graph = {
        m: {d for d in deps if d != "__init__" and not m.startswith(f"{d}.")}
        for m, deps in internal_graph().items()
        if m != "__init__"
    }
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_frame_never_imports_analysis_at_import_time():
    # nothing the frame wing imports when it loads reaches the analysis side (the
    # accessor is loaded by ``frame.accessor_hook`` on the first ``df.assetpay``)
    graph = internal_graph(top_level_only=True)
    seen, todo = set(), [m for m in MODULES if wing_of(m) == "frame"]
    while todo:
        for dep in graph[todo.pop()] - seen:
            seen.add(dep)
            todo.append(dep)
    reached = {wing_of(m) for m in seen} & {"analysis", "accessor", "plots", "widgets"}
    assert not reached, sorted(seen)


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


HEAVY = {"pandas", "requests", "matplotlib", "ipywidgets", "pyarrow"}


def test_importing_the_package_stays_light():
    assert not _loaded_after("import assetpay_analytics") & HEAVY


def test_help_stays_light():
    statement = (
        "import contextlib, io\n"
        "from assetpay_analytics.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])"
    )
    loaded = _loaded_after(statement)
    assert "assetpay_analytics.cli.main" in loaded  # the statement ran
    assert not loaded & HEAVY


def test_tests_mirror_the_wings():
    tests = Path(__file__).resolve().parent
    for wing in sorted(WINGS | {"sandbox"}):
        folder = tests / wing
        assert (folder / "__init__.py").is_file(), f"tests/{wing}/ is missing"
        assert list(folder.glob("test_*.py")), f"tests/{wing}/ holds no test"


def test_py_typed_marker_ships():
    assert (PACKAGE / "py.typed").is_file()
