"""The standard set of wheels every test can install by name.

Why a fixed catalogue: the user stories bootguard guards against (a worker library
upgraded past what its sibling allows, an optional extra missing, a platform-only
requirement, a module that no longer imports) recur across the test suite.  Naming them
once, here, keeps tests short (``venv.install("taskq==5.0.0", "msgbus==4.1.0")``) and
consistent.  The conftest builds this set once per session into a temporary directory,
which every venv uses as its only ``--find-links``.

The names are invented so they can never be confused with, or fetched from, real
projects; the shapes mirror real ones (``taskq``/``msgbus`` play celery/kombu).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.wheels import build_wheel

__all__ = ["STANDARD_WHEELS", "WheelSpec", "build_standard_wheelhouse"]


@dataclass(frozen=True)
class WheelSpec:
    """The arguments of one :func:`tests.support.wheels.build_wheel` call."""

    name: str
    version: str
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    extras: Mapping[str, Sequence[str]] = field(default_factory=dict)
    modules: Mapping[str, str] | None = None

    def build(self, out_dir: Path) -> Path:
        """Build this wheel into ``out_dir`` and return its path."""
        return build_wheel(
            out_dir,
            self.name,
            self.version,
            requires=self.requires,
            requires_python=self.requires_python,
            extras=self.extras,
            modules=self.modules,
        )


STANDARD_WHEELS: tuple[WheelSpec, ...] = (
    # The drift story: taskq 5 needs msgbus 4.x (>= 4.0.2); msgbus 3.6 breaks it.
    WheelSpec("taskq", "5.0.0", requires=("msgbus>=4.0.2,<5.0",)),
    WheelSpec("taskq", "4.0.0", requires=("msgbus>=3.0,<4.0",)),
    WheelSpec("msgbus", "3.6.0"),
    WheelSpec("msgbus", "4.1.0"),
    WheelSpec("msgbus", "4.2.0"),
    # Names whose normalized, escaped and import forms all differ.
    WheelSpec(
        "zope.interface",
        "6.0",
        modules={
            "zope/interface/__init__.py": '__version__ = "6.0"\n',
        },
    ),
    WheelSpec(
        "typing_extensions",
        "4.12.2",
        modules={"typing_extensions.py": '"""Stand-in."""\n__version__ = "4.12.2"\n'},
    ),
    WheelSpec("PyGreet", "2.0.1", modules={"greet/__init__.py": '__version__ = "2.0.1"\n'}),
    # Extras: webkit[speedups] needs fastjson>=2; fastjson 1.9 leaves the extra unmet.
    WheelSpec("webkit", "1.0", extras={"speedups": ("fastjson>=2",)}),
    WheelSpec("fastjson", "2.1"),
    WheelSpec("fastjson", "1.9"),
    # An application pulling in the above, including an extra.
    WheelSpec("webapp", "1.0", requires=("taskq>=5", "webkit[speedups]>=1.0")),
    # A requirement whose marker is false on Linux: winonly is not in the wheelhouse.
    WheelSpec("platdep", "1.0", requires=('winonly; sys_platform == "win32"', "msgbus>=4")),
    # Requires-Python no interpreter satisfies (install with --ignore-requires-python).
    WheelSpec("py4only", "1.0", requires_python=">=4"),
    # Installs fine, fails at import: the broken-import story.
    WheelSpec(
        "brokenimport",
        "1.0",
        modules={
            "brokenimport/__init__.py": (
                'raise ImportError("brokenimport: simulated missing shared library")\n'
            ),
        },
    ),
)


def build_standard_wheelhouse(out_dir: Path) -> Path:
    """Build every wheel of :data:`STANDARD_WHEELS` into ``out_dir``; return ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for spec in STANDARD_WHEELS:
        spec.build(out_dir)
    return out_dir
