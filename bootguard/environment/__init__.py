"""The installed environment: what one interpreter's ``import`` will find, and its digests.

* :mod:`~bootguard.environment.model` - Distribution, Duplicate, Environment, DirectUrl;
* :mod:`~bootguard.environment.inventory` - the inventory build (dist-info, egg-info, eggs);
* :mod:`~bootguard.environment.metadata` - METADATA / PKG-INFO header parsing;
* :mod:`~bootguard.environment.direct_url` - PEP 610 ``direct_url.json``;
* :mod:`~bootguard.environment.interpreter` - the ``--python`` probe;
* :mod:`~bootguard.environment._scan` - the ``os.scandir`` layer the boot fast path uses;
* :mod:`~bootguard.environment.fingerprint`, :mod:`~bootguard.environment.seal` - digests of
  an installed set.

The names below are loaded lazily (PEP 562): the sealed boot fast path imports
``bootguard.environment.seal``, which runs this file first, and must not pay for the model
(docs/design.md).
"""

from __future__ import annotations

from bootguard._lazy import lazy_exports

__all__ = [
    "DirectUrl",
    "Distribution",
    "Duplicate",
    "Environment",
    "EnvironmentError_",
    "InterpreterProbe",
    "current_environment",
    "inspect_interpreter",
    "probe_interpreter",
]


_LAZY = {
    "DirectUrl": "bootguard.environment.model",
    "Distribution": "bootguard.environment.model",
    "Duplicate": "bootguard.environment.model",
    "Environment": "bootguard.environment.model",
    "EnvironmentError_": "bootguard.errors",
    "InterpreterProbe": "bootguard.environment.interpreter",
    "current_environment": "bootguard.environment.inventory",
    "inspect_interpreter": "bootguard.environment.inventory",
    "probe_interpreter": "bootguard.environment.interpreter",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.environment.interpreter import InterpreterProbe, probe_interpreter
    from bootguard.environment.inventory import current_environment, inspect_interpreter
    from bootguard.environment.model import DirectUrl, Distribution, Duplicate, Environment
    from bootguard.errors import EnvironmentError_


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
