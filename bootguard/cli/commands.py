"""The commands behind ``bootguard check``, ``snapshot``, ``serve`` and ``diff``.

Each takes the parsed options and returns the exit status: 0 pass (warnings allowed), 1
fail, 2 usage error or unreadable input.  Errors bootguard raises on purpose are one line
on stderr; so is a bug of bootguard's own.
"""

from __future__ import annotations

import os
import sys

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

    groups = options.group
    selection = Selection(
        marker_env=current_environment([]).marker_env,
        extras=frozenset(options.extra),
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
    from bootguard.health.server import serve_until_signal

    return serve_until_signal(
        options.port,
        options.host,
        manifests=options.manifest,
        python=options.python,
        recheck=options.recheck,
        grace=options.grace,
    )


def run_check(options: argparse.Namespace) -> int:
    from bootguard.api import check_with
    from bootguard.errors import BootguardError
    from bootguard.options import CheckOptions

    opts = vars(options)
    manifests = [] if opts["no_manifest"] else opts["manifest"]
    integrity = opts["integrity_only"] or opts["integrity"] or opts["quick_integrity"]
    if opts["seal"] and (integrity or opts["python"]):
        what = "--python" if opts["python"] else "--integrity"
        sys.stderr.write(
            f"bootguard: error: argument --seal: not allowed with {what} (a seal records this "
            "interpreter's own check; integrity is verified at every check)\n"
        )
        return 2
    progress = None
    if integrity and not opts["quiet"] and sys.stderr.isatty():
        from bootguard._progress import ProgressBar

        progress = ProgressBar(sys.stderr)
    check_options = CheckOptions(
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
    sealed: str | None = None
    try:
        if opts["seal"]:
            from bootguard.sealing import seal_check

            outcome = seal_check(check_options)
            report, sealed = outcome.report, outcome.path
            if sealed is None:
                sys.stderr.write(f"bootguard: not sealed: {outcome.reason}\n")
        else:
            report = check_with(check_options)
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
