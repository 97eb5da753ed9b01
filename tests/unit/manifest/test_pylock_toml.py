"""pip lock's TOML without tomllib: the same document as tomllib, or None.

Compared with ``tomllib`` (the reference parser whose errors bootguard prints) on the locks
pip wrote, on generated files of header and ``key = value`` lines (valid or not: keys and
tables defined twice, headers over values, implicit tables), and on mutated real locks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from bootguard.manifest._pylock_toml import pip_lock_document
from tests.support.fuzz import mutate_text
from tests.support.locks import LOCKS
from tests.support.pylock_diff import same_as_tomllib

PIP_LOCKS = (
    LOCKS / "pip-lock" / "pylock.toml",
    Path(__file__).resolve().parents[2] / "data" / "pylock" / "pip-lock-150.toml",
)


@pytest.mark.parametrize("path", PIP_LOCKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_pips_locks_parse_as_tomllib_parses_them(path: Path) -> None:
    assert same_as_tomllib(path.read_bytes())


def test_other_toml_is_left_to_tomllib() -> None:
    uv = Path(__file__).resolve().parents[2] / "data" / "pylock" / "uv-export.toml"
    assert pip_lock_document(uv.read_bytes()) is None  # inline tables and datetimes
    for text in (
        'a = "x"\r\n',  # CRLF
        'a = "\\u00e9"\n',  # an escape
        "a = 1\n",  # a number
        'a = "x" # note\n',  # a comment after a value
        'a  = "x"\n',  # other spacing
        '"a" = "x"\n',  # a quoted key
        'a.b = "x"\n',  # a dotted key
        "[a.b]\n",  # an implicit table
        "[a]\n[a]\n",  # declared twice
        'a = "x"\na = "y"\n',  # a key defined twice
        'a = "x"\n[a]\n',  # a table over a value
        "[[a]]\n[a]\n",  # a table over an array of tables
        '\ufeffa = "x"\n',  # a byte-order mark
        "# \x01\n",  # a control character in a comment
    ):
        assert pip_lock_document(text.encode()) is None, text
        same_as_tomllib(text.encode())
    assert pip_lock_document(b"\xff") is None


_KEYS = st.sampled_from(["name", "version", "url", "path", "editable", "sha256", "a-b", "A_1"])
_PATHS = st.sampled_from(
    ["packages", "packages.wheels", "packages.wheels.hashes", "packages.directory",
     "packages.vcs", "packages.archive.hashes", "packages.archive", "tool", "tool.pip"]
)  # fmt: skip
_VALUES = st.sampled_from(
    ['"x"', '""', '"1.0"', "true", "false", '"a b"', '"é"', "1", '"\\""', "[]", '"\t"', '"x']
)
_LINE = st.one_of(
    st.just(""),
    st.just("# comment"),
    _PATHS.map(lambda path: f"[[{path}]]"),
    _PATHS.map(lambda path: f"[{path}]"),
    st.tuples(_KEYS, _VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINE, max_size=25))
def test_generated_files_parse_as_tomllib_parses_them_or_not_at_all(lines: list[str]) -> None:
    parsed = same_as_tomllib(("\n".join(lines) + "\n").encode())
    event("parsed" if parsed else "left to tomllib")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PIP_LOCKS), st.data())
def test_mutated_pip_locks_parse_as_tomllib_parses_them_or_not_at_all(
    path: Path, data: st.DataObject
) -> None:
    text = mutate_text(path.read_text(encoding="utf-8"), data)
    parsed = same_as_tomllib(text.encode("utf-8", "surrogatepass"))
    event("parsed" if parsed else "left to tomllib")
