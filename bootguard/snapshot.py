"""``bootguard snapshot``: write the environment as a pinned, sealed requirements file.

Why requirements and not PEP 751: a ``pylock.toml`` package must name its source (wheel
or sdist file with hashes, a VCS, a directory or an archive), and an installed environment
does not record where its wheels came from.  A pinned requirements file is the standard
format that can say exactly what is known (``name==version``, ``name @ url`` for direct-URL
installs, ``-e`` for editables, as ``pip freeze`` does), ``pip install -r`` reads it, and
``bootguard check`` reads it back with zero findings on the same environment.

The seal (see :mod:`bootguard.environment.seal`) is added only when the full check of the environment
against the snapshot finds nothing, so a seal always vouches for a clean check.

A snapshot's first line records how many requirement lines it holds
(``# bootguard-snapshot: entries=N``): a snapshot cut short by a full disk or a bad copy,
or edited down, would otherwise read as a shorter list and pass with warnings, so reading
one whose count disagrees is a :class:`~bootguard.errors.ManifestError`.  Snapshots written
before the count existed read as before.  The file is written atomically (see
:func:`write_snapshot`): the previous snapshot stays whole until the new one is complete.
"""

from __future__ import annotations

import re
from pathlib import Path

from bootguard._text import one_line
from bootguard.environment._scan import DEFAULT_IGNORED, interpreter_key
from bootguard.environment.model import Distribution, Environment
from bootguard.errors import BootguardError
from bootguard.manifest.snapshot_header import COUNT_PREFIX, check_entry_count
from bootguard.names import distribution_count, unreported_tools
from bootguard.report import Finding

__all__ = [
    "COUNT_PREFIX",
    "SnapshotError",
    "SnapshotResult",
    "check_entry_count",
    "snapshot",
    "write_snapshot",
]


# Requires-Dist markers on these change with every kernel patch; an environment whose
# requirements use them is never sealed (the interpreter key leaves them out).
_KERNEL_MARKERS = ("platform_release", "platform_version")


class SnapshotError(BootguardError, ValueError):
    """A snapshot cannot be taken (unreadable metadata) or written (the target refuses it)."""


class SnapshotResult:
    """The snapshot text, whether it is sealed, and why not."""

    __slots__ = ("findings", "sealed", "text")

    def __init__(self, text: bytes, sealed: bool, findings: tuple[Finding, ...]) -> None:
        self.text = text
        self.sealed = sealed
        self.findings = findings


def snapshot(python: str | None = None, paths: list[str] | None = None) -> SnapshotResult:
    """Take a snapshot of this interpreter's environment (or ``python``'s)."""
    from bootguard import __version__
    from bootguard.checks import run_checks
    from bootguard.environment._scan import import_paths, metadata_dirs
    from bootguard.environment.fingerprint import snapshot_line
    from bootguard.environment.inventory import current_environment, inspect_interpreter
    from bootguard.environment.seal import add_seal, environment_key
    from bootguard.manifest.model import Selection
    from bootguard.manifest.requirements import read_requirements

    if python is not None:
        env = inspect_interpreter(python)
    else:
        env = current_environment(import_paths() if paths is None else paths)
    marker = env.marker_env
    requirements = _requirement_lines(env)
    entries = sum(1 for line in requirements if not line.startswith("#"))
    header = [
        f"{COUNT_PREFIX}entries={entries}",
        f"# Written by `bootguard snapshot` (bootguard {__version__}).",
        "# A pinned requirements file: `pip install -r` reads it; `bootguard check` verifies against it.",
        f"# Python {env.python_version} ({marker.get('implementation_name', '')}, "
        f"{marker.get('sys_platform', '')}, {marker.get('platform_machine', '')}); "
        f"{distribution_count(len(env.distributions), unreported_tools(env.distributions))}.",
        # what `bootguard check` compares this node's installed files with (the seal covers it)
        snapshot_line(metadata_dirs(env.paths)),
    ]
    body_lines = [*header, *requirements]
    body = ("\n".join(body_lines) + "\n").encode("utf-8")

    selection = Selection(marker_env=marker)
    manifest = read_requirements(Path("snapshot.txt"), selection, data=body)
    findings = tuple(run_checks([manifest], env))
    broken = [f for f in findings if f.aspect == "metadata" and f.status == "fail"]
    if broken:  # a snapshot must never record what the inventory could not read
        raise SnapshotError(f"cannot snapshot {broken[0].subject}: {one_line(broken[0].message)}")
    uses_kernel = any(
        m in line
        for d in env.distributions.values()
        for line in d.requires
        for m in _KERNEL_MARKERS
    )
    if findings or uses_kernel:
        return SnapshotResult(body, False, findings)
    ikey = interpreter_key(marker if python is not None else None)
    sealed = add_seal(body, environment_key(env.paths, ikey), after_line=len(header))
    return SnapshotResult(sealed, True, findings)


