"""bootguard: verify at boot that a Python environment matches its lock.

The public API is loaded lazily (PEP 562 ``__getattr__``): ``import bootguard`` costs next to
nothing, because it runs on every boot of every worker; each name imports its module on
first use.
"""

from __future__ import annotations

__version__ = "0.1.0"  # the one version source: pyproject.toml reads this literal, unimported

__all__ = [
    "BootFailed",
    "BootguardError",
    "ConfigError",
    "Finding",
    "Manifest",
    "ManifestError",
    "Report",
    "__version__",
    "check",
    "drain",
    "guard",
    "install_sigterm_drain",
    "serve_health",
    "start_recheck",
]

_LAZY = {
    "check": "bootguard.api",
    "Report": "bootguard.report",
    "Finding": "bootguard.report",
    "Manifest": "bootguard.manifest.model",
    "BootguardError": "bootguard.errors",
    "ManifestError": "bootguard.errors",
    "BootFailed": "bootguard.errors",
    "ConfigError": "bootguard.errors",
    "guard": "bootguard.gate",
    "drain": "bootguard.state",
    "install_sigterm_drain": "bootguard.health.shutdown",
    "serve_health": "bootguard.health.server",
    "start_recheck": "bootguard.health.recheck",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.api import check
    from bootguard.errors import BootFailed, BootguardError, ConfigError, ManifestError
    from bootguard.gate import guard
    from bootguard.health.recheck import start_recheck
    from bootguard.health.server import serve_health
    from bootguard.health.shutdown import install_sigterm_drain
    from bootguard.manifest.model import Manifest
    from bootguard.report import Finding, Report
    from bootguard.state import drain


# Written out here rather than taken from bootguard._lazy (which the subpackages use):
# ``import bootguard`` must load no module but this one.
def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'bootguard' has no attribute {name!r}")
    import sys

    __import__(module_name)  # importlib.import_module would import importlib and warnings
    value = getattr(sys.modules[module_name], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
