"""The subset reader returns exactly tomllib's document, or declines.

The reference is what the lock readers did before it: blank with their regular expressions,
then ``tomllib``.  Whenever :func:`read_subset` returns a document it must equal the
reference's in keys, order, values and types; it must never raise; and on invalid TOML it
must decline so that ``tomllib`` reports the error.  Checked on every lock in the test data,
on generated lock-like documents full of awkward strings, and on mutated real locks.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from bootguard.errors import ManifestError
from bootguard.manifest import _toml
from bootguard.manifest._lock import _newlines, load_lock, load_lock_toml
from bootguard.manifest._lock_skip import POETRY, POETRY_2_1, UV, Layout
from bootguard.manifest._lock_subset import read_subset
from bootguard.manifest.poetry import _SKIPPED_LINES, _WALK_TABLES
from bootguard.manifest.uvlock import _ARCHIVE_LINES, _METADATA_BLOCKS
from tests.support.cli import REPO_ROOT

DATA = Path(__file__).parents[2] / "data"
LOCKS = sorted(p for p in DATA.rglob("*") if p.name in ("uv.lock", "poetry.lock"))
EXPRESSIONS: dict[str, tuple[str, str | None]] = {
    "uv": (_ARCHIVE_LINES, _METADATA_BLOCKS),
    "poetry": (_SKIPPED_LINES, None),
    "poetry-2.1": (_SKIPPED_LINES, _WALK_TABLES),
}
LAYOUTS = {"uv": UV, "poetry": POETRY, "poetry-2.1": POETRY_2_1}


def _reference(text: str, kind: str) -> dict[str, Any] | None:
    """The readers' path before the subset reader: regex blanking, then tomllib."""
    lines, blocks = EXPRESSIONS[kind]
    text = re.sub(lines, "", text, flags=re.MULTILINE)
    if blocks is not None:
        text = re.sub(blocks, _newlines, text, flags=re.MULTILINE)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _typed(value: object) -> object:
    """``value`` with every type and every key order made visible to ``==``."""
    if isinstance(value, dict):
        return ("table", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [_typed(item) for item in value])
    return (type(value).__name__, value)


def _same_or_declined(text: str, kind: str) -> dict[str, Any] | None:
    document = read_subset(text, LAYOUTS[kind])
    if document is not None:
        reference = _reference(text, kind)
        assert reference is not None, ("read invalid TOML", text)
        assert _typed(document) == _typed(reference), text
    return document


def test_every_lock_in_the_test_data_reads_as_tomllib_reads_it() -> None:
    assert len(LOCKS) >= 10
    for path in LOCKS:
        text = path.read_text(encoding="utf-8")
        for kind in LAYOUTS:
            _same_or_declined(text, kind)
        # ...and the subset covers what the tools write: the fast path really is taken
        own = ["uv"] if path.name == "uv.lock" else ["poetry"]
        if path.name == "poetry.lock" and 'lock-version = "2.1"' in text:
            own.append("poetry-2.1")
        for kind in own:
            assert read_subset(text, LAYOUTS[kind]) is not None, (path, kind)


@pytest.mark.parametrize(
    "text",
    [
        'a = "caf\\u00e9"\n',  # an escape it leaves to tomllib
        "a = 'literal'\n",
        'a = """multi\nline"""\n',
        "a.b = 1\n",  # a dotted key
        'a = "x" # a comment after a value\n',
        'a = "x"\r\nb = 1\r\n',
        "[a.b]\nc = 1\n",  # an implicit table
        "a = 1.5\n",
        "a = 1979-05-27\n",
        "a = +1\n",
        "a = [\n    1, # a comment in an array\n]\n",
        "a = { b = [\n1] }\n",  # valid for tomllib, multi-line inside an inline table
        '"a\\"b" = 1\n',
        "a = 0x1F\n",
        "a = 1\ta = 2\n",
    ],
)
def test_what_it_is_not_sure_of_is_declined(text: str) -> None:
    assert read_subset(text, UV) is None


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2\n",  # duplicate key
        "[a]\n[a]\n",  # a table defined twice
        "[[a]]\n[a]\n",
        "a = {b = 1}\n[a]\n",
        "a = [1, 2\n",  # unterminated
        "a = [1 2]\n",
        "a = {b = 1,}\n",  # trailing comma in an inline table
        "a = {b = 1, b = 2}\n",
        'a = "unterminated\n',
        'a = "bad \\q escape"\n',
        "a = 01\n",
        "a = \n",
        "= 1\n",
        "a = true false\n",
        'a = "\x01"\n',
        "[a\n",
        "[[a]\n",
        'a = "x"y\n',
    ],
)
def test_invalid_toml_is_declined(text: str) -> None:
    assert _reference(text, "uv") is None
    assert read_subset(text, UV) is None


