"""``bootguard snapshot``: a pinned, counted, sealed file that reads back with no finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard.api import check
from bootguard.environment.seal import verify_seal
from bootguard.snapshot import SnapshotError, snapshot, write_snapshot
from tests.unit.conftest import Site


def _site(site: Site) -> Site:
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    site.install("msgbus", "4.1.0")
    site.install("lib", "1.0", direct_url={"url": "https://h/lib-1.0.tar.gz", "archive_info": {}})
    return site


def test_a_clean_environment_gets_a_sealed_snapshot_that_reads_back_clean(
    site: Site, tmp_path: Path
) -> None:
    _site(site)
    result = snapshot(paths=[str(site.path)])
    assert result.sealed and result.findings == ()
    lines = result.text.decode().splitlines()
    assert lines[0] == "# bootguard-snapshot: entries=3"
    assert "msgbus==4.1.0" in lines and "taskq==5.0.0" in lines
    assert any(line.startswith("lib @ https://h/lib-1.0.tar.gz") for line in lines)
    assert verify_seal(result.text, [str(site.path)])
    path = tmp_path / "snapshot.txt"
    write_snapshot(str(path), result.text)
    report = check([path], paths=[str(site.path)], use_seal=False)
    assert report.problems == ()


def test_a_broken_environment_is_not_sealed(site: Site) -> None:
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    site.install("msgbus", "3.0")
    result = snapshot(paths=[str(site.path)])
    assert not result.sealed
    assert [f.key for f in result.findings] == ["taskq:requires"]


def test_unreadable_metadata_refuses_the_snapshot(site: Site) -> None:
    meta = site.install("msgbus", "4.1.0")
    (meta / "METADATA").write_text("Metadata-Version: 2.1\n\n")
    with pytest.raises(SnapshotError, match=r"^cannot snapshot msgbus: .*METADATA has no Version$"):
        snapshot(paths=[str(site.path)])


def test_write_snapshot_is_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "snap.txt"
    target.write_bytes(b"old\n")
    write_snapshot(str(target), b"new\n")
    assert target.read_bytes() == b"new\n"
    assert os.listdir(tmp_path) == ["snap.txt"]  # no temporary file left
    with pytest.raises(SnapshotError, match="no such directory"):
        write_snapshot(str(tmp_path / "missing-dir" / "snap.txt"), b"x")
    with pytest.raises(SnapshotError, match=r"not a regular file \(a directory\)"):
        write_snapshot(str(tmp_path), b"x")  # a directory as the target
    assert target.read_bytes() == b"new\n"
