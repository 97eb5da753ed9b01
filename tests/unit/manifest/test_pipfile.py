"""Reading a real Pipfile.lock: sections, markers, and pipenv's own resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootguard.manifest.pipfile import read_pipfile
from tests.unit.conftest import demo_lock, refusal, selection

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
