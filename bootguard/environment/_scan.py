"""The cheapest possible look at what is installed: directory names only.

This module is on the boot fast path (see :mod:`bootguard.environment.seal`), so it imports
nothing but ``os`` and ``sys`` (both already loaded by the interpreter).  Listing
``*.dist-info`` names with ``os.scandir`` is one system call per path entry; reading every
METADATA file costs several times that, and parsing it with ``importlib.metadata`` far more
(the benchmarks measure each).
"""

from __future__ import annotations

import os
import sys

from bootguard.names import TOOLS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = [
    "DEFAULT_IGNORED",
    "MetadataDir",
    "dir_identity",
    "import_paths",
    "interpreter_key",
    "listing_key",
    "metadata_dirs",
    "sha256_hex",
    "split_dir_name",
]

#: Installed but never reported unless a manifest names them (:data:`bootguard.names.TOOLS`).
DEFAULT_IGNORED = TOOLS

#: (sys.path entry, directory entry name); order is sys.path order, names sorted per entry.
MetadataDir = tuple[str, str]


def sha256_hex(data: bytes) -> str:
    """The sha256 hex digest of ``data``, without importing ``hashlib`` when possible.

    ``import hashlib`` loads OpenSSL, a large part of what the whole sealed check costs
    beyond the interpreter's own start.  CPython's built-in sha256 module loads at a
    fraction of that; it hashes slower than OpenSSL, which does not matter for the few
    kilobytes the seal and the stat witness digest.  The module is private (``_sha256`` up
    to 3.11, ``_sha2`` from 3.12), hence the fallback; the digest is the same either way
    (a property test holds the two equal).
    """
    global _sha256_impl
    if _sha256_impl is None:
        for module in ("_sha2", "_sha256", "hashlib"):  # 3.12+, up to 3.11, any build
            try:  # __import__ of a top-level module is the module (importlib costs warnings)
                _sha256_impl = __import__(module).sha256
                break
            except ImportError:
                continue
    assert _sha256_impl is not None
    digest: str = _sha256_impl(data).hexdigest()
    return digest


_sha256_impl: Callable[[bytes], Any] | None = None


def import_paths() -> list[str]:
    """This process's ``sys.path`` as an application sees it.

    When bootguard runs as a command, ``sys.path[0]`` is the script's directory (or the
    current directory for ``python -m``), an artifact of how bootguard was started rather
    than part of the application's environment, so it is left out.
    """
    paths = list(sys.path)
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    started_as_command = getattr(spec, "name", "") in ("bootguard.__main__", "bootguard")
    script = os.path.basename(getattr(main, "__file__", "") or "")
    if paths and (started_as_command or script in ("bootguard", "bootguard.exe")):
        paths = paths[1:]
    return paths


def metadata_dirs(paths: list[str] | tuple[str, ...]) -> list[MetadataDir]:
    """Every metadata directory on ``paths``, in import order: what ``importlib.metadata``
    finds there.

    That is, for each path entry: its ``*.dist-info`` and ``*.egg-info`` children (the
    latter may be single files), and ``EGG-INFO`` when the entry itself is an ``.egg``;
    a zip file on the path (a zipped egg, a zipapp) is listed the same way, by its member
    names.  ``.pth`` files, the user site, ``PYTHONPATH`` and ``--target`` directories only
    add entries to ``sys.path``, so they are covered by walking it.
    """
    found: list[MetadataDir] = []
    for entry in paths:
        is_egg = entry.lower().endswith(".egg")
        try:
            scanner = os.scandir(entry or ".")
        except NotADirectoryError:  # a file on the path: a zip, as zipimport reads it
            found.extend((entry, name) for name in _zip_children(entry, is_egg))
            continue
        except OSError:  # missing dir, permission: import would not see dists there
            continue
        with scanner:
            names = [
                item.name
                for item in scanner
                if item.name.endswith((".dist-info", ".egg-info"))
                or (is_egg and item.name.lower() == "egg-info")
            ]
        names.sort()
        found.extend((entry, name) for name in names)
    return found


