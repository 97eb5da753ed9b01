"""The full ``bootguard check`` without argparse, for the command lines the fast path reads.

When no seal answers, ``check -m requirements.txt --no-seal`` and the other forms
:func:`bootguard.cli.fast.plain_check` recognises run the full check here: the options
argparse would have produced, built from the same table of options
(:func:`bootguard.cli.parser.option_table`), go to the same command
(:func:`bootguard.cli.commands.run_check`), so the report, the errors and the exit status
are the same.  argparse, with gettext, locale and shutil, is a good part of what a full
check's process imports besides the check itself (docs/design.md, "Deferred imports").

Should a setting's parser refuse a value, this returns ``None``, so that argparse says
what is wrong in its own words.
"""

from __future__ import annotations

from types import SimpleNamespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.cli.fast import Plain

__all__ = ["check_namespace"]


def check_namespace(plain: Plain) -> SimpleNamespace | None:
    """The options ``bootguard check`` parses from ``plain``, as argparse makes them.

    Every option of ``check`` is there, with argparse's default when not given; a flag's
    value is what its kind in the table makes it.  None if a value is one argparse refuses.
    """
    from bootguard.cli.commands import run_check
    from bootguard.cli.parser import CHECK_OPTIONS, option_table
    from bootguard.config import SETTINGS

    manifests, quiet, given = plain
    table = option_table()
    values: dict[str, object] = {"command": "check", "run": run_check}
    by_flag = {}
    for dest in CHECK_OPTIONS:
        flags, kind, _ = table[dest]
        values[dest] = False if kind == "switch" else None
        by_flag.update(dict.fromkeys(flags, (dest, kind)))
    for flag, texts in given.items():
        dest, kind = by_flag[flag]
        if kind.startswith("list:"):
            items: list[object] = []
            for text in texts:  # the setting's own parser, as the argparse type is
                try:
                    items.extend(SETTINGS[dest](text, True))
                except (TypeError, ValueError):
                    return None
            values[dest] = items
        else:
            values[dest] = kind in ("switch", "on", "yes-no")  # --no-seal is "off"
    if manifests:
        values["manifest"] = list(manifests)
    values.update(json=False, quiet=quiet, verbose=False, color="auto")
    return SimpleNamespace(**values)
