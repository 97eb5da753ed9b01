"""The pylock fast reader: exactly packaging's Manifest for the documents it reads, else None.

Every test here runs both readers (``tests/support/pylock_diff.py``): on the pylock files the
real tools wrote, on generated common documents (where the fast reader must answer), and on
mutated ones (valid or not: it must decline whenever packaging refuses, and never raise).
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from packaging.utils import is_normalized_name
from packaging.version import InvalidVersion, Version

from bootguard._files import MANIFEST_MAX_BYTES
from bootguard.manifest._pylock_fast import _normal_version, _normalized, fast_manifest
from bootguard.manifest._toml import load_toml
from tests.support.locks import LOCKS
from tests.support.pylock_diff import DIGEST, SELECTIONS, same_or_declined, selection_for

DATA = Path(__file__).resolve().parents[2] / "data" / "pylock"
REAL_LOCKS = (
    LOCKS / "pip-lock" / "pylock.toml",
    DATA / "pip-lock-150.toml",
    DATA / "uv-export.toml",
    DATA / "uv-pip-compile.toml",
)


@pytest.mark.parametrize("path", REAL_LOCKS, ids=lambda p: p.name)
def test_the_real_tools_locks_read_the_same_without_packaging(path: Path) -> None:
    assert path.stat().st_size < MANIFEST_MAX_BYTES
    document = load_toml(path.read_bytes(), str(path))
    for selection in SELECTIONS:
        assert same_or_declined(document, selection, str(path)), selection.marker_env
    selected = {
        len(manifest.entries)
        for selection in SELECTIONS
        if (manifest := fast_manifest(document, str(path), DIGEST, selection)) is not None
    }
    assert selected and min(selected) > 0


def _wheel_lock(packages: list[tuple[str, str, str]], head: str = "") -> str:
    """A lock of one-wheel packages ``(name, version, marker)``, as the e2e tests write."""
    return f'lock-version = "1.0"\ncreated-by = "test"\n{head}' + "".join(
        f'[[packages]]\nname = "{name}"\nversion = "{version}"\n'
        + (f'marker = "{marker}"\n' if marker else "")
        + f'wheels = [{{ name = "{name}-{version}-py3-none-any.whl", url = "https://e.invalid/w",'
        ' hashes = { sha256 = "00" } }]\n'
        for name, version, marker in packages
    )


FIXTURE = (LOCKS / "pip-lock" / "pylock.toml").read_text()
#: The shapes the other tests write by hand (e2e checks, precision, hostile, readers).
HAND_WRITTEN = {
    "requires-python": _wheel_lock(
        [("taskq", "5.0.0", ""), ("msgbus", "4.1.0", ""), ("absent", "2.0", "")],
        'requires-python = ">=3.99"\n',
    ),
    "selection": _wheel_lock(
        [
            ("webapp", "1.0", ""),
            ("fastjson", "2.1", "'speedups' in extras"),
            ("fastjson", "1.9", "'speedups' not in extras"),
            ("winonly", "9.9", "sys_platform == 'win32'"),
            ("devtool", "1.0", "'dev' in dependency_groups"),
        ],
        'extras = ["speedups"]\ndependency-groups = ["dev"]\ndefault-groups = []\n',
    )
    + '[[packages]]\nname = "pygreet"\n[packages.archive]\n'
    'url = "file:///w/pygreet-2.0.1-py3-none-any.whl"\nhashes = { sha256 = "ab" }\n'
    '[[packages]]\nname = "my-proj"\nversion = "0.1.0"\n'
    '[packages.directory]\npath = "/src/my_proj"\neditable = true\n',
    "no-markers": _wheel_lock(
        [("webapp", "1.0", ""), ("winonly", "9.9", "sys_platform == 'win32'")],
        'extras = ["speedups"]\n',
    )
    + '[[packages]]\nname = "pygreet"\n[packages.archive]\n'
    'url = "file:///w/pygreet-2.0.1-py3-none-any.whl"\nhashes = { sha256 = "ab" }\n',
    "invalid-version": FIXTURE.replace('name = "tzdata"\nversion = "2026.6"', 'name = "tzdata"\nversion = "8.5.1.banana"'),
    "invalid-marker": FIXTURE.replace('name = "tzdata"\n', 'name = "tzdata"\nmarker = "python_version >"\n'),
    "marker": FIXTURE.replace('name = "tzdata"\n', 'name = "tzdata"\nmarker = "sys_platform == \'linux\'"\n'),
}  # fmt: skip


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_the_hand_written_shapes_of_the_other_tests_read_the_same(name: str) -> None:
    document = load_toml(HAND_WRITTEN[name].encode(), name)
    selections = [
        *SELECTIONS,
        selection_for("linux", "3.11.7", extras=frozenset({"speedups"})),
        selection_for("linux", "3.11.7", groups=frozenset({"dev"})),
    ]
    answered = [same_or_declined(document, selection, name) for selection in selections]
    # lock-file marker variables (extras, dependency_groups) and errors: packaging's (the
    # lock's own requires-python is a finding at check time, not a read error)
    assert any(answered) is (name in ("marker", "no-markers", "requires-python")), answered


def test_the_platform_wheel_is_the_one_packaging_picks() -> None:
    """uv's universal lock lists a wheel per platform: the hashes are the chosen one's."""
    path = DATA / "uv-pip-compile.toml"
    document = load_toml(path.read_bytes(), str(path))
    manifest = fast_manifest(document, str(path), DIGEST, SELECTIONS[0])
    assert manifest is not None
    wheels = {p["name"]: len(p.get("wheels", ())) for p in document["packages"]}
    assert max(wheels.values()) > 10  # the case is really exercised
    assert all(len(entry.hashes) == 1 for entry in manifest.entries)


# --- generated documents ----------------------------------------------------------------------

NAMES = ("attrs", "demo-app", "python-dateutil", "zope-interface", "a1", "six")
VERSIONS = ("1.0", "2.0.1", "26.1.0", "1.0rc1", "2.9.0.post0", "1.0.dev3", "1.0+cpu", "0")
TAGS = (
    "py3-none-any",
    "py2.py3-none-any",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-cp311-win_amd64",
    "cp312-abi3-macosx_11_0_arm64.macosx_10_9_universal2",
    "CP311-CP311-Win32",
    "pp310-pypy310_pp73-any",
)
MARKERS = (
    "sys_platform == 'win32'",
    "python_version < '3.11'",
    "python_full_version >= '3.11'",
    "platform_machine == 'x86_64'",
    "sys_platform == 'linux' and platform_machine == 'aarch64'",
    "(os_name == 'nt' or sys_platform == 'darwin') and python_version >= '3.10'",
    "implementation_name == 'cpython'",
)
HASHES = st.sampled_from(({"sha256": "ab" * 32}, {"sha256": "cd" * 32, "sha512": "ef" * 64}))


@st.composite
def _files(draw: st.DrawFn, filename: str) -> dict[str, Any]:
    """A wheel or sdist table naming ``filename`` by name, path or URL."""
    where = draw(st.sampled_from(["name+url", "url", "path", "name+path"]))
    table: dict[str, Any] = {}
    if where.startswith("name"):
        table["name"] = filename
    if where.endswith("url"):
        table["url"] = f"https://files.example.invalid/ab/{filename}"
    else:
        table["path"] = f"./dist/{filename}"
    if draw(st.booleans()):
        table["upload-time"] = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        table["size"] = draw(st.integers(0, 10**6))
    table["hashes"] = dict(draw(HASHES))
    return table


@st.composite
def _packages(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A package of the common forms: files, or one direct source."""
    version = draw(st.sampled_from(VERSIONS))
    package: dict[str, Any] = {"name": name, "version": version}
    if draw(st.booleans()):
        package["marker"] = draw(st.sampled_from(MARKERS))
    if draw(st.booleans()):
        package["requires-python"] = ">=3.8"
    escaped = name.replace("-", "_")
    kind = draw(st.sampled_from(["wheels", "sdist", "both", "vcs", "directory", "archive"]))
    if kind in ("wheels", "both"):
        tags = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=4))
        package["wheels"] = [draw(_files(f"{escaped}-{version}-{tag}.whl")) for tag in tags]
    if kind in ("sdist", "both"):
        extension = draw(st.sampled_from([".tar.gz", ".zip"]))
        package["sdist"] = draw(_files(f"{escaped}-{version}{extension}"))
    if kind == "vcs":
        del package["version"]
        package["vcs"] = {"type": "git", "url": "https://git.example.invalid/r.git",
                          "requested-revision": "v1", "commit-id": "a" * 40}  # fmt: skip
    elif kind == "directory":
        del package["version"]
        package["directory"] = {"path": ".", "editable": draw(st.booleans())}
    elif kind == "archive":
        package["archive"] = {"url": f"https://e.invalid/{escaped}-{version}.tar.gz",
                              "hashes": dict(draw(HASHES)), "subdirectory": "sub"}  # fmt: skip
    return package


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6))
    document: dict[str, Any] = {
        "lock-version": "1.0",
        "created-by": "generated",
        "extras": ["speedups"],
        "dependency-groups": ["dev"],
        "default-groups": ["Lint"],
        "packages": [draw(_packages(name)) for name in names],
    }
    if draw(st.booleans()):
        document["requires-python"] = draw(st.sampled_from([">=3.8", ">=3.8,<4", ""]))
    return document


