"""The sealed fast path of ``bootguard check``: answered before ``argparse`` is imported.

``check [--manifest P] [--quiet]`` against a sealed snapshot that still matches is the
command every node runs at every boot; it is answered here with the standard library's
cheapest modules only (docs/design.md, "Deferred imports").  Anything this does not
recognise, and any seal that does not match, returns ``None``: the full path decides.
"""

from __future__ import annotations

import os
import sys

__all__ = ["sealed_check"]


def sealed_check(args: list[str]) -> int | None:
    """Answer ``check [--manifest P] [--quiet]`` from the seal, or None to take the full path.

    Hand-parsed on purpose (importing argparse costs about as much as the whole sealed
    check); anything it does not recognise goes to argparse.
    """
    if not args or args[0] != "check":
        return None
    quiet = False
    manifest = None
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("-m", "--manifest") and rest and manifest is None:
            manifest = rest.pop(0)
        elif arg.startswith("--manifest=") and manifest is None:
            manifest = arg[len("--manifest=") :]
        else:
            return None
    if _configured():
        return None  # settings may ask for more (imports, integrity...): the full path reads them
    if manifest is None:
        manifest = _discover_snapshot()
        if manifest is None:
            return None
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:  # a FIFO or a device is refused here without blocking; the full path says so
        data = read_regular(manifest, MANIFEST_MAX_BYTES)
    except (OSError, ValueError):
        return None
    import time

    from bootguard.environment._scan import import_paths, metadata_dirs
    from bootguard.environment.seal import verify_seal

    started = time.perf_counter()
    paths = import_paths()
    dirs = metadata_dirs(paths)
    if not verify_seal(data, paths, dirs=dirs):
        return None
    if not quiet:
        from bootguard.environment.fingerprint import node_fingerprint, recorded_fingerprint

        # A fingerprint that differs is a warning (exit 0 all the same): quiet skips it.
        recorded = recorded_fingerprint(data)
        same = ""
        if recorded is not None:
            try:
                if node_fingerprint(dirs, data)[0] != recorded:
                    return None  # the full path reports the difference
            except Exception:  # never fail here: the full path says what went wrong
                return None
            same = f", fingerprint {recorded}"
        from bootguard.environment._scan import dir_identity
        from bootguard.names import canonical_name, distribution_count, unreported_tools

        names = {canonical_name(dir_identity(entry, name)[0]) for entry, name in dirs}
        count = distribution_count(len(names), unreported_tools(names))
        elapsed = (time.perf_counter() - started) * 1000
        sys.stdout.write(
            f"bootguard: pass - {count} match the sealed snapshot {manifest}"
            f"{same} ({elapsed:.1f} ms)\n"
        )
    return 0


def _configured() -> bool:
    """Whether a setting may apply: a ``BOOTGUARD_*`` variable, or ``[tool.bootguard]`` in
    the nearest ``pyproject.toml`` (found as :func:`bootguard.config.find_pyproject` does).

    The same test as the settings reader's before it parses TOML: coarse on purpose, since a
    false "configured" costs the full path's few milliseconds, a missed one a wrong answer.
    """
    if any(
        name.startswith("BOOTGUARD_") and name != "BOOTGUARD_BENCH_CACHE" for name in os.environ
    ):
        return True
    directory = os.path.abspath(".")
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as file:
                    data = file.read(1 << 20)
            except OSError:
                return True
            return b"tool.bootguard" in data or (b"[tool]" in data and b"bootguard" in data)
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


def _discover_snapshot() -> str | None:
    """The discovered manifest if it is a requirements file (the only kind that is sealed)."""
    try:
        names = set(os.listdir("."))
    except OSError:
        return None
    if "pylock.toml" in names or any(
        n.startswith("pylock.") and n.endswith(".toml") for n in names
    ):
        return None
    for name in ("uv.lock", "poetry.lock", "Pipfile.lock"):
        if name in names:
            return None
    for name in ("requirements.txt", "requirements.lock"):
        if name in names:
            return name
    return None
