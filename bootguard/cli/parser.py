"""The ``bootguard`` command line: ``check``, ``snapshot``, ``serve``, ``diff``.

A usage error is one line and exit status 2 (:class:`UsageError`), never argparse's usage
block.  ``check`` and ``serve`` share one table of options (:data:`_OPTIONS`); each is
named after the setting it overrides and takes that setting's own parser as its type
(:data:`bootguard.config.SETTINGS`), so ``--import-timeout 0`` is refused exactly as
``BOOTGUARD_IMPORT_TIMEOUT=0`` is.
"""

from __future__ import annotations

from bootguard.cli import commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import NoReturn

__all__ = ["CHECK_OPTIONS", "UsageError", "build_parser", "help_width", "option_table"]


class UsageError(Exception):
    """A command line argparse refused; its message is the one line to print."""


_SETTINGS_NOTE = (
    "Each option in brackets overrides that setting, read as the boot gate reads it: "
    "options > BOOTGUARD_* variables > [tool.bootguard] in the nearest pyproject.toml > "
    "defaults."
)
#: name -> (help, description) of each subcommand.
_COMMANDS = {
    "check": (
        "check an environment against manifests",
        "Check the installed distributions against the manifests, and run the critical "
        "imports and smoke callables. Exit 0 pass (warnings allowed), 1 fail, 2 usage error "
        f"or unreadable manifest. {_SETTINGS_NOTE} Settings only the boot gate uses (mode, "
        "sentry, health paths...) change neither what check does nor its exit status.",
    ),
    "snapshot": (
        "write this environment as a pinned, sealed requirements file",
        "Write the installed distributions as a pinned requirements file that `bootguard "
        "check` verifies with zero findings; sealed when the environment is consistent.",
    ),
    "serve": (
        "check once, then serve /livez /readyz /healthz until SIGTERM",
        "For processes without HTTP (Celery workers, cron jobs): check the environment as "
        "`bootguard check` does, with the same options, then answer health probes until "
        "SIGTERM (which turns /readyz to 503 first). Details need Authorization: Bearer "
        f"$BOOTGUARD_TOKEN. {_SETTINGS_NOTE} The gate's mode decides readiness (warn: always "
        "ready); token, health_paths and recheck_interval apply too.",
    ),
    "diff": (
        "show what differs between two manifests or two JSON reports",
        "Compare two manifests (any format, selected for this interpreter) or two `bootguard "
        "check --json` reports, and print the distributions added, removed and changed from A "
        "to B. Exit 0 identical, 1 different, 2 unreadable input.",
    ),
}

#: The options ``check`` and ``serve`` share, one a line: dest | flags | kind | help.  The
#: dest is the setting's name where there is one; a line starting with spaces continues
#: the help.  Kinds: ``switch`` (store_true), ``on``/``off`` (the setting true/false),
#: ``yes-no`` (``--x``/``--no-x``), ``list:METAVAR`` (repeatable, a comma separates values
#: as in the variable), ``append:METAVAR`` (repeatable, taken as given), ``value:METAVAR``.
_OPTIONS = """
manifest             | -m --manifest       | append:PATH   | lock or requirements file (repeatable);
                       default: discover one in the current directory
no_manifest          | --no-manifest       | switch        | consistency checks only, like pip check
python               | --python            | value:PATH    | check this interpreter's environment
                       (critical imports and smoke callables run in it too)
strict               | --strict            | yes-no        | extraneous distributions fail
                       (--no-strict: they warn)
ignore               | --ignore            | list:NAME     | never report this distribution (repeatable)
extras               | --extra             | list:NAME     | lock extra to select (repeatable)
groups               | --group             | list:NAME     | dependency group to select (repeatable;
                       default: the lock's default groups)
no_default_groups    | --no-default-groups | switch        | select no dependency group unless named
                       with --group (uv sync --no-default-groups)
allow_empty_manifest | --allow-empty       | on            | accept a manifest that selects no
                       distribution here (default: exit 2)
seal                 | --no-seal           | off           | ignore seals (a sealed snapshot, a verdict
                       sealed by --seal): always run the full check
integrity            | --integrity         | on            | also verify every installed file against
                       its distribution's RECORD (sha256 and size)
integrity_only       | --integrity-only    | append:NAME   | verify the installed files of this
                       distribution only (repeatable)
quick_integrity      | --quick-integrity   | on            | verify only that recorded files exist
                       with their recorded size (a cheap first pass)
imports              | --import            | list:MODULE   | critical import: fail if this module
                       cannot be imported (repeatable)
smoke                | --smoke             | list:MODULE:FUNCTION | smoke callable: fail if it
                       raises or returns False (repeatable)
isolated             | --isolated          | on            | run the critical imports in a child
                       interpreter killed at the timeout (always so with --python)
import_timeout       | --import-timeout    | value:SECONDS | time limit of each critical import
                       (default 10)
smoke_timeout        | --smoke-timeout     | value:SECONDS | time limit of each smoke callable
                       (default 5)
seal_verdict         | --seal              | switch        | at build time: run the full check and, if
                       it passes, seal its verdict in this environment, so that later checks of
                       the same manifests with the same options (the gate at boot) take the fast
                       path until anything changes
recheck_interval     | --recheck           | value:SECONDS | re-check this often (more than 0, less
                       than 3600); off by default
"""
_SELECTION = (
    "manifest", "no_manifest", "python", "strict", "ignore", "extras", "groups",
    "no_default_groups", "allow_empty_manifest", "seal", "integrity", "quick_integrity",
    "imports", "smoke", "isolated", "import_timeout", "smoke_timeout",
)  # fmt: skip
#: The options of ``check`` from :data:`_OPTIONS`, by dest.
CHECK_OPTIONS = (*_SELECTION, "integrity_only", "seal_verdict")


