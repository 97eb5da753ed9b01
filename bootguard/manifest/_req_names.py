"""The distribution name of a direct reference on a requirements line.

A URL or path line does not always say which distribution it installs: the name comes from
a wheel's file name, ``#egg=``, a ``pip freeze`` editable comment, an archive's file name,
or the project a local directory declares.  When none of them answers, the line is kept
unnamed and matched later by the source ``direct_url.json`` records.
"""

from __future__ import annotations

import os

from bootguard.errors import ManifestError
from bootguard.manifest._req_lines import _Line
from bootguard.manifest.model import Source

_FREEZE_EDITABLE_COMMENT = "# Editable install with no version control ("


def _base(where: _Line) -> str:
    """The directory a relative path on this line is resolved against besides the cwd."""
    return os.path.dirname(os.path.abspath(where.path))


def _name_of(
    where: _Line, location: str, source: Source, last_comment: str
) -> tuple[str | None, str | None]:
    """(name, version) of a direct reference: ``#egg=``, freeze comment, file or project."""
    from bootguard.manifest import _urls

    if source.kind == "archive" and source.url.lower().endswith(".whl"):
        wheel = _urls.name_from_filename(source.url)  # a wheel's file name wins, as in pip
        if wheel[0]:
            return wheel
    egg = _egg(location)
    if egg:
        return egg, None
    if last_comment.startswith(_FREEZE_EDITABLE_COMMENT) and last_comment.endswith(")"):
        pinned = last_comment[len(_FREEZE_EDITABLE_COMMENT) : -1]
        name, sep, version = pinned.partition("==")
        if sep and name.strip():
            return name.strip(), version.strip()
    if source.kind == "archive":
        return _urls.name_from_filename(source.url)
    if source.kind == "directory":
        directory = _locate(source.url, _base(where))
        if directory is not None:
            return _project_name(os.path.join(directory, source.subdirectory or "")), None
    return None, None


def _egg(location: str) -> str:
    from bootguard.manifest._urls import fragment

    value = fragment(location)[1].get("egg", "").strip()
    end = 0  # pip parses the value as a requirement: its name is the leading name part
    while end < len(value) and (value[end].isalnum() or value[end] in "._-"):
        end += 1
    return value[:end]


def _locate(path: str, base: str) -> str | None:
    """The local directory a path or ``file:`` URL names: from the cwd (pip), else ``base``."""
    if path.lower().startswith("file:"):
        path = _file_url_path(path)
    candidates = (
        [path] if os.path.isabs(path) else [os.path.abspath(path), os.path.join(base, path)]
    )
    for candidate in candidates:
        try:
            if os.path.isdir(candidate):
                return candidate
        except ValueError:  # an embedded NUL byte
            return None
    return None


def _file_url_path(url: str) -> str:
    """The local path of a ``file:`` URL (``file:///abs``, ``file://localhost/abs``, ``file:rel``)."""
    from urllib.parse import unquote

    rest = url[5:]
    if rest.startswith("//"):
        rest = rest[2:]
        host, slash, tail = rest.partition("/")
        rest = slash + tail if host in ("", "localhost") else "//" + rest
    return unquote(rest)


def _project_name(directory: str) -> str | None:
    """The name a project directory declares: pyproject ``[project].name``, setup.cfg."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        data = read_regular(os.path.join(directory, "pyproject.toml"), MANIFEST_MAX_BYTES)
    except (OSError, ValueError):  # ValueError: an embedded NUL byte in the path
        data = None
    if data is not None:
        from bootguard.manifest._toml import load_toml

        try:
            project = load_toml(data, directory).get("project", {})
        except ManifestError:
            project = {}
        name = project.get("name") if isinstance(project, dict) else None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return _setup_cfg_name(directory)


def _setup_cfg_name(directory: str) -> str | None:
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        data = read_regular(os.path.join(directory, "setup.cfg"), MANIFEST_MAX_BYTES)
    except (OSError, ValueError):
        return None
    import configparser  # deferred: only local projects without [project].name need it

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8"))
        name = parser.get("metadata", "name", fallback=None)
    except (configparser.Error, UnicodeDecodeError):
        return None
    return name.strip() if name and name.strip() else None
