"""The ``bootguard`` command: ``check``, ``snapshot``, ``serve``.

Exit codes: 0 pass (warnings allowed), 1 fail, 2 usage error or unreadable manifest.
Every error is one line on stderr, ``bootguard: error: ...``, never a traceback: operators
read it in a container log, where a usage block or a stack trace hides the one line that
says what to fix.

``bootguard check`` runs on every boot of every node, so its most common form (a sealed
snapshot that still matches) is answered before ``argparse``, ``dataclasses`` or ``packaging``
are imported: on a cold interpreter those imports alone cost more than the whole check (see
``benchmarks/``).  Any other form, and any seal that does not match, takes the full path.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bootguard`` command and ``python -m bootguard``."""
    args = sys.argv[1:] if argv is None else list(argv)
    fast = _fast_check(args)
    if fast is not None:
        return fast
    return _main(args)


# --- fast path -------------------------------------------------------------------------


def _fast_check(args: list[str]) -> int | None:
    """Answer ``check [--manifest P] [--quiet]`` from the seal, or None to take the full path.

    Hand-parsed on purpose (argparse costs ~7 ms to import on a cold interpreter, about half
    of the whole sealed check); anything it does not recognise goes to argparse.
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
        elapsed = (time.perf_counter() - started) * 1000
        sys.stdout.write(
            f"bootguard: pass - {len(dirs)} distributions match the sealed snapshot {manifest}"
            f"{same} ({elapsed:.1f} ms)\n"
        )
    return 0


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


# --- full path -------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Untrusted text as one printable line (deferred: the fast path never prints it)."""
    from bootguard._text import one_line

    return one_line(text)


def _main(args: list[str]) -> int:
    parser = _parser()
    try:
        options = parser.parse_args(args)
    except _UsageError as err:
        sys.stderr.write(f"bootguard: error: {err}\n")
        return 2
    if options.command is None:
        parser.print_help()
        return 2
    try:
        command: int = options.run(options)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to tell it
        _silence_stdout()
        sys.stderr.write("bootguard: error: standard output was closed\n")
        return 2
    except Exception as err:  # a bug of ours: still one line, never a stack trace
        from bootguard._text import one_line

        sys.stderr.write(
            f"bootguard: error: internal error ({type(err).__name__}: "
            f"{one_line(str(err))}); please report it\n"
        )
        return 2
    return command


class _UsageError(Exception):
    """A command line argparse refused; its message is the one line to print."""