def _requirement_lines(env: Environment) -> list[str]:
    lines: list[str] = []
    for name in sorted(env.distributions):
        if name in DEFAULT_IGNORED:
            continue
        lines.extend(_lines_for(env.distributions[name]))
    return lines


def _lines_for(dist: Distribution) -> list[str]:
    _refuse_unreadable(dist)
    if dist.editable and dist.direct_url:
        return [
            f"# Editable install with no version control ({dist.display_name}=={dist.version})",
            f"-e {dist.direct_url}",
        ]
    if dist.direct_url:
        return [f"{dist.display_name} @ {dist.direct_url}"]
    return [f"{dist.display_name}=={dist.version}"]


#: Core metadata names (PEP 508): ASCII letters and digits, with ``.``, ``_``, ``-`` inside.
_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
_BAD_URL = re.compile(r"[\s\x00-\x1f\x7f]")


def _refuse_unreadable(dist: Distribution) -> None:
    """Refuse a distribution whose metadata cannot be written as a requirement line.

    A Name that is not UTF-8 or not a valid name, a Version that is empty or not PEP 440, or
    a direct URL with spaces or control characters would make a snapshot that ``pip`` and
    ``bootguard check`` cannot read back; the operator must fix or remove that distribution.
    """
    from packaging.version import InvalidVersion, Version  # deferred: import cost

    shown = f"{dist.display_name!r} ({one_line(dist.metadata_dir)})"
    what = shown.encode("utf-8", "backslashreplace").decode("utf-8")  # no lone surrogates
    problem = None
    if not _NAME.fullmatch(dist.display_name):  # also refuses what is not UTF-8
        problem = "its Name is not a valid distribution name"
    elif dist.direct_url is not None and _BAD_URL.search(dist.direct_url):
        problem = "its direct_url.json URL has spaces or control characters"
    elif dist.editable or not dist.direct_url:  # the line (or its comment) carries the version
        try:
            Version(dist.version)
        except InvalidVersion:
            problem = f"its Version {dist.version!r} is not a valid version (PEP 440)"
    if problem is not None:
        raise SnapshotError(f"cannot snapshot {what}: {problem}; reinstall or remove it")


# --- reading the count back ------------------------------------------------------------


# --- writing ---------------------------------------------------------------------------


def write_snapshot(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: all of it, or nothing changed.

    The bytes go to a temporary file in the target's directory, which is flushed to disk
    (``fsync``) and then renamed over the target (``os.replace``, atomic on POSIX); the
    directory is synced so the rename itself survives a crash.  On any error (a full or
    read-only filesystem, a missing directory) the temporary file is removed, the previous
    snapshot is left byte for byte as it was, and a :class:`SnapshotError` says why in one
    line.  A target that exists but is not a regular file (a directory, ``/dev/full``) is
    refused rather than replaced; a symbolic link is followed, so the link stays.
    """
    import os
    import stat

    shown = one_line(path)
    try:
        target = os.path.realpath(path)
        info = os.stat(target) if os.path.lexists(target) else None
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the path
        raise SnapshotError(f"cannot write {shown}: {_reason(err)}") from err
    if info is not None and not stat.S_ISREG(info.st_mode):
        from bootguard._files import _kind

        raise SnapshotError(f"cannot write {shown}: not a regular file ({_kind(info.st_mode)})")
    directory = os.path.dirname(target) or "."
    if not os.path.isdir(directory):
        raise SnapshotError(f"cannot write {shown}: no such directory {directory}")
    temporary = os.path.join(
        directory, f".{os.path.basename(target)}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(temporary, flags, 0o666)
    except OSError as err:
        raise SnapshotError(f"cannot write {shown}: {_reason(err)}") from err
    try:
        try:
            if info is not None:  # a new snapshot keeps the permissions of the one it replaces
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except OSError as err:
        _remove(temporary)
        kept = "the previous file is unchanged" if info is not None else "nothing was written"
        raise SnapshotError(f"cannot write {shown}: {_reason(err)}; {kept}") from err
    _sync_directory(directory)


def _reason(err: Exception) -> str:
    return getattr(err, "strerror", None) or str(err)


def _remove(path: str) -> None:
    import contextlib
    import os

    with contextlib.suppress(OSError):
        os.unlink(path)


def _sync_directory(directory: str) -> None:
    """Make the rename durable; filesystems that cannot sync a directory need not."""
    import errno
    import os

    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise SnapshotError(f"cannot sync {one_line(directory)}: {_reason(err)}") from err
    finally:
        os.close(fd)
