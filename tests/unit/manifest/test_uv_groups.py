"""Which groups and extras of a uv.lock are asked for, as ``uv sync`` decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootguard.errors import ManifestError
from bootguard.manifest._uv_groups import (
    _check_extras,
    _Declared,
    _declared_default_groups,
    _group,
    _Package,
    _select_groups,
    may_declare_default_groups,
)
from tests.unit.conftest import selection

ROOT = _Package(
    0,
    "app",
    "1.0",
    {"editable": "."},
    {
        "dev-dependencies": {"Dev": [], "lint": []},
        "metadata": {"requires-dev": {"docs": []}, "provides-extras": ["fast"]},
        "optional-dependencies": {"Redis_X": []},
        "default-groups": ["dev", "docs"],
    },
)


def _groups(
    declared: _Declared | None = None, groups: list[str] | None = None, **raw: Any
) -> tuple[frozenset[str], list[str]]:
    root = _Package(0, "app", "1.0", {}, {**ROOT.raw, **raw}) if raw else ROOT
    notes: list[str] = []
    chosen = _select_groups(
        [root], {}, selection(groups=groups), declared, "uv.lock", notes, workspace_root=False
    )
    return chosen, notes


def test_named_groups_win_and_an_unknown_one_is_refused() -> None:
    assert _groups(groups=["LINT"])[0] == {"lint"}
    with pytest.raises(
        ManifestError, match=r"no dependency group 'test' in the lock \(groups: dev, docs, lint\)"
    ):
        _groups(groups=["test"])


def test_defaults_come_from_the_pyproject_then_the_lock() -> None:
    assert _groups()[0] == {"dev", "docs"}
    assert _groups(_Declared("pyproject.toml", ["lint", "nonesuch"]))[0] == {"lint"}
    assert _groups(_Declared("pyproject.toml", "all"))[0] == {"dev", "docs", "lint"}
    with pytest.raises(ManifestError, match=r"key 'tool\.uv\.default-groups': expected a list"):
        _groups(_Declared("pyproject.toml", "dev"))


def test_a_missing_pyproject_is_a_note_when_groups_are_left_out() -> None:
    chosen, notes = _groups(
        _Declared("pyproject.toml", problem="no pyproject.toml beside the lock")
    )
    assert chosen == {"dev", "docs"}
    assert notes == [
        "uv.lock: default groups taken as dev, docs (no pyproject.toml beside the lock); "
        "groups lint are selected only with --group"
    ]


def test_declared_default_groups_read_from_the_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    assert _declared_default_groups(pyproject).problem == "no pyproject.toml beside the lock"
    pyproject.write_text("[tool.uv]\ndefault-groups = ['lint']\n")
    assert _declared_default_groups(pyproject).value == ["lint"]
    pyproject.write_text("[project]\nname = 'x'\n")
    assert _declared_default_groups(pyproject) == _Declared(str(pyproject))


def _reference(pyproject: Path) -> object:
    """What ``[tool.uv] default-groups`` is when the whole file is parsed (None: unset)."""
    import tomllib

    tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return uv.get("default-groups") if isinstance(uv, dict) else None


#: Ways to write ``[tool.uv] default-groups``, plain, dotted, inline and through escapes.
SPELLINGS = [
    "[tool.uv]\ndefault-groups = ['lint']\n",
    "[tool.uv]\n'default-groups' = ['lint']\n",
    '[tool.uv]\n"default\\u002dgroups" = ["lint"]\n',
    '[tool.uv]\n"\\U00000064efault-groups" = "all"\n',
    "tool.uv.default-groups = ['lint']\n",
    '[tool]\nuv = { "default\\u002Dgroups" = ["a", "b"] }\n',
]


@pytest.mark.parametrize("text", SPELLINGS)
def test_every_spelling_of_default_groups_is_parsed(tmp_path: Path, text: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"{text}[project]\nname = 'app'\n")
    assert may_declare_default_groups(pyproject.read_bytes())
    assert _reference(pyproject) is not None  # the spelling is real TOML for the key
    assert _declared_default_groups(pyproject).value == _reference(pyproject)


_TOML_WORDS = st.sampled_from(
    ["[project]", "[tool.uv]", "[tool.ruff]", "[dependency-groups]", "name = 'x'",
     'version = "1.0"', "dev = ['pytest']", "default = true", "groups = ['a']",
     "# default groups: dev", '"de\\u0066ault-groups" = ["x"]', "default-groups = ['d']",
     "key = 'default-groups'", "line-length = 100", "[tool.uv.sources]", "x = { path = '.' }"]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_TOML_WORDS, max_size=12))
def test_the_unparsed_answer_is_the_parsed_one(tmp_path: Path, lines: list[str]) -> None:
    """Generated pyproject files: whenever the file is valid TOML, what is declared is
    what parsing it says, whether or not the bytes were parsed."""
    import tomllib

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("\n".join(lines) + "\n")
    try:
        expected = _reference(pyproject)
    except tomllib.TOMLDecodeError:
        return  # not TOML: nothing to compare
    assert _declared_default_groups(pyproject).value == expected


def test_extras_must_be_defined_somewhere() -> None:
    _check_extras([ROOT], frozenset({"redis-x", "fast"}), "uv.lock")
    _check_extras([], frozenset(), "uv.lock")
    with pytest.raises(
        ManifestError, match=r"no extra 'slow' in the project \(extras: fast, redis-x\)"
    ):
        _check_extras([ROOT], frozenset({"slow"}), "uv.lock")


def test_group_finds_edges_by_normalized_name() -> None:
    table = {"Redis_X": [{"name": "redis"}], "bad": "x"}
    assert _group(table, "redis-x") == [{"name": "redis"}]
    assert _group(table, "bad") is None
    assert _group(table, "none") is None
    assert ROOT.key == "package[0]"
