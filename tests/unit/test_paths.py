"""``str`` paths that spell and walk exactly as :mod:`pathlib` does: proven against pathlib."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard._paths import FilePath, ancestors, is_file, parent, resolved, spelled

#: Paths made of the pieces that change a spelling: slashes (one, two, three), ``.``,
#: ``..``, ``~``, spaces, a non-UTF-8 byte as ``os.fsdecode`` gives it (surrogateescape).
paths = st.lists(
    st.sampled_from(["/", "//", "///", ".", "..", "a", "b.txt", "~", " ", "\udcff", "é", ""]),
    max_size=8,
).map("".join)


@given(paths)
def test_spelled_is_how_pathlib_spells_a_path(path: str) -> None:
    assert spelled(path) == str(PurePosixPath(path))


@given(paths)
def test_parent_name_and_ancestors_are_pathlib_s(path: str) -> None:
    pure = PurePosixPath(path)
    walked = FilePath(path)
    assert parent(spelled(path)) == str(pure.parent)
    assert (walked, walked.name, walked.parent) == (str(pure), pure.name, str(pure.parent))
    assert ancestors(spelled(path)) == [str(pure), *map(str, pure.parents)]


@given(paths, paths)
def test_joining_is_pathlib_s(left: str, right: str) -> None:
    assert FilePath(left) / right == str(PurePosixPath(left) / right)


def test_examples_of_the_spelling() -> None:
    assert [spelled(p) for p in ["./a//b/", "", "//x/", "///x", "a/./b/..", "~/x"]] == [
        "a/b", ".", "//x", "/x", "a/b/..", "~/x"
    ]  # fmt: skip
    assert spelled(Path("a") / "b") == "a/b"  # a path-like object is taken as its str


def test_anything_but_a_str_path_is_refused_as_pathlib_refuses_it() -> None:
    for wrong in (b"a", 3):
        with pytest.raises(TypeError):
            Path(wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            spelled(wrong)  # type: ignore[arg-type]


def test_a_file_path_is_a_plain_str_to_everything_else(tmp_path: Path) -> None:
    path = FilePath(f"{tmp_path}//r.txt")
    assert str(path) == f"{tmp_path}/r.txt" and type(str(path)) is str
    assert pickle.loads(pickle.dumps(path)) == path
    assert (path.parent / "pyproject.toml") == str(tmp_path / "pyproject.toml")


def test_is_file_answers_and_raises_as_path_is_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    (tmp_path / "d").mkdir()
    (tmp_path / "link").symlink_to("f")
    (tmp_path / "dangling").symlink_to("absent")
    (tmp_path / "loop").symlink_to("loop")
    cases = ["f", "d", "link", "dangling", "loop", "absent", "f/under-a-file", "nul\0byte"]
    for name in cases:
        assert is_file(tmp_path / name) == (tmp_path / name).is_file(), name
        assert FilePath(str(tmp_path / name)).is_file() == (tmp_path / name).is_file(), name
    too_long = tmp_path / ("x" * 5000)  # not "absent": Path.is_file raises it, so do we
    with pytest.raises(OSError, match="too long") as expected:
        too_long.is_file()
    with pytest.raises(OSError, match="too long") as ours:
        is_file(too_long)
    assert ours.value.errno == expected.value.errno


def test_resolved_is_path_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "r.txt").write_text("")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path / "linked")
    for path in [
        ".", "sub/r.txt", "./sub//r.txt", "sub/../sub/r.txt", "sub/", "absent/x", "..",
        str(tmp_path / "linked" / "sub"), "~", "\udcffname",
    ]:  # fmt: skip
        assert resolved(path) == str(Path(path).resolve()), path


def test_a_symlink_loop_resolves_as_this_python_s_pathlib_does(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    loop = str(tmp_path / "a")
    if sys.version_info < (3, 13):
        with pytest.raises(RuntimeError, match="Symlink loop") as expected:
            Path(loop).resolve()
        with pytest.raises(RuntimeError) as ours:
            resolved(loop)
        assert str(ours.value) == str(expected.value)
    else:
        assert resolved(loop) == str(Path(loop).resolve()) == os.path.realpath(loop)
