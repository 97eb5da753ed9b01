"""The hand-written PEP 440 / PEP 508 fast paths give packaging's answers, or none at all.

``bootguard._pep440.contains``, ``bootguard._pep508.parse_requirement`` and
``parse_marker``/``Marker.evaluate`` decide the common forms without importing packaging
and answer ``None`` for the rest.  Whatever they do decide must be exactly what packaging
decides: checked over every Requires-Dist line, installed version, Requires-Python and lock
marker of the two benchmark environments (``tests/data/pep508_corpus.json``), over real
installs of this test environment, and over hypothesis-generated versions, specifiers,
markers and requirement lines.  Coverage assertions keep the fast paths from passing by
deciding nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker as PMarker
from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from bootguard import _pep508
from bootguard._pep440 import contains
from bootguard._pep508 import parse_marker, parse_requirement
from bootguard.environment.inventory import marker_environment
from bootguard.names import canonical_name

CORPUS = json.loads(
    (Path(__file__).parents[1] / "data" / "pep508_corpus.json").read_text(encoding="utf-8")
)
HERE = {k: str(v) for k, v in default_environment().items()}
#: Marker environments beyond this one: another platform and older/newer interpreters.
ENVS = [
    HERE,
    {**HERE, "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
    {**HERE, "python_version": "3.8", "python_full_version": "3.8.10"},
    {**HERE, "python_version": "3.13", "python_full_version": "3.13.0rc2"},
    {**HERE, "sys_platform": "darwin", "platform_machine": "arm64", "platform_system": "Darwin"},
    {**HERE, "implementation_name": "pypy", "platform_python_implementation": "PyPy"},
]


def _packaging_contains(version: str, spec: str) -> bool | None:
    """packaging's verdict, None when the specifier or version is invalid."""
    try:
        parsed = Version(version)
        return SpecifierSet(spec).contains(parsed, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None


def _assert_contains_agrees(version: str, spec: str) -> bool:
    """contains() is None or packaging's verdict; returns whether it decided."""
    fast = contains(version, spec)
    if fast is None:
        return False
    assert fast is _packaging_contains(version, spec), (version, spec)
    return True


def _extras_of(line: str) -> list[str]:
    words = line.replace("'", '"').split('"')
    return ["", "other", *(canonical_name(w) for w in words[1::2])]


def _assert_marker_agrees(text: str, extras: list[str]) -> bool:
    """A fast-parsed marker evaluates as packaging's wherever it decides; True if parsed."""
    fast = parse_marker(text)
    if fast is None:
        return False
    reference = PMarker(text)  # must not raise: the fast parser accepted it
    assert str(fast) == str(reference)
    for env in ENVS:
        for extra in extras:
            decided = fast.evaluate(env, extra)
            if decided is not None:
                assert decided is reference.evaluate({**env, "extra": extra}), (text, extra)
    return True


def _assert_requirement_agrees(line: str) -> bool:
    """A fast-parsed line parses the same with packaging; True if parsed."""
    fast = parse_requirement(line)
    if fast is None:
        return False
    try:
        reference = PRequirement(line)
    except InvalidRequirement:
        raise AssertionError(f"fast path accepted a line packaging rejects: {line!r}") from None
    assert fast.name == reference.name, line
    assert fast.extras == reference.extras, line
    assert fast.specifier == str(reference.specifier), line
    assert reference.url is None and fast.url is None, line
    assert str(fast) == str(reference), line
    assert (fast.marker is None) is (reference.marker is None), line
    if fast.marker is not None:
        assert _assert_marker_agrees(fast.marker.text, _extras_of(line)), line
    return True


def test_every_corpus_requirement_line_agrees() -> None:
    lines = CORPUS["requires_dist"]
    parsed = sum(_assert_requirement_agrees(line) for line in lines)
    assert len(lines) > 1500 and parsed >= 0.99 * len(lines), (parsed, len(lines))


def test_every_lock_marker_agrees() -> None:
    markers = CORPUS["lock_markers"]
    parsed = sum(_assert_marker_agrees(m, _extras_of(m)) for m in markers)
    assert len(markers) > 20 and parsed >= 0.9 * len(markers), (parsed, len(markers))


def test_installed_requirements_here_agree() -> None:
    """This test environment's own distributions: more real lines, beyond the corpus."""
    from glob import glob

    from bootguard.environment.metadata import read_headers

    files = [p for entry in sys.path for p in glob(f"{entry}/*.dist-info/METADATA")]
    lines = {line for path in files for line in read_headers(path).get("requires-dist", [])}
    assert len(lines) > 50
    for line in lines:
        _assert_requirement_agrees(line)


def test_marker_environment_equals_packaging() -> None:
    assert marker_environment() == HERE


# --------------------------------------------------------------------------- generated inputs
_NUMBER = st.integers(min_value=0, max_value=12).map(str) | st.sampled_from(["00", "010", "2024"])
_RELEASE = st.lists(_NUMBER, min_size=1, max_size=4).map(".".join)
_SEP = st.sampled_from(["", ".", "-", "_"])
_PRE_WORD = st.sampled_from(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "RC"])


