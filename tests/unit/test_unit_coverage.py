"""Every source module has its unit test file, at the place that mirrors the package.

The rule, computed from the tree rather than listed by hand:

* ``bootguard/a/b/name.py`` is tested by ``tests/unit/a/b/test_name.py``; a private module
  keeps its name without the leading underscore (``_req_lines.py`` -> ``test_req_lines.py``);
* a package's ``__init__.py`` that holds logic is tested by ``tests/unit/<package>/test_init.py``;
* ``__main__.py`` and *facades* have no unit test file of their own.  A facade is an
  ``__init__.py`` whose top level is only a docstring, imports, ``__all__``/``_LAZY``/
  ``__version__``/``TYPE_CHECKING`` assignments, ``if TYPE_CHECKING:`` blocks, and the lazy
  ``__getattr__``/``__dir__`` pair (written out or from ``lazy_exports``): it re-exports
  names and decides nothing, so its names are tested where they are defined.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bootguard"
UNIT = ROOT / "tests" / "unit"

_FACADE_NAMES = frozenset({"__all__", "_LAZY", "__version__", "TYPE_CHECKING"})
_FACADE_FUNCTIONS = frozenset({"__getattr__", "__dir__"})


def _is_facade_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # the docstring
    if isinstance(node, ast.Import | ast.ImportFrom):
        return True
    if isinstance(node, ast.If) and isinstance(node.test, ast.Name):
        return node.test.id == "TYPE_CHECKING"
    if isinstance(node, ast.FunctionDef):
        return node.name in _FACADE_FUNCTIONS
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [
            element
            for target in targets
            for element in (target.elts if isinstance(target, ast.Tuple) else [target])
        ]
        return all(
            isinstance(name, ast.Name) and name.id in _FACADE_NAMES | _FACADE_FUNCTIONS
            for name in names
        )
    return False


def is_facade(path: Path) -> bool:
    """Whether ``path`` is an ``__init__.py`` that only re-exports (see the module docstring)."""
    if path.name != "__init__.py":
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return all(_is_facade_statement(node) for node in tree.body)


def unit_test_file(module: Path) -> Path:
    """Where the unit tests of the source file ``module`` live."""
    relative = module.relative_to(PACKAGE)
    if module.name == "__init__.py":
        return UNIT.joinpath(*relative.parent.parts, "test_init.py")
    return UNIT.joinpath(*relative.parent.parts, f"test_{module.stem.lstrip('_')}.py")


def modules_needing_tests() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if path.name != "__main__.py" and not is_facade(path)
    )


def test_every_module_that_is_not_a_facade_has_its_unit_test_file() -> None:
    missing = [
        f"{module.relative_to(ROOT)} -> {unit_test_file(module).relative_to(ROOT)}"
        for module in modules_needing_tests()
        if not unit_test_file(module).is_file()
    ]
    assert not missing, "modules without a unit test file:\n" + "\n".join(missing)


def test_every_unit_test_directory_is_a_package_like_tests() -> None:
    missing = [
        str(directory.relative_to(ROOT))
        for directory in [UNIT, *(p for p in UNIT.rglob("*") if p.is_dir())]
        if directory.name != "__pycache__" and not (directory / "__init__.py").is_file()
    ]
    assert not missing


def test_no_two_modules_map_to_one_test_file() -> None:
    targets = [unit_test_file(module) for module in modules_needing_tests()]
    assert len(targets) == len(set(targets))


@pytest.mark.parametrize(
    ("source", "facade"),
    [
        ('"""Doc."""\nfrom x import y\n__all__ = ["y"]\n', True),
        ("_LAZY = {}\n__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())\n", True),
        ("if TYPE_CHECKING:\n    from x import y\ndef __getattr__(n):\n    return n\n", True),
        ("def main():\n    return 0\n", False),
        ("LIMIT = 3\n", False),
        ("if os.name == 'nt':\n    pass\n", False),
    ],
)
def test_the_facade_rule(tmp_path: Path, source: str, facade: bool) -> None:
    path = tmp_path / "__init__.py"
    path.write_text(source)
    assert is_facade(path) is facade
    module = tmp_path / "module.py"
    module.write_text(source)
    assert not is_facade(module)


def test_the_package_has_both_facades_and_modules_with_logic() -> None:
    inits = sorted(PACKAGE.rglob("__init__.py"))
    assert is_facade(PACKAGE / "__init__.py")
    assert any(not is_facade(path) for path in inits)  # e.g. the manifest readers' entry
