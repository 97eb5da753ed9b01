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

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bootguard`` command and ``python -m bootguard``."""
    from bootguard.cli.fast import plain_check, sealed_answer

    args = sys.argv[1:] if argv is None else list(argv)
    plain = plain_check(args)
    if plain is not None:
        answer = sealed_answer(plain)
        if answer is not None:
            return answer
        from bootguard.cli.direct import check_namespace

        options = check_namespace(plain)
        if options is not None:
            return _run(options)
    return _main(args)


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