@st.composite
def versions(draw: st.DrawFn) -> str:
    """Versions in every spelling PEP 440 allows, and a few it does not."""
    text = draw(st.sampled_from(["", "v", "1!"])) + draw(_RELEASE)
    if draw(st.booleans()):
        text += draw(_SEP) + draw(_PRE_WORD) + draw(_SEP) + draw(_NUMBER | st.just(""))
    if draw(st.booleans()):
        text += draw(st.sampled_from(["-1", ".post1", "post", "-r2", ".rev0", "_post_3"]))
    if draw(st.booleans()):
        text += draw(st.sampled_from([".dev0", "dev", "-dev2", ".dev"]))
    if draw(st.integers(0, 5)) == 0:
        text += draw(st.sampled_from(["+cpu", "+local.1", ".*", "x", " ", "..1"]))
    return text


_OPS = st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "~=", "==="])


@st.composite
def specifiers(draw: st.DrawFn) -> str:
    clauses = draw(
        st.lists(
            st.tuples(_OPS, st.sampled_from(["", " "]), versions()).map("".join),
            min_size=1,
            max_size=3,
        )
    )
    return draw(st.sampled_from([",", ", ", " ,"])).join(clauses)


_VARIABLES = st.sampled_from(
    [
        *sorted(_pep508._VERSION_VARIABLES | _pep508._STRING_VARIABLES),
        *("os.name", "python_implementation", "platform.machine"),  # legacy: packaging's
    ]
)
_VALUES = st.sampled_from(
    ["3.8", "3.11", "3.11.7", "3", "3.13.0rc2", "3.*", "win32", "linux", "Linux", "cpython",
     "CPython", "test", "Test_Extra", "x86_64", "", "1.0a1", "posix"]
)  # fmt: skip


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    variable = draw(_VARIABLES)
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "in", "not in", "==="]))
    quote = draw(st.sampled_from(['"', "'"]))
    value = f"{quote}{draw(_VALUES)}{quote}"
    space = draw(st.sampled_from([" ", "", "  "]))
    left, right = (variable, value) if draw(st.booleans()) else (value, variable)
    return f"{left}{space}{op}{space}{right}"


@st.composite
def markers(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(comparisons())
    left = draw(markers(depth=depth - 1))
    right = draw(markers(depth=depth - 1))
    joined = f"{left} {draw(st.sampled_from(['and', 'or']))} {right}"
    return f"({joined})" if draw(st.booleans()) else joined


@settings(max_examples=600, deadline=None)
@given(markers())
def test_generated_markers_agree(text: str) -> None:
    fast = parse_marker(text)
    if fast is None:
        return
    reference = PMarker(text)
    for env in ENVS:
        for extra in ("", "test", "test-extra"):
            decided = fast.evaluate(env, extra)
            if decided is not None:
                assert decided is reference.evaluate({**env, "extra": extra}), (text, extra)


_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?", fullmatch=True)


@st.composite
def requirement_lines(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(["", " "])) + draw(_NAMES)
    if draw(st.booleans()):
        extras = draw(st.lists(_NAMES | st.just(""), max_size=3))
        line += draw(_SEP.map(lambda s: s.replace("_", " "))) + "[" + ", ".join(extras) + "]"
    if draw(st.booleans()):
        spec = draw(specifiers())
        line += f" ({spec})" if draw(st.booleans()) else draw(st.sampled_from(["", " "])) + spec
    if draw(st.booleans()):
        line += draw(st.sampled_from([";", " ;", "; "])) + draw(markers())
    if draw(st.integers(0, 8)) == 0:
        line += draw(st.sampled_from([" @ https://x/y.whl", "]", ",", " x"]))
    return line


@settings(max_examples=600, deadline=None)
@given(requirement_lines())
def test_generated_requirement_lines_agree(line: str) -> None:
    _assert_requirement_agrees(line)


DEEP = "(" * 5000 + 'python_version > "3"' + ")" * 5000


def test_a_deep_marker_goes_to_packaging_instead_of_recursing() -> None:
    """Nesting deeper than real markers is declined (packaging decides), not a RecursionError."""
    assert parse_marker(DEEP) is None
    assert parse_requirement(f"msgbus ; {DEEP}") is None
    shallow = "(" * 3 + 'python_version > "3"' + ")" * 3
    assert parse_marker(shallow) is not None  # the bound leaves real markers to the fast path


def _nested(depth: int) -> str:
    return "(" * depth + 'python_version > "3"' + ")" * depth


def test_packaging_recursion_becomes_its_invalid_error() -> None:
    """packaging's parser is recursive: where it runs out of stack, the wrappers raise
    packaging's own Invalid* error, which every caller already turns into a clear message."""
    from packaging.markers import InvalidMarker

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # so that a modest nesting exhausts packaging's recursion
    try:
        with pytest.raises(RecursionError):
            PRequirement(f"msgbus ; {_nested(150)}")  # what the wrappers exist for
        with pytest.raises(InvalidRequirement, match="nested too deeply"):
            _pep508.packaging_requirement(f"msgbus ; {_nested(150)}")
        with pytest.raises(InvalidMarker, match="nested too deeply"):
            _pep508.packaging_marker(_nested(150))
    finally:
        sys.setrecursionlimit(limit)
    assert _pep508.packaging_requirement("msgbus>=1 ; python_version > '3'") == PRequirement(
        "msgbus>=1 ; python_version > '3'"
    )
    assert str(_pep508.packaging_marker(_nested(2))) == str(PMarker(_nested(2)))
