"""The ``bootguard`` command: ``check``, ``snapshot``, ``serve``, ``diff``.

Exit codes: 0 pass (warnings allowed), 1 fail, 2 usage error or unreadable manifest.
Every error is one line on stderr, ``bootguard: error: ...``, never a traceback: operators
read it in a container log, where a usage block or a stack trace hides the one line that
says what to fix.

``bootguard check`` runs on every boot of every node, so its most common form (a sealed
snapshot that still matches) is answered by :mod:`bootguard.cli.fast` before ``argparse``,
``dataclasses`` or ``packaging`` are imported (docs/design.md, "Deferred imports").  When
no seal answers, the forms that module reads run the full check without argparse
(:mod:`bootguard.cli.direct`); any other takes the parser (:mod:`bootguard.cli.parser`).
Both end in the same command (:mod:`bootguard.cli.commands`).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace

__all__ = ["main", "run"]


def main(argv: list[str] | None = None) -> int:
    """The ``bootguard`` command as a function: its exit status (for callers in-process)."""
    return _dispatch(sys.argv[1:] if argv is None else list(argv))[0]


def run() -> None:
    """Entry point of the ``bootguard`` command and ``python -m bootguard``: exits.

    After a ``check`` answered by the sealed fast path or run directly (the boot-time
    forms, which import no code but bootguard's and start no thread), the process leaves
    with ``os._exit`` once its output is flushed: tearing the interpreter down (freeing
    every object, finalizing every module) would cost a sizeable part of a full check's
    process for nothing.  Every other command exits normally, so atexit handlers of the
    modules ``--import`` and ``--smoke`` load still run.
    """
    status, quick = _dispatch(sys.argv[1:])
    if quick:
        _exit_now(status)
    sys.exit(status)


def _dispatch(args: list[str]) -> tuple[int, bool]:
    """The exit status, and whether the process may skip the interpreter's teardown."""
    from bootguard.cli.fast import plain_check, sealed_answer

    plain = plain_check(args)
    if plain is not None:
        answer = sealed_answer(plain)
        if answer is not None:
            return answer, True
        from bootguard.cli.direct import check_namespace

        options = check_namespace(plain)
        if options is not None:
            return _run(options), True
    return _main(args), False


def _exit_now(status: int) -> None:
    """Flush standard output and error, then end the process without the teardown; if a
    flush fails (a closed pipe), return so that the normal exit reports it as before."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(status)


def _main(args: list[str]) -> int:
    """The full path through argparse: parse, then run the command."""
    from bootguard.cli.parser import UsageError, build_parser

    parser = build_parser()
    try:
        options = parser.parse_args(args)
    except UsageError as err:
        sys.stderr.write(f"bootguard: error: {err}\n")
        return 2
    if options.command is None:
        parser.print_help()
        return 2
    return _run(options)


def _run(options: argparse.Namespace | SimpleNamespace) -> int:
    """Run the command the options name, and turn every error into one line."""
    from bootguard.cli.output import silence_stdout

    try:
        command: int = options.run(options)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to tell it
        silence_stdout()
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
