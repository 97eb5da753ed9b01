"""The installed distributions of one interpreter, as its ``import`` sees them.

Distributions are found on ``sys.path`` in order; the first one of a name wins, as it does
for import.  A later copy of the same name is a *duplicate* (shadowed).  A distribution
whose metadata cannot be read is listed with a ``problem`` instead of stopping the
inventory.  Header parsing is :mod:`bootguard.environment.metadata`; another interpreter's
path comes from :mod:`bootguard.environment.interpreter`.
"""

from __future__ import annotations

import os
import sys

from bootguard._files import METADATA_MAX_BYTES, NotRegularFile, TooLarge, read_regular
from bootguard._text import one_line
from bootguard.environment._scan import dir_identity, metadata_dirs, split_dir_name
from bootguard.environment.direct_url import read_direct_url
from bootguard.environment.metadata import egg_requires, header_block, headers_of, read_headers
from bootguard.environment.model import Distribution, Duplicate, Environment
from bootguard.names import canonical_name

__all__ = ["build", "current_environment", "inspect_interpreter", "marker_environment"]


def marker_environment() -> dict[str, str]:
    """This interpreter's PEP 508 marker environment, computed as
    ``packaging.markers.default_environment`` does (a test holds the two equal), without
    importing ``packaging.markers``, whose import costs more than a whole inventory."""
    info = sys.implementation.version
    release_level = "" if info.releaselevel == "final" else info.releaselevel[0] + str(info.serial)
    env = _uname_values()
    if env is None:
        import platform  # deferred: Linux answers from os.uname without it

        env = {key: getattr(platform, call)() for key, call in _PLATFORM_CALLS}
        env["python_version"] = ".".join(platform.python_version_tuple()[:2])
    env["implementation_name"] = sys.implementation.name
    env["implementation_version"] = f"{info.major}.{info.minor}.{info.micro}{release_level}"
    env["os_name"] = os.name
    env["sys_platform"] = sys.platform
    return env


def _uname_values() -> dict[str, str] | None:
    """The ``platform`` values on Linux, where ``platform`` reads them from ``os.uname()``
    and ``sys.version``; None elsewhere, or for a version string ``platform`` parses its
    own way (then ``platform`` answers)."""
    implementation = _IMPLEMENTATIONS.get(sys.implementation.name)
    version = sys.version.split(None, 1)[0] if sys.version else ""
    if sys.platform != "linux" or implementation is None or version.strip(_VERSION_CHARS):
        return None
    parts = version.split(".")
    if len(parts) == 2:  # as platform.python_version pads "3.11" to "3.11.0"
        version += ".0"
    uname = os.uname()
    values = (uname.machine, uname.release, uname.sysname, uname.version, version, implementation)
    env = {
        key: "" if value == "unknown" else value
        for (key, _), value in zip(_PLATFORM_CALLS, values, strict=True)
    }
    env["python_version"] = ".".join(parts[:2])
    return env


#: Marker variables that are one ``platform`` call each.
_PLATFORM_CALLS = (
    ("platform_machine", "machine"),
    ("platform_release", "release"),
    ("platform_system", "system"),
    ("platform_version", "version"),
    ("python_full_version", "python_version"),
    ("platform_python_implementation", "python_implementation"),
)
#: ``platform.python_implementation()`` per ``sys.implementation.name`` it is sure of.
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}
#: The characters ``platform`` reads as the version at the start of ``sys.version``.
_VERSION_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+"


def current_environment(paths: list[str] | tuple[str, ...] | None = None) -> Environment:
    """The environment of this interpreter (``paths`` defaults to ``sys.path``)."""
    marker_env = marker_environment()
    search = tuple(sys.path if paths is None else paths)
    return build(sys.executable, marker_env["python_full_version"], marker_env, search)


def inspect_interpreter(python: str, *, timeout: float = 30.0) -> Environment:
    """The environment of another interpreter, without installing anything into it."""
    from bootguard.environment.interpreter import probe_interpreter

    probe = probe_interpreter(python, timeout=timeout)
    marker_env = dict(probe.marker_env)
    return build(probe.executable, marker_env["python_full_version"], marker_env, probe.paths)


def build(
    executable: str, python_version: str, marker_env: dict[str, str], paths: tuple[str, ...]
) -> Environment:
    """The inventory of ``paths``: the first distribution of a name wins, later ones are
    duplicates, exactly as ``importlib.metadata`` and import resolve them."""
    winners: dict[str, Distribution] = {}
    duplicates: list[Duplicate] = []
    for entry, dir_name in metadata_dirs(paths):
        if dir_name.lower() == "egg-info" or not os.path.isdir(entry or "."):
            dist = _read_packed(entry, dir_name)  # an .egg directory, or a zip on the path
        else:
            dist = _read_distribution(entry, dir_name)
        if dist is None:
            continue
        first = winners.get(dist.name)
        if first is None:
            winners[dist.name] = dist
        else:
            duplicates.append(Duplicate(winner=first, shadowed=dist))
    return Environment(
        executable=executable,
        python_version=python_version,
        marker_env=marker_env,
        paths=paths,
        distributions=winners,
        duplicates=tuple(duplicates),
    )


