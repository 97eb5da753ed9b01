"""The architecture in docs/design.md, checked on the source: layers, no cycles, small modules.

Every module under ``bootguard/`` is read with :mod:`ast`; every ``import`` counts, at the
top of the module or deferred inside a function (a deferred import is still a dependency;
it only runs later).  Imports under ``if TYPE_CHECKING:`` do not count: they never run.
The facade ``bootguard/__init__.py`` is not a target: it imports nothing but its version,
and it maps public names to modules lazily.

Layers go from the inputs to the sinks (docs/design.md, "Data flow"); a module may import
its own layer and the layers below it, never a layer above.  A module is placed by the
longest declared prefix of its dotted name, so a package declared once covers its modules,
wherever the restructuring moves them inside it.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "bootguard"

#: Low to high.  A prefix names a module or a package (and everything in it).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "bootguard._files",
            "bootguard._paths",
            "bootguard._record",
            "bootguard._text",
            "bootguard._lazy",
            "bootguard.names",
            "bootguard._pep440",
            "bootguard._pep508",
            "bootguard.errors",
            "bootguard.integrations._require",
            "bootguard._setting_values",
        ),
    ),
    ("vocabulary", ("bootguard.report", "bootguard.state")),
    (
        "inputs",
        (
            "bootguard.manifest",
            "bootguard.environment",
            "bootguard.options",
        ),
    ),
    ("settings", ("bootguard.config",)),
    (
        "checks",
        ("bootguard.checks",),
    ),
    ("api", ("bootguard.api", "bootguard.diff", "bootguard.snapshot", "bootguard.sealing")),
    (
        "sinks",
        (
            "bootguard.health",
            "bootguard._progress",
            "bootguard.boot",
            "bootguard.announce",
            "bootguard.integrations.sentry",
            "bootguard.integrations.sentry_relay",
            "bootguard.integrations._sentry_hook",
        ),
    ),
    ("gate", ("bootguard.gate",)),
    (
        "entry points",
        (
            "bootguard.integrations",
            "bootguard.auto",
            "bootguard.cli",
            "bootguard.__main__",
            "bootguard",
        ),
    ),
]

MAX_LINES = 400
#: Modules allowed over :data:`MAX_LINES`, each with the reason.  Empty is the goal.
LONG_MODULES: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The bootguard modules ``module`` imports (any depth, TYPE_CHECKING blocks skipped)."""
    targets: set[str] = set()

    def resolve(name: str) -> None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != "bootguard":
            targets.add(name)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                resolve(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                resolve(candidate if candidate in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    targets.discard(module)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {
        name: _imported(ast.parse(path.read_text("utf-8")), name, path.name == "__init__.py", known)
        for name, path in modules.items()
    }


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def test_the_graph_is_read() -> None:
    """The reader sees real edges, deferred ones included (else the checks below prove nothing)."""
    graph = _graph()
    assert "bootguard.health.wsgi" in graph
    assert "bootguard.health._responses" in graph["bootguard.health.wsgi"]  # top level
    assert "bootguard.health.wrap" in graph["bootguard.gate"]  # deferred, in guard()
    assert "bootguard.integrations.sentry" not in graph["bootguard.gate"]


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(name for name in _graph() if _layer(name) is None)
    assert not unplaced, f"declare a layer in tests/unit/test_architecture.py for {unplaced}"


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_upward_import() -> None:
    upward = []
    for module, targets in sorted(_graph().items()):
        layer = _layer(module)
        for target in sorted(targets):
            target_layer = _layer(target)
            if layer is not None and target_layer is not None and target_layer > layer:
                upward.append(
                    f"{module} ({LAYERS[layer][0]}) imports {target} ({LAYERS[target_layer][0]})"
                )
    assert upward == []


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_stay_small(module: str) -> None:
    path = _modules()[module]
    lines = len(path.read_text("utf-8").splitlines())
    if module in LONG_MODULES:  # a listed exception must still be one, with a reason
        assert lines > MAX_LINES and LONG_MODULES[module], f"{module}: remove from LONG_MODULES"
        return
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)}: {lines} lines"


def test_vocabulary_types_name_exactly_the_runtime_values() -> None:
    """``Status``/``Aspect`` exist only for the type checker (so the boot path loads no
    ``typing``); the tuples code iterates must list the same values, in the same order."""
    from typing import get_args

    from bootguard import report

    namespace: dict[str, object] = {}
    source = Path(report.__file__).read_text("utf-8")
    start = source.index("    from typing import Literal, TypeAlias")
    block = source[start : source.index("\nSTATUSES")]
    exec(textwrap.dedent(block), namespace)  # the typing-only definitions, run for real
    assert get_args(namespace["Status"]) == report.STATUSES
    assert get_args(namespace["Aspect"]) == report.ASPECTS