def test_values_and_structure_read_as_tomllib_reads_them() -> None:
    text = (
        'version = 1\nflag = true\noff = false\nempty = []\nzero = 0\n"quoted.key" = "v"\n'
        'escaped = "a \\"b\\" \\\\ c # ] , {"\n'
        "[manifest]\nmembers = [\n    \"a\",\n\n    'b',\n]\n"
    )
    assert read_subset(text, UV) is None  # the literal string 'b'
    text = text.replace("'b'", '"b"')
    document = _same_or_declined(text, "uv")
    assert document is not None
    assert document["escaped"] == 'a "b" \\ c # ] , {'
    assert document["manifest"] == {"members": ["a", "b"]}
    assert list(document) == [
        "version", "flag", "off", "empty", "zero", "quoted.key", "escaped", "manifest"
    ]  # fmt: skip


def test_archive_lines_and_blocks_are_skipped_as_the_expressions_skip_them() -> None:
    uv = (
        '[[package]]\nname = "a"\nsdist = { url = "u", hash = "h" }\nwheels = [\n'
        '    { url = "w1", hash = "h" },\n    { path = "w2.whl" },\n]\n'
        '[package.metadata]\nrequires-dist = [\n    { name = "b", specifier = ">=1" },\n]\n'
        'requires-dev = { dev = [{ name = "c" }] }\n'
    )
    assert _same_or_declined(uv, "uv") == {
        "package": [
            {"name": "a", "wheels": [], "metadata": {"requires-dev": {"dev": [{"name": "c"}]}}}
        ]
    }
    poetry = (
        '[[package]]\nname = "a"\ndescription = "text"\nfiles = [\n'
        '    {file = "a.whl", hash = "h"},\n    {file = "a.tar.gz", hash = "h"}\n]\n\n'
        '[package.dependencies]\nb = ">=1"\nc = {version = "*", markers = "x == \\"y\\""}\n'
        '\n[package.extras]\nx = ["b"]\n\n[metadata]\nlock-version = "2.1"\n'
    )
    assert _same_or_declined(poetry, "poetry-2.1") == {
        "package": [{"name": "a", "files": []}],
        "metadata": {"lock-version": "2.1"},
    }
    whole = _same_or_declined(poetry, "poetry")
    assert whole is not None and whole["package"][0]["dependencies"]["c"]["markers"] == 'x == "y"'


# --- generated lock-like documents ------------------------------------------------------

_CHARS = st.sampled_from([*"ab \"\\#],{}[=.'é\t\x7f", "\u2028", "\\u00e9", "\\n"])
_TEXT = st.lists(_CHARS, max_size=6).map("".join)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


_STRINGS = st.one_of(
    _TEXT.map(lambda t: f'"{_escaped(t)}"'),  # valid, with escapes
    _TEXT.map(lambda t: f'"{t}"'),  # as it comes: often invalid
    st.sampled_from(['"x"', '""', '"a#b"', '"]"', '","', '"a = b"', "'lit'", '"""m"""']),
)
_KEYS = st.one_of(
    st.sampled_from(["name", "version", "marker", "a-b", "x_1", "url", "file", "hash"]),
    _STRINGS,
    st.sampled_from(["a.b", "a b", "", " name"]),
)
_SCALARS = st.one_of(
    _STRINGS,
    st.integers(0, 10**6).map(str),
    st.sampled_from(["true", "false", "0", "007", "1_0", "1.5", "inf", "[]", "{}", "{ }"]),
)


