"""The ``bootguard`` command line: ``check``, ``snapshot``, ``serve``, ``diff``.

A usage error is one line and exit status 2 (:class:`UsageError`), never argparse's usage
block; the argument types apply the same rules as the configuration's settings.
"""

from __future__ import annotations

from bootguard.cli import commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import NoReturn

__all__ = ["UsageError", "build_parser"]


class UsageError(Exception):
    """A command line argparse refused; its message is the one line to print."""


def build_parser() -> argparse.ArgumentParser:
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse without its usage block: a usage error is one line, exit 2."""

        def error(self, message: str) -> NoReturn:
            prefix = "" if self.prog == "bootguard" else f"{self.prog.partition(' ')[2]}: "
            raise UsageError(prefix + message)

    parser = Parser(
        prog="bootguard",
        description="Verify that a Python environment matches its lock, before it takes traffic.",
    )
    from bootguard import __version__

    parser.add_argument("--version", action="version", version=f"bootguard {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = subcommands.add_parser(
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
        "--no-seal", action="store_true",
        help="ignore seals (a sealed snapshot, a verdict sealed by --seal): run the full check",
    )  # fmt: skip
    check.add_argument(
        "--seal", action="store_true",
        help="at build time: run the full check and, if it passes, seal its verdict in this "
        "environment, so that later checks of the same manifests with the same options "
        "(the gate at boot) take the fast path until anything changes",
    )  # fmt: skip
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
    check.set_defaults(run=commands.run_check)

    snap = subcommands.add_parser(
        "snapshot",
        help="write this environment as a pinned, sealed requirements file",
        description="Write the installed distributions as a pinned requirements file that "
        "`bootguard check` verifies with zero findings; sealed when the environment is consistent.",
    )
    snap.add_argument(
        "-o", "--output", metavar="PATH", help="write here instead of standard output"
    )
    snap.add_argument("--python", metavar="PATH", help="snapshot this interpreter's environment")
    snap.set_defaults(run=commands.run_snapshot)

    serve = subcommands.add_parser(
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
    serve.set_defaults(run=commands.run_serve)

    diff = subcommands.add_parser(
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
    diff.set_defaults(run=commands.run_diff)
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

    from bootguard._setting_values import seconds as setting_seconds

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
