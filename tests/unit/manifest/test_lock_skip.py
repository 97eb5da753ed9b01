"""Each Layout blanks exactly the lines its reader's regular expressions blank.

The expressions (``uvlock._ARCHIVE_LINES``, ``poetry._SKIPPED_LINES``) are the reference:
:meth:`Layout.skips` must agree with them on every line of the test locks and on generated
lines built around the rule prefixes and suffixes, and :meth:`Layout.run_end` must only
ever skip lines that the expressions blank.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bootguard.manifest._lock_skip import POETRY, POETRY_2_1, UV, Layout
from bootguard.manifest.poetry import _SKIPPED_LINES
from bootguard.manifest.uvlock import _ARCHIVE_LINES

DATA = Path(__file__).parents[2] / "data"
LOCKS = sorted(p for p in DATA.rglob("*") if p.name in ("uv.lock", "poetry.lock"))
PAIRS = ((UV, _ARCHIVE_LINES), (POETRY, _SKIPPED_LINES), (POETRY_2_1, _SKIPPED_LINES))


def _blanked(pattern: str, line: str) -> bool:
    return re.search(pattern, line, flags=re.MULTILINE) is not None


def test_every_line_of_the_test_locks_is_blanked_as_the_expressions_say() -> None:
    assert len(LOCKS) >= 10
    skipped = 0
    for path in LOCKS:
        for line in path.read_text(encoding="utf-8").split("\n"):
            for layout, pattern in PAIRS:
                assert layout.skips(line) == _blanked(pattern, line), (path, line)
                skipped += layout.skips(line)
    assert skipped > 100  # the archive lines are there and are blanked


_PIECES = st.sampled_from(
    ["    { url = ", "    { path = ", "    { filename = ", "sdist = { ", "    {file = ",
     'description = "', "}", "},", '"', " ", "x", "{", ",", "\\", "é", "\t", "\r"]
)  # fmt: skip
_LINES = st.lists(_PIECES, max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(_LINES)
def test_generated_lines_are_blanked_as_the_expressions_say(line: str) -> None:
    for layout, pattern in PAIRS:
        assert layout.skips(line) == _blanked(pattern, line), (layout.rules, line)


def test_the_run_rules_are_rules_and_cannot_share_or_overlap_a_boundary() -> None:
    for layout in (UV, POETRY, POETRY_2_1):
        rules = set(layout.rules)
        for head in layout.heads:
            assert all((head, tail) in rules for tail in layout.tails)
            assert not any(other != head and other.startswith(head) for other in layout.heads)
            for tail in layout.tails:  # no prefix ends with what a suffix starts with
                assert not any(head.endswith(tail[:n]) for n in range(1, len(tail) + 1))
        for tail in layout.tails:
            assert not any(other != tail and other.endswith(tail) for other in layout.tails)


def _reference_run_end(layout: Layout, text: str, start: int) -> int:
    """Line by line: where the first line starting with ``]`` begins, if every line before
    it from ``start`` is blanked (and ends with a newline); else -1."""
    position = start
    while True:
        end = text.find("\n", position)
        if text.startswith("]", position):
            return position
        if end < 0 or not layout.skips(text[position:end]):
            return -1
        position = end + 1


_RUN_LINES = st.sampled_from(
    ['    { url = "a", hash = "b" },', '    { path = "p.whl" },', '    { filename = "f" },',
     '    {file = "x.whl", hash = "h"},', '    {file = "y.tar.gz", hash = "h"}',
     "    { url = }},", "    { url = x }", "", "    ", '    "string",', "]", "],", "x]",
     '    { url = "]" },', "    {file = }", "    {file = },"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_RUN_LINES, min_size=1, max_size=8), st.booleans())
def test_a_run_is_skipped_only_when_every_line_of_it_is_blanked(
    lines: list[str], closed: bool
) -> None:
    text = "wheels = [\n" + "\n".join(lines) + ("\n]\n" if closed else "")
    start = len("wheels = [\n")
    for layout in (UV, POETRY):
        end = layout.run_end(text, start)
        reference = _reference_run_end(layout, text, start)
        if end >= 0:  # sound: never skips a line the expressions keep
            assert end == reference, (layout.rules, text)
        elif reference > start:  # and complete on the lines the tools write (no "]" in them)
            assert "]" in text[start : reference - 1], (layout.rules, text)


def test_a_real_wheels_run_is_skipped_in_one_step() -> None:
    text = (DATA / "locks" / "uv" / "uv.lock").read_text(encoding="utf-8")
    start = text.index("wheels = [\n") + len("wheels = [\n")
    end = UV.run_end(text, start)
    assert end > start and text[end] == "]"
    assert all(UV.skips(line) for line in text[start : end - 1].split("\n"))
