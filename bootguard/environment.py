"""The installed distributions of one interpreter, as its ``import`` sees them.

Distributions are found on ``sys.path`` in order; the first one of a name wins, as it does
for import.  A later copy of the same name is a *duplicate* (shadowed).  Metadata is read by
hand (headers only, up to the first blank line) rather than through ``importlib.metadata``,
whose import and ``email`` parsing cost 60-110 ms for 150 distributions; the few fields
needed here (Name, Version, Requires-Dist, Requires-Python, Provides-Extra) are simple
``Key: value`` headers.

Another interpreter (``--python``) is inspected by running a tiny stdlib-only script with
it that prints its ``sys.path`` and marker environment; nothing is installed there.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from bootguard._scan import metadata_dirs, split_dir_name
from bootguard.errors import BootguardError
from bootguard.names import canonical_name

__all__ = [
    "DirectUrl",
    "Distribution",
    "Duplicate",
    "Environment",
    "EnvironmentError_",
    "current_environment",
    "inspect_interpreter",
    "probe_interpreter",
]


class EnvironmentError_(BootguardError, OSError):
    """The target interpreter could not be inspected."""


@dataclass(frozen=True, slots=True)
class DirectUrl:
    """What an installer recorded in PEP 610 ``direct_url.json``: where the files came from.

    ``kind`` is ``"vcs"`` (``vcs``, ``commit_id``, ``requested_revision``), ``"archive"``
    (``hashes`` as ``algorithm:hex``, from ``archive_info.hashes`` and the legacy
    ``archive_info.hash``) or ``"directory"`` (``editable``).  ``url`` is the URL as
    recorded (for a VCS, without the ``git+`` prefix).  A distribution installed from an
    index has no such file, hence no DirectUrl.
    """

    kind: str
    url: str
    vcs: str | None = None
    commit_id: str | None = None
    requested_revision: str | None = None
    hashes: tuple[str, ...] = ()
    subdirectory: str | None = None
    editable: bool = False


@dataclass(frozen=True, slots=True)
class Distribution:
    """One installed distribution (one ``*.dist-info`` or ``*.egg-info``).

    ``direct_url`` is the recorded origin as one string (a VCS one in ``pip freeze``'s form,
    ``git+https://host/repo@<commit>``); ``origin`` is the same ``direct_url.json`` parsed.
    """

    name: str
    display_name: str
    version: str
    location: str
    metadata_dir: str
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extras: tuple[str, ...] = ()
    direct_url: str | None = None
    editable: bool = False
    origin: DirectUrl | None = None

    def __str__(self) -> str:
        return f"{self.display_name} {self.version}"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """``shadowed`` is installed too, but ``winner`` comes first on the path (or beside it)."""

    winner: Distribution
    shadowed: Distribution

    @property
    def same_directory(self) -> bool:
        """Two metadata dirs of one name in one directory: a broken (half) install."""
        return self.winner.location == self.shadowed.location


@dataclass(frozen=True, slots=True)
class Environment:
    """The inventory of one interpreter's environment."""

    executable: str
    python_version: str
    marker_env: dict[str, str]
    paths: tuple[str, ...]
    distributions: dict[str, Distribution]
    duplicates: tuple[Duplicate, ...] = ()

    def get(self, name: str) -> Distribution | None:
        """The winning distribution of a normalized name, or None."""
        return self.distributions.get(name)


def current_environment(paths: list[str] | tuple[str, ...] | None = None) -> Environment:
    """The environment of this interpreter (``paths`` defaults to ``sys.path``)."""
    from packaging.markers import default_environment  # deferred for import cost

    marker_env = {key: str(value) for key, value in default_environment().items()}
    search = tuple(sys.path if paths is None else paths)
    return _build(sys.executable, marker_env["python_full_version"], marker_env, search)


def inspect_interpreter(python: str, *, timeout: float = 30.0) -> Environment:
    """The environment of another interpreter, without installing anything into it."""
    probe = probe_interpreter(python, timeout=timeout)
    marker_env = {key: str(value) for key, value in dict(probe["marker_env"]).items()}  # type: ignore[call-overload]
    paths = tuple(str(p) for p in probe["paths"])  # type: ignore[attr-defined]
    return _build(str(probe["executable"]), marker_env["python_full_version"], marker_env, paths)


# Runs inside the target interpreter: stdlib only, no site-packages imports, works on 3.8+.
# The marker environment is computed exactly as packaging.markers.default_environment does.
_PROBE = r"""
import json, os, platform, sys
def fmt(info):
    v = "{0.major}.{0.minor}.{0.micro}".format(info)
    if info.releaselevel != "final":
        v += info.releaselevel[0] + str(info.serial)
    return v
impl = sys.implementation.name
env = {
    "implementation_name": impl,
    "implementation_version": fmt(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({"executable": sys.executable, "paths": sys.path[1:], "marker_env": env}))
"""


def probe_interpreter(python: str, *, timeout: float = 30.0) -> dict[str, object]:
    """Run the stdlib-only probe with ``python``; returns executable, paths, marker_env."""
    import json  # deferred for import cost
    import subprocess

    try:
        result = subprocess.run(
            [python, "-I", "-S", "-c", "import site; site.main()\n" + _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise EnvironmentError_(f"cannot run interpreter {python!r}: {err}") from err
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise EnvironmentError_(f"interpreter {python!r} failed to report its environment: {tail}")
    try:
        data: dict[str, object] = json.loads(result.stdout)
    except ValueError as err:
        raise EnvironmentError_(f"interpreter {python!r} printed something unexpected") from err
    return data


def _build(
    executable: str, python_version: str, marker_env: dict[str, str], paths: tuple[str, ...]
) -> Environment:
    winners: dict[str, Distribution] = {}
    duplicates: list[Duplicate] = []
    for entry, dir_name in metadata_dirs(paths):
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


def _read_distribution(entry: str, dir_name: str) -> Distribution | None:
    """Read one metadata directory; None if it has no readable metadata (not a real dist)."""
    meta_dir = os.path.join(entry or ".", dir_name)
    is_egg = dir_name.endswith(".egg-info")
    if is_egg and not os.path.isdir(meta_dir):
        metadata_file = meta_dir  # a single-file PKG-INFO (old distutils installs)
    else:
        metadata_file = os.path.join(meta_dir, "PKG-INFO" if is_egg else "METADATA")
    headers = _read_headers(metadata_file)
    if headers is None:
        return None
    raw_name = (headers.get("name") or [split_dir_name(dir_name)[0]])[0]
    version = (headers.get("version") or [split_dir_name(dir_name)[1]])[0]
    requires = tuple(headers.get("requires-dist", ()))
    if is_egg and not requires and os.path.isdir(meta_dir):
        requires = _egg_requires(os.path.join(meta_dir, "requires.txt"))
    direct_url, editable, origin = _direct_url(meta_dir) if not is_egg else (None, False, None)
    if is_egg and not editable:
        # ``setup.py develop`` / legacy editable installs leave ``name.egg-info`` in the
        # project directory that a .pth file puts on the path.
        editable = not split_dir_name(dir_name)[1]
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
    )


_WANTED = (b"Name", b"Version", b"Requires-Dist", b"Requires-Python", b"Provides-Extra")


def _read_headers(path: str) -> dict[str, list[str]] | None:
    """The few header fields bootguard needs from a METADATA/PKG-INFO file, keys lowercased.

    This runs for every installed distribution on the full path.  Instead of splitting every
    header line (a METADATA header block can hold hundreds of classifier and license lines)
    it searches the block for the five fields with ``bytes.find``, which is about twice as
    fast; fields are written in their canonical case by every installer in practice, and a
    block without a canonical ``Name:`` falls back to the general parser.
    """
    try:
        with open(path, "rb") as handle:
            # The headers come first; the long description after them can be 100 KB.
            data = handle.read(16384)
            while b"\n\n" not in data:
                more = handle.read(65536)
                if not more:
                    break
                data += more
    except OSError:
        return None
    end = data.find(b"\n\n")
    block = b"\n" + (data if end < 0 else data[:end]).replace(b"\r\n", b"\n")
    headers: dict[str, list[str]] = {}
    for key in _WANTED:
        values = _field(block, key)
        if values:
            headers[key.decode().lower()] = values
    if "name" not in headers:
        return _parse_headers(block.decode("utf-8", "surrogateescape"))
    return headers


def _field(block: bytes, key: bytes) -> list[str]:
    """Every value of header ``key`` in ``block`` (which starts with a newline)."""
    needle = b"\n" + key + b":"
    values: list[str] = []
    position = block.find(needle)
    while position >= 0:
        start = position + len(needle)
        stop = block.find(b"\n", start)
        stop = len(block) if stop < 0 else stop
        value = block[start:stop].strip()
        while block[stop + 1 : stop + 2] in (b" ", b"\t"):  # folded continuation lines
            after = block.find(b"\n", stop + 1)
            after = len(block) if after < 0 else after
            value += b" " + block[stop + 1 : after].strip()
            stop = after
        values.append(value.decode("utf-8", "surrogateescape"))
        position = block.find(needle, stop)
    return values


def _parse_headers(block: str) -> dict[str, list[str]]:
    """The general RFC 822 style header parser (any case, any field)."""
    headers: dict[str, list[str]] = {}
    last: list[str] | None = None
    for line in block.splitlines():
        if line[:1] in (" ", "\t"):
            if last:  # folded continuation of the previous header
                last[-1] = f"{last[-1]} {line.strip()}"
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = headers.setdefault(key.strip().lower(), [])
        last.append(value.strip())
    return headers


def _egg_requires(path: str) -> tuple[str, ...]:
    """Requires-Dist equivalents of an egg-info ``requires.txt`` (as importlib.metadata does)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return ()
    result: list[str] = []
    extra, marker = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})" if extra else marker)
        if extra:
            conditions.append(f'extra == "{extra}"')
        result.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return tuple(result)


def _direct_url(meta_dir: str) -> tuple[str | None, bool, DirectUrl | None]:
    """PEP 610 ``direct_url.json``: the URL as one string, whether editable, and all of it.

    The file is untrusted: it is read with a size cap and without blocking, and one that is
    not JSON, nests deeper than any real one, or lacks a string ``url`` means "no origin
    recorded" (a finding elsewhere may say the install is odd; this never raises).
    """
    from bootguard._files import METADATA_MAX_BYTES, read_regular

    try:
        raw = read_regular(os.path.join(meta_dir, "direct_url.json"), METADATA_MAX_BYTES)
    except (OSError, ValueError):
        return None, False, None
    data = _json_object(raw)
    if data is None:
        return None, False, None
    dir_info = data.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    url = data.get("url")
    if not isinstance(url, str):
        return None, editable, None
    origin = _origin(data, url, editable)
    if origin.kind == "vcs":
        # the form pip freeze writes: git+https://host/repo@<commit>
        url = f"{origin.vcs}+{url}@{origin.commit_id or ''}"
    return url, editable, origin


#: A real ``direct_url.json`` is well under a kilobyte; one larger than this that also holds
#: more brackets than any real one nests is not measured, only refused.
_JSON_SCAN_MAX_BYTES = 64 * 1024


def _json_object(raw: bytes) -> dict[str, object] | None:
    """``raw`` parsed as a JSON object, or None (not JSON, not an object, nested too deep)."""
    from bootguard._files import JSON_MAX_DEPTH

    if raw.count(b"[") + raw.count(b"{") > JSON_MAX_DEPTH and (
        len(raw) > _JSON_SCAN_MAX_BYTES or _depth(raw) > JSON_MAX_DEPTH
    ):
        return None
    import json  # deferred: only direct-URL / editable installs have this file

    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _depth(raw: bytes) -> int:
    """The nesting of arrays and objects in a JSON text, up to ``JSON_MAX_DEPTH + 1``.

    Strings are blanked, everything but brackets dropped, then innermost ``[]``/``{}``
    pairs removed pass after pass; each pass lowers the nesting by one.  Every step runs
    in C, not a Python loop per byte.  Unbalanced brackets (not JSON anyway) count as too
    deep.
    """
    import re  # deferred: only a file with more brackets than any real one gets here

    from bootguard._files import JSON_MAX_DEPTH

    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", raw)
    pair = re.compile(rb"\[\]|\{\}")
    brackets = b"[]{}"
    text = text.translate(None, bytes(set(range(256)) - set(brackets)))
    for depth in range(JSON_MAX_DEPTH + 1):
        if not text:
            return depth
        shorter = pair.sub(b"", text)  # one layer per pass ("{[]}" needs two)
        if len(shorter) == len(text):
            break  # no innermost pair left: unbalanced
        text = shorter
    return JSON_MAX_DEPTH + 1


def _origin(data: dict[str, object], url: str, editable: bool) -> DirectUrl:
    """The parsed origin of a ``direct_url.json`` object that has a string ``url``."""

    def text(table: object, key: str) -> str | None:
        value = table.get(key) if isinstance(table, dict) else None
        return value if isinstance(value, str) and value else None

    subdirectory = text(data, "subdirectory")
    vcs_info = data.get("vcs_info")
    if isinstance(vcs_info, dict) and text(vcs_info, "vcs"):
        return DirectUrl(
            kind="vcs",
            url=url,
            vcs=text(vcs_info, "vcs"),
            commit_id=text(vcs_info, "commit_id"),
            requested_revision=text(vcs_info, "requested_revision"),
            subdirectory=subdirectory,
        )
    archive_info = data.get("archive_info")
    if isinstance(archive_info, dict):
        hashes: list[str] = []
        table = archive_info.get("hashes")
        if isinstance(table, dict):
            hashes.extend(
                f"{name.lower()}:{value.lower()}"
                for name, value in table.items()
                if isinstance(name, str) and isinstance(value, str)
            )
        legacy = text(archive_info, "hash")
        if legacy and "=" in legacy:
            name, _, value = legacy.partition("=")
            hashes.append(f"{name.lower()}:{value.lower()}")
        return DirectUrl(
            kind="archive", url=url, hashes=tuple(dict.fromkeys(hashes)), subdirectory=subdirectory
        )
    return DirectUrl(kind="directory", url=url, editable=editable, subdirectory=subdirectory)
