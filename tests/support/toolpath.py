"""Make real servers and SDKs importable in a test venv without adding them to its inventory.

Why: the gate's tests boot real gunicorn, uvicorn, Django, Celery and sentry-sdk inside a
venv whose *installed distributions* are the subject of the test (``msgbus 4.2.0`` where
the lock says ``4.1.0``).  Installing the servers into that venv would put them in the
inventory and in the lock; instead :func:`tool_path` builds a directory of symlinks to the
test runner's own copies of their import packages (found through their ``RECORD``), with
no ``.dist-info`` at all, exactly like the ``bootguard_pythonpath`` fixture does for
bootguard.  Dependencies are followed through ``Requires-Dist`` (markers evaluated, extras
not followed).
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = ["tool_path"]


def tool_path(directory: Path, distributions: Iterable[str]) -> Path:
    """Fill ``directory`` with symlinks to the import packages of ``distributions`` and
    their dependencies; return ``directory``.  Fails if a distribution is not installed."""
    directory.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    todo = [canonicalize_name(name) for name in distributions]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            msg = f"{name} is not installed in {sys.executable} (pip install -e '.[test]')"
            raise RuntimeError(msg) from None
        for top in _top_level(dist):
            link = directory / top.name
            if not link.exists():
                link.symlink_to(top, target_is_directory=top.is_dir())
        for line in dist.requires or ():
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return directory


def _top_level(dist: importlib.metadata.Distribution) -> set[Path]:
    """The top-level modules and packages a distribution installed into site-packages."""
    tops: set[Path] = set()
    for file in dist.files or ():
        parts = file.parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(".dist-info"):
            continue
        if parts[0].endswith((".pth", ".data")) or parts[0].startswith("__editable__"):
            continue
        if len(parts) == 1 and not parts[0].endswith((".py", ".so", ".pyd")):
            continue
        located = Path(str(dist.locate_file(parts[0])))
        if located.exists():
            tops.add(located)
    return tops
