"""Lazy public names for a package facade (PEP 562), written once for every facade.

``bootguard.checks`` and ``bootguard.environment`` map their public names to the modules
that define them and import a module only when one of its names is first used (import
cost at boot: docs/design.md).  Imports nothing itself.  The top-level ``bootguard`` facade
keeps its own copy: ``import bootguard`` must load no other module.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, lazy: Mapping[str, str], namespace: dict[str, object]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose globals are ``namespace``.

    ``lazy`` maps a public name to the module defining it; the first lookup imports that
    module and caches the value in ``namespace``, so later lookups never come here.
    """

    def __getattr__(name: str) -> object:
        module_name = lazy.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        import sys

        __import__(module_name)  # importlib.import_module would import importlib and warnings
        value = getattr(sys.modules[module_name], name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        exported = namespace.get("__all__", ())
        assert isinstance(exported, (list, tuple))
        return sorted(exported)

    return __getattr__, __dir__
