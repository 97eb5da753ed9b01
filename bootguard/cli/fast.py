"""The sealed fast path of ``bootguard check``: answered before ``argparse`` is imported.

``check [--manifest P] [--quiet]`` against a sealed snapshot that still matches, or
``check --manifest LOCK [options]`` whose clean verdict was sealed at build time
(``check --seal``), is the command every node runs at every boot; it is answered here with
the standard library's cheapest modules only (docs/design.md, "Deferred imports").
Anything this does not recognise, and any seal that does not match, returns ``None``: the
full path decides (and still answers from a matching record, without this path's shortcut
in printing); for the command lines read here it runs without argparse too
(:mod:`bootguard.cli.direct`).
"""

from __future__ import annotations

import os
import sys

__all__ = ["Plain", "plain_check", "sealed_answer", "sealed_check"]

#: A ``check`` command line this module reads: (manifests, quiet, the other flags given).
Plain = tuple[list[str], bool, dict[str, list[str]]]


def sealed_check(args: list[str]) -> int | None:
    """Answer ``check`` from a seal, or None to take the full path."""
    plain = plain_check(args)
    return None if plain is None else sealed_answer(plain)


def plain_check(args: list[str]) -> Plain | None:
    """``check`` with the common options only, and no setting that may apply; else None.

    Hand-parsed on purpose (importing argparse costs about as much as the whole sealed
    check): ``-m/--manifest P`` (repeatable), ``-q/--quiet``, ``--strict``,
    ``--allow-empty``, ``--no-default-groups``, ``--no-seal``, ``--ignore/--extra/--group
    NAME``; anything else, or an argument argparse would refuse, goes to argparse.
    """
    parsed = _parse(args)
    if parsed is None or _configured():
        return None  # settings may ask for more (imports, integrity...): the full path reads them
    return parsed


def sealed_answer(plain: Plain) -> int | None:
    """The answer of a seal that matches, or None (``--no-seal``, or no seal answers).

    Each manifest is read once and the environment listed once, whichever seal answers.
    """
    manifests, quiet, options = plain
    if "--no-seal" in options:
        return None
    if not manifests:
        found = _discover_snapshot()
        if found is None:
            return None
        manifests = [found]
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    contents = []
    for manifest in manifests:
        try:  # a FIFO or a device is refused here without blocking; the full path says so
            contents.append(read_regular(manifest, MANIFEST_MAX_BYTES))
        except (OSError, ValueError):
            return None
    from bootguard.environment._scan import import_paths, metadata_dirs

    paths = import_paths()
    dirs = metadata_dirs(paths)
    if len(manifests) == 1 and _has_seal_line(contents[0]):
        # the full path answers from a sealed snapshot first, whatever the options
        return _snapshot_check(manifests[0], contents[0], paths, dirs, quiet, bool(options))
    return _recorded_check(manifests, contents, dirs, quiet, options)


def _parse(args: list[str]) -> Plain | None:
    """(manifests, quiet, the options that change a verdict) or None: not for this path."""
    if not args or args[0] != "check":
        return None
    quiet = False
    manifests: list[str] = []
    options: dict[str, list[str]] = {}
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("-m", "--manifest", *_NAMED) and rest and not rest[0].startswith("-"):
            value = rest.pop(0)
            if arg in ("-m", "--manifest"):
                manifests.append(value)
            else:
                options.setdefault(arg, []).append(value)
        elif arg.startswith("--manifest=") and len(arg) > len("--manifest="):
            manifests.append(arg[len("--manifest=") :])
        elif arg in _FLAGS:
            options[arg] = []
        else:
            return None
    return manifests, quiet, options


_NAMED = ("--ignore", "--extra", "--group")
_FLAGS = ("--strict", "--allow-empty", "--no-default-groups", "--no-seal")


def _has_seal_line(data: bytes) -> bool:
    from bootguard.environment.seal import SEAL_PREFIX

    return SEAL_PREFIX in data


def _snapshot_check(
    manifest: str,
    data: bytes,
    paths: list[str],
    dirs: list[tuple[str, str]],
    quiet: bool,
    options: bool,
) -> int | None:
    """``check [--manifest SNAPSHOT] [--quiet]`` against a sealed snapshot that still matches."""
    from bootguard.environment.seal import verify_seal

    if options or not verify_seal(data, paths, dirs=dirs):
        return None
    if not quiet:
        import time

        from bootguard.environment.fingerprint import node_fingerprint, recorded_fingerprint

        started = time.perf_counter()
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
    directory = os.path.realpath(".")  # symlinks resolved, as find_pyproject resolves them
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


def _recorded_check(
    manifests: list[str],
    contents: list[bytes],
    dirs: list[tuple[str, str]],
    quiet: bool,
    options: dict[str, list[str]],
) -> int | None:
    """A clean verdict sealed at build time (``check --seal``) for exactly this check.

    Prints what the full path prints for it, byte for byte: only a record without findings
    is answered here (the full path renders the others, from the record all the same).
    """
    if not all(_plain(m) for m in manifests):
        return None  # the report names a manifest as pathlib spells it
    from bootguard.environment._scan import interpreter_key
    from bootguard.environment.seal_record import find_record, options_text

    groups = options.get("--group")
    key = options_text(
        strict="--strict" in options,
        ignore=options.get("--ignore", ()),
        extras=options.get("--extra", ()),
        groups=[] if groups is None and "--no-default-groups" in options else groups,
        allow_empty="--allow-empty" in options,
    )
    try:
        record = find_record(manifests, key, dirs, interpreter_key(), contents=contents)
    except Exception:  # never fail here: the full path decides
        return None
    if record is None or record.fields.get("findings") != "[]":
        return None
    count = record.fields.get("distributions", "")
    tools = record.fields.get("tools", "")
    if not count.isdigit() or not tools or len(record.manifests) != len(manifests):
        return None
    if not quiet:
        from bootguard.environment.seal_record import record_tools
        from bootguard.names import distribution_count

        label = "bootguard: pass"
        if sys.stdout.isatty() and "NO_COLOR" not in os.environ:  # as --color auto does
            label = f"\x1b[32m{label}\x1b[0m"
        where = ", ".join(manifests)
        sys.stdout.write(
            f"{label} - {distribution_count(int(count), record_tools(tools))} checked against "
            f"{where}; 0 failed, 0 warnings\n"
        )
    return 0


def _plain(path: str) -> bool:
    """Whether ``str(pathlib.Path(path)) == path`` (no ``.``, empty or trailing parts), and
    the path is printable as it is (the full path's report makes it one printable line)."""
    parts = path.split("/")
    first_ok = parts[0] not in (".",) and not path.startswith("//")
    return (
        bool(path)
        and first_ok
        and all(part not in ("", ".") for part in parts[1:])
        and path.isprintable()
    )


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