def _zip_children(entry: str, is_egg: bool) -> list[str]:
    """The metadata directory names at the top of a zip file on the path (sorted)."""
    try:
        import zipfile  # deferred: only a zip on the path needs it, and that is rare

        with zipfile.ZipFile(entry) as archive:
            tops = {name.split("/", 1)[0] for name in archive.namelist()}
    except Exception:  # not a zip, unreadable: import sees nothing there either
        return []
    return sorted(
        name
        for name in tops
        if name.endswith((".dist-info", ".egg-info")) or (is_egg and name.lower() == "egg-info")
    )


def dir_identity(entry: str, dir_name: str) -> tuple[str, str]:
    """(name, version) of a metadata directory from names alone (see :func:`split_dir_name`).

    An egg's ``EGG-INFO`` takes them from the egg's own name, ``name-1.0-py3.11.egg``.
    """
    if dir_name.lower() == "egg-info":
        base = os.path.basename(entry.rstrip("/\\"))
        return split_dir_name(base[:-4] + ".egg-info")
    return split_dir_name(dir_name)


def split_dir_name(dir_name: str) -> tuple[str, str]:
    """``("Name_x", "1.0")`` from ``Name_x-1.0.dist-info`` (or ``-py3.11.egg-info``).

    The wheel spec escapes ``-`` in names and versions, so the first ``-`` separates them.
    Returns an empty version for ``name.egg-info`` (a ``setup.py develop`` install): the
    caller must read PKG-INFO for it.
    """
    stem = dir_name[:-10] if dir_name.endswith(".dist-info") else dir_name[:-9]
    name, _, rest = stem.partition("-")
    if dir_name.endswith(".egg-info"):
        rest = rest.partition("-py")[0]
    return name, rest


def _canonical(name: str) -> str:
    # Same as bootguard.names.canonical_name; duplicated (three lines) so that this
    # module stays import-free on the fast path.
    text = name.lower().replace("_", "-").replace(".", "-")
    while "--" in text:
        text = text.replace("--", "-")
    return text


def listing_key(dirs: list[MetadataDir], ignored: frozenset[str] = DEFAULT_IGNORED) -> str:
    """A path-independent text naming exactly the installed set, for the seal.

    One ``name==version`` line per metadata directory (duplicates included, so a shadowed
    copy changes the key), sorted; ignored names are left out.  Versions are taken verbatim
    from the directory names: any change at all makes the key differ, and a differing key only
    sends the check down the full path, so it can never hide drift.
    """
    lines = []
    for entry, dir_name in dirs:
        raw_name, version = dir_identity(entry, dir_name)
        name = _canonical(raw_name)
        if name in ignored:
            continue
        if not version:
            version = _pkg_info_version(os.path.join(entry or ".", dir_name))
        lines.append(f"{name}=={version}")
    lines.sort()
    return "\n".join(lines)


def _pkg_info_version(egg_info: str) -> str:
    """The Version header of a versionless ``name.egg-info`` (develop installs only)."""
    from bootguard._files import METADATA_MAX_BYTES, read_regular  # imports only os

    path = os.path.join(egg_info, "PKG-INFO") if os.path.isdir(egg_info) else egg_info
    try:  # never blocks on a FIFO; the header comes first, so the head is enough
        data = read_regular(path, METADATA_MAX_BYTES, head=16384)
    except OSError:
        return "?"
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("Version:"):
            return line[8:].strip()
        if not line.strip():
            break
    return "?"


def interpreter_key(marker_env: Mapping[str, str] | None = None) -> str:
    """The marker-relevant identity of an interpreter: this one, or the one whose PEP 508
    marker environment is given (another interpreter, as ``--python`` probes it).

    Kernel release/version markers are left out on purpose: they change with every host
    patch and no lock in practice depends on them (``bootguard snapshot`` refuses to seal
    an environment whose requirements mention them).
    """
    if marker_env is not None:
        version = marker_env["python_full_version"]
        implementation = marker_env["implementation_name"]
        platform = marker_env["sys_platform"]
        os_name = marker_env["os_name"]
        machine = marker_env["platform_machine"]
    else:
        version = sys.version.split()[0]
        implementation = sys.implementation.name
        platform = sys.platform
        os_name = os.name
        machine = os.uname().machine if hasattr(os, "uname") else ""
    return f"python={version} implementation={implementation} platform={platform} os={os_name} machine={machine}"