@st.composite
def _selections(draw: st.DrawFn, *, declared: bool) -> Any:
    platform, machine = draw(
        st.sampled_from([("linux", "x86_64"), ("linux", "aarch64"), ("win32", "AMD64"),
                         ("darwin", "arm64")])
    )  # fmt: skip
    pythons = ["3.9.18", "3.10.4", "3.11.7", "3.13.1"]
    pool = ["speedups", "Speedups"] if declared else ["speedups", "other"]
    groups = ["dev", "lint", "DEV"] if declared else ["dev", "lint", "nope"]
    return selection_for(
        platform,
        draw(st.sampled_from(pythons if declared else [*pythons, "3.14.0rc1", "3.13.0+"])),
        machine,
        frozenset(draw(st.lists(st.sampled_from(pool), max_size=2))),
        draw(st.none() | st.lists(st.sampled_from(groups), max_size=2).map(frozenset)),
    )


@settings(max_examples=250, deadline=None)
@given(document=_documents(), selection=_selections(declared=True))
def test_common_documents_are_read_without_packaging_and_the_same(
    document: dict[str, Any], selection: Any
) -> None:
    assert same_or_declined(document, selection, "/locks/pylock.toml")


#: What mutations put in place of a value (None: remove it).
_NASTY: st.SearchStrategy[Any] = st.sampled_from(
    [
        None, "", "1.0.0", "01.0", "1!1.0", "banana", "1.0-rc1", "x--y", "Demo_App", "-a",
        "extra == 'x'", "'dev' in dependency_groups", "'speedups' in extras", "python_version >",
        ">=3.12", "<3.9", "===1.0", ">=3.8", "1.1", "2.0", "1", 3, -1, True, False, [], {},
        ["x"], [{}], {"sha256": 1}, {"kind": "x"}, "py3-none-any", "a-1.0-1-py3-none-any.whl",
        "a-1.0-py3-none-any", "x-1.0.tar.bz2", "https://e.invalid/", "https://e.invalid/a%20b",
        "file:///a-1.0-py3-none-any.whl", "https://[::1/a-1.0-py3-none-any.whl",
        "https://e.invalid/a-1.0-py3-none-any.whl;x", datetime.date(2026, 1, 1), datetime.time(1, 2),
        datetime.datetime(2026, 1, 1),
    ]
)  # fmt: skip
_KEYS = st.sampled_from(
    [
        "environments", "vcs", "directory", "archive", "sdist", "wheels", "marker", "version",
        "requires-python", "name", "url", "path", "hashes", "editable", "commit-id", "type",
        "upload-time", "size", "tool", "attestation-identities", "dependencies", "extras",
        "dependency-groups", "default-groups", "lock-version", "created-by", "packages",
        "index", "subdirectory", "unknown-key",
    ]
)  # fmt: skip


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of the document, for a mutation to replace."""
    found: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        found.append((node, None))  # a new key
        for key, value in node.items():
            found.append((node, key))
            found.extend(_slots(value))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((node, index))
            found.extend(_slots(value))
    return found


@settings(max_examples=400, deadline=None)
@given(document=_documents(), selection=_selections(declared=False), data=st.data())
def test_mutated_documents_are_declined_or_read_the_same(
    document: dict[str, Any], selection: Any, data: st.DataObject
) -> None:
    for _ in range(data.draw(st.integers(1, 3))):
        container, key = data.draw(st.sampled_from(_slots(document)))
        value = copy.deepcopy(data.draw(_NASTY))
        if key is None:
            key = data.draw(_KEYS)
        if value is None:
            if isinstance(container, dict):
                container.pop(key, None)
            else:
                del container[key]
        else:
            container[key] = value
    answered = same_or_declined(document, selection, "/locks/pylock.toml")
    event("answered" if answered else "declined")


# --- what it leaves to packaging ----------------------------------------------------------------

WHEEL = {"name": "a-1.0-py3-none-any.whl", "url": "https://e.invalid/w", "hashes": {"sha256": "0"}}


def _lock(**package: Any) -> dict[str, Any]:
    return {
        "lock-version": "1.0",
        "created-by": "x",
        "packages": [{"name": "a", "version": "1.0", "wheels": [dict(WHEEL)], **package}],
    }


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ({**_lock(), "environments": ["sys_platform == 'linux'"]}, "environments"),
        ({**_lock(), "lock-version": "1.1"}, "a minor version packaging warns about"),
        (_lock(marker="'dev' in dependency_groups"), "a lock-file marker variable"),
        (_lock(marker="extra == 'x'"), "extra: undefined in a lock file"),
        (_lock(marker="platform_version in 'x'"), "a marker outside the common subset"),
        (_lock(version="1.0.0"), "wheel version equal to the package's only as versions"),
        (_lock(version="01.0"), "a version packaging prints another way"),
        (_lock(**{"requires-python": ">=3.12"}), "requires-python not met: packaging errs"),
        (_lock(**{"requires-python": "===1"}), "a specifier outside the common subset"),
        (_lock(wheels=[{**WHEEL, "name": "a-1.0-1-py3-none-any.whl"}]), "a build tag"),
        (_lock(wheels=[{**WHEEL, "name": "b-1.0-py3-none-any.whl"}]), "another name"),
        (_lock(wheels=[]), "no files and no direct source"),
        (_lock(directory={"path": "."}), "files and a direct source"),
        (_lock(wheels=[{"url": "https://e.invalid/a-1.0-py3-none-any.whl?x", "hashes": {"s": "0"}}]),
         "a URL urlparse would have to split"),
        (_lock(wheels=[{"url": "https://[::1/a-1.0-py3-none-any.whl", "hashes": {"s": "0"}}]),
         "a host urlparse refuses"),
        ({**_lock(), "packages": [_lock()["packages"][0]] * 2}, "the same name selected twice"),
    ],
)  # fmt: skip
def test_it_declines_what_it_cannot_settle(document: dict[str, Any], why: str) -> None:
    assert fast_manifest(document, "pylock.toml", DIGEST, SELECTIONS[8]) is None, why
    assert not same_or_declined(document, SELECTIONS[8], "pylock.toml")


def test_it_declines_undeclared_extras_and_groups_and_odd_interpreters() -> None:
    document = {**_lock(), "extras": ["speedups"], "dependency-groups": ["dev"]}
    assert fast_manifest(document, "x", DIGEST, selection_for("linux", "3.11.7")) is not None
    for selection in (
        selection_for("linux", "3.11.7", extras=frozenset({"other"})),
        selection_for("linux", "3.11.7", groups=frozenset({"lint"})),
        selection_for("linux", "3.14.0rc1"),
        selection_for("linux", "3.13.0+"),
    ):
        assert fast_manifest(document, "x", DIGEST, selection) is None
        same_or_declined(document, selection, "x")


@given(st.text("0123456789.abcdeprvlost+-_!", max_size=14))
def test_a_normal_version_is_printed_by_packaging_as_written(text: str) -> None:
    try:
        printed = str(Version(text))
    except InvalidVersion:
        printed = None
    if _normal_version(text):  # never the other way for epochs: packaging decides those
        assert printed == text
    elif printed == text:
        assert "!" in text


@given(st.text("abcAB019-_.", max_size=8))
def test_normalized_names_as_packaging_decides(name: str) -> None:
    assert _normalized(name) is is_normalized_name(name)