def _inline(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.lists(st.tuples(_KEYS, values), max_size=3)
    tables = pairs.map(lambda kv: "{ " + ", ".join(f"{k} = {v}" for k, v in kv) + " }")
    arrays = st.lists(values, max_size=3).map(lambda vs: "[" + ", ".join(vs) + "]")
    return tables | arrays


_VALUES = st.recursive(_SCALARS, _inline, max_leaves=6)
_SEPARATOR = st.sampled_from([",", ",", "", " ,", ", # c"])
_MULTILINE = st.tuples(
    _KEYS, st.lists(st.tuples(st.sampled_from(["    ", "", "  "]), _VALUES, _SEPARATOR))
).map(lambda t: f"{t[0]} = [\n" + "".join(f"{i}{v}{s}\n" for i, v, s in t[1]) + "]")
_ARCHIVES = st.sampled_from(
    ['    { url = "https://x/a.whl", hash = "sha256:0", size = 1 },', "sdist = { url = \"u\" }",
     '    { path = "a.whl" },', '    {file = "a.whl", hash = "h"},', '    {file = "a.tgz"}',
     'description = "words"', 'description = "', "requires-dist = [", "]", "wheels = [",
     "files = [", "[package.dependencies]", "[package.extras]"]
)  # fmt: skip
_HEADERS = st.sampled_from(
    ["[[package]]", "[package.metadata]", "[package.dependencies]", "[package.extras]",
     "[package.optional-dependencies]", "[metadata]", "[metadata.files]", "[manifest]",
     "[package.source]", "[a.b]", '["quoted"]', "[ package ]", "[[package]] # c"]
)  # fmt: skip
_LINES = st.one_of(
    st.tuples(_KEYS, _VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    _MULTILINE,
    _ARCHIVES,
    _HEADERS,
    st.sampled_from(["", "", "# a comment", "    ", "\r"]),
)
_DOCUMENTS = st.lists(_LINES, max_size=14).map("\n".join)


@settings(max_examples=600, deadline=None)
@given(_DOCUMENTS, st.sampled_from(sorted(LAYOUTS)))
def test_generated_documents_read_as_tomllib_reads_them_or_are_declined(
    text: str, kind: str
) -> None:
    _same_or_declined(text, kind)


_MUTATIONS = st.sampled_from(['"', "\\", "#", "]", ",", "\n", " ", "[", "{", "}", "=", "\r", "é"])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(LOCKS),
    st.lists(st.tuples(st.floats(0, 1), _MUTATIONS, st.booleans()), min_size=1, max_size=3),
)
def test_mutated_real_locks_read_as_tomllib_reads_them_or_are_declined(
    path: Path, edits: list[tuple[float, str, bool]]
) -> None:
    text = path.read_text(encoding="utf-8")
    for where, char, insert in edits:
        at = int(where * (len(text) - 1))
        if insert and where < 0.5:  # at a line's end, after its last quote, half the time
            at = max(text.find("\n", at), 0)
        text = text[:at] + char + text[at + (0 if insert else 1) :]
    for kind in LAYOUTS:
        _same_or_declined(text, kind)


# --- load_lock: the fast path, and the reference path for the rest ------------------------


@pytest.fixture
def without_compiled_tomli(monkeypatch: pytest.MonkeyPatch) -> None:
    """As where the compiled tomli is not installed (the test extra installs it)."""
    monkeypatch.setattr(_toml, "_compiled_tomli", False)
    monkeypatch.setattr(_toml, "_parser", tomllib)


def test_with_the_compiled_tomli_the_reference_path_reads_locks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _toml.compiled_tomli()  # the test extra installs its compiled wheel
    monkeypatch.setattr("bootguard.manifest._lock_subset.read_subset", None)  # never called
    data = (DATA / "locks" / "uv" / "uv.lock").read_bytes()
    expected = load_lock_toml(data, "x", skip_lines=_ARCHIVE_LINES, skip_blocks=_METADATA_BLOCKS)
    assert load_lock(data, "x", UV, _ARCHIVE_LINES, _METADATA_BLOCKS) == expected


def test_load_lock_reads_without_importing_regexes_or_tomllib() -> None:
    code = (
        "import sys; from pathlib import Path\n"
        "from bootguard.manifest._lock_skip import UV\n"
        "from bootguard.manifest import _toml\n"
        "from bootguard.manifest._lock import load_lock\n"
        "_toml._compiled_tomli = False  # as without the compiled tomli\n"
        f"data = Path({str(DATA / 'locks' / 'uv' / 'uv.lock')!r}).read_bytes()\n"
        "before = set(sys.modules)\n"
        "document = load_lock(data, 'uv.lock', UV, 'unused')\n"
        "new = {m for m in set(sys.modules) - before if not m.startswith('bootguard.')}\n"
        "print(len(document['package']), sorted(new))\n"
    )  # nothing more is imported: neither tomllib nor re (nor the modules re needs)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    count, imported = result.stdout.split(" ", 1)
    assert int(count) > 3 and imported.strip() == "[]"


def _error(function: Any, *args: Any, **kwargs: Any) -> tuple[int | None, str]:
    with pytest.raises(ManifestError) as caught:
        function(*args, **kwargs)
    return caught.value.line, str(caught.value)


@pytest.mark.parametrize(
    ("layout", "lines", "blocks"),
    [(UV, _ARCHIVE_LINES, _METADATA_BLOCKS), (POETRY_2_1, _SKIPPED_LINES, _WALK_TABLES)],
)
@pytest.mark.usefixtures("without_compiled_tomli")
def test_invalid_locks_fail_with_the_reference_message_and_line(
    layout: Layout, lines: str, blocks: str
) -> None:
    for data in (
        b'version = 1\n\n[[package]]\nname = "a"\nname = "b"\n',
        b'[[package]]\nname = "a\nversion = "1"\n',
        b"[[package]]\nname = \xff\n",
    ):
        expected = _error(load_lock_toml, data, "x.lock", skip_lines=lines, skip_blocks=blocks)
        assert _error(load_lock, data, "x.lock", layout, lines, blocks) == expected
        assert expected[0] is not None  # the line is reported


@pytest.mark.usefixtures("without_compiled_tomli")
def test_what_it_declines_is_read_by_tomllib() -> None:
    data = b'version = 1\nrequires-python = "caf\\u00e9"\n'
    assert read_subset(data.decode(), UV) is None
    assert load_lock(data, "x", UV, _ARCHIVE_LINES) == {"version": 1, "requires-python": "café"}