def build_parser() -> argparse.ArgumentParser:
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse without its usage block: a usage error is one line, exit 2."""

        def error(self, message: str) -> NoReturn:
            prefix = "" if self.prog == "bootguard" else f"{self.prog.partition(' ')[2]}: "
            raise UsageError(prefix + message)

        def _get_formatter(self) -> argparse.HelpFormatter:
            # The width argparse would take from shutil, given so that shutil (with bz2,
            # lzma and zlib) is not imported: add_argument formats every metavar.
            return argparse.HelpFormatter(prog=self.prog, width=help_width())

    parser = Parser(
        prog="bootguard",
        description="Verify that a Python environment matches its lock, before it takes traffic.",
    )
    from bootguard import __version__
    from bootguard._setting_values import port

    parser.add_argument("--version", action="version", version=f"bootguard {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub = {
        name: subcommands.add_parser(name, help=short, description=long)
        for name, (short, long) in _COMMANDS.items()
    }

    check = sub["check"]
    _add(check, *CHECK_OPTIONS)
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
        "'extraneous', 'dependency', 'tool' or 'ignored'), then the notes and timings",
    )  # fmt: skip
    check.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto",
        help="colour the text output",
    )  # fmt: skip

    snap = sub["snapshot"]
    snap.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    snap.add_argument("--python", metavar="PATH", help="snapshot this interpreter's environment")

    serve = sub["serve"]
    serve.add_argument(
        "--port", type=_setting_type(port), required=True,
        help="port to listen on, 0 to 65535 (0: any)",
    )  # fmt: skip
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    _add(serve, *_SELECTION, "recheck_interval")
    serve.add_argument(
        "--grace", type=_grace, default=0.0, metavar="SECONDS",
        help="after SIGTERM, keep answering 503 this long before exiting (0 to 3600, default 0)",
    )  # fmt: skip

    diff = sub["diff"]
    diff.add_argument("a", metavar="A", help="manifest or JSON report")
    diff.add_argument("b", metavar="B", help="manifest or JSON report")
    _add(diff, "extras", "groups")
    diff.add_argument("--json", action="store_true", help="print the differences as JSON")

    for name, run in (
        ("check", commands.run_check),
        ("snapshot", commands.run_snapshot),
        ("serve", commands.run_serve),
        ("diff", commands.run_diff),
    ):
        sub[name].set_defaults(run=run)
    return parser


def help_width() -> int:
    """The width argparse's help takes by default: the terminal's columns less 2.

    The columns as :func:`shutil.get_terminal_size` finds them (the ``COLUMNS`` variable if
    it is a positive number, else the terminal on the original stdout, else 80), without
    importing shutil.
    """
    import os
    import sys

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:  # None, closed, detached or not a terminal: 80
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return (columns or 80) - 2


def option_table() -> dict[str, tuple[list[str], str, str]]:
    """:data:`_OPTIONS` as dest -> (flags, kind, help)."""
    table: dict[str, tuple[list[str], str, str]] = {}
    last = ""
    for line in _OPTIONS.strip("\n").splitlines():
        if line.startswith(" "):  # the help goes on
            flags, kind, text = table[last]
            table[last] = (flags, kind, f"{text} {line.strip()}")
            continue
        dest, flags_text, kind, text = (part.strip() for part in line.split("|", 3))
        table[dest] = (flags_text.split(), kind, text)
        last = dest
    return table


def _add(parser: argparse.ArgumentParser, *dests: str) -> None:
    """Add the options of :data:`_OPTIONS` named by their dest (default ``None``: not given)."""
    import argparse

    from bootguard.config import SETTINGS

    table = option_table()
    for dest in dests:
        flags, kind, text = table[dest]
        action, _, metavar = kind.partition(":")
        kwargs: dict[str, object] = {"dest": dest, "default": None}
        if dest in SETTINGS:
            text += f" [{dest}]"
        if action == "switch":
            kwargs.update(action="store_true", default=False)
        elif action in ("on", "off"):
            kwargs.update(action="store_const", const=action == "on")
        elif action == "yes-no":
            kwargs.update(action=argparse.BooleanOptionalAction)
        else:
            kwargs["metavar"] = metavar
            if action != "value":
                kwargs["action"] = "extend" if action == "list" else "append"
            if action != "append" and dest in SETTINGS:
                kwargs["type"] = _setting_type(SETTINGS[dest])
        parser.add_argument(*flags, help=text, **kwargs)  # type: ignore[arg-type]


# --- argument types: the configuration's own parsers ----------------------------------------


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
