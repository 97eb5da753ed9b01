"""The commands behind ``bootguard check``, ``snapshot``, ``serve`` and ``diff``.

Each takes the parsed options and returns the exit status: 0 pass (warnings allowed), 1
fail, 2 usage error or unreadable input.  Errors bootguard raises on purpose are one line
on stderr; so is a bug of bootguard's own.
"""

from __future__ import annotations

import os
import sys

from bootguard._record import replace
from bootguard.cli.output import one_line, silence_stdout

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = ["run_check", "run_diff", "run_serve", "run_snapshot"]


def run_diff(options: argparse.Namespace) -> int:
    from bootguard.diff import diff, load_side
    from bootguard.environment import current_environment
    from bootguard.errors import BootguardError
    from bootguard.manifest import Selection

    groups = options.groups
    selection = Selection(
        marker_env=current_environment([]).marker_env,
        extras=frozenset(options.extras or ()),
        groups=frozenset(groups) if groups is not None else None,
    )
    try:
        result = diff(load_side(options.a, selection), load_side(options.b, selection))
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {one_line(str(err))}\n")
        return 2
    if options.json:
        import json

        sys.stdout.write(json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(result.to_text() + "\n")
    return 0 if result.identical else 1


def run_serve(options: argparse.Namespace) -> int:
    from bootguard.cli.settings import load
    from bootguard.errors import BootguardError
    from bootguard.gate import readiness
    from bootguard.health.server import serve_until_signal

    try:
        settings, check = load(options)
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {one_line(str(err))}\n")
        return 2
    return serve_until_signal(
        options.port, options.host, settings=settings, options=check,
        ready=readiness(settings), grace=options.grace,
    )  # fmt: skip


def run_check(options: argparse.Namespace) -> int:
    import time

    from bootguard.api import check_with
    from bootguard.boot import with_probes
    from bootguard.cli.settings import load
    from bootguard.errors import BootguardError

    opts = vars(options)
    started = time.perf_counter()
    progress = None
    sealed: str | None = None
    try:
        settings, check = load(options)
        if opts["seal_verdict"] and (check.integrity or check.python):
            what = "--python" if check.python else "--integrity"
            sys.stderr.write(
                f"bootguard: error: argument --seal: not allowed with {what} (a seal records "
                "this interpreter's own check; integrity is verified at every check)\n"
            )
            return 2
        if check.integrity and not opts["quiet"] and sys.stderr.isatty():
            from bootguard._progress import ProgressBar

            progress = ProgressBar(sys.stderr)
        if opts["seal_verdict"]:
            from bootguard.sealing import seal_check

            outcome = seal_check(replace(check, progress=progress))
            report, sealed = outcome.report, outcome.path
            if sealed is None:
                sys.stderr.write(f"bootguard: not sealed: {one_line(outcome.reason)}\n")
        else:
            report = check_with(replace(check, progress=progress))
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {one_line(str(err))}\n")
        return 2
    except Exception as err:  # a bug outside the isolated stages: one line, never a traceback
        sys.stderr.write(f"bootguard: internal error: {one_line(f'{type(err).__name__}: {err}')}\n")
        return 1
    finally:
        if progress is not None:
            progress.close()
    if sealed is not None and not opts["quiet"]:
        sys.stderr.write(f"bootguard: verdict sealed in {one_line(sealed)}\n")
    integrity = settings.integrity
    unknown = _unknown(integrity if isinstance(integrity, tuple) else (), report.installed)
    if unknown:
        given = "--integrity-only" if opts["integrity_only"] else settings.source("integrity")
        sys.stderr.write(
            f"bootguard: error: {given}: no installed distribution named {unknown!r}\n"
        )
        return 2
    if settings.imports or settings.smoke:  # in the checked interpreter (--python) if given
        import contextlib

        with contextlib.redirect_stdout(sys.stderr):  # a module's prints must not corrupt --json
            report = with_probes(report, settings, started, python=check.python)
    if check.manifests is None and not report.manifests and not opts["quiet"]:
        from bootguard.api import no_manifest_message

        # Not a finding (the exit code stays 0), but never silent: stderr, even with --json.
        sys.stderr.write(
            f"bootguard: {no_manifest_message('.')}; pass --manifest, or --no-manifest\n"
        )
    if opts["json"]:
        import json

        sys.stdout.write(json.dumps(report.to_health_json(), indent=2, sort_keys=True) + "\n")
    elif not opts["quiet"]:
        from bootguard.cli.output import verbose_text

        color = opts["color"] == "always" or (
            opts["color"] == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        )
        sys.stdout.write(report.to_text(color=color, verbose=opts["verbose"]) + "\n")
        if opts["verbose"]:
            sys.stdout.write(verbose_text(report))
    return 1 if report.status == "fail" else 0


def _unknown(names: Sequence[str], installed: tuple[tuple[str, str], ...]) -> str | None:
    """The first name given that is not installed (a typo must not pass as "verified")."""
    from bootguard.names import canonical_name

    present = {name for name, _ in installed}
    return next((name for name in names if canonical_name(name) not in present), None)


def run_snapshot(options: argparse.Namespace) -> int:
    from bootguard.errors import BootguardError
    from bootguard.snapshot import snapshot, write_snapshot

    opts = vars(options)
    try:
        result = snapshot(python=opts["python"])
        if opts["output"]:
            write_snapshot(opts["output"], result.text)
    except BootguardError as err:
        sys.stderr.write(f"bootguard: error: {one_line(str(err))}\n")
        return 2
    if not opts["output"]:
        try:
            sys.stdout.buffer.write(result.text)
            sys.stdout.flush()
        except OSError as err:
            silence_stdout()
            sys.stderr.write(f"bootguard: error: cannot write to standard output: {err}\n")
            return 2
    if not result.sealed:
        sys.stderr.write("bootguard: snapshot written without a seal:")
        if result.findings:
            sys.stderr.write(" the environment is not consistent:\n")
            for finding in result.findings:
                sys.stderr.write(f"  {one_line(finding.key)}: {one_line(finding.message)}\n")
        else:
            sys.stderr.write(" its requirements use kernel-version markers\n")
    return 0
