"""Mutated real lock files: every reader raises ManifestError or returns a Manifest, nothing else.

The seeds are the real tools' output under tests/data/locks (uv, Poetry 1.1 / 1.8 / 2,
pipenv, ``pip lock``, pip-compile, pyproject.toml).  Two kinds of mutation:

* **structural**: parse the file, change one node deep inside (delete it, or replace it by
  a value of another type, or by a plausible-but-wrong string), write it back.  This is what
  reaches the readers' type handling: ``package[3].source`` being an integer, a marker being
  nonsense, a dependency naming a package that is not there.
* **textual**: insert, delete or replace a few characters anywhere.

Why it matters: at boot, a bootguard bug must never be what takes a node down; a bad lock
must give exit 2 with the file and key, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootguard.errors import ManifestError
from bootguard.manifest import Selection, read_manifest
from tests.support.locks import LOCKS, marker_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SEEDS = (
    "uv/uv.lock",
    "uv-workspace/uv.lock",
    "uv-virtual/uv.lock",
    "uv-conflict/uv.lock",
    "poetry-2/poetry.lock",
    "poetry-1.8/poetry.lock",
    "poetry-1.1/poetry.lock",
    "pipenv/Pipfile.lock",
    "pip-lock/pylock.toml",
    "pip-tools/requirements.txt",
    "uv/pyproject.toml",
)
SELECTIONS = (
    Selection(marker_env()),
    Selection(marker_env("win32", "3.10.4"), frozenset({"speedups"}), frozenset({"dev"})),
    Selection(marker_env(), frozenset(), frozenset()),
)
_STRINGS = st.sampled_from(
    [
        "",
        "*",
        ".",
        "2.1",
        "==1.0",
        "^1.2",
        ">=3.12",
        "demo-app",
        "tzdata",
        "typing-extensions",
        "sys_platform == 'win32'",
        "extra == 'speedups'",
        "python_version >",
        "main",
        "dev",
        "all",
    ]
) | st.text(max_size=8)
_SCALARS = st.booleans() | st.integers(-3, 3) | _STRINGS
# None means "delete the node" (TOML has no null)
_VALUES = st.none() | st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_STRINGS, inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture tree, so a mutated lock sits beside its real pyproject.toml."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(LOCKS, root / "locks")
    return root / "locks"


def _parse(seed: str, data: bytes) -> Any:
    if "Pipfile" in seed:
        return json.loads(data)
    return tomllib.loads(data.decode())


def _dump(seed: str, document: Any) -> bytes:
    if "Pipfile" in seed:
        return json.dumps(document).encode()
    return "".join(f"{_key(k)} = {_toml(v)}\n" for k, v in document.items()).encode()


def _key(key: str) -> str:
    return json.dumps(key)


def _toml(value: Any) -> str:
    """TOML for a value, all inline (tables as ``{...}``): enough to round-trip any lock."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string, escapes included
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))  # pragma: no cover - only TOML/JSON values come here


def _mutate_structure(document: Any, data: st.DataObject) -> Any:
    """Walk down a random path and replace or delete the node found there."""
    node = document
    for _ in range(data.draw(st.integers(0, 6))):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        containers = [(k, v) for k, v in children if isinstance(v, (dict, list)) and v]
        if not containers:
            break
        _, node = data.draw(st.sampled_from(containers))
    if isinstance(node, dict) and node:
        key = data.draw(st.sampled_from(sorted(node)))
    elif isinstance(node, list) and node:
        key = data.draw(st.integers(0, len(node) - 1))
    else:
        return document
    replacement = data.draw(_VALUES)
    if replacement is None:
        del node[key]
    else:
        node[key] = replacement
    return document


def _mutate_text(data_bytes: bytes, data: st.DataObject) -> bytes:
    text = data_bytes
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(text)))
        chunk = data.draw(st.binary(max_size=4) | st.sampled_from([b"[", b"]", b'"', b"\n", b"="]))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            text = text[:position] + chunk + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + len(chunk) + 1 :]
        else:
            text = text[:position] + chunk + text[position + len(chunk) :]
    return text


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_only_manifest_errors_escape(workdir: Path, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS))
    original = (LOCKS / seed).read_bytes()
    if not seed.endswith(".txt") and data.draw(st.booleans()):
        document = _mutate_structure(_parse(seed, original), data)
        content = _dump(seed, document)
    else:
        content = _mutate_text(original, data)
    path = workdir / seed
    path.write_bytes(content)
    try:
        read_manifest(path, data.draw(st.sampled_from(SELECTIONS)))
    except ManifestError as err:
        assert err.path.startswith(str(workdir)), err
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize("seed", [s for s in SEEDS if not s.endswith(".txt")])
def test_the_toml_round_trip_used_above_is_faithful(seed: str) -> None:
    """The structural mutations start from a re-serialized lock: it must read the same."""
    original = (LOCKS / seed).read_bytes()
    document = _parse(seed, original)
    assert _parse(seed, _dump(seed, document)) == document


@pytest.mark.parametrize(
    "name", ["uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml", "pyproject.toml"]
)
def test_absurd_nesting_is_a_manifest_error(tmp_path: Path, name: str) -> None:
    """tomllib and json recurse: 100 000 nested brackets must not escape as RecursionError."""
    path = tmp_path / name
    depth = 100_000
    path.write_text(("a = " if name != "Pipfile.lock" else "") + "[" * depth + "]" * depth)
    with pytest.raises(ManifestError, match="nested too deeply"):
        read_manifest(path, SELECTIONS[0])
