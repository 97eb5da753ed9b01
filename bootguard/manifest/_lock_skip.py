"""Which lines of a uv.lock or poetry.lock are blanked before parsing, stated without regexes.

The lock readers blank what bootguard never reads (one line per wheel or file, ``sdist``
lines, ``requires-dist`` blocks, and in a Poetry 2.1 lock the dependency tables) with
regular expressions before ``tomllib`` sees the text.  The subset reader
(:mod:`bootguard.manifest._lock_subset`) must see exactly the same remaining text, so each
:class:`Layout` restates one reader's expressions as string tests: a line is blanked when
it starts with a rule's prefix and ends with its suffix (``^prefix.*suffix$``).  A test
holds every layout equal to its reader's expressions on real and generated locks.

Most of a lock is runs of such lines (the ``wheels = [...]`` and ``files = [...]``
arrays); :meth:`Layout.run_end` checks a whole run with a few counts over the text instead
of one test per line.
"""

from __future__ import annotations

__all__ = ["POETRY", "POETRY_2_1", "UV", "Layout"]


class Layout:
    """What one reader blanks: single lines by (prefix, suffix) rules, and which blocks.

    ``runs`` (prefixes, suffixes) describes the lines of the archive arrays, most common
    first: every (prefix, suffix) pair of them must be a rule, and :meth:`run_end` needs
    that no prefix starts another, no suffix ends another, and no prefix ends with the start
    of a suffix (a unit test checks all three).  ``block``
    names the block rule: ``"requires-dist"`` (uv), ``"walk-tables"`` (Poetry 2.1) or ``""``.
    """

    __slots__ = ("block", "boundaries", "heads", "prefixes", "rules", "tails")

    def __init__(
        self,
        rules: tuple[tuple[str, str], ...],
        runs: tuple[tuple[str, ...], tuple[str, ...]],
        block: str,
    ) -> None:
        self.rules = rules
        self.prefixes = tuple(dict.fromkeys(prefix for prefix, _ in rules))
        self.heads, self.tails = runs
        self.boundaries = tuple(tail + "\n" + head for head in self.heads for tail in self.tails)
        self.block = block

    def skips(self, line: str) -> bool:
        """Whether a rule blanks ``line`` (a line without its newline)."""
        if not line.startswith(self.prefixes):
            return False
        for prefix, suffix in self.rules:
            if (
                line.startswith(prefix)
                and line.endswith(suffix)
                and len(line) >= len(prefix) + len(suffix)
            ):
                return True
        return False

    def run_end(self, text: str, start: int) -> int:
        """Where the line starting with ``]`` after ``start`` begins, when every line from
        ``start`` (a line start, after a newline) up to it is a blanked archive line; else -1.

        Each of the ``k`` lines starts with a run prefix and ends with a run suffix exactly
        when the first starts with a prefix, the last ends with a suffix, and the ``k - 1``
        newlines between them each sit in a ``suffix + "\\n" + prefix`` boundary: no two
        boundaries can share a newline (no prefix starts another, no suffix ends another)
        nor overlap (no prefix ends with what a suffix starts with).  Counting boundaries
        and newlines reads the run twice at C speed, instead of once per line in Python.
        """
        close = text.find("]", start)  # none inside archive lines: the run's end, if any
        if close <= start or text[close - 1] != "\n":
            return -1
        last = close - 1  # the newline ending the run's last line
        if not (text.startswith(self.heads, start) and text.endswith(self.tails, start, last)):
            return -1
        inner = text.count("\n", start, last)
        for boundary in self.boundaries:
            inner -= text.count(boundary, start, last)
            if inner == 0:
                return close
        return -1


#: uv: ``^(?:    \{ url = .*\},|    \{ path = .*\},|    \{ filename = .*\},|sdist = \{ .*\})$``
#: and the blocks ``^requires-dist = \[\n(?:    .*\n)*\]$``.
UV = Layout(
    (
        ("    { url = ", "},"),
        ("sdist = { ", "}"),
        ("    { path = ", "},"),
        ("    { filename = ", "},"),
    ),
    (("    { url = ", "    { path = ", "    { filename = "), ("},",)),
    "requires-dist",
)

#: Poetry: ``^(?:    \{file = .*\},?|description = \".*\")$``.
POETRY = Layout(
    (("    {file = ", "},"), ("    {file = ", "}"), ('description = "', '"')),
    (("    {file = ",), ("},", "}")),
    "",
)

#: Poetry 2.1: the same lines, and the blocks
#: ``^\[package\.(?:dependencies|extras)\]\n(?:[^\[\n].*\n|\n)*``.
POETRY_2_1 = Layout(POETRY.rules, (("    {file = ",), ("},", "}")), "walk-tables")
