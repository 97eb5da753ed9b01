"""The ``bootguard`` command line: ``check``, ``snapshot``, ``serve``, ``diff``.

A usage error is one line and exit status 2 (:class:`UsageError`), never argparse's usage
block; the argument types apply the same rules as the configuration's settings.
"""

from __future__ import annotations

from bootguard.cli import commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
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
        description="Check the installed distributions against the manifests, and run the "
        "critical imports and smoke callables. Exit 0 pass (warnings allowed), 1 fail, 2 usage "
        f"error or unreadable manifest. {_SETTINGS_NOTE} Settings only the boot gate uses "
        "(mode, sentry, health paths, ...) do not change what check does or its exit status.",
    )
    _add(check, *_SELECTION, *_PROBES, "integrity_only")
    output = check.add_mutually_exclusive_group()  # --json prints exactly what -q silences
    output.add_argument(
        "--json", action="store_true", help="print the application/health+json report"
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; only the exit code"
    )
    check.add_argument(
        "-v", "--verbose", action="store_true",
        help="also list every distribution with its verdict and origin (the manifest line, "
        "'extraneous', 'dependency' or 'tool'), the notes and the timings",
    )  # fmt: skip
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
        "environment as `bootguard check` does (the same options), then answer health probes "
        "until SIGTERM (which turns /readyz to 503 first). Details need Authorization: Bearer "
        f"$BOOTGUARD_TOKEN. {_SETTINGS_NOTE} The gate's mode decides readiness (warn: always "
        "ready); token and health_paths apply too.",
    )
    serve.add_argument(
        "--port", type=_port, required=True, help="port to listen on, 0 to 65535 (0: any)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    _add(serve, *_SELECTION, *_PROBES, "recheck_interval")
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
    _add(diff, "extras", "groups")
    diff.add_argument("--json", action="store_true", help="print the differences as JSON")
    diff.set_defaults(run=commands.run_diff)
    return parser


# --- the options check and serve share: one table, each named after its setting --------------

_SETTINGS_NOTE = (
    "Each option overrides its setting (named in brackets), read as the boot gate reads it: "
    "options > BOOTGUARD_* variables > [tool.bootguard] in the nearest pyproject.toml > "
    "defaults."
)
_SELECTION = (
    "manifest", "no_manifest", "python", "strict", "ignore", "extras", "groups",
    "no_default_groups", "allow_empty_manifest", "seal", "integrity", "quick_integrity",
)  # fmt: skip
_PROBES = ("imports", "smoke", "isolated", "import_timeout", "smoke_timeout")

#: dest -> (flags, what argparse needs besides, help).  A dest that is a setting's name
#: takes that setting's parser as its type (bootguard.config.SETTINGS): one validation.
_TABLE: dict[str, tuple[tuple[str, ...], dict[str, object], str]] = {
    "manifest": (("-m", "--manifest"), {"action": "append", "metavar": "PATH"},
                 "lock or requirements file (repeatable); default: discover one in the "
                 "current directory"),
    "no_manifest": (("--no-manifest",), {"action": "store_true"},
                    "consistency checks only, like pip check"),
    "python": (("--python",), {"metavar": "PATH"}, "check this interpreter's environment "
               "(critical imports and smoke callables run in it too)"),
    "strict": (("--strict",), {"action": "BooleanOptional"},
               "extraneous distributions fail (--no-strict: they warn)"),
    "ignore": (("--ignore",), {"action": "extend", "metavar": "NAME"},
               "never report this distribution (repeatable; a comma separates names)"),
    "extras": (("--extra",), {"action": "extend", "metavar": "NAME"},
               "lock extra to select (repeatable)"),
    "groups": (("--group",), {"action": "extend", "metavar": "NAME"},
               "dependency group to select (repeatable; default: the lock's default groups)"),
    "no_default_groups": (("--no-default-groups",), {"action": "store_true"},
                          "select no dependency group unless named with --group "
                          "(uv sync --no-default-groups)"),
    "allow_empty_manifest": (("--allow-empty",), {"action": "store_const", "const": True},
                             "accept a manifest that selects no distribution here "
                             "(default: exit 2)"),
    "seal": (("--no-seal",), {"action": "store_const", "const": False},
             "ignore a snapshot seal: always run the full check"),
    "integrity": (("--integrity",), {"action": "store_const", "const": True},
                  "also verify every installed file against its distribution's RECORD "
                  "(sha256 and size)"),
    "integrity_only": (("--integrity-only",), {"action": "append", "metavar": "NAME"},
                       "verify the installed files of this distribution only (repeatable)"),
    "quick_integrity": (("--quick-integrity",), {"action": "store_const", "const": True},
                        "verify only that recorded files exist with their recorded size "
                        "(a cheap first pass)"),
    "imports": (("--import",), {"action": "extend", "metavar": "MODULE"},
                "critical import: fail if this module cannot be imported (repeatable)"),
    "smoke": (("--smoke",), {"action": "extend", "metavar": "MODULE:FUNCTION"},
              "smoke callable: fail if it raises or returns False (repeatable)"),
    "isolated": (("--isolated",), {"action": "store_const", "const": True},
                 "run the critical imports in a child interpreter killed at the timeout "
                 "(always so with --python)"),
    "import_timeout": (("--import-timeout",), {"metavar": "SECONDS"},
                       "time limit of each critical import (default 10)"),
    "smoke_timeout": (("--smoke-timeout",), {"metavar": "SECONDS"},
                      "time limit of each smoke callable (default 5)"),
    "recheck_interval": (("--recheck",), {"metavar": "SECONDS"},
                         "re-check this often (more than 0, less than 3600); off by default"),
}  # fmt: skip


def _add(parser: argparse.ArgumentParser, *dests: str) -> None:
    """Add the options named by their dest, each typed by its setting's own parser."""
    import argparse

    from bootguard.config import SETTINGS

    for dest in dests:
        flags, extra, text = _TABLE[dest]
        kwargs = dict(extra)
        if kwargs.get("action") == "BooleanOptional":
            kwargs["action"] = argparse.BooleanOptionalAction
        if dest in SETTINGS:
            text += f" [{dest}]"
            if kwargs.get("action") in (None, "extend"):  # a value to parse, not a switch
                kwargs["type"] = _setting_type(SETTINGS[dest])
        parser.add_argument(*flags, dest=dest, default=None, help=text, **kwargs)  # type: ignore[arg-type]


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


def _setting_type(parse: Callable[[object, bool], object]) -> Callable[[str], object]:
    """An argparse type that is the setting's own parser, given the text as a variable is.

    The value a flag takes is exactly what ``BOOTGUARD_<NAME>`` takes (a comma separates
    names): the same function, so the two can never disagree.
    """
    import argparse

    def convert(text: str) -> object:
        try:
            return parse(text, True)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"{err}, not {text!r}") from None

    return convert


def _grace(text: str) -> float:
    """Seconds as ``recheck_interval`` takes them (the setting's parser), and 0 (no grace)."""
    from bootguard._setting_values import seconds

    try:
        if float(text) == 0:
            return 0.0
    except ValueError:
        pass
    return float(_setting_type(seconds)(text))  # type: ignore[arg-type]
