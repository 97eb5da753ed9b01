"""The inventory: what ``import`` would see, first copy wins, unreadable metadata is a problem."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from bootguard.environment.inventory import (
    _PLATFORM_CALLS,
    build,
    current_environment,
    inspect_interpreter,
    marker_environment,
)
from tests.unit.conftest import Site, selection


def test_distributions_are_read_from_their_metadata(site: Site) -> None:
    site.install(
        "Task_Q",
        "5.0.0",
        requires=["msgbus>=4", 'redis; extra == "cache"'],
        requires_python=">=3.9",
        extras={"cache": []},
    )
    dist = site.environment().get("task-q")
    assert dist is not None and dist.problem is None
    assert (dist.display_name, dist.version, dist.requires_python) == ("Task_Q", "5.0.0", ">=3.9")
    assert dist.requires[0] == "msgbus>=4"
    assert dist.provides_extras == ("cache",)
    assert (dist.location, dist.metadata_dir) == (
        str(site.path),
        str(site.path / "task_q-5.0.0.dist-info"),
    )
    assert str(dist) == "Task_Q 5.0.0"


def test_the_first_copy_on_the_path_wins_and_later_ones_are_duplicates(tmp_path: Path) -> None:
    first, second = Site(tmp_path / "a", tmp_path / "w"), Site(tmp_path / "b", tmp_path / "w")
    first.install("msgbus", "4.2.0")
    second.install("msgbus", "4.1.0")
    env = current_environment([str(first.path), str(second.path)])
    assert env.get("msgbus") is not None and env.distributions["msgbus"].version == "4.2.0"
    (duplicate,) = env.duplicates
    assert duplicate.shadowed.version == "4.1.0"
    assert not duplicate.same_directory and not duplicate.same_version


def test_unreadable_metadata_is_listed_with_its_problem(site: Site) -> None:
    meta = site.install("msgbus", "4.1.0")
    (meta / "METADATA").write_bytes(b"Metadata-Version: 2.1\nName: msg\x1bbus\nVersion: \n\n")
    broken = site.environment().get("msgbus")
    assert broken is not None and broken.problem is not None
    assert "Name msg\\x1bbus holds control characters" in broken.problem
    assert "METADATA has an empty Version" in broken.problem
    assert broken.version == "4.1.0"  # from the directory name, printable
    (meta / "METADATA").unlink()
    os.mkfifo(meta / "METADATA")
    fifo = site.environment().get("msgbus")
    assert fifo is not None and fifo.problem == "METADATA is not a regular file (a FIFO)"


def test_an_egg_info_reads_its_requires_txt(tmp_path: Path) -> None:
    egg = tmp_path / "legacy-1.0-py3.11.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: legacy\nVersion: 1.0\n\n")
    (egg / "requires.txt").write_text("six>=1\n\n[extra]\nredis\n")
    dist = current_environment([str(tmp_path)]).get("legacy")
    assert dist is not None and dist.requires[0] == "six>=1"
    assert any("redis" in line and "extra" in line for line in dist.requires)


def test_build_and_inspect_agree_for_this_interpreter(site: Site) -> None:
    site.install("msgbus", "4.1.0")
    env = build(sys.executable, "3.x", selection().marker_env, (str(site.path),))
    assert list(env.distributions) == ["msgbus"] and env.python_version == "3.x"
    other = inspect_interpreter(sys.executable)
    assert other.marker_env == selection().marker_env
    assert other.paths and all(isinstance(path, str) for path in other.paths)


def test_the_marker_environment_reads_uname_as_platform_does() -> None:
    """On Linux the platform values come from ``os.uname()`` and ``sys.version`` without
    importing ``platform`` (elsewhere from ``platform``): each one must be what it says."""
    expected = {key: getattr(platform, call)() for key, call in _PLATFORM_CALLS}
    expected["python_version"] = ".".join(platform.python_version_tuple()[:2])
    env = marker_environment()
    assert {key: env[key] for key in expected} == expected
