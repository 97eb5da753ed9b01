"""Reading RECORD: which files an installer wrote, as rows resolved on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from bootguard.checks.integrity.record import (
    egg_files,
    is_record_file,
    missing_record,
    no_record_note,
    read_record,
)
from bootguard.environment.model import Distribution
from tests.unit.conftest import Site


def _winner(site: Site, name: str = "msgbus") -> Distribution:
    dist = site.environment().get(name)
    assert dist is not None
    return dist


def test_every_row_resolves_to_the_installed_file_with_its_real_digest(site: Site) -> None:
    site.install("msgbus", "4.1.0", modules={"msgbus/__init__.py": "X = 1\n", "msgbus/a.py": ""})
    entries = read_record(_winner(site))
    assert entries is not None
    by_path = {entry.path: entry for entry in entries}
    assert set(by_path) >= {"msgbus/__init__.py", "msgbus/a.py", "msgbus-4.1.0.dist-info/RECORD"}
    for entry in entries:
        assert entry.full == os.path.join(str(site.path), entry.path)
        if entry.algorithm:  # every row but RECORD itself carries a hash and a size
            data = Path(entry.full).read_bytes()
            assert entry.digest == hashlib.new(entry.algorithm, data).digest()
            assert entry.size == len(data)
    record_row = by_path["msgbus-4.1.0.dist-info/RECORD"]
    assert (record_row.algorithm, record_row.digest, record_row.size) == ("", b"", -1)


def _with_record(site: Site, text: str) -> Distribution:
    meta = site.install("msgbus", "4.1.0")
    (meta / "RECORD").write_text(text, encoding="utf-8")
    return _winner(site)


def test_caches_false_leaves_out_pycache_rows(site: Site) -> None:
    dist = _with_record(site, "m/__init__.py,,\nm/__pycache__/__init__.cpython-311.pyc,,\n")
    assert [e.path for e in read_record(dist, caches=False) or []] == ["m/__init__.py"]
    assert len(read_record(dist) or []) == 2


def test_an_unknown_algorithm_or_a_bad_size_reads_as_none_recorded(site: Site) -> None:
    dist = _with_record(site, "b.py,md4=abc,x\nc.py,shake_128=abcd,3\nd.py,nohash,\n")
    entries = read_record(dist) or []
    assert [(e.path, e.algorithm, e.digest, e.size) for e in entries] == [
        ("b.py", "", b"", -1),
        ("c.py", "", b"", 3),
        ("d.py", "", b"", -1),
    ]


def test_a_hash_that_is_not_base64_reads_as_none_recorded(site: Site) -> None:
    dist = _with_record(site, "a.py,sha256=!!!,12\n")
    assert [(e.algorithm, e.digest) for e in read_record(dist) or []] == [("", b"")]


def test_quoted_paths_are_read_as_csv_and_odd_paths_are_normalized(site: Site) -> None:
    dist = _with_record(
        site, '"dir,with,commas/f.py",,\n../../bin/tool,,\n./x/../y.py,,\nm.py,,\nm.py,,\n'
    )
    entries = read_record(dist) or []
    fulls = [e.full for e in entries]
    assert fulls == [
        os.path.join(str(site.path), "dir,with,commas", "f.py"),
        os.path.abspath(os.path.join(str(site.path), "..", "..", "bin", "tool")),
        os.path.join(str(site.path), "y.py"),
        os.path.join(str(site.path), "m.py"),  # a repeated row counts once
    ]


def test_no_record_or_one_that_is_not_a_file_reads_as_absent(site: Site) -> None:
    meta = site.install("msgbus", "4.1.0")
    (meta / "RECORD").unlink()
    dist = _winner(site)
    assert read_record(dist) is None
    problem = missing_record(dist)
    assert problem is not None and problem.kind == "missing"
    assert "pip writes it last" in problem.detail
    os.mkfifo(meta / "RECORD")
    assert read_record(dist) is None  # returns at once: never blocks on a FIFO
    problem = missing_record(dist)
    assert problem is not None and problem.kind == "unreadable"
    assert "a FIFO" in problem.detail


@pytest.mark.parametrize("installer", ["conda", "", "\udcff"])
def test_a_missing_record_is_no_finding_when_another_tool_installed(
    site: Site, installer: str
) -> None:
    meta = site.install("msgbus", "4.1.0")
    (meta / "RECORD").unlink()
    (meta / "INSTALLER").write_bytes(installer.encode("utf-8", "surrogateescape"))
    assert missing_record(_winner(site)) is None
    assert (
        no_record_note(_winner(site))
        == "msgbus: msgbus-4.1.0.dist-info has no RECORD: files not verified"
    )


def test_an_egg_lists_its_files_in_installed_files_txt(tmp_path: Path) -> None:
    egg_info = tmp_path / "legacy-1.0-py3.11.egg-info"
    egg_info.mkdir()
    (egg_info / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: legacy\nVersion: 1.0\n\n")
    site = Site(tmp_path, tmp_path / "w")
    dist = _winner(site, "legacy")
    assert egg_files(dist) is None
    (egg_info / "installed-files.txt").write_text("../legacy/__init__.py\n\nPKG-INFO\n")
    assert egg_files(dist) == [str(tmp_path / "legacy" / "__init__.py"), str(egg_info / "PKG-INFO")]
    assert missing_record(dist) is None
    assert "installed as an egg" in no_record_note(dist)


def test_is_record_file_only_in_the_distributions_own_metadata_directory() -> None:
    prefix = "/site/msgbus-4.1.0.dist-info/"
    assert is_record_file(prefix + "RECORD", prefix)
    assert is_record_file(prefix + "RECORD.jws", prefix)
    assert not is_record_file(prefix + "METADATA", prefix)
    assert not is_record_file("/site/other-1.dist-info/RECORD", prefix)
