"""Requirement lines become entries, named or unnamed, as pip reads each line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.errors import ManifestError
from bootguard.manifest._req_entries import (
    _is_path_line,
    _maybe_direct,
    _requirement,
    _split_marker,
    _State,
    _strip_extras,
)
from bootguard.manifest._req_lines import _Line
from tests.unit.conftest import selection


def _read(text: str, tmp_path: Path, *, constraint: bool = False) -> _State:
    state = _State(selection())
    _requirement(_Line(tmp_path / "r.txt", "r.txt", 3), text, (), state, constraint=constraint)
    return state


def test_a_pep508_line_is_a_named_entry_with_its_origin(tmp_path: Path) -> None:
    state = _read("Task_Q[Redis]>=5,<6; python_version >= '3'", tmp_path, constraint=True)
    (entry,) = state.entries
    assert (entry.name, entry.specifier, entry.extras) == ("task-q", "<6,>=5", frozenset({"redis"}))
    assert (entry.origin, entry.constraint, entry.source) == ("r.txt:3", True, None)


def test_a_false_marker_drops_the_line(tmp_path: Path) -> None:
    assert _read("msgbus==1; sys_platform == 'nonesuch'", tmp_path).entries == []
    assert _read("./app ; sys_platform == 'nonesuch'", tmp_path).unnamed == []


def test_a_named_url_is_a_requirement_with_a_source(tmp_path: Path) -> None:
    (entry,) = _read("msgbus @ https://h/msgbus-4.1.0-py3-none-any.whl", tmp_path).entries
    assert entry.source is not None and entry.source.kind == "archive"
    assert entry.url == "https://h/msgbus-4.1.0-py3-none-any.whl"


def test_a_bare_url_without_a_name_is_kept_unnamed(tmp_path: Path) -> None:
    state = _read("git+https://h/repo.git@v1", tmp_path)
    assert state.entries == []
    (unnamed,) = state.unnamed
    assert unnamed.name == "" and unnamed.source is not None and unnamed.source.kind == "vcs"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("msgbus===", r"^r\.txt:3: invalid requirement 'msgbus===': "),
        ("./app ; os_name ==", r"^r\.txt:3: invalid marker 'os_name ==': "),
    ],
)
def test_a_bad_line_is_one_error_naming_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message) as caught:
        _read(text, tmp_path)
    assert "\n" not in str(caught.value)


def test_path_lines_follow_pips_rule() -> None:
    assert _is_path_line("./app[x]") and _is_path_line("dist/x-1.0.tar.gz")
    assert _is_path_line("x-1.0-py3-none-any.whl")
    assert not _is_path_line("foo @ https://h/foo.whl")
    assert not _is_path_line("msgbus")


def test_extras_are_stripped_from_a_path_and_normalized() -> None:
    assert _strip_extras("./proj[X_1, y]") == ("./proj", frozenset({"x-1", "y"}))
    assert _strip_extras("[x]") == ("[x]", frozenset())
    assert _strip_extras("./proj") == ("./proj", frozenset())
    assert _split_marker("a ; b == '1' ", ";") == ("a", "b == '1'")
    assert _split_marker("a ;", ";") == ("a", None)
    assert _split_marker("a", ";") == ("a", None)


@given(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}(==[0-9]{1,3}(\.[0-9]{1,3}){0,2})?", fullmatch=True)
)
def test_a_plain_pin_never_takes_the_url_path(text: str) -> None:
    assert not _maybe_direct(text)


def test_anything_like_a_url_path_or_archive_might_be_direct() -> None:
    for text in ("https://h/x", "./x", "a\\b", ".x", "pkg.ZIP", "x.tbz"):
        assert _maybe_direct(text)
