"""The compiled ``tomli`` bootguard prefers reads every TOML file exactly as ``tomllib`` does.

``bootguard.manifest._toml.toml_parser`` takes ``tomli`` when it is installed as a compiled
extension (the test extra installs it), else ``tomllib``.  Both parsers are run over every
TOML manifest in ``tests/data`` (whole, and as the lock readers trim them) and over
hypothesis-generated documents, and must return equal documents and the same error lines.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from bootguard.errors import ManifestError
from bootguard.manifest import _toml
from bootguard.manifest._lock import load_lock_toml
from bootguard.manifest.poetry import _SKIPPED_LINES, _WALK_TABLES
from bootguard.manifest.uvlock import _ARCHIVE_LINES, _METADATA_BLOCKS
from tests.unit.manifest.test_fuzz import _toml as _inline

DATA = Path(__file__).parents[2] / "data"
TOML_FILES = sorted(
    p
    for p in DATA.rglob("*")
    if p.is_file() and (p.suffix == ".toml" or p.name in ("uv.lock", "poetry.lock"))
)


def _with(parser: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_toml, "_parser", parser)


def test_the_compiled_tomli_is_preferred_when_installed() -> None:
    import tomli

    assert _toml._compiled(sys.modules["tomli._parser"])  # the platform wheel
    assert _toml.toml_parser() is tomli
    assert not _toml._compiled(tomllib)  # pure Python: never preferred over the stdlib


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch, **skips: str) -> tuple[object, object]:
    import tomli

    results: list[object] = []
    for parser in (tomllib, tomli):
        _with(parser, monkeypatch)
        try:
            results.append(load_lock_toml(data, "x.toml", **skips))
        except ManifestError as err:
            results.append(("error", err.line, str(err)))
    return results[0], results[1]


def test_every_toml_manifest_in_the_test_data_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert len(TOML_FILES) > 15
    for path in TOML_FILES:
        data = path.read_bytes()
        for skips in (
            {},
            {"skip_lines": _ARCHIVE_LINES, "skip_blocks": _METADATA_BLOCKS},
            {"skip_lines": _SKIPPED_LINES, "skip_blocks": _WALK_TABLES},
        ):
            reference, fast = _both(data, monkeypatch, **skips)
            assert fast == reference, (path, skips)


#: Text in the Basic Multilingual Plane: JSON escapes astral characters as surrogate pairs,
#: which TOML forbids (the writer borrowed from the fuzz tests uses JSON strings).
_TEXT = st.characters(max_codepoint=0xD7FF)  # below the surrogates
_KEYS = st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True) | st.text(_TEXT, max_size=6)
_SCALARS = (
    st.text(_TEXT, max_size=20)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=True)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


def _document(tables: dict[str, dict[str, object]]) -> str:
    lines = []
    for name, table in tables.items():
        lines.append(f"[{json.dumps(name)}]")
        lines.extend(f"{json.dumps(k)} = {_inline(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, st.dictionaries(_KEYS, _VALUES, max_size=5), max_size=4))
def test_generated_documents_read_the_same(tables: dict[str, dict[str, object]]) -> None:
    import tomli

    text = _document(tables)
    assert tomli.loads(text) == tomllib.loads(text) == tables


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab=[]{}."\n #,1', max_size=40))
def test_generated_garbage_fails_or_reads_the_same(text: str) -> None:
    import tomli

    try:
        reference: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        reference = "error"
    try:
        fast: object = tomli.loads(text)
    except tomli.TOMLDecodeError:
        fast = "error"
    assert fast == reference, text
