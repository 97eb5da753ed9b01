"""uv.lock selection: the graph walk ``uv sync`` does, for any target interpreter.

The fixtures are real ``uv lock`` output (tests/data/locks/README.md).  Selection is checked
for several made-up target interpreters, because a universal lock's whole point is that one
file serves Linux and Windows, 3.10 and 3.11: a package that applies only elsewhere must
never be expected here (it would be reported missing: a false alarm).

Reading a real uv.lock: what ``uv sync`` installs on the target interpreter.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest import Manifest, Selection, detect_format, read_manifest
from bootguard.manifest.uvlock import read_uvlock
from tests.support.locks import LOCKS, marker_env, read_lock
from tests.unit.conftest import demo_lock, selection

UV = LOCKS / "uv" / "uv.lock"


_read = read_lock


def _pins(manifest: Manifest) -> dict[str, str]:
    return {e.name: e.specifier for e in manifest.entries}


def test_markers_on_edges_select_per_platform_and_python() -> None:
    linux = _read(UV)
    assert _pins(linux) == {
        "demo-app": "==0.1.0",
        "iniconfig": "==2.3.1",  # the dev group: uv sync's default
        "python-dateutil": "==4.0.0",  # the >= 3.11 fork
        "typing-extensions": "==4.16.0",
        "tzdata": "==2026.6",
    }
    windows_310 = _read(UV, platform="win32", python="3.10.11")
    assert _pins(windows_310) == {
        "colorama": "==0.4.6",  # sys_platform == 'win32'
        "demo-app": "==0.1.0",
        "exceptiongroup": "==1.3.2",  # python_full_version < '3.11'
        "iniconfig": "==2.3.1",
        "python-dateutil": "==3.0.0",  # the < 3.11 fork, which needs six
        "six": "==1.17.0",
        "typing-extensions": "==4.16.0",
        "tzdata": "==2026.6",
    }
    assert linux.requires_python == ">=3.10"
    assert linux.complete and linux.format == "uv"


def test_extras_and_groups() -> None:
    with_extra = _read(UV, extras=("Speedups",))  # extra names are normalized
    assert _pins(with_extra)["attrs"] == "==26.1.0"
    root = next(e for e in with_extra.entries if e.name == "demo-app")
    assert root.extras == {"speedups"}  # the checks follow the root's Requires-Dist extra
    assert "iniconfig" not in _pins(_read(UV, groups=()))  # --no-default-groups
    assert "iniconfig" in _pins(_read(UV, groups=("dev",)))
    with pytest.raises(ManifestError, match="no extra 'nope'"):
        _read(UV, extras=("nope",))
    with pytest.raises(ManifestError, match="no dependency group 'docs'"):
        _read(UV, groups=("docs",))


def test_project_is_editable_at_its_locked_version_and_origins_name_the_package() -> None:
    entries = {e.name: e for e in _read(UV).entries}
    root = entries["demo-app"]
    assert root.editable and root.specifier == "==0.1.0" and root.url == "."
    assert not entries["tzdata"].editable and entries["tzdata"].url is None
    assert entries["tzdata"].origin == f"{UV}: package[9] (tzdata)"


def test_workspace_members_with_dynamic_versions_and_lock_default_groups() -> None:
    manifest = _read(LOCKS / "uv-workspace" / "uv.lock")
    entries = {e.name: e for e in manifest.entries}
    assert set(entries) == {"demo-app", "demo-lib", "iniconfig", "six", "typing-extensions"}
    lib = entries["demo-lib"]
    # dynamic version: not recorded, so any installed version is accepted
    assert lib.editable and lib.specifier == "" and lib.url == "packages/demo-lib"
    # default-groups = ["dev", "lint"] is recorded in the lock; naming groups replaces it
    assert set(_pins(_read(LOCKS / "uv-workspace" / "uv.lock", groups=("lint",)))) == {
        "demo-app",
        "demo-lib",
        "six",
        "typing-extensions",
    }


def test_virtual_workspace_root_selects_all_members_and_its_own_groups() -> None:
    manifest = _read(LOCKS / "uv-virtual" / "uv.lock")
    assert set(_pins(manifest)) == {"demo-lib", "iniconfig", "typing-extensions"}
    assert set(_pins(_read(LOCKS / "uv-virtual" / "uv.lock", groups=()))) == {
        "demo-lib",
        "typing-extensions",
    }


def test_conflicting_extras_pick_their_own_version_and_virtual_root_has_no_entry() -> None:
    lock = LOCKS / "uv-conflict" / "uv.lock"
    assert _pins(_read(lock)) == {}  # a virtual project is never installed
    assert _pins(_read(lock, extras=("old",))) == {"six": "==1.16.0"}
    assert _pins(_read(lock, extras=("new",))) == {"six": "==1.17.0"}


def _broken(tmp_path: Path, old: str, new: str, source: Path = UV) -> Path:
    text = source.read_text()
    assert old in text
    path = tmp_path / "uv.lock"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("version = 1\n", "version = 2\n", "version", "unsupported uv.lock version 2"),
        ("version = 1\n", "", "version", "no lock version"),
        (
            '\nname = "tzdata"',
            "\nname = 7",
            "package[9].name",
            "expected a string, found an integer",
        ),
        (
            '{ name = "typing-extensions" },\n]\n\n[package.optional',
            '{ name = "typing-extension" },\n]\n\n[package.optional',
            "package[2].dependencies[4]",
            "depends on 'typing-extension', which the lock does not list",
        ),
        (
            "marker = \"sys_platform == 'win32'\" }",
            'marker = "sys_platform === " }',
            "package[2].dependencies[0].marker",
            "invalid marker",
        ),
        ('source = { editable = "." }', 'source = { registry = "x" }', "package", "no project"),
    ],
)
def test_malformed_locks_name_the_key(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ManifestError) as caught:
        _read(path)
    assert caught.value.key == key
    assert message in caught.value.message
    assert str(path) in str(caught.value)


def test_toml_syntax_error_keeps_its_line_number(tmp_path: Path) -> None:
    text = UV.read_text()
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith('name = "tzdata"'))
    lines[target] = 'name = "tzdata'  # unterminated string, after many stripped wheel lines
    path = tmp_path / "uv.lock"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ManifestError) as caught:
        _read(path)
    assert caught.value.line == target + 1


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("uv/uv.lock", "uv"),
        ("poetry-2/poetry.lock", "poetry"),
        ("poetry-1.1/poetry.lock", "poetry"),
        ("pipenv/Pipfile.lock", "pipfile"),
        ("pip-lock/pylock.toml", "pylock"),
    ],
)
def test_renamed_locks_are_detected_by_content(tmp_path: Path, source: str, expected: str) -> None:
    renamed = tmp_path / "production.lock"
    renamed.write_bytes((LOCKS / source).read_bytes())
    pyproject = (LOCKS / source).parent / "pyproject.toml"  # Poetry 1 locks need it
    (tmp_path / "pyproject.toml").write_bytes(pyproject.read_bytes())
    assert detect_format(renamed) == expected
    assert read_manifest(renamed, Selection(marker_env(), frozenset(), None)).format == expected


FLASK = Path(__file__).resolve().parents[2] / "data" / "flask"


def test_uv_lock_without_its_pyproject_says_which_groups_it_left_out(tmp_path: Path) -> None:
    from bootguard.environment.inventory import current_environment
    from bootguard.manifest import Selection, read_manifest

    shutil.copy(FLASK / "uv.lock", tmp_path / "uv.lock")
    selection = Selection(marker_env=current_environment([]).marker_env)
    alone = read_manifest(tmp_path / "uv.lock", selection)
    beside = read_manifest(FLASK / "uv.lock", selection)
    assert "mypy" in {e.name for e in beside.entries}  # default group "typing"
    assert "mypy" not in {e.name for e in alone.entries}  # uv's own default: dev only
    [note] = alone.notes
    assert note.startswith(f"{tmp_path / 'uv.lock'}: default groups taken as dev (no pyproject")
    assert "typing" in note and beside.notes == ()


def test_the_fork_and_the_markers_follow_the_target_python() -> None:
    older = demo_lock("uv/uv.lock", python="3.10.4")
    newer = demo_lock("uv/uv.lock", python="3.11.7")
    assert (older["python-dateutil"], newer["python-dateutil"]) == ("==3.0.0", "==4.0.0")
    assert "six" in older and "six" not in newer  # only python-dateutil 3 needs it
    assert "exceptiongroup" in older and "exceptiongroup" not in newer
    assert all(spec.startswith("==") for spec in older.values())


def test_extras_groups_and_platform_markers_select_more() -> None:
    default = demo_lock("uv/uv.lock")
    assert "iniconfig" in default  # the dev group is uv's default
    assert "attrs" not in default and "colorama" not in default
    everything = demo_lock("uv/uv.lock", platform="win32", extras=["Speedups"])
    assert set(everything) - set(default) == {"attrs", "colorama"}
    assert "iniconfig" not in demo_lock("uv/uv.lock", groups=[])


def test_an_unknown_extra_or_group_is_a_typo_not_an_empty_selection() -> None:
    with pytest.raises(
        ManifestError, match=r"no extra 'speedup' in the project \(extras: speedups\)"
    ):
        demo_lock("uv/uv.lock", extras=["speedup"])
    with pytest.raises(ManifestError, match="no dependency group 'lint' in the lock"):
        demo_lock("uv/uv.lock", groups=["lint"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[package]]\n", r"key 'version': no lock version: is this a uv\.lock\?"),
        ("version = 99\n", r"key 'version': unsupported uv\.lock version 99"),
        ("version = true\n", "unsupported uv.lock version True"),
        ('version = 1\nrequires-python = ">>3"\n', "invalid requires-python"),
        ("version = 1\n", "no project to start from"),
        ('version = 1\npackage = "x"\n', r"key 'package': expected an array, found a string"),
    ],
)
def test_a_broken_lock_is_one_error_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(text)
    with pytest.raises(ManifestError, match=message):
        read_uvlock(path, selection())


def test_the_digest_is_of_the_bytes_read(tmp_path: Path) -> None:
    import hashlib

    source = Path(__file__).resolve().parents[2] / "data" / "locks" / "uv" / "uv.lock"
    copy = tmp_path / "uv.lock"
    copy.write_bytes(source.read_bytes())
    manifest = read_uvlock(copy, selection())
    assert manifest.digest == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (manifest.format, manifest.complete, manifest.requires_python) == ("uv", True, ">=3.10")