def _parser() -> argparse.ArgumentParser:
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse without its usage block: a usage error is one line, exit 2."""

        def error(self, message: str) -> NoReturn:
            prefix = "" if self.prog == "bootguard" else f"{self.prog.partition(' ')[2]}: "
            raise _UsageError(prefix + message)

    parser = Parser(
        prog="bootguard",
        description="Verify that a Python environment matches its lock, before it takes traffic.",
    )
    from bootguard import __version__

    parser.add_argument("--version", action="version", version=f"bootguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check an environment against manifests",
        description="Check the installed distributions against the manifests. "
        "Exit 0 pass (warnings allowed), 1 fail, 2 usage error or unreadable manifest.",
    )
    check.add_argument(
        "-m", "--manifest", action="append", default=None, metavar="PATH",
        help="lock or requirements file (repeatable); default: discover one in the current directory",
    )  # fmt: skip
    check.add_argument("--python", metavar="PATH", help="check this interpreter's environment")
    output = check.add_mutually_exclusive_group()  # --json prints exactly what -q silences
    output.add_argument(
        "--json", action="store_true", help="print the application/health+json report"
    )
    check.add_argument("--strict", action="store_true", help="extraneous distributions fail")
    check.add_argument(
        "--ignore", action="append", default=[], metavar="NAME",
        help="never report this distribution (repeatable)",
    )  # fmt: skip
    check.add_argument(
        "--extra", action="append", default=[], metavar="NAME", help="lock extra to select"
    )
    check.add_argument(
        "--group", action="append", default=None, metavar="NAME",
        help="dependency group to select (default: the lock's default groups)",
    )  # fmt: skip
    check.add_argument(
        "--no-default-groups", action="store_true",
        help="select no dependency group unless named with --group (uv sync --no-default-groups)",
    )  # fmt: skip
    check.add_argument(
        "--no-manifest", action="store_true", help="consistency checks only, like pip check"
    )
    check.add_argument(
        "--allow-empty", action="store_true",
        help="accept a manifest that selects no distribution here (default: exit 2)",
    )  # fmt: skip
    check.add_argument(
        "--no-seal", action="store_true", help="ignore a snapshot seal: always run the full check"
    )
    check.add_argument(
        "--integrity", action="store_true",
        help="also verify every installed file against its distribution's RECORD (sha256 and size)",
    )  # fmt: skip
    check.add_argument(
        "--integrity-only", action="append", default=None, metavar="NAME",
        help="verify the installed files of this distribution only (repeatable)",
    )  # fmt: skip
    check.add_argument(
        "--quick-integrity", action="store_true",
        help="verify only that recorded files exist with their recorded size (a cheap first pass)",
    )  # fmt: skip
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; only the exit code"
    )
    check.add_argument("-v", "--verbose", action="store_true", help="also print notes and timings")
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output",
    )
    check.set_defaults(run=_run_check)

    snap = commands.add_parser(
        "snapshot",
        help="write this environment as a pinned, sealed requirements file",
        description="Write the installed distributions as a pinned requirements file that "
        "`bootguard check` verifies with zero findings; sealed when the environment is consistent.",
    )
    snap.add_argument(
        "-o", "--output", metavar="PATH", help="write here instead of standard output"
    )
    snap.add_argument("--python", metavar="PATH", help="snapshot this interpreter's environment")
    snap.set_defaults(run=_run_snapshot)

    serve = commands.add_parser(
        "serve",
        help="check once, then serve /livez /readyz /healthz until SIGTERM",
        description="For processes without HTTP (Celery workers, cron jobs): check the "
        "environment, then answer health probes until SIGTERM (which turns /readyz to 503 "
        "first). Details need Authorization: Bearer $BOOTGUARD_TOKEN.",
    )
    serve.add_argument(
        "--port", type=_port, required=True, help="port to listen on, 0 to 65535 (0: any)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "-m", "--manifest", action="append", default=None, metavar="PATH",
        help="lock or requirements file (repeatable); default: discover one in the current directory",
    )  # fmt: skip
    serve.add_argument("--python", metavar="PATH", help="check this interpreter's environment")
    serve.add_argument(
        "--recheck", type=_seconds, metavar="SECONDS",
        help="re-check this often (more than 0, less than 3600); off by default",
    )  # fmt: skip
    serve.add_argument(
        "--grace", type=_grace, default=0.0, metavar="SECONDS",
        help="after SIGTERM, keep answering 503 this long before exiting (0 to 3600, default 0)",
    )  # fmt: skip
    serve.set_defaults(run=_run_serve)

    diff = commands.add_parser(
        "diff",
        help="show what differs between two manifests or two JSON reports",
        description="Compare two manifests (any format, selected for this interpreter) or two "
        "`bootguard check --json` reports, and print the distributions added, removed and "
        "changed from A to B. Exit 0 identical, 1 different, 2 unreadable input.",
    )
    diff.add_argument("a", metavar="A", help="manifest or JSON report")
    diff.add_argument("b", metavar="B", help="manifest or JSON report")
    diff.add_argument(
        "--extra", action="append", default=[], metavar="NAME", help="lock extra to select"
    )
    diff.add_argument(
        "--group", action="append", default=None, metavar="NAME",
        help="dependency group to select (default: the lock's default groups)",
    )  # fmt: skip
    diff.add_argument("--json", action="store_true", help="print the differences as JSON")
    diff.set_defaults(run=_run_diff)
    return parser


# --- argument types: the same rules as the configuration's settings ------------------------


def _port(text: str) -> int:
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, not {text!r}")
    return port


def _seconds(text: str) -> float:
    """Seconds as ``BOOTGUARD_RECHECK_INTERVAL`` takes them (the configuration's parser)."""
    import argparse

    from bootguard.config import _seconds as setting_seconds

    try:
        return float(setting_seconds(text, True))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{err}, not {text!r}") from None


def _grace(text: str) -> float:
    """Like :func:`_seconds`, and 0 (no grace period) is allowed."""
    try:
        if float(text) == 0:
            return 0.0
    except ValueError:
        pass
    return _seconds(text)


def _run_diff(options: argparse.Namespace) -> int:
    from bootguard.diff import diff, load_side
    from bootguard.environment.inventory import current_environment
    from bootguard.errors import BootguardError
    from bootguard.manifest import Selection

    groups = options.group
    selection = Selection(
        marker_env=current_environment([]).marker_env,
        extras=frozenset(options.extra),
        groups=frozenset(groups) if groups is not None else None,
    )
    try:
        result = diff(load_side(options.a, selection), load_side(options.b, selection))
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {_one_line(str(err))}\n")
        return 2
    if options.json:
        import json

        sys.stdout.write(json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(result.to_text() + "\n")
    return 0 if result.identical else 1


def _run_serve(options: argparse.Namespace) -> int:
    from bootguard.server import serve_until_signal

    return serve_until_signal(
        options.port,
        options.host,
        manifests=options.manifest,
        python=options.python,
        recheck=options.recheck,
        grace=options.grace,
    )


def _run_check(options: argparse.Namespace) -> int:
    from bootguard.api import check
    from bootguard.errors import BootguardError

    opts = vars(options)
    manifests = [] if opts["no_manifest"] else opts["manifest"]
    integrity = opts["integrity_only"] or opts["integrity"] or opts["quick_integrity"]
    progress = None
    if integrity and not opts["quiet"] and sys.stderr.isatty():
        from bootguard._progress import ProgressBar

        progress = ProgressBar(sys.stderr)
    try:
        report = check(
            manifests,
            python=opts["python"],
            strict=opts["strict"],
            ignore=opts["ignore"],
            extras=opts["extra"],
            groups=[] if opts["group"] is None and opts["no_default_groups"] else opts["group"],
            use_seal=not opts["no_seal"],
            integrity=integrity,
            quick_integrity=opts["quick_integrity"],
            progress=progress,
            allow_empty=opts["allow_empty"],
        )
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {_one_line(str(err))}\n")
        return 2
    except Exception as err:  # a bug outside the isolated stages: one line, never a traceback
        sys.stderr.write(
            f"bootguard: internal error: {_one_line(f'{type(err).__name__}: {err}')}\n"
        )
        return 1
    finally:
        if progress is not None:
            progress.close()
    unknown = _unknown(opts["integrity_only"] or (), report.installed)
    if unknown:
        sys.stderr.write(
            f"bootguard: error: --integrity-only: no installed distribution named {unknown!r}\n"
        )
        return 2
    if manifests is None and not report.manifests and not opts["quiet"]:
        from bootguard.api import no_manifest_message

        # Not a finding (the exit code stays 0), but never silent: stderr, even with --json.
        sys.stderr.write(
            f"bootguard: {no_manifest_message('.')}; pass --manifest, or --no-manifest\n"
        )
    if opts["json"]:
        import json

        sys.stdout.write(json.dumps(report.to_health_json(), indent=2, sort_keys=True) + "\n")
    elif not opts["quiet"]:
        color = opts["color"] == "always" or (
            opts["color"] == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        )
        sys.stdout.write(report.to_text(color=color, verbose=opts["verbose"]) + "\n")
        if opts["verbose"]:
            timing = ", ".join(f"{name} {ms:.1f} ms" for name, ms in report.timings)
            sys.stdout.write(f"verified by {report.verified_by}; {timing}\n")
            if report.fingerprint:
                sys.stdout.write(f"environment fingerprint {report.fingerprint}\n")
    return 1 if report.status == "fail" else 0


def _unknown(names: Sequence[str], installed: tuple[tuple[str, str], ...]) -> str | None:
    """The first name given that is not installed (a typo must not pass as "verified")."""
    from bootguard.names import canonical_name

    present = {name for name, _ in installed}
    return next((name for name in names if canonical_name(name) not in present), None)


def _run_snapshot(options: argparse.Namespace) -> int:
    from bootguard.errors import BootguardError
    from bootguard.snapshot import snapshot, write_snapshot

    opts = vars(options)
    try:
        result = snapshot(python=opts["python"])
        if opts["output"]:
            write_snapshot(opts["output"], result.text)
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {_one_line(str(err))}\n")
        return 2
    if not opts["output"]:
        try:
            sys.stdout.buffer.write(result.text)
            sys.stdout.flush()
        except OSError as err:
            _silence_stdout()
            sys.stderr.write(f"bootguard: error: cannot write to standard output: {err}\n")
            return 2
    if not result.sealed:
        sys.stderr.write("bootguard: snapshot written without a seal:")
        if result.findings:
            sys.stderr.write(" the environment is not consistent:\n")
            for finding in result.findings:
                sys.stderr.write(f"  {_one_line(finding.key)}: {_one_line(finding.message)}\n")
        else:
            sys.stderr.write(" its requirements use kernel-version markers\n")
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
