"""Prove the test-support layer builds real wheels that real pip installs, offline.

Why: every other test trusts these helpers to produce exactly what a real installer
leaves on disk.  If a hand-written wheel were subtly invalid, or pip quietly reached a
configured index, the rest of the suite would test fiction.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from tests.support.venvs import CommandFailed, Venv, VenvFactory
from tests.support.wheels import (
    build_editable_project,
    build_wheel,
    record_hash,
    wheel_filename,
)

_INSPECT = """
import importlib.metadata as md, json
print(json.dumps(sorted(
    [d.metadata["Name"], d.version, d.requires or [], d.metadata.get_all("Provides-Extra") or []]
    for d in md.distributions()
)))
"""


def _inventory(venv: Venv) -> list[list[object]]:
    result = venv.run(_INSPECT, check=True)
    inventory: list[list[object]] = json.loads(result.stdout)
    return inventory


def _verify_record(record_text: str, read: dict[str, bytes]) -> int:
    """Check every hashed RECORD row against ``read``; return how many were checked."""
    checked = 0
    for path, digest, size in csv.reader(io.StringIO(record_text)):
        if not digest:
            continue
        data = read[path]
        assert digest == record_hash(data), path
        assert int(size) == len(data), path
        checked += 1
    return checked


def test_built_wheel_has_valid_metadata_wheel_and_record(tmp_path: Path) -> None:
    path = build_wheel(
        tmp_path,
        "zope.interface",
        "6.0",
        requires=["typing_extensions>=4"],
        requires_python=">=3.8",
        extras={"test": ["msgbus>=4", 'fastjson; python_version < "4"']},
        tag="py2.py3-none-any",
    )
    assert path.name == "zope_interface-6.0-py2.py3-none-any.whl"
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    dist_info = "zope_interface-6.0.dist-info"
    assert list(contents)[-1] == f"{dist_info}/RECORD"
    assert "zope_interface/__init__.py" in contents

    metadata = HeaderParser().parsestr(contents[f"{dist_info}/METADATA"].decode())
    assert metadata["Metadata-Version"] == "2.1"
    assert metadata["Name"] == "zope.interface"
    assert metadata["Requires-Python"] == ">=3.8"
    assert metadata.get_all("Provides-Extra") == ["test"]
    assert metadata.get_all("Requires-Dist") == [
        "typing_extensions>=4",
        'msgbus>=4; extra == "test"',
        'fastjson; (python_version < "4") and extra == "test"',
    ]
    wheel = HeaderParser().parsestr(contents[f"{dist_info}/WHEEL"].decode())
    assert wheel["Wheel-Version"] == "1.0"
    assert wheel["Root-Is-Purelib"] == "true"
    assert wheel.get_all("Tag") == ["py2-none-any", "py3-none-any"]

    record = contents[f"{dist_info}/RECORD"].decode()
    rows = list(csv.reader(io.StringIO(record)))
    assert sorted(row[0] for row in rows) == sorted(contents)
    assert [f"{dist_info}/RECORD", "", ""] in rows
    assert _verify_record(record, contents) == len(contents) - 1


def test_wheels_are_reproducible(tmp_path: Path) -> None:
    first = build_wheel(tmp_path / "a", "msgbus", "4.1.0").read_bytes()
    second = build_wheel(tmp_path / "b", "msgbus", "4.1.0").read_bytes()
    assert first == second


def test_installed_wheels_report_name_version_requires(venv_factory: VenvFactory) -> None:
    venv = venv_factory(
        install=[
            "taskq==5.0.0",
            "msgbus==4.2.0",
            "zope.interface==6.0",
            "typing_extensions==4.12.2",
            "webkit==1.0",
        ]
    )
    assert _inventory(venv) == [
        ["msgbus", "4.2.0", [], []],
        # Requires-Dist comes back verbatim, not normalized (pip check would reorder it).
        ["taskq", "5.0.0", ["msgbus>=4.0.2,<5.0"], []],
        ["typing_extensions", "4.12.2", [], []],
        ["webkit", "1.0", ['fastjson>=2; extra == "speedups"'], ["speedups"]],
        ["zope.interface", "6.0", [], []],
    ]
    imported = venv.run(
        "import msgbus, zope.interface, typing_extensions; "
        "print(msgbus.__version__, zope.interface.__version__, typing_extensions.__version__)",
        check=True,
    )
    assert imported.stdout.split() == ["4.2.0", "6.0", "4.12.2"]
    # Exactly what was asked for (--no-deps), and pip itself is not in the venv.
    assert not (venv.site_packages / "pip").exists()


def test_installed_record_hashes_verify(venv_factory: VenvFactory) -> None:
    venv = venv_factory(install=["zope.interface==6.0"])
    dist_info = venv.site_packages / "zope_interface-6.0.dist-info"
    record = (dist_info / "RECORD").read_text()
    paths = [row[0] for row in csv.reader(io.StringIO(record))]
    contents = {
        path: (venv.site_packages / path).read_bytes()
        for path in paths
        if (venv.site_packages / path).is_file()
    }
    assert _verify_record(record, contents) >= 4  # module, METADATA, WHEEL, INSTALLER
    installer = (dist_info / "INSTALLER").read_text().strip()
    assert installer == "pip"


def test_editable_install_writes_direct_url_and_imports(
    tmp_path: Path, venv_factory: VenvFactory
) -> None:
    project = build_editable_project(
        tmp_path / "src-tree", "local.app", "0.3.0", requires=["msgbus>=4"]
    )
    venv = venv_factory()
    venv.install(project, editable=True)

    dist_info = venv.site_packages / "local_app-0.3.0.dist-info"
    direct_url = json.loads((dist_info / "direct_url.json").read_text())
    assert direct_url["dir_info"] == {"editable": True}
    assert direct_url["url"] == project.resolve().as_uri()
    assert _inventory(venv) == [["local.app", "0.3.0", ["msgbus>=4"], []]]

    # Really editable: a change in the checkout is seen without reinstalling.
    (project / "src" / "local_app" / "__init__.py").write_text('__version__ = "edited"\n')
    result = venv.run("import local_app; print(local_app.__version__)", check=True)
    assert result.stdout.strip() == "edited"


def test_project_also_builds_a_regular_wheel(tmp_path: Path, venv_factory: VenvFactory) -> None:
    project = build_editable_project(tmp_path, "plainapp", "1.2")
    venv = venv_factory()
    venv.install(project)
    dist_info = venv.site_packages / "plainapp-1.2.dist-info"
    direct_url = json.loads((dist_info / "direct_url.json").read_text())
    assert direct_url["dir_info"] == {}
    assert (venv.site_packages / "plainapp" / "__init__.py").is_file()


def test_pip_check_sees_broken_and_consistent_sets(venv_factory: VenvFactory) -> None:
    broken = venv_factory("broken", install=["taskq==5.0.0", "msgbus==3.6.0"])
    result = broken.pip("check")
    assert result.returncode == 1
    assert "taskq 5.0.0 has requirement msgbus<5.0,>=4.0.2" in result.stdout

    # platdep's winonly requirement has a marker that is false on this platform.
    consistent = venv_factory(
        "consistent", install=["taskq==5.0.0", "msgbus==4.1.0", "platdep==1.0"]
    )
    result = consistent.pip("check")
    assert (result.returncode, result.stdout.strip()) == (0, "No broken requirements found.")


def test_uninstall_removes_the_distribution(venv_factory: VenvFactory) -> None:
    venv = venv_factory(install=["msgbus==4.1.0", "fastjson==2.1"])
    venv.uninstall("msgbus")
    assert [row[0] for row in _inventory(venv)] == ["fastjson"]


def test_installs_ignore_outer_pip_configuration(
    tmp_path: Path, venv_factory: VenvFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wheel reachable only through the outer environment's pip settings.
    elsewhere = tmp_path / "elsewhere"
    build_wheel(elsewhere, "leaky", "1.0")
    monkeypatch.setenv("PIP_FIND_LINKS", str(elsewhere))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nfind-links = {elsewhere}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))

    venv = venv_factory()
    with pytest.raises(CommandFailed, match="No matching distribution found for leaky"):
        venv.install("leaky")
    venv.install(elsewhere / wheel_filename("leaky", "1.0"))  # a path still installs


def test_requires_python_is_enforced_unless_ignored(venv_factory: VenvFactory) -> None:
    venv = venv_factory()
    with pytest.raises(CommandFailed, match="requires a different Python"):
        venv.install("py4only==1.0")
    venv.install("py4only==1.0", extra_args=["--ignore-requires-python"])
    assert _inventory(venv) == [["py4only", "1.0", [], []]]


def test_bootguard_pythonpath_adds_no_distributions(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory()
    result = venv.run(
        "import importlib.metadata as md, bootguard, packaging.version; "
        "print(len(list(md.distributions())))",
        pythonpath=[bootguard_pythonpath],
        check=True,
    )
    assert result.stdout.strip() == "0"
    assert venv.run("import bootguard").returncode == 1  # not importable by accident


def test_install_with_deps_resolves_from_the_wheelhouse_only(venv_factory: VenvFactory) -> None:
    venv = venv_factory()
    venv.install("webapp==1.0", deps=True)
    installed = {str(row[0]): str(row[1]) for row in _inventory(venv)}
    assert installed == {
        "webapp": "1.0",
        "taskq": "5.0.0",
        "msgbus": "4.2.0",
        "webkit": "1.0",
        "fastjson": "2.1",
    }
    assert venv.pip("check").returncode == 0
