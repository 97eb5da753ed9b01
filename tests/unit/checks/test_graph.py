"""Unit tests of bootguard.checks.graph: the extras-only lines it skips."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker, default_environment

from bootguard.checks.graph import Evaluator as _Evaluator

_COMPARISONS = st.sampled_from(
    [
        'extra == "test"',
        "extra == 'docs'",
        'extra != "test"',
        'extra == ""',
        '"test" == extra',
        'python_version < "3.8"',
        'python_version >= "3.8"',
        'sys_platform == "win32"',
        'sys_platform == "linux"',
        'platform_machine == "extra"',
        '"x" in extra',
        '"x" not in extra',
        'implementation_name == "cpython"',
    ]
)


@st.composite
def markers(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_COMPARISONS)
    left = draw(markers(depth=depth - 1))
    right = draw(markers(depth=depth - 1))
    op = draw(st.sampled_from([" and ", " or ", "and", " and("]))
    if op == "and":
        return f"({left})and({right})"
    if op == " and(":
        return f"{left} and ({right})"
    return f"{left}{op}{right}"


ENV = {k: str(v) for k, v in default_environment().items()}


@settings(max_examples=400)
@given(markers())
def test_skipping_extras_only_lines_never_drops_an_applicable_one(marker: str) -> None:
    line = f"dep>=1; {marker}"
    if _Evaluator.skip_without_parsing(line, ""):
        assert not Marker(marker).evaluate({**ENV, "extra": ""}), marker


def test_the_usual_extras_only_lines_are_skipped() -> None:
    assert _Evaluator.skip_without_parsing('pytest>=7; extra == "test"', "")
    assert _Evaluator.skip_without_parsing(
        "sphinx; python_version >= '3.9' and extra == 'docs'", ""
    )
    assert not _Evaluator.skip_without_parsing('pytest>=7; extra == "test"', "test")
    assert not _Evaluator.skip_without_parsing('x; python_version < "3" or extra == "a"', "")
