"""The project being deployed: the distribution a manifest belongs to, not one it lists.

A lock or requirements file describes what a project *needs*; the project itself is usually
installed beside it (``pip install -e .``, ``pip install .``, ``uv sync``, ``poetry install``)
and usually not listed (pip-compile and pipenv leave it out).  Reporting it as extraneous, or
its own requirements as extraneous, would be a false alarm on every correct deployment, so
every check treats it the same way whatever the manifest format:

* it is **accounted for** when installed, together with everything it requires,
  transitively (never ``extraneous``);
* it is **not required**: a manifest that does not name it does not expect it installed
  (``uv sync --no-install-project``, ``poetry install --no-root``).

The project is found in two independent ways, so that either is enough:

* the ``pyproject.toml`` beside each manifest, or the one the gate's configuration came
  from: ``[project].name``, else Poetry's ``[tool.poetry].name`` (unless Poetry's
  ``package-mode = false`` says there is no package);
* an installed distribution whose PEP 610 ``direct_url.json`` points (``file://DIR``, a
  local directory install or an editable one) at the directory holding the manifest, or at
  one above it (``requirements/prod.txt`` in the project's checkout).

Nothing here raises: a ``pyproject.toml`` that cannot be read only means the project is not
recognised from it (the second way may still find it), and the report says so in a note.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from bootguard._paths import ancestors, is_file, parent, spelled
from bootguard._record import Record
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: the uv.lock reader imports this module

    from bootguard.environment.model import Distribution

__all__ = [
    "DeclaredProject",
    "Project",
    "declared_project",
    "find_projects",
    "load_pyproject",
    "parse_pyproject",
    "read_pyproject",
]


class DeclaredProject(Record):
    """What a ``pyproject.toml`` says about the project it builds.

    ``version`` is None when it is dynamic or not written down.
    """

    name: str
    display_name: str
    version: str | None
    path: str


class Project(Record):
    """The installed distribution that is the project being deployed, and why we think so."""

    name: str
    distribution: Distribution
    reason: str

    @property
    def note(self) -> str:
        """The line the report carries: ``myapp 1.0 is the project itself (pyproject.toml)``."""
        return f"{self.distribution} is the project itself ({self.reason})"


def load_pyproject(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The parsed ``pyproject.toml`` at ``path``; None if absent, unreadable or invalid."""
    data = read_pyproject(path)
    return None if data is None else parse_pyproject(data, path)


def read_pyproject(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of the ``pyproject.toml`` at ``path``; None if absent or unreadable (a
    FIFO, a device or an oversized file is refused unread)."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        return read_regular(path, MANIFEST_MAX_BYTES)
    except OSError:
        return None


def parse_pyproject(data: bytes, path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The document of a ``pyproject.toml`` read from ``path``; None if it is invalid."""
    from bootguard.errors import ManifestError
    from bootguard.manifest._toml import load_toml

    try:
        return load_toml(data, spelled(path))
    except ManifestError:
        return None


def declared_project(document: Mapping[str, Any], path: str) -> DeclaredProject | None:
    """The project a parsed ``pyproject.toml`` declares, or None (none, or not a package).

    ``[project]`` wins over ``[tool.poetry]`` (Poetry 2 reads it first too); Poetry's
    ``package-mode = false`` means the project is never installed, so it declares none.
    """
    project = document.get("project")
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    poetry = poetry if isinstance(poetry, dict) else {}
    if poetry.get("package-mode") is False:
        return None
    source = project if isinstance(project, dict) and "name" in project else poetry
    name = source.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    version = source.get("version")
    dynamic = isinstance(project, dict) and "version" in (project.get("dynamic") or ())
    return DeclaredProject(
        name=canonical_name(name),
        display_name=name,
        version=version if isinstance(version, str) and not dynamic else None,
        path=path,
    )


def find_projects(
    manifest_paths: Sequence[str | os.PathLike[str]],
    distributions: Mapping[str, Distribution],
    *,
    pyprojects: Iterable[str | os.PathLike[str]] = (),
) -> tuple[Project, ...]:
    """The installed distributions that are the project of these manifests.

    ``pyprojects`` are more ``pyproject.toml`` files to read (the gate's configuration);
    each manifest's own directory is searched for one too.  Only installed distributions are
    returned: a project that is not installed is simply not required.
    """
    directories: list[str] = []
    for manifest in manifest_paths:
        directory = parent(spelled(os.path.abspath(manifest)))
        if directory not in directories:
            directories.append(directory)
    candidates = [spelled(os.path.join(d, "pyproject.toml")) for d in directories]
    for extra in pyprojects:
        candidate = spelled(os.path.abspath(extra))
        if candidate not in candidates:
            candidates.append(candidate)

    found: dict[str, Project] = {}
    for candidate in candidates:
        if not is_file(candidate):
            continue
        document = load_pyproject(candidate)
        declared = declared_project(document, candidate) if document is not None else None
        dist = distributions.get(declared.name) if declared is not None else None
        if dist is not None and dist.name not in found:
            found[dist.name] = Project(dist.name, dist, _shown(candidate))
    if directories:
        for dist in distributions.values():
            if dist.name in found:
                continue
            where = _local_directory(dist.direct_url)
            if where is not None and any(_holds(where, d) for d in directories):
                found[dist.name] = Project(dist.name, dist, f"installed from {where}")
    return tuple(found[name] for name in sorted(found))


def _shown(path: str) -> str:
    """The pyproject.toml as the note names it: relative to here when it is below here."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative


def _local_directory(url: str | None) -> str | None:
    """The local path of a ``file://`` direct URL (PEP 610), else None."""
    if not url or not url.startswith("file://"):
        return None
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    if os.name == "nt" and path[:1] == "/" and path[2:3] == ":":  # pragma: no cover
        path = path[1:]
    return path or None


def _holds(path: str, directory: str) -> bool:
    """Whether the installed-from directory ``path`` is ``directory`` or one of its parents
    (``requirements/prod.txt`` in the project's checkout)."""
    for candidate in ancestors(directory):
        try:
            if os.path.samefile(path, candidate):
                return True
        except OSError:
            return False
    return False
