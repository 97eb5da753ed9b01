"""From the command line to one check: the gate's settings path, with the flags on top.

``bootguard check`` and ``bootguard serve`` read the same settings as the boot gate
(:func:`bootguard.config.load_settings`: ``BOOTGUARD_*`` variables, then
``[tool.bootguard]`` in the nearest ``pyproject.toml``), with the flags as the highest
layer, and turn them into the same :class:`~bootguard.options.CheckOptions` the gate builds
(:func:`bootguard.boot.check_options`): one path, so the command and the gate cannot
disagree on what a setting means.  Each flag's ``dest`` is its setting's name.

Two things stay the command line's own: manifests given as flags are kept as typed (the
report shows them so), and with no manifest set anywhere discovery looks in the current
directory, as a command run there is expected to.
"""

from __future__ import annotations

import os

from bootguard._record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from bootguard.config import Settings
    from bootguard.options import CheckOptions

__all__ = ["flag_settings", "load"]


def flag_settings(options: argparse.Namespace) -> dict[str, object]:
    """The settings the flags set (a flag not given sets nothing), by setting name."""
    from bootguard.config import SETTINGS

    given = {
        name: value
        for name, value in vars(options).items()
        if name in SETTINGS and name != "manifest" and value is not None
    }
    if getattr(options, "no_default_groups", False) and given.get("groups") is None:
        given["groups"] = []
    if getattr(options, "integrity_only", None):
        given["integrity"] = options.integrity_only
    return given


def load(options: argparse.Namespace) -> tuple[Settings, CheckOptions]:
    """The settings and the check they ask for; ``ConfigError`` lists every problem."""
    from bootguard.boot import check_options
    from bootguard.config import settings as strict_settings

    settings = strict_settings(flag_settings(options), start=os.getcwd())
    manifests: Sequence[str] | None
    if options.no_manifest:
        manifests = ()
    elif options.manifest is not None:
        manifests = options.manifest
    else:
        manifests = settings.manifest_paths()  # None: discover in the current directory
    check = check_options(settings, manifests if manifests is not None else ())
    return settings, replace(check, manifests=manifests, python=options.python)
