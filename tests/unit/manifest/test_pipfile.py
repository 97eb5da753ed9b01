"""Pipfile.lock selection (sections, markers, pins) and its errors, on pipenv's real output.

Reading a real Pipfile.lock: sections, markers, and pipenv's own resolution.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest import Manifest, Selection, read_manifest
from bootguard.manifest.pipfile import read_pipfile
from tests.support.locks import LOCKS, marker_env
from tests.unit.conftest import demo_lock, refusal, selection

PIPFILE = LOCKS / "pipenv" / "Pipfile.lock"


def _read(
    path: Path = PIPFILE,
    *,
    platform: str = "linux",
    groups: tuple[str, ...] | None = None,
    extras: tuple[str, ...] = (),
) -> Manifest:
    selection = Selection(
        marker_env(platform), frozenset(extras), frozenset(groups) if groups is not None else None
    )
    return read_manifest(path, selection)


def test_default_section_markers_and_editable_project() -> None:
    manifest = _read()
    entries = {e.name: e for e in manifest.entries}
    assert {n: e.specifier for n, e in entries.items()} == {
        "attrs": "==26.1.0",
        "demo-app": "",  # editable path: pipenv records no version
        "python-dateutil": "==4.0.0",
        "typing-extensions": "==4.16.0",
        "tzdata": "==2026.6",
    }
    assert entries["demo-app"].editable and entries["demo-app"].url == "."
    assert entries["demo-app"].extras == {"speedups"}
    assert len(entries["tzdata"].hashes) == 2
    assert entries["tzdata"].origin == f"{PIPFILE}: default.tzdata"
    assert manifest.requires_python == "==3.11.*"
    # colorama (sys_platform == 'win32') only on Windows; develop only when asked
    assert "colorama" in {e.name for e in _read(platform="win32").entries}
    for group in ("develop", "dev"):
        assert "iniconfig" in {e.name for e in _read(groups=(group,)).entries}


def test_extras_are_already_resolved_and_noted() -> None:
    manifest = _read(extras=("speedups",))
    assert len(manifest.entries) == len(_read().entries)
    assert "--extra is ignored" in manifest.notes[0]


def _write(tmp_path: Path, mutate: object) -> Path:
    document = json.loads(PIPFILE.read_text())
    mutate(document)  # type: ignore[operator]
    path = tmp_path / "Pipfile.lock"
    path.write_text(json.dumps(document, indent=4))
    return path


@pytest.mark.parametrize(
    ("mutate", "key", "message"),
    [
        (lambda d: d["_meta"].update({"pipfile-spec": 7}), "_meta.pipfile-spec", "unsupported"),
        (lambda d: d.pop("_meta"), "_meta", "expected a table"),
        (
            lambda d: d["default"]["tzdata"].update({"version": ">=1"}),
            "default.tzdata.version",
            "expected an exact pin",
        ),
        (
            lambda d: d["default"]["tzdata"].update({"markers": "os_name ="}),
            "default.tzdata.markers",
            "invalid marker",
        ),
        (lambda d: d.update({"default": []}), "default", "expected a table"),
        (
            lambda d: d["_meta"]["requires"].update({"python_version": "three"}),
            "_meta.requires.python_version",
            "malformed Python version",
        ),
    ],
)
def test_malformed_locks_name_the_key(
    tmp_path: Path, mutate: object, key: str, message: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        _read(_write(tmp_path, mutate))
    assert caught.value.key == key
    assert message in caught.value.message


def test_json_syntax_error_names_the_line_and_unknown_section(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    lines = PIPFILE.read_text().splitlines()
    lines[5] = lines[5] + ","
    path.write_text("\n".join(lines))
    with pytest.raises(ManifestError) as caught:
        _read(path)
    assert caught.value.line is not None and caught.value.line >= 6
    with pytest.raises(ManifestError, match="no section 'docs'"):
        _read(groups=("docs",))


META = {"pipfile-spec": 6, "requires": {"python_version": "3.11"}}


def test_pipenv_markers_are_evaluated_for_the_target() -> None:
    newer = demo_lock("pipenv/Pipfile.lock")
    older = demo_lock("pipenv/Pipfile.lock", python="3.10.4")
    assert newer["python-dateutil"] == "==4.0.0"
    assert "python-dateutil" not in older  # pipenv locked it with python_version >= '3.11'
    assert "colorama" in demo_lock("pipenv/Pipfile.lock", platform="win32")


def test_develop_is_read_only_when_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    document = {
        "_meta": META,
        "default": {"Task_Q": {"version": "==1.0"}},
        "develop": {"pytest": {"version": "==8.0"}},
    }
    path.write_text(json.dumps(document))
    manifest = read_pipfile(path, selection())
    assert [(e.name, e.specifier) for e in manifest.entries] == [("task-q", "==1.0")]
    assert manifest.requires_python == "==3.11.*"
    with_dev = read_pipfile(path, selection(groups=["develop"]))
    assert [e.name for e in with_dev.entries] == ["task-q", "pytest"]


@pytest.mark.parametrize(
    ("default", "message"),
    [
        (
            {"x": {"version": "==1", "markers": "os_name =="}},
            ": key 'default.x.markers': invalid marker 'os_name =='",
        ),
        ({"x": 1}, ": key 'default.x': expected a table, found an integer"),
        (
            {"x": {"version": "==bad"}},
            ": key 'default.x.version': invalid version 'bad' (not PEP 440)",
        ),
    ],
)
def test_a_bad_entry_names_its_key(tmp_path: Path, default: object, message: str) -> None:
    text = json.dumps({"_meta": META, "default": default})
    assert refusal(tmp_path, "Pipfile.lock", text).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", ":1: invalid JSON"),
        ("[1]", ": key '(document)': expected a table, found an array"),
        ('{"_meta": {}}', ": key '_meta.pipfile-spec': unsupported pipfile-spec None"),
    ],
)
def test_a_broken_document_is_refused(tmp_path: Path, text: str, message: str) -> None:
    assert refusal(tmp_path, "Pipfile.lock", text).startswith(message)


def test_an_unknown_section_is_a_typo(tmp_path: Path) -> None:
    text = json.dumps({"_meta": META, "default": {}})
    assert (
        refusal(tmp_path, "Pipfile.lock", text, groups=["dev"])
        == ": no section 'dev' (sections: default)"
    )