def _read_packed(entry: str, dir_name: str) -> Distribution | None:
    """A distribution whose metadata is inside an ``.egg`` (``EGG-INFO``) or a zip file.

    ``importlib.metadata`` finds both (setuptools' ``easy_install`` and ``zipapp`` leave
    them on ``sys.path``); reading them here keeps bootguard's inventory the same as its.
    A zipped egg's ``requires.txt`` is not read (eggs record requirements there only).
    """
    is_dist_info = dir_name.endswith(".dist-info")
    member = f"{dir_name}/{'METADATA' if is_dist_info else 'PKG-INFO'}"
    zipped = not os.path.isdir(entry or ".")
    try:
        if zipped:
            import zipfile

            with zipfile.ZipFile(entry) as archive:
                info = archive.getinfo(member)
                if info.file_size > METADATA_MAX_BYTES:
                    return None
                data = archive.read(info)
        else:
            data = read_regular(os.path.join(entry, member), METADATA_MAX_BYTES)
    except Exception:  # missing member, bad zip, unreadable: import sees no metadata either
        return None
    block = header_block(data, complete=True)
    assert block is not None  # a complete block always has an end
    headers = headers_of(block)
    fallback_name, fallback_version = dir_identity(entry, dir_name)
    raw_name = (headers.get("name") or [fallback_name])[0]
    requires = tuple(headers.get("requires-dist", ()))
    meta_dir = os.path.join(entry, dir_name)
    problem = None
    if not requires and not zipped and not is_dist_info:
        try:
            requires = egg_requires(os.path.join(meta_dir, "requires.txt"))
        except (OSError, UnicodeDecodeError) as err:
            problem = f"requires.txt cannot be read ({type(err).__name__}): its requirements are not checked"
    return Distribution(
        name=canonical_name(raw_name),
        display_name=raw_name,
        version=(headers.get("version") or [fallback_version])[0],
        location=entry,
        metadata_dir=meta_dir,
        requires=requires,
        requires_python=next(iter(headers.get("requires-python", ())), None),
        provides_extras=tuple(headers.get("provides-extra", ())),
        problem=problem,
    )


def _read_distribution(entry: str, dir_name: str) -> Distribution | None:
    """Read one metadata directory; None only if it vanished since the scan.

    Metadata that cannot be read does not stop the inventory: the distribution is still
    listed, named and versioned from its directory name where the file says nothing usable,
    and ``problem`` says what is wrong (``bootguard.checks.metadata.check_metadata`` reports it).
    Names and versions are made printable here (see :func:`bootguard._text.one_line`), so
    nothing downstream meets an undecodable byte or a terminal control character.
    """
    meta_dir = os.path.join(entry or ".", dir_name)
    is_egg = dir_name.endswith(".egg-info")
    is_dir = os.path.isdir(meta_dir)
    kind = "PKG-INFO" if is_egg else "METADATA"
    # an egg-info that is not a directory is a single-file PKG-INFO (old distutils installs)
    metadata_file = meta_dir if is_egg and not is_dir else os.path.join(meta_dir, kind)
    dir_name_name, dir_version = split_dir_name(dir_name)
    problems: list[str] = []
    headers: dict[str, list[str]] | None = None
    try:
        headers = read_headers(metadata_file)
    except FileNotFoundError:
        if not os.path.lexists(meta_dir):
            return None  # uninstalled while the path was being scanned
        problems.append(f"no {kind} file")
    except OSError as err:
        problems.append(f"{kind} {_unreadable(err)}")
    if headers is None:
        headers = {}
    else:  # read: what it says must be usable
        if not headers.get("name", [""])[0]:
            problems.append(f"{kind} has no Name")
        if not headers.get("version"):
            problems.append(f"{kind} has no Version")
        elif not headers["version"][0]:
            problems.append(f"{kind} has an empty Version")
    names = headers.get("name")
    versions = headers.get("version")
    raw_name = names[0] if names and names[0] else dir_name_name
    version = versions[0] if versions and versions[0] else dir_version
    raw_name, name_problem = _printable(raw_name, dir_name_name, "Name")
    version, version_problem = _printable(version, dir_version, "Version")
    problems.extend(p for p in (name_problem, version_problem) if p)
    requires = tuple(headers.get("requires-dist", ()))
    if is_egg and not requires and is_dir:
        try:
            requires = egg_requires(os.path.join(meta_dir, "requires.txt"))
        except OSError as err:
            problems.append(f"requires.txt {_unreadable(err)}: its requirements are not checked")
        except UnicodeDecodeError:
            problems.append("requires.txt is not UTF-8 text: its requirements are not checked")
    direct_url, editable, origin = read_direct_url(meta_dir) if not is_egg else (None, False, None)
    if is_egg and not editable:
        # ``setup.py develop`` / legacy editable installs leave ``name.egg-info`` in the
        # project directory that a .pth file puts on the path.
        editable = not dir_version
    requires_python = next(iter(headers.get("requires-python", ())), None)
    return Distribution(
        name=canonical_name(raw_name),
        display_name=raw_name,
        version=version,
        location=entry,
        metadata_dir=meta_dir,
        requires=requires,
        requires_python=requires_python,
        provides_extras=tuple(headers.get("provides-extra", ())),
        direct_url=direct_url,
        editable=editable,
        origin=origin,
        problem="; ".join(problems) or None,
    )


def _unreadable(err: OSError) -> str:
    """Why a metadata file could not be read, in a few words (never its content)."""
    if isinstance(err, (NotRegularFile, TooLarge)):
        return f"is {err}"
    return f"cannot be read ({err.strerror or type(err).__name__})"


def _printable(text: str, fallback: str, field: str) -> tuple[str, str | None]:
    """``text``, or if it cannot be printed (undecodable bytes, control characters) the
    directory name's ``fallback``, which installers write from the same value; and the
    problem with ``text`` (shown escaped).  Whatever is returned is safe to print and encode.
    """
    if text.isprintable():
        return text, None
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        problem = f"{field} {one_line(text)} holds bytes that are not UTF-8"
    else:
        problem = f"{field} {one_line(text)} holds control characters"
    return (fallback if fallback.isprintable() else one_line(fallback)), problem
