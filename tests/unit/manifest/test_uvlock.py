"""Reading a real uv.lock: what ``uv sync`` installs on the target interpreter."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest.uvlock import read_uvlock
from tests.unit.conftest import demo_lock, selection


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
