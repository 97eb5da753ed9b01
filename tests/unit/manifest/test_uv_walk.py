"""The walk through a uv.lock graph: only edges whose markers hold, forks by version."""

from __future__ import annotations

from typing import Any

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest._uv_walk import _Walk
from tests.unit.conftest import selection

REGISTRY = {"registry": "https://pypi.org/simple"}


def _package(name: str, version: str, *dependencies: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "source": REGISTRY,
        "dependencies": list(dependencies),
        **more,
    }


def _walk(document: dict[str, Any], **markers: str) -> dict[str, str]:
    walk = _Walk("uv.lock", document, selection(groups=[], **markers))
    walk.run()
    return {package.name: package.version or "" for package, _ in walk.selected()}


APP = {
    "name": "app",
    "version": "1.0",
    "source": {"editable": "."},
    "dependencies": [
        {"name": "lib", "version": "2.0", "marker": "python_full_version >= '3.11'"},
        {"name": "lib", "version": "1.0", "marker": "python_full_version < '3.11'"},
        {"name": "winonly", "marker": "sys_platform == 'win32'"},
    ],
}
DOCUMENT = {
    "package": [
        APP,
        _package("lib", "1.0", {"name": "old-helper"}),
        _package("lib", "2.0"),
        _package("old-helper", "0.1"),
        _package("winonly", "3.0"),
        _package("unreached", "9.9"),
    ]
}


def test_only_what_the_edges_reach_for_this_interpreter_is_selected() -> None:
    assert _walk(DOCUMENT, python_full_version="3.11.7") == {"app": "1.0", "lib": "2.0"}
    assert _walk(DOCUMENT, python_full_version="3.10.4", sys_platform="win32") == {
        "app": "1.0",
        "lib": "1.0",
        "old-helper": "0.1",
        "winonly": "3.0",
    }


def test_workspace_members_are_the_roots_without_a_project_at_dot() -> None:
    document = {
        "manifest": {"members": ["Member_A"]},
        "package": [_package("member-a", "0.1", {"name": "lib"}), _package("lib", "2.0")],
    }
    assert _walk(document) == {"member-a": "0.1", "lib": "2.0"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"package": [_package("lib", "1.0")]}, "no project to start from"),
        ({"package": [APP, dict(APP, name="other")]}, "two packages have their source at '.'"),
        (
            {"package": [APP], "manifest": {"members": [1]}},
            r"key 'manifest\.members\[0\]': expected a string",
        ),
    ],
)
def test_a_lock_without_one_clear_root_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        _walk(document)
